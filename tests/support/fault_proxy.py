"""A loopback proxy between an AWS SDK and the emulator that injects faults on a schedule the test
sets: connection resets, 500s, throttling, slow answers, and the emulator killed mid-deploy.

Each rule names an AWS operation (CreateChangeSet, DescribeStackEvents, PutObject, ...), the fault,
how many of its calls it takes, and optionally an operation that must have passed first:

    [{"operation": "DescribeStackEvents", "after": "ExecuteChangeSet", "fault": "reset", "times": 6}]

Faults: "reset" (the connection closed without an answer), "500", "throttle" (the protocol's
throttling error), "slow" (the answer held back `seconds`), "kill" (the emulator's process killed:
every call from then on finds nothing listening).

From Python, `FaultProxy(upstream, rules, emulator_pid)` is a context manager with `.url` and
`.injected` (what it did, in order). From another language, run it and read the URL on stdout:

    python tests/support/fault_proxy.py UPSTREAM RULES_JSON [EMULATOR_PID]

It prints each fault as it injects it, a JSON line on stderr, and stops on stdin's end.
"""
from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
from typing import Any, Callable, Optional

# S3's REST calls, as the deploy makes them: (method, has a key, query) -> operation.
S3_OPERATIONS = {("HEAD", False): "HeadBucket", ("HEAD", True): "HeadObject",
                 ("PUT", False): "CreateBucket", ("PUT", True): "PutObject",
                 ("GET", True): "GetObject", ("DELETE", True): "DeleteObject",
                 ("DELETE", False): "DeleteBucket"}


def operation_of(method: str, path: str, headers: Any, body: bytes) -> str:
    """The AWS operation a request is: the query protocol's Action, the JSON protocol's target,
    or S3's REST shape."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body else {}
    if "Action" in form:
        return form["Action"][0]
    url = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    if "Action" in query:
        return query["Action"][0]
    if "versions" in query:
        return "ListObjectVersions"
    if "delete" in query:
        return "DeleteObjects"
    if "list-type" in query or (method == "GET" and url.path.count("/") <= 1):
        return "ListObjectsV2"
    parts = [p for p in url.path.split("/") if p]
    return S3_OPERATIONS.get((method, len(parts) > 1), f"{method} {url.path}")


def throttling(headers: Any) -> tuple[dict[str, str], bytes]:
    """The protocol's throttling error: JSON for JSON-protocol services, XML for the rest."""
    if headers.get("X-Amz-Target"):
        return ({"Content-Type": "application/x-amz-json-1.0",
                 "x-amzn-ErrorType": "ThrottlingException"},
                b'{"__type": "ThrottlingException", "message": "Rate exceeded"}')
    return ({"Content-Type": "text/xml"},
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
            b"<Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>")


class Schedule:
    """The rules, the operations seen so far, and what was injected; shared by the handlers."""

    def __init__(self, rules: list[dict[str, Any]], emulator_pid: Optional[int]) -> None:
        self.rules = [dict(rule, left=rule.get("times", 1)) for rule in rules]
        self.emulator_pid = emulator_pid
        self.seen: set[str] = set()
        self.injected: list[dict[str, Any]] = []
        self.on_inject: Callable[[dict[str, Any]], None] = lambda _: None
        self.lock = threading.Lock()

    def fault_for(self, operation: str) -> Optional[dict[str, Any]]:
        with self.lock:
            chosen = None
            for rule in self.rules:
                if (chosen is None and rule["left"] > 0 and rule["operation"] == operation
                        and rule.get("after", operation) in self.seen | {operation}):
                    rule["left"] -= 1
                    chosen = rule
            self.seen.add(operation)
            if chosen:
                self.injected.append({"operation": operation, "fault": chosen["fault"]})
                self.on_inject(self.injected[-1])
            return chosen


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: urllib.parse.SplitResult
    schedule: Schedule

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def handle_one(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        operation = operation_of(self.command, self.path, self.headers, body)
        rule = self.schedule.fault_for(operation)
        fault = rule["fault"] if rule else None
        if fault == "kill" and self.schedule.emulator_pid:
            os.kill(self.schedule.emulator_pid, signal.SIGKILL)
        if fault in ("reset", "kill"):
            self.reset()
            return
        if fault == "500":
            self.answer(500, {"Content-Type": "text/xml"},
                        b"<ErrorResponse><Error><Code>InternalFailure</Code><Message>injected"
                        b"</Message></Error></ErrorResponse>")
            return
        if fault == "throttle":
            self.answer(400, *throttling(self.headers))
            return
        if fault == "slow":
            time.sleep(float(rule.get("seconds", 2)))
        self.forward(body)

    def forward(self, body: bytes) -> None:
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["Host"] = self.upstream.netloc
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError:  # the emulator is gone: so is the answer
            self.reset()
            return
        finally:
            connection.close()
        self.answer(response.status, {k: v for k, v in response.getheaders()
                                      if k.lower() not in ("transfer-encoding", "connection",
                                                           "content-length")}, data)

    def answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def reset(self) -> None:
        """Closes the connection with a TCP reset: the client sees it dropped mid-call."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one


class FaultProxy:
    def __init__(self, upstream: str, rules: list[dict[str, Any]],
                 emulator_pid: Optional[int] = None) -> None:
        self.schedule = Schedule(rules, emulator_pid)
        handler = type("BoundHandler", (Handler,), {"upstream": urllib.parse.urlsplit(upstream),
                                                     "schedule": self.schedule})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def injected(self) -> list[dict[str, Any]]:
        return list(self.schedule.injected)

    def __enter__(self) -> "FaultProxy":
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str]) -> int:
    upstream, rules = argv[1], json.loads(argv[2])
    pid = int(argv[3]) if len(argv) > 3 else None
    with FaultProxy(upstream, rules, pid) as proxy:
        proxy.schedule.on_inject = lambda injected: print(json.dumps(injected), file=sys.stderr,
                                                          flush=True)
        print(proxy.url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
