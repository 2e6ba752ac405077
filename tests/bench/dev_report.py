#!/usr/bin/env python3
"""How soon `pareto dev` serves: from the command's start to its API's URL (moto started, the
stack deployed, the app read) and to the first answered request, then how long a request to a
running handler takes (each runs in a fresh process of its runtime). Wall-clock, examples/hello,
from the Python host and, with --node, the Node host.

usage: dev_report.py [--node] [RUNS]
"""
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from dev_scenario import EXAMPLE, DevSession  # noqa: E402

REQUESTS = 10


def once(pareto):
    with tempfile.TemporaryDirectory() as folder:
        app = Path(shutil.copytree(EXAMPLE, Path(folder) / "hello"))
        start = time.perf_counter()
        dev = DevSession(pareto, app)
        try:
            serving = time.perf_counter() - start
            status, _, _ = dev.request("GET", "/hello/nobody")
            first = time.perf_counter() - start
            assert status == 404, status
            requests = []
            for _ in range(REQUESTS):
                begun = time.perf_counter()
                dev.request("GET", "/hello/nobody")
                requests.append(time.perf_counter() - begun)
        finally:
            dev.stop()
    return serving, first, statistics.median(requests)


def main():
    arguments = [a for a in sys.argv[1:] if a != "--node"]
    runs = int(arguments[0]) if arguments else 3
    hosts = [("python", [sys.executable, "-m", "pareto"])]
    if "--node" in sys.argv:
        os.environ.setdefault("PARETO_PYTHON", sys.executable)  # moto's server and the handlers
        hosts.append(("node", ["node", str(ROOT / "node" / "bin" / "pareto.js")]))
    print(f"{'host':>6}  {'to the URL':>10}  {'to the first answer':>19}  {'a request (median of 10)':>24}")
    for name, pareto in hosts:
        results = [once(pareto) for _ in range(runs)]
        serving, first, request = (statistics.median(column) for column in zip(*results))
        print(f"{name:>6}  {serving:>8.2f} s  {first:>17.2f} s  {request * 1000:>21.0f} ms")


if __name__ == "__main__":
    main()
