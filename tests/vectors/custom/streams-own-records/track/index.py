"""POST /clicks: one click ({"page": ...}) onto the clicks stream, keyed by page."""
import json
import os

import boto3

kinesis = boto3.client("kinesis")


def handler(event, context):
    click = json.loads(event.get("body") or "{}")
    page = str(click.get("page", "/"))
    kinesis.put_record(StreamName=os.environ["CLICKS_STREAM"], PartitionKey=page,
                       Data=json.dumps({"page": page}).encode())
    return {"statusCode": 202, "body": json.dumps({"page": page})}
