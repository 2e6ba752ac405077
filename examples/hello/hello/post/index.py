"""POST /hello: stores a user and queues a welcome job for the worker."""
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])
queue_url = os.environ["JOBS_QUEUE"]
sqs = boto3.client("sqs")


def handler(event, context):
    body = json.loads(event["body"])  # API Gateway has checked it against the schema
    table.put_item(Item={"pk": f"user#{body['id']}", "sk": "profile", "name": body["name"]})
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"welcome": body["id"]}))
    return {"statusCode": 201, "body": json.dumps({"id": body["id"]})}
