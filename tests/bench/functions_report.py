#!/usr/bin/env python3
"""How long real functions take: packaging an app with dependencies (requests, pydantic, an npm
package) with an empty build cache and then a warm one, and a one-handler edit deployed to moto
with --hotswap against the same edit deployed with a change set. Wall-clock seconds, one run
each, from the Python host.

usage: functions_report.py
"""
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))

import pareto  # noqa: E402
from pareto import host, local  # noqa: E402
from test_functions import make_app  # noqa: E402  (the app the tests build)


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main():
    quiet = lambda stream, text: None  # noqa: E731
    rows = []
    with tempfile.TemporaryDirectory() as scratch, local.moto_server() as url:
        folder = make_app(Path(scratch) / "deps")
        package = lambda: host.command(pareto.App.load(folder), ["package", str(folder)], quiet)  # noqa: E731
        rows.append(("package, empty build cache", timed(package)))
        rows.append(("package, warm build cache", timed(package)))
        target = {"stage": "bench", "endpoint_url": url, "write": quiet}
        rows.append(("first deploy (change set)", timed(lambda: pareto.App.load(folder).deploy(**target))))
        for n, hotswap in enumerate((False, True)):
            with open(folder / "fetch" / "index.py", "a") as source:
                source.write(f"# edit {n}\n")
            label = "one handler edited, --hotswap" if hotswap else "one handler edited, change set"
            rows.append((label, timed(lambda: pareto.App.load(folder).deploy(hotswap=hotswap, **target))))
        shutil.rmtree(folder / ".pareto")
    width = max(len(label) for label, _ in rows)
    print(f"{'step':<{width}}  seconds")
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds:7.2f}")


if __name__ == "__main__":
    main()
