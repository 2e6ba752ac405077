"""What the tests of the inline helper functions share: their sources as the library embeds
them (libpareto/kinds/<kind>/*.py, libpareto/data/inline/*.py), loaded as modules, and moto's
in-process mocks. The tests sit beside the sources: libpareto/kinds/table/router_test.py,
libpareto/kinds/timer/ticker_test.py, and python/tests/test_inline.py for the app-wide helpers."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from moto import mock_aws

LIBPARETO = Path(__file__).resolve().parents[2] / "libpareto"
REGION = "us-east-1"
# Each helper's source, below libpareto/ (the path the library embeds it by).
SOURCES = {"router": "kinds/table/router.py", "ticker": "kinds/timer/ticker.py",
           "errors": "data/inline/errors.py", "alerts": "data/inline/alerts.py"}


def source(name: str) -> Path:
    return LIBPARETO / SOURCES[name]


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"inline_{name}", source(name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def mocked(monkeypatch: pytest.MonkeyPatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


def queue_on_bus(aws, source: str) -> str:
    """A queue receiving every event of `source` on the default bus."""
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="seen")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws("events").put_rule(Name="all", EventPattern=json.dumps({"source": [source]}))
    aws("events").put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])
    return url


def drain(aws, url: str) -> list[dict]:
    out = []
    while True:
        got = aws("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        out += [json.loads(m["Body"]) for m in got]
        for m in got:
            aws("sqs").delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def with_topic(module: ModuleType, aws, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """`module` publishing to a topic (TOPIC) whose notes `module.inbox()` reads back."""
    topic = aws("sns").create_topic(Name="notes")["TopicArn"]
    url = aws("sqs").create_queue(QueueName="inbox")["QueueUrl"]
    arn = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    monkeypatch.setenv("TOPIC", topic)
    monkeypatch.setenv("APP", "hello-dev")
    module.inbox = lambda: drain(aws, url)
    return module


def stream_record(name: str, pk: str, old: dict | None = None, new: dict | None = None) -> dict:
    change = {"Keys": {"pk": {"S": pk}, "sk": {"S": "profile"}}}
    if old is not None:
        change["OldImage"] = old
    if new is not None:
        change["NewImage"] = new
    return {"eventName": name, "dynamodb": change}
