"""POST /users: stores the user, and their avatar under in/ in the uploads bucket."""
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])
s3 = boto3.client("s3")


def handler(event, context):
    user = json.loads(event["body"])
    table.put_item(Item={"pk": f"user#{user['id']}", "sk": "profile", "name": user["name"]})
    s3.put_object(Bucket=os.environ["UPLOADS_BUCKET"], Key=f"in/{user['id']}.txt", Body=user["name"].encode())
    return {"statusCode": 201, "body": json.dumps({"id": user["id"]})}
