#!/usr/bin/env python3
"""Runs the synthesis benchmarks and prints one table: components, resources, bytes, time and
peak memory. Each size runs in its own process so that its peak memory is its own.

usage: report.py BUILD_DIR
"""
import json
import resource
import subprocess
import sys
from pathlib import Path

CASES = [("examples/hello", "BM_SynthExample$", None)] + [
    (f"generated {n}", f"BM_SynthGenerated/{n}$", n) for n in (10, 100, 1000)
]


def run_case(binary, pattern):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [binary, f"--benchmark_filter={pattern}", "--benchmark_format=json",
         "--benchmark_min_time=0.2"],
        check=True, capture_output=True, text=True).stdout
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    (result,) = json.loads(out)["benchmarks"]
    return result, peak_kib if peak_kib > before else before


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = str(Path(sys.argv[1]) / "tests" / "bench" / "pareto_bench")
    rows = [("app", "components", "resources", "bytes", "time", "peak RSS", "status")]
    for name, pattern, components in CASES:
        r, peak = run_case(binary, pattern)
        rows.append((name, str(components or "-"), str(int(r["resources"])) or "-",
                     str(int(r["bytes"])), f"{r['real_time']:.1f} µs", f"{peak / 1024:.1f} MiB",
                     "ok" if r["valid"] else "over quota (E4003)"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
