"""The inline helper functions as the templates carry them, and the app-wide ones
(libpareto/data/inline: the error handler and the log alerts) against moto's in-process mocks.
The kinds' helpers are tested beside their sources (inline_support.py says where)."""
from __future__ import annotations

import base64
import gzip
import http.server
import json
import threading
from pathlib import Path

import pytest

import pareto
from inline_support import load, mocked, source, with_topic  # noqa: F401 (mocked: a fixture)
from pareto.local import free_port as local_free_port


def test_the_templates_carry_these_sources(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.py").write_text("def handler(event, context):\n    pass\n")
    (tmp_path / "pareto.yaml").write_text(
        "app: x\nactions: [{name: a, invocation: async}]\n"
        "tables: [{name: users, streaming: {}}]\n"
        "timers: [{name: tick, action: a, interval: 5}]\nalarms: true\n")
    resources = pareto.App.load(tmp_path).synth()["Resources"]
    for function, name in (("UsersRouterFunction", "router"), ("ErrorsFunction", "errors"),
                             ("TickTickerFunction", "ticker"), ("LogAlertsFunction", "alerts")):
        code = resources[function]["Properties"]["Code"]["ZipFile"]
        assert code == source(name).read_text()


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
