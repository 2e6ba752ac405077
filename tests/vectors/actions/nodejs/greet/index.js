exports.handler = async () => ({ table: process.env.USERS_TABLE });
