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
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from typing import Any, Callable, Optional

# S3's REST calls, as the deploy makes them: (method, has a key) -> operation.
S3_OPERATIONS = {("HEAD", False): "HeadBucket", ("HEAD", True): "HeadObject",
                 ("PUT", False): "CreateBucket", ("PUT", True): "PutObject",
                 ("GET", True): "GetObject", ("DELETE", True): "DeleteObject",
                 ("DELETE", False): "DeleteBucket"}


def service_of(headers: Any) -> str:
    """The signing service of a SigV4 request: Credential=KEY/DATE/REGION/SERVICE/aws4_request."""
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    return match.group(1) if match else ""


def operation_of(method: str, path: str, headers: Any, body: bytes) -> str:
    """The AWS operation a request is: the JSON protocol's target, the query protocol's Action,
    S3's REST shape; other REST calls (Lambda's) as METHOD and path."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    url = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    form = {}
    if headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    if "Action" in form or "Action" in query:
        return (form.get("Action") or query["Action"])[0]
    if service_of(headers) != "s3":
        return f"{method} {url.path}"
    parts = [p for p in url.path.split("/") if p]
    if len(parts) == 1 and method == "GET":
        return next((operation for marker, operation in (("versions", "ListObjectVersions"),
                                                          ("list-type", "ListObjectsV2"),
                                                          ("location", "GetBucketLocation"))
                     if marker in query), "ListObjects")
    if "delete" in query:
        return "DeleteObjects"
    return S3_OPERATIONS.get((method, len(parts) > 1), f"{method} {url.path}")


def error_answer(headers: Any, status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    """An AWS error in the request's protocol: JSON for JSON-protocol services, XML otherwise."""
    if headers.get("X-Amz-Target"):
        return (status, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code},
                json.dumps({"__type": code, "message": message}).encode())
    return (status, {"Content-Type": "text/xml"},
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}"
            "</Message></Error><RequestId>fault</RequestId></ErrorResponse>".encode())


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
            self.answer(*error_answer(self.headers, 500, "InternalFailure", "injected"))
            return
        if fault == "throttle":
            self.answer(*error_answer(self.headers, 400, "ThrottlingException" if
                                      self.headers.get("X-Amz-Target") else "Throttling",
                                      "Rate exceeded"))
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
        headers = {k: v for k, v in response.getheaders()
                   if k.lower() not in ("transfer-encoding", "connection", "content-length")}
        # A HEAD answer's length is the object's, not that of the (empty) body.
        length = response.getheader("Content-Length") if self.command == "HEAD" else None
        self.answer(response.status, headers, data, length)

    def answer(self, status: int, headers: dict[str, str], data: bytes,
               length: Optional[str] = None) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", length or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def reset(self) -> None:
        """Closes the connection with a TCP reset (linger 0, closed before any FIN): the client
        sees it dropped mid-call."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
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
