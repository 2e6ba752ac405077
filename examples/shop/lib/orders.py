"""What the order functions share: shipped in each archive as lib/, importable as lib.orders."""
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("ORDERS_TABLE", "orders"))


def key(order_id):
    return {"pk": f"order#{order_id}", "sk": "order"}
