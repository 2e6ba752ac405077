"""POST /orders: stores the order and queues its charge."""
import json
import os
import uuid

import boto3

from lib import orders

queue = boto3.client("sqs")


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    order_id = body.get("id") or uuid.uuid4().hex
    orders.table.put_item(Item={**orders.key(order_id), "amount": int(body.get("amount", 0)),
                                "state": "new", "flags": os.environ.get("FEATURE_FLAGS", "")})
    queue.send_message(QueueUrl=os.environ.get("CHARGES_QUEUE"),
                       MessageBody=json.dumps({"order": order_id}))
    return {"statusCode": 201, "body": json.dumps({"id": order_id})}
