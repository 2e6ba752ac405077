"""GET /orders/{id}: the order, or 404."""
import json

from lib import orders


def handler(event, context):
    order_id = (event.get("pathParameters") or {}).get("id", "")
    item = orders.table.get_item(Key=orders.key(order_id)).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"error": "no such order"})}
    return {"statusCode": 200, "body": json.dumps(item, default=str)}
