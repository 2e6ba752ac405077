"""Consumes the charges queue: marks each order charged; a failed message is retried alone."""
import json
import os

from lib import orders


def handler(event, context):
    secret_name = os.environ.get("PAYMENT_KEY_SECRET")  # fetched when a charge needs it
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])["order"]
            orders.table.update_item(Key=orders.key(order), UpdateExpression="SET #s = :charged",
                                     ExpressionAttributeNames={"#s": "state"},
                                     ExpressionAttributeValues={":charged": f"charged ({secret_name})"})
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
