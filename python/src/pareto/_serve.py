"""pareto dev's side of the host: HTTP servers on loopback whose requests wait until the core
answers them, handlers' processes that end on their own time, and the lines typed at the
terminal, all delivered by one "incoming" step ("serve", "start", "incoming", "respond" and
"fetch" steps, pareto.h). node/lib/serve.js is its twin."""
from __future__ import annotations

import base64
import itertools
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Sequence

FETCH_SECONDS = 10  # the emulator answers on loopback
UNANSWERED = {"status": 503, "headers": {"Content-Type": "application/json"},
              "body": base64.b64encode(b'{"message": "pareto dev stopped"}').decode()}


class Incoming:
    def __init__(self, program: Callable[[Sequence[str]], list[str]]) -> None:
        self.program = program  # a start step's argv as this host runs it
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.pending: dict[int, tuple[threading.Event, dict[str, Any]]] = {}
        self.ids = itertools.count(1)
        self.servers: list[ThreadingHTTPServer] = []
        self.children: list[subprocess.Popen[str]] = []
        self.reading = False  # stdin's lines

    def perform(self, step: dict[str, Any]) -> Optional[dict[str, Any]]:
        kind = step["step"]
        if kind == "serve":
            return self.serve(step["name"], step["port"])
        if kind == "start":
            return self.start(step)
        if kind == "incoming":
            return self.incoming(step["milliseconds"], step.get("lines", False))
        if kind == "fetch":
            return self.fetch(step["url"])
        self.respond(step)
        return None

    def serve(self, name: str, port: int) -> dict[str, Any]:
        incoming = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                done, slot = threading.Event(), {}
                request_id = next(incoming.ids)
                incoming.pending[request_id] = (done, slot)
                incoming.events.put({"request": {
                    "id": request_id, "server": name, "method": self.command, "target": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": base64.b64encode(body).decode()}})
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

    def start(self, step: dict[str, Any]) -> dict[str, Any]:
        argv = self.program(step["argv"])
        started = time.monotonic()
        try:
            child = subprocess.Popen(argv, cwd=step["cwd"], env={**os.environ, **step["env"]},
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        except OSError as error:
            return {"error": {"message": f"cannot run {argv[0]}: {error}"}}
        process = next(self.ids)
        self.children.append(child)

        def wait() -> None:
            stdout, stderr = child.communicate(step.get("input"))
            self.events.put({"exited": {
                "process": process, "exit": child.returncode, "stdout": stdout, "stderr": stderr,
                "milliseconds": int((time.monotonic() - started) * 1000)}})

        threading.Thread(target=wait, daemon=True).start()
        return {"process": process}

    def read_lines(self) -> None:
        for line in sys.stdin:
            self.events.put({"line": line.rstrip("\r\n")})

    def incoming(self, milliseconds: int, lines: bool) -> dict[str, Any]:
        if lines and not self.reading and sys.stdin is not None:
            self.reading = True
            threading.Thread(target=self.read_lines, daemon=True).start()
        try:
            event: dict[str, Any] = self.events.get(timeout=milliseconds / 1000)
        except queue.Empty:
            event = {}
        return {"now_ms": int(time.time() * 1000), **event}

    def respond(self, step: dict[str, Any]) -> None:
        done, slot = self.pending.pop(step["id"], (None, None))
        if done is None or slot is None:
            return
        slot["answer"] = step
        done.set()

    @staticmethod
    def fetch(url: str) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(url, timeout=FETCH_SECONDS) as answer:
                return {"status": answer.status, "body": answer.read().decode("utf-8", "replace")}
        except urllib.error.HTTPError as error:
            return {"status": error.code, "body": error.read().decode("utf-8", "replace")}
        except (OSError, ValueError) as error:
            return {"error": {"message": f"cannot fetch {url}: {error}"}}

    def close(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.kill()
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for done, _ in self.pending.values():
            done.set()
