#!/usr/bin/env python3
"""Writes a generated app of about N components into DIR: the pareto.yaml of
tests/support/generated_app.hpp (per five components a worker consuming a queue, the queue, a
table, a bucket and a reader behind an endpoint; an API per twenty readers) and its handlers,
each reading a table's variable so that its role's statements name the table: across nested
stacks, for the stack tests.

usage: generated_app.py N DIR [--no-apis]   (without APIs: readers are plain actions, for
                                            front ends that deploy to moto without its gaps
                                            bridged, whose API stages it does not model)
"""
import sys
from pathlib import Path

PER_API = 20


def pareto_yaml(components: int, apis: bool = True) -> str:
    groups = components // 5
    lines = ["app: generated", "actions:"]
    for i in range(groups):
        lines.append(f"  - {{name: worker{i}, permissions: [dynamodb:PutItem, sns:Publish]}}")
        lines.append(f"  - {{name: reader{i}, permissions: [dynamodb:GetItem]}}")
    lines.append("tables:")
    lines += [f"  - {{name: table{i}}}" for i in range(groups)]
    lines.append("buckets:")
    lines += [f"  - {{name: bucket{i}}}" for i in range(groups)]
    lines.append("queues:")
    lines += [f"  - {{name: queue{i}, action: worker{i}}}" for i in range(groups)]
    if not apis:
        return "\n".join(lines) + "\n"
    lines.append("apis:")
    for i in range(groups):
        if i % PER_API == 0:
            lines += [f"  - name: api{i // PER_API}", "    endpoints:"]
        lines.append(f"      - {{action: reader{i}, method: GET, path: items{i}}}")
    return "\n".join(lines) + "\n"


def handler(table: int) -> str:
    return (f'import os\n\nTABLE = os.environ["TABLE{table}_TABLE"]\n\n\n'
            "def handler(event, context):\n    return TABLE\n")


def write_app(components: int, folder: Path, apis: bool = True) -> Path:
    groups = components // 5
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pareto.yaml").write_text(pareto_yaml(components, apis))
    for i in range(groups):
        # A worker reads a table far from its own, so that stacks read each other.
        for name, table in ((f"worker{i}", (i * 7) % groups), (f"reader{i}", i)):
            (folder / name).mkdir(exist_ok=True)
            (folder / name / "index.py").write_text(handler(table))
    return folder


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["--no-apis"]):
        sys.exit(__doc__)
    write_app(int(sys.argv[1]), Path(sys.argv[2]), apis=sys.argv[3:] != ["--no-apis"])
