"""Each new user, as the table's router publishes it."""


def handler(event, context):
    print(f"new user: {event['detail']['key']}")
