# pareto's error handler: turns each failure record on the app's errors queue (failed async
# invocations, table-stream batches that ran out of retries) into a readable message on the
# errors topic.
import functools
import json
import os

import boto3

SUBJECT_LIMIT = 100  # SNS: printable ASCII, no line breaks, at most 100 characters


@functools.cache  # made on first use, then kept for the container's later invocations
def sns():
    return boto3.client("sns")


def function_name(arn):
    # arn:aws:lambda:region:account:function:name[:qualifier]
    parts = (arn or "").split(":")
    return parts[6] if len(parts) > 6 else (arn or "unknown function")


def subject_text(text):
    ascii_only = "".join(c if 32 <= ord(c) < 127 else " " for c in text)
    return ascii_only[: SUBJECT_LIMIT - 3] + "..." if len(ascii_only) > SUBJECT_LIMIT else ascii_only


def describe(record):
    """The subject and lines that say what failed."""
    app = os.environ.get("APP", "app")
    context = record.get("requestContext", {})
    response = record.get("responseContext", {})
    name = function_name(context.get("functionArn"))
    lines = [f"Function: {name}", f"When: {record.get('timestamp', 'unknown')}",
             f"Condition: {context.get('condition', 'unknown')}",
             f"Attempts: {context.get('approximateInvokeCount', 'unknown')}"]
    if response.get("functionError"):
        lines.append(f"Function error: {response['functionError']}")
    batch = record.get("DDBStreamBatchInfo")
    if batch:
        lines += [f"Stream: {batch.get('streamArn')}", f"Shard: {batch.get('shardId')}",
                  f"Records: {batch.get('batchSize')}, sequence numbers "
                  f"{batch.get('startSequenceNumber')} to {batch.get('endSequenceNumber')}",
                  f"Arrived: {batch.get('approximateArrivalOfFirstRecord')} to "
                  f"{batch.get('approximateArrivalOfLastRecord')}"]
        return f"{app}: {name} failed a stream batch ({context.get('condition', 'failed')})", lines
    error = record.get("responsePayload") or {}
    if not isinstance(error, dict):
        error = {"errorMessage": str(error)}
    kind = error.get("errorType", response.get("functionError", "Error"))
    lines += [f"Error: {kind}: {error.get('errorMessage', '')}"]
    lines += ["Stack trace:"] + [f"  {line.rstrip()}" for line in error.get("stackTrace", [])]
    return f"{app}: {name} failed ({kind})", lines


def message(body):
    """The subject and message for one queue message's body."""
    try:
        record = json.loads(body)
    except ValueError:
        record = None
    if not isinstance(record, dict) or "requestContext" not in record:
        app = os.environ.get("APP", "app")
        return subject_text(f"{app}: a failure record of unknown form"), f"Record:\n{body}"
    subject, lines = describe(record)
    lines += ["", "Record:", json.dumps(record, indent=2, sort_keys=True, default=str)]
    return subject_text(subject), "\n".join(lines)


def handler(event, context):
    failures = []
    for item in event.get("Records", []):
        subject, text = message(item.get("body", ""))
        try:
            sns().publish(TopicArn=os.environ["TOPIC"], Subject=subject, Message=text)
        except Exception as error:  # the message stays on the queue and is tried again
            print(json.dumps({"publish-failed": item.get("messageId"), "error": str(error)}))
            failures.append({"itemIdentifier": item["messageId"]})
    return {"batchItemFailures": failures}
