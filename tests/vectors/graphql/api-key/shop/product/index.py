import os

TABLE = os.environ["PRODUCTS_TABLE"]


def handler(event, context):
    return {"id": event.get("arguments", {}).get("id"), "table": TABLE}
