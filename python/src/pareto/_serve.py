"""pareto dev's HTTP servers on loopback: each request waits until the core answers it
("serve", "incoming" and "respond" steps, pareto.h)."""
from __future__ import annotations

import base64
import itertools
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

UNANSWERED = {"status": 503, "headers": {"Content-Type": "application/json"},
              "body": base64.b64encode(b'{"message": "pareto dev stopped"}').decode()}


class Servers:
    def __init__(self) -> None:
        self.requests: queue.Queue[dict[str, Any]] = queue.Queue()
        self.pending: dict[int, tuple[threading.Event, dict[str, Any]]] = {}
        self.ids = itertools.count(1)
        self.servers: list[ThreadingHTTPServer] = []

    def serve(self, name: str, port: int) -> dict[str, Any]:
        servers = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                done, slot = threading.Event(), {}
                request_id = next(servers.ids)
                servers.pending[request_id] = (done, slot)
                servers.requests.put({
                    "id": request_id, "server": name, "method": self.command, "target": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": base64.b64encode(body).decode()})
                done.wait()
                answer = slot.get("answer", UNANSWERED)
                data = base64.b64decode(answer["body"])
                self.send_response(answer["status"])
                for key, value in answer["headers"].items():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(key, str(value))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = handle_one

            def log_message(self, *args: Any) -> None:  # the core says what happened
                pass

        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as error:
            return {"error": {"message": str(error)}}
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        return {"port": server.server_address[1]}

    def incoming(self, milliseconds: int) -> dict[str, Any]:
        try:
            request: Optional[dict[str, Any]] = self.requests.get(timeout=milliseconds / 1000)
        except queue.Empty:
            request = None
        answer: dict[str, Any] = {"now_ms": int(time.time() * 1000)}
        if request is not None:
            answer["request"] = request
        return answer

    def respond(self, step: dict[str, Any]) -> None:
        done, slot = self.pending.pop(step["id"], (None, None))
        if done is None or slot is None:
            return
        slot["answer"] = step
        done.set()

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for done, _ in self.pending.values():
            done.set()
