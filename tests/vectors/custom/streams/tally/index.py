"""Counts the clicks of each batch from the clicks stream into the pages table."""
import base64
import collections
import json
import os

import boto3

pages = boto3.resource("dynamodb").Table(os.environ["PAGES_TABLE"])


def handler(event, context):
    counts = collections.Counter(
        json.loads(base64.b64decode(record["kinesis"]["data"]))["page"]
        for record in event["Records"])
    for page, count in counts.items():
        pages.update_item(Key={"pk": f"page#{page}", "sk": "clicks"}, UpdateExpression="ADD clicks :n",
                          ExpressionAttributeValues={":n": count})
    return {"pages": len(counts)}
