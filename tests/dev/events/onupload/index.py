"""Each upload under in/."""


def handler(event, context):
    print(f"uploaded: {event['detail']['object']['key']}")
