"""The inline helper functions (libpareto/data/inline) against moto's in-process mocks: the table
router, the error handler, the sub-minute ticker and the log alerts, as the templates carry them."""
from __future__ import annotations

import base64
import gzip
import http.server
import importlib.util
import json
import threading
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from moto import mock_aws

import pareto
from conftest import ROOT
from pareto.local import free_port as local_free_port

INLINE = ROOT / "libpareto" / "data" / "inline"
REGION = "us-east-1"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"inline_{name}", INLINE / f"{name}.py")
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


def test_the_templates_carry_these_sources(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.py").write_text("def handler(event, context):\n    pass\n")
    (tmp_path / "pareto.yaml").write_text(
        "app: x\nactions: [{name: a, invocation: async}]\n"
        "tables: [{name: users, streaming: {}}]\n"
        "timers: [{name: tick, action: a, interval: 5}]\nalarms: true\n")
    resources = pareto.App.load(tmp_path).synth()["Resources"]
    for function, source in (("UsersRouterFunction", "router"), ("ErrorsFunction", "errors"),
                             ("TickTickerFunction", "ticker"), ("LogAlertsFunction", "alerts")):
        code = resources[function]["Properties"]["Code"]["ZipFile"]
        assert code == (INLINE / f"{source}.py").read_text()


class TestRouter:
    @pytest.fixture
    def router(self, mocked, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("TABLE", "shop-dev-orders")
        monkeypatch.setenv("SOURCE", "pareto.table")
        monkeypatch.setenv("DEBUG", "false")
        return load("router")

    def test_diff_keys_and_plain_values(self, router) -> None:
        old = {"status": {"S": "new"}, "total": {"N": "10"}, "gone": {"S": "x"}}
        new = {"status": {"S": "paid"}, "total": {"N": "10"}, "tags": {"SS": ["b", "a"]},
               "blob": {"B": b"\x00\x01"}, "ratio": {"N": "0.5"}}
        groups = router.group([stream_record("MODIFY", "o1", old, new)])
        assert groups[0]["diff-keys"] == ["blob", "gone", "ratio", "status", "tags"]
        assert groups[0]["records"][0]["new"] == {
            "status": "paid", "total": 10, "tags": ["a", "b"],
            "blob": base64.b64encode(b"\x00\x01").decode(), "ratio": 0.5}
        assert router.group([stream_record("INSERT", "o1", None, new)])[0]["diff-keys"] == sorted(new)
        removed = router.group([stream_record("REMOVE", "o1", old, None)])[0]
        assert removed["diff-keys"] == sorted(old) and removed["records"] == [{"old": {
            "status": "new", "total": 10, "gone": "x"}}]
        assert router.plain(Decimal("3")) == 3 and isinstance(router.plain(Decimal("3")), int)

    def test_records_group_by_key_event_and_diff_keys(self, router) -> None:
        paid = ({"status": {"S": "new"}}, {"status": {"S": "paid"}})
        shipped = ({"status": {"S": "paid"}}, {"status": {"S": "shipped"}})
        renamed = ({"name": {"S": "a"}}, {"name": {"S": "b"}})
        groups = router.group([stream_record("MODIFY", "o1", *paid), stream_record("MODIFY", "o2", *paid),
                               stream_record("MODIFY", "o1", *shipped), stream_record("MODIFY", "o1", *renamed),
                               stream_record("INSERT", "o1", None, paid[1])])
        assert [(g["key"]["pk"], g["event"], g["diff-keys"], len(g["records"])) for g in groups] == [
            ("o1", "MODIFY", ["status"], 2), ("o2", "MODIFY", ["status"], 1),
            ("o1", "MODIFY", ["name"], 1), ("o1", "INSERT", ["status"], 1)]

    def test_events_reach_the_bus_grouped(self, router, mocked) -> None:
        url = queue_on_bus(mocked, "pareto.table")
        records = [stream_record("MODIFY", "o1", {"status": {"S": "new"}}, {"status": {"S": "paid"}}),
                   stream_record("MODIFY", "o1", {"status": {"S": "paid"}}, {"status": {"S": "sent"}})]
        assert router.handler({"Records": records}, None) == {"records": 2, "entries": 1, "calls": 1}
        [event] = drain(mocked, url)
        assert event["detail-type"] == "MODIFY" and event["source"] == "pareto.table"
        assert event["detail"]["table"] == "shop-dev-orders"
        assert event["detail"]["key"] == {"pk": "o1", "sk": "profile"}
        assert event["detail"]["diff-keys"] == ["status"]
        assert [r["new"]["status"] for r in event["detail"]["records"]] == ["paid", "sent"]
        # What pareto.match says of the app's rule is what EventBridge delivered.
        assert pareto.match({"source": ["pareto.table"], "detail": {"diff-keys": ["status"]}}, event)

    def test_batches_hold_at_most_ten_entries_and_256_kib(self, router, mocked, monkeypatch) -> None:
        url = queue_on_bus(mocked, "pareto.table")
        sizes = []
        real = router.events().put_events
        monkeypatch.setattr(router.events(), "put_events",
                            lambda Entries: sizes.append(len(Entries)) or real(Entries=Entries))
        records = [stream_record("INSERT", f"o{i}", None, {"n": {"N": str(i)}}) for i in range(23)]
        assert router.handler({"Records": records}, None)["calls"] == 3
        assert sizes == [10, 10, 3]
        assert len(drain(mocked, url)) == 23
        big = [router.entries([{"key": {}, "event": "INSERT", "diff-keys": [], "records": [{"new": {"x": "y" * 100_000}}]}],
                              "t", "s", "default")[0]] * 5
        assert [len(b) for b in router.batches(big)] == [2, 2, 1]
        assert all(sum(router.size(e) for e in b) <= router.MAX_REQUEST_BYTES for b in router.batches(big))

    def test_failed_entries_alone_are_retried(self, router, mocked, monkeypatch) -> None:
        url = queue_on_bus(mocked, "pareto.table")
        monkeypatch.setattr(router.time, "sleep", lambda seconds: None)
        sent = []
        real = router.events().put_events

        def flaky(Entries):
            sent.append([json.loads(e["Detail"])["key"]["pk"] for e in Entries])
            if len(sent) == 1:  # the first call: the 2nd and 3rd entries are throttled
                return {"FailedEntryCount": 2, "Entries": [
                    real(Entries=[Entries[0]])["Entries"][0],
                    {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"},
                    {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}]}
            return real(Entries=Entries)

        monkeypatch.setattr(router.events(), "put_events", flaky)
        records = [stream_record("INSERT", f"o{i}", None, {"n": {"N": "1"}}) for i in range(3)]
        assert router.handler({"Records": records}, None)["calls"] == 2
        assert sent == [["o0", "o1", "o2"], ["o1", "o2"]]
        assert sorted(e["detail"]["key"]["pk"] for e in drain(mocked, url)) == ["o0", "o1", "o2"]

    def test_entries_that_keep_failing_fail_the_batch(self, router, mocked, monkeypatch) -> None:
        monkeypatch.setattr(router.time, "sleep", lambda seconds: None)
        calls = []
        monkeypatch.setattr(router.events(), "put_events", lambda Entries: calls.append(Entries) or {
            "FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}] * len(Entries)})
        with pytest.raises(RuntimeError, match="1 events not published after 3 attempts: InternalFailure"):
            router.handler({"Records": [stream_record("INSERT", "o1", None, {"n": {"N": "1"}})]}, None)
        assert len(calls) == 3

    def test_debug_logs_records_and_entries(self, router, mocked, monkeypatch, capsys) -> None:
        queue_on_bus(mocked, "pareto.table")
        record = stream_record("INSERT", "o1", None, {"n": {"N": "1"}})
        router.handler({"Records": [record]}, None)
        assert capsys.readouterr().out == ""
        monkeypatch.setenv("DEBUG", "true")
        router.handler({"Records": [record]}, None)
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [next(iter(line)) for line in lines] == ["record", "entry"]
        assert lines[1]["entry"]["DetailType"] == "INSERT"


ASYNC_FAILURE = {
    "version": "1.0", "timestamp": "2026-11-24T10:00:00.000Z",
    "requestContext": {"requestId": "r1", "condition": "RetriesExhausted", "approximateInvokeCount": 3,
                       "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:hello-dev-ticker:$LATEST"},
    "requestPayload": {"reason": "tick"},
    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
    "responsePayload": {"errorMessage": "'users'", "errorType": "KeyError",
                        "stackTrace": ["  File \"/var/task/ticker/index.py\", line 3, in handler\n"]},
}
STREAM_FAILURE = {
    "version": "1.0", "timestamp": "2026-11-24T10:00:00.000Z",
    "requestContext": {"requestId": "r2", "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 4,
                       "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:shop-dev-orders-router"},
    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
    "DDBStreamBatchInfo": {"shardId": "shardId-1", "startSequenceNumber": "100", "endSequenceNumber": "120",
                           "approximateArrivalOfFirstRecord": "2026-11-24T09:59:00Z",
                           "approximateArrivalOfLastRecord": "2026-11-24T09:59:01Z", "batchSize": 5,
                           "streamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/shop-dev-orders/stream/x"},
}


class TestErrorHandler:
    @pytest.fixture
    def handler(self, mocked, monkeypatch: pytest.MonkeyPatch):
        return with_topic(load("errors"), mocked, monkeypatch)

    def run(self, handler, *bodies: str) -> dict:
        return handler.handler({"Records": [{"messageId": f"m{i}", "body": b} for i, b in enumerate(bodies)]}, None)

    def test_async_failure(self, handler) -> None:
        assert self.run(handler, json.dumps(ASYNC_FAILURE)) == {"batchItemFailures": []}
        [note] = handler.inbox()
        assert note["Subject"] == "hello-dev: hello-dev-ticker failed (KeyError)"
        assert "Condition: RetriesExhausted" in note["Message"]
        assert "Attempts: 3" in note["Message"]
        assert "Error: KeyError: 'users'" in note["Message"]
        assert 'File "/var/task/ticker/index.py", line 3' in note["Message"]
        assert '"requestPayload"' in note["Message"]  # the record itself follows

    def test_stream_batch_failure(self, handler) -> None:
        self.run(handler, json.dumps(STREAM_FAILURE))
        [note] = handler.inbox()
        assert note["Subject"] == "hello-dev: shop-dev-orders-router failed a stream batch (RetryAttemptsExhausted)"
        assert "Records: 5, sequence numbers 100 to 120" in note["Message"]
        assert "table/shop-dev-orders/stream/x" in note["Message"]

    def test_unknown_bodies_are_forwarded(self, handler) -> None:
        self.run(handler, "not json at all")
        [note] = handler.inbox()
        assert note["Subject"] == "hello-dev: a failure record of unknown form"
        assert note["Message"].endswith("not json at all")

    def test_subjects_fit_sns(self, handler) -> None:
        record = dict(ASYNC_FAILURE, responsePayload={"errorType": "Ünïcode\nError" * 20, "errorMessage": "x"})
        self.run(handler, json.dumps(record))
        [note] = handler.inbox()
        assert len(note["Subject"]) <= 100
        assert all(32 <= ord(c) < 127 for c in note["Subject"])

    def test_failed_publishes_are_reported_for_retry(self, handler, monkeypatch) -> None:
        def publish(**kwargs):
            if "second" in kwargs["Message"]:
                raise RuntimeError("throttled")
            return {}
        monkeypatch.setattr(handler.sns(), "publish", publish)
        assert self.run(handler, "first", "second") == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


class TestTicker:
    @pytest.fixture
    def ticker(self, mocked, monkeypatch: pytest.MonkeyPatch):
        url = mocked("sqs").create_queue(QueueName="ticks")["QueueUrl"]
        monkeypatch.setenv("QUEUE", url)
        monkeypatch.setenv("BODY", '{"beat":true}')
        module = load("ticker")
        module.calls = []
        real = module.sqs().send_message_batch
        monkeypatch.setattr(module.sqs(), "send_message_batch",
                            lambda **kw: module.calls.append(kw["Entries"]) or real(**kw))
        return module

    def test_ticks_spread_over_the_minute(self, ticker, monkeypatch) -> None:
        monkeypatch.setenv("INTERVAL", "15")
        assert ticker.handler({}, None) == {"ticks": 4}
        [batch] = ticker.calls
        assert [e["DelaySeconds"] for e in batch] == [0, 15, 30, 45]
        assert {e["MessageBody"] for e in batch} == {'{"beat":true}'}
        queue = ticker.sqs().get_queue_attributes(QueueUrl=ticker.os.environ["QUEUE"],
                                                  AttributeNames=["All"])["Attributes"]
        assert int(queue["ApproximateNumberOfMessages"]) + int(queue["ApproximateNumberOfMessagesDelayed"]) == 4

    def test_every_second_takes_six_batches(self, ticker, monkeypatch) -> None:
        monkeypatch.setenv("INTERVAL", "1")
        assert ticker.handler({}, None) == {"ticks": 60}
        assert [len(c) for c in ticker.calls] == [10] * 6
        delays = [e["DelaySeconds"] for c in ticker.calls for e in c]
        assert delays == list(range(60))
        assert all(len({e["Id"] for e in c}) == len(c) for c in ticker.calls)

    def test_failed_ticks_are_sent_again_then_reported(self, ticker, monkeypatch) -> None:
        monkeypatch.setenv("INTERVAL", "30")
        answers = [{"Successful": [{"Id": "tick-0"}], "Failed": [{"Id": "tick-1", "Code": "InternalError"}]},
                   {"Successful": [{"Id": "tick-1"}], "Failed": []}]
        sent = []
        monkeypatch.setattr(ticker.sqs(), "send_message_batch",
                            lambda **kw: sent.append([e["Id"] for e in kw["Entries"]]) or answers.pop(0))
        assert ticker.handler({}, None) == {"ticks": 2}
        assert sent == [["tick-0", "tick-1"], ["tick-1"]]
        answers[:] = [{"Failed": [{"Id": "tick-1", "Code": "InternalError"}]}] * 2
        with pytest.raises(RuntimeError, match=r"ticks not queued: tick-1 \(InternalError\)"):
            ticker.handler({}, None)


def log_batch(*messages: str, kind: str = "DATA_MESSAGE") -> dict:
    batch = {"messageType": kind, "logGroup": "/aws/lambda/hello-dev-worker", "logStream": "2026/11/24/[$LATEST]abc",
             "logEvents": [{"id": str(i), "timestamp": 0, "message": m} for i, m in enumerate(messages)]}
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(batch).encode())).decode()}}


@pytest.fixture
def chat():
    """A Slack-compatible webhook on 127.0.0.1 that keeps what it is sent."""
    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


class TestLogAlerts:
    @pytest.fixture
    def alerts(self, mocked, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.delenv("WEBHOOK", raising=False)
        return with_topic(load("alerts"), mocked, monkeypatch)

    def test_lines_reach_the_topic_by_kind(self, alerts) -> None:
        lines = ["[ERROR] KeyError: 'id'", "[WARNING] slow call",
                 "2026-11-24T10:00:00Z r1 Task timed out after 5.00 seconds"]
        assert alerts.handler(log_batch(*lines), None) == {"lines": 3}
        [note] = alerts.inbox()
        assert note["Subject"] == "hello-dev: hello-dev-worker logged 1 error, 1 timeout, 1 warning"
        assert "[error] [ERROR] KeyError: 'id'" in note["Message"]
        assert "[timeout] 2026-11-24T10:00:00Z r1 Task timed out" in note["Message"]
        assert "Log group: /aws/lambda/hello-dev-worker" in note["Message"]

    def test_control_messages_are_ignored(self, alerts) -> None:
        assert alerts.handler(log_batch(kind="CONTROL_MESSAGE"), None) == {"lines": 0}
        assert alerts.inbox() == []

    def test_the_webhook_gets_the_alert_too(self, alerts, chat, monkeypatch) -> None:
        url, received = chat
        monkeypatch.setenv("WEBHOOK", url)
        alerts.handler(log_batch("[ERROR] boom", "[ERROR] again"), None)
        assert len(alerts.inbox()) == 1
        [posted] = received
        assert posted["text"].startswith("hello-dev: hello-dev-worker logged 2 errors")

    def test_a_webhook_outage_does_not_repeat_the_alert(self, alerts, monkeypatch, capsys) -> None:
        monkeypatch.setenv("WEBHOOK", f"http://127.0.0.1:{local_free_port()}/down")
        assert alerts.handler(log_batch("[ERROR] boom"), None) == {"lines": 1}
        assert len(alerts.inbox()) == 1
        assert "webhook-failed" in capsys.readouterr().out
