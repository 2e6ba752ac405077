# pareto's ticker: run once a minute, it queues the minute's ticks of a sub-minute timer as SQS
# messages delayed 0, INTERVAL, 2 * INTERVAL ... seconds; the timer's action consumes the queue.
import functools
import os

import boto3

BATCH = 10  # entries per SendMessageBatch call


@functools.cache  # made on first use, then kept for the container's later invocations
def sqs():
    return boto3.client("sqs")


def ticks(interval, body):
    return [{"Id": f"tick-{n}", "MessageBody": body, "DelaySeconds": n * interval}
            for n in range(60 // interval)]


def send(queue, entries):
    """Sends one batch, resending failed entries once; raises if some still fail."""
    result = sqs().send_message_batch(QueueUrl=queue, Entries=entries)
    failed = {f["Id"] for f in result.get("Failed", [])}
    if failed:
        retry = sqs().send_message_batch(QueueUrl=queue, Entries=[e for e in entries if e["Id"] in failed])
        still = [f"{f['Id']} ({f.get('Code', 'error')})" for f in retry.get("Failed", [])]
        if still:
            raise RuntimeError(f"ticks not queued: {', '.join(still)}")


def handler(event, context):
    entries = ticks(int(os.environ["INTERVAL"]), os.environ.get("BODY", "{}"))
    for start in range(0, len(entries), BATCH):
        send(os.environ["QUEUE"], entries[start:start + BATCH])
    return {"ticks": len(entries)}
