# pareto's table router: publishes a DynamoDB stream's changes to EventBridge, one event per
# group of records that share a key, an event name and the attributes they change.
import base64
import functools
import json
import os
import time
from decimal import Decimal

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer

MAX_ENTRIES = 10  # per PutEvents call
MAX_REQUEST_BYTES = 256 * 1024  # per PutEvents call, as EventBridge measures it
ATTEMPTS = 3

_deserializer = TypeDeserializer()


@functools.cache  # made on first use, then kept for the container's later invocations
def events():
    return boto3.client("events")


def plain(value):
    """DynamoDB's types as JSON: numbers, lists for sets, base64 text for bytes."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def image(raw):
    return None if raw is None else {k: plain(_deserializer.deserialize(v)) for k, v in raw.items()}


def diff_keys(name, old, new):
    if name == "INSERT":
        return sorted(new or {})
    if name == "REMOVE":
        return sorted(old or {})
    old, new = old or {}, new or {}
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def group(records):
    """Records by (key, event name, diff keys), in order of first appearance."""
    groups = {}
    for record in records:
        change = record["dynamodb"]
        name = record["eventName"]
        key, old, new = image(change["Keys"]), image(change.get("OldImage")), image(change.get("NewImage"))
        diff = diff_keys(name, old, new)
        slot = (json.dumps(key, sort_keys=True), name, tuple(diff))
        entry = groups.setdefault(slot, {"key": key, "event": name, "diff-keys": diff, "records": []})
        entry["records"].append({k: v for k, v in (("old", old), ("new", new)) if v is not None})
    return list(groups.values())


def entries(groups, table, source, bus):
    return [{"Source": source, "DetailType": g["event"], "EventBusName": bus,
             "Detail": json.dumps(dict(g, table=table), sort_keys=True, separators=(",", ":"))}
            for g in groups]


def size(entry):
    # EventBridge counts the UTF-8 bytes of Source, DetailType, Detail and the bus, plus 14 for
    # the time; resources and trace headers are never set here.
    return sum(len(entry[k].encode()) for k in ("Source", "DetailType", "Detail", "EventBusName")) + 14


def batches(all_entries):
    """Consecutive runs of at most MAX_ENTRIES entries and MAX_REQUEST_BYTES bytes."""
    batch, used = [], 0
    for entry in all_entries:
        if batch and (len(batch) == MAX_ENTRIES or used + size(entry) > MAX_REQUEST_BYTES):
            yield batch
            batch, used = [], 0
        batch.append(entry)
        used += size(entry)
    if batch:
        yield batch


def put(batch):
    """Sends one batch, resending only the failed entries; returns the calls made."""
    calls = 0
    for attempt in range(ATTEMPTS):
        calls += 1
        result = events().put_events(Entries=batch)
        if not result.get("FailedEntryCount"):
            return calls
        failed = [(e, r) for e, r in zip(batch, result["Entries"]) if r.get("ErrorCode")]
        batch = [e for e, _ in failed]
        if attempt + 1 < ATTEMPTS:
            time.sleep(0.1 * 2 ** attempt)
    codes = sorted({r["ErrorCode"] for _, r in failed})
    # Raising makes Lambda retry the batch, halve it, and finally send it to the errors queue.
    raise RuntimeError(f"{len(failed)} events not published after {ATTEMPTS} attempts: {', '.join(codes)}")


def handler(event, context):
    debug = os.environ.get("DEBUG") == "true"
    records = event.get("Records", [])
    if debug:
        for record in records:
            print(json.dumps({"record": record}, default=str))
    out = entries(group(records), os.environ["TABLE"], os.environ["SOURCE"],
                  os.environ.get("BUS", "default"))
    calls = 0
    for batch in batches(out):
        if debug:
            for entry in batch:
                print(json.dumps({"entry": entry}))
        calls += put(batch)
    return {"records": len(records), "entries": len(out), "calls": calls}
