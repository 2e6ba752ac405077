"""A greeting for a new user: writer invokes it, once waiting for the answer and once not."""


def handler(event, context):
    greeting = f"welcome, {event['name']}"
    print(greeting)
    return {"greeting": greeting}
