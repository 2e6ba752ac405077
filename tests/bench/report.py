#!/usr/bin/env python3
"""Runs the synthesis benchmarks and prints one table: components, resources, bytes, time and
peak memory. Each size runs in its own process so that its peak memory is its own.

usage: report.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
from pathlib import Path

CASES = [("examples/hello", "BM_SynthExample$", None)] + [
    (f"generated {n}", f"BM_SynthGenerated/{n}$", n) for n in (10, 100, 200, 1000)
]


def run_case(binary, pattern):
    """The benchmark's result and its process's own peak resident memory in KiB."""
    process = subprocess.Popen(
        [binary, f"--benchmark_filter={pattern}", "--benchmark_format=json",
         "--benchmark_min_time=0.2"], stdout=subprocess.PIPE, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{binary} failed ({process.returncode})")
    (result,) = json.loads(out)["benchmarks"]
    return result, usage.ru_maxrss


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = str(Path(sys.argv[1]) / "tests" / "bench" / "pareto_bench")
    rows = [("app", "components", "resources", "bytes", "time", "peak RSS", "status")]
    for name, pattern, components in CASES:
        r, peak = run_case(binary, pattern)
        rows.append((name, str(components or "-"), str(int(r["resources"])) if r["valid"] else "-",
                     str(int(r["bytes"])) if r["valid"] else "-", f"{r['real_time']:.1f} µs", f"{peak / 1024:.1f} MiB",
                     "ok" if r["valid"] else "over quota (E4003)"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
