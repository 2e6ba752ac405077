# pareto's log alerts: CloudWatch Logs hands over a function's error, warning and timeout lines;
# they go to the alarms topic and, when a webhook is set, to a Slack-compatible chat.
import base64
import functools
import gzip
import json
import os
import urllib.request

SUBJECT_LIMIT = 100  # SNS: printable ASCII, no line breaks, at most 100 characters
MESSAGE_LIMIT = 200_000  # well within SNS's 256 KB
WEBHOOK_SECONDS = 5


@functools.cache  # made on first use, then kept for the container's later invocations
def sns():
    import boto3
    return boto3.client("sns")


def level(message):
    if "Task timed out" in message:
        return "timeout"
    if "ERROR" in message or "Error" in message:
        return "error"
    return "warning"


def summary(function, lines):
    counts = {}
    for kind, _ in lines:
        counts[kind] = counts.get(kind, 0) + 1
    parts = [f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(counts.items())]
    return f"{os.environ.get('APP', 'app')}: {function} logged {', '.join(parts)}"


def subject_text(text):
    text = "".join(c if 32 <= ord(c) < 127 else " " for c in text)
    return text[: SUBJECT_LIMIT - 3] + "..." if len(text) > SUBJECT_LIMIT else text


def post(url, text):
    request = urllib.request.Request(url, data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=WEBHOOK_SECONDS) as response:
        return response.status


def handler(event, context):
    batch = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    if batch.get("messageType") != "DATA_MESSAGE":
        return {"lines": 0}  # CloudWatch Logs' check that the destination is reachable
    function = batch["logGroup"].rsplit("/", 1)[-1]
    lines = [(level(e["message"]), e["message"].rstrip()) for e in batch["logEvents"]]
    title = summary(function, lines)
    text = "\n".join([title, f"Log group: {batch['logGroup']}", f"Stream: {batch['logStream']}", ""]
                     + [f"[{kind}] {message}" for kind, message in lines])[:MESSAGE_LIMIT]
    sns().publish(TopicArn=os.environ["TOPIC"], Subject=subject_text(title), Message=text)
    webhook = os.environ.get("WEBHOOK", "")
    if webhook:
        try:
            post(webhook, text)
        except Exception as error:  # the topic has it; a chat outage must not repeat the alert
            print(json.dumps({"webhook-failed": str(error)}))
    return {"lines": len(lines)}
