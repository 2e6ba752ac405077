'use strict';
// The SWIG-generated Node-API module over pareto.h (bindings/pareto.i); private to the package.
//
// Loaded with RTLD_DEEPBIND where the platform has it: Node exports its own zlib (Chromium's,
// whose deflate output differs), and without it the core's libzip would compress with that one
// — the code archive's bytes would then differ from Python's.
const os = require('node:os');
const path = require('node:path');

const file = path.join(__dirname, '..', 'build', 'Release', '_pareto.node');
const { RTLD_NOW = 0, RTLD_DEEPBIND = 0 } = os.constants.dlopen;
const loaded = { exports: {} };
process.dlopen(loaded, file, RTLD_NOW | RTLD_DEEPBIND);
module.exports = loaded.exports;
