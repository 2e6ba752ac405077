#!/usr/bin/env python3
"""Runs the synthesis benchmarks and prints one table: components, resources, stacks, bytes, time,
peak memory, and how time grows against the size before (1.0: linear). Each size runs in its own
process so that its peak memory is its own.

usage: report.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
from pathlib import Path

# (row, benchmark, components): growth compares each row with the one before of its family.
CASES = [("examples/hello", "BM_SynthExample$", None)] + [
    (f"generated {n}", f"BM_SynthGenerated/{n}$", n) for n in (10, 100, 1000, 10000)
] + [(f"custom kind {n * 3}", f"BM_SynthCustomKind/{n}$", n * 3) for n in (100, 1000)]


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
    rows = [("app", "components", "resources", "stacks", "bytes", "time", "peak RSS",
             "growth")]
    previous = None
    for name, pattern, components in CASES:
        if previous and name.split()[0] != previous[2]:
            previous = None  # another family of apps
        r, peak = run_case(binary, pattern)
        if not r["valid"]:
            sys.exit(f"{name}: the app did not synthesize")
        # Time per component against the size before: 1.0 is linear, 2.0 twice as slow per
        # component.
        growth = "-"
        if components and previous:
            growth = f"{(r['real_time'] / components) / (previous[0] / previous[1]):.2f}"
        if components:
            previous = (r["real_time"], components, name.split()[0])
        rows.append((name, str(components or "-"), str(int(r["resources"])),
                     str(int(r["stacks"])), str(int(r["bytes"])), f"{r['real_time'] / 1000:.1f} ms",
                     f"{peak / 1024:.1f} MiB", growth))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
