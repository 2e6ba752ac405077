"""Local mode's emulator: moto's server (pareto.moto_server) on a free 127.0.0.1 port, started
for a command and stopped after it. What local mode changes in the template for moto is the
core's (libpareto/src/engine/moto.hpp)."""
from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from typing import IO, Iterator

STARTUP_SECONDS = 30


class LocalModeError(RuntimeError):
    """Local mode cannot run: moto is missing or its server did not start."""


def require_moto() -> None:
    if importlib.util.find_spec("moto") is None:
        raise LocalModeError("local mode needs moto's server: pip install 'pareto[local]'")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def moto_server(keep: bool = False) -> Iterator[str]:
    """Starts moto's server (pareto.moto_server) on a free loopback port and yields its URL; stops it after,
    unless `keep`, in which case it goes on running on its own."""
    with moto_process(keep) as (_, url):
        yield url


@contextmanager
def moto_process(keep: bool = False) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """moto_server's process and URL (a test that kills the emulator needs the process)."""
    require_moto()
    port = free_port()
    with tempfile.TemporaryFile() as log:
        output = subprocess.DEVNULL if keep else log
        server = subprocess.Popen(
            [sys.executable, "-m", "pareto.moto_server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=keep,
        )
        try:
            wait_until_listening(server, port, log)
        except BaseException:
            stop(server)
            raise
        try:
            yield server, f"http://127.0.0.1:{port}"
        finally:
            if not keep:
                stop(server)


def wait_until_listening(server: subprocess.Popen[bytes], port: int, log: IO[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not listening(port):
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            output = log.read().decode(errors="replace").strip()
            raise LocalModeError(f"moto's server did not start on port {port}: {output[-2000:]}")
        time.sleep(0.05)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
