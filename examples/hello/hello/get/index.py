"""GET /hello/{id}: the user with that id, or 404."""
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


def handler(event, context):
    user_id = event["pathParameters"]["id"]
    item = table.get_item(Key={"pk": f"user#{user_id}", "sk": "profile"}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"message": f"no user {user_id}"})}
    body = {"id": user_id, "name": item["name"], "welcomed": bool(item.get("welcomed"))}
    return {"statusCode": 200, "body": json.dumps(body)}
