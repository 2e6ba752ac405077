"""Consumes the jobs queue: marks each welcomed user; failed messages are retried."""
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("USERS_TABLE"))


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            job = json.loads(record["body"])
            table.update_item(
                Key={"pk": f"user#{job['welcome']}", "sk": "profile"},
                UpdateExpression="SET welcomed = :yes",
                ExpressionAttributeValues={":yes": True},
            )
        except Exception:  # reported per message, so one bad job does not fail the batch
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
