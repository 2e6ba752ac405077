def handler(event, context):
    return {"id": event["identity"]["sub"]}
