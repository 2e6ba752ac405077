#!/usr/bin/env python3
"""Events matched per second against 1, 100 and 10,000 EventBridge rules: pareto's native matcher
(Google Benchmark, tests/bench/bench_match.cpp), pareto from Python, pareto from Node
(node/bench/match.js, when the Node package is built), and moto's Python matcher, on the same
rules and events in the same run; then the differential run against event-ruler at ten times
the test command's length (tests/ruler/differential.py, when tests/ruler's oracle is built).

usage: match_report.py BUILD_DIR      (needs the pareto package and moto installed)
"""
import json
import subprocess
import sys
import time
from pathlib import Path

import pareto
from moto.events.models import EventPattern

SIZES = (1, 100, 10_000)
RULER = Path(__file__).resolve().parents[2] / "tests" / "ruler"
DIFFERENTIAL_PAIRS = 1_000_000  # the test command runs 100,000


# The same rules and events as bench_match.cpp.
def rules(count):
    return {f"rule-{i}": {"source": [f"app.{i}"], "detail-type": [f"Thing {i % 7}"],
                          "detail": {"size": [{"numeric": [">", i % 100]}], "key": [{"prefix": "in/"}]}}
            for i in range(count)}


def events(count):
    out = []
    for e in range(100):
        i = (e * 7919) % count
        out.append({"source": f"app.{i}", "detail-type": f"Thing {i % 7}",
                    "detail": {"size": 1000 if e % 2 else -1, "key": f"in/{e}"}})
    return out


def per_second(run, events, budget=1.0):
    """Events per second of run(event), timed over whole passes for about `budget` seconds."""
    done, start = 0, time.perf_counter()
    while True:
        for event in events:
            run(event)
        done += len(events)
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return done / elapsed


def native(build_dir):
    out = subprocess.run(
        [str(Path(build_dir) / "tests" / "bench" / "pareto_bench"), "--benchmark_filter=BM_MatchRules",
         "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
    return {int(b["name"].split("/")[1]): b["items_per_second"] for b in json.loads(out)["benchmarks"]}


def from_node():
    """Node's rates by rule count; "-" each when the Node package is not built."""
    root = Path(__file__).resolve().parents[2] / "node"
    if not (root / "build" / "Release" / "_pareto.node").exists():
        return {size: None for size in SIZES}
    out = subprocess.run(["node", str(root / "bench" / "match.js")], check=True,
                         capture_output=True, text=True).stdout
    return {int(size): rate for size, rate in json.loads(out).items()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    native_rates = native(sys.argv[1])
    node_rates = from_node()
    rows = [("rules", "pareto (C++)", "pareto (Python)", "pareto (Node)", "moto (Python)",
             "pareto/moto")]
    for size in SIZES:
        compiled = pareto.Rules(rules(size))
        batch = events(size)
        texts = [json.dumps(event) for event in batch]
        python_rate = per_second(compiled.match, texts)
        moto_rules = [EventPattern.load(json.dumps(p)) for p in rules(size).values()]
        moto_rate = per_second(lambda e: [p for p in moto_rules if p.matches_event(e)], batch,
                               budget=2.0)
        assert sum(bool(compiled.match(t)) for t in texts) == \
            sum(any(p.matches_event(e) for p in moto_rules) for e in batch), "the matchers disagree"
        node_rate = f"{node_rates[size]:,.0f}/s" if node_rates[size] else "-"
        rows.append((f"{size:,}", f"{native_rates[size]:,.0f}/s", f"{python_rate:,.0f}/s",
                     node_rate, f"{moto_rate:,.0f}/s", f"{native_rates[size] / moto_rate:,.0f}×"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
    differential_run()


def differential_run():
    jar = RULER / "target" / "ruler-oracle.jar"
    if not jar.is_file():
        print(f"\nno differential run: {jar} is not built (mvn -q -B package in tests/ruler)")
        return
    sys.path.insert(0, str(RULER))
    import differential

    started = time.perf_counter()
    cases = differential.generate(DIFFERENTIAL_PAIRS, seed=25)
    outcome = differential.compare(cases, jar, {"generation": time.perf_counter() - started})
    print(f"\nagainst event-ruler: {outcome.summary()}")
    if outcome.disagreements:
        print(differential.report(outcome, jar))


if __name__ == "__main__":
    main()
