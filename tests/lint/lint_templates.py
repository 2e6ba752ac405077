"""cfn-lint over every template pareto makes in the repository: the examples (synthesized by the
native command) and the shared vectors' goldens. Any E-level finding fails, and so does a policy
statement on "Resource": "*" in an example (least privilege is the product's promise).

usage: lint_templates.py --pareto PATH/TO/pareto SOURCE_DIR
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml  # cfn-lint's own dependency


def wildcard_statements(template: dict) -> list[str]:
    found = []
    for logical_id, resource in template.get("Resources", {}).items():
        text = json.dumps(resource.get("Properties", {}))
        if '"Resource": "*"' in text:
            found.append(logical_id)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pareto", required=True, help="the native pareto command")
    parser.add_argument("source_dir", type=Path)
    args = parser.parse_args()
    try:
        from cfnlint.runner import main as cfn_lint  # noqa: F401  (presence check)
    except ImportError:
        print(f"cfn-lint is not installed for {sys.executable}; run scripts/setup.sh", file=sys.stderr)
        return 1

    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        templates = []
        for app in sorted(args.source_dir.glob("examples/*/pareto.yaml")):
            if (app.parent / "kinds").is_dir():
                continue  # its kinds load from Python or Node: its vector's golden is linted
            # Each stage's template: dev's (the default) and every one its stages key sets.
            for stage in sorted({"dev", *yaml.safe_load(app.read_text()).get("stages", {})}):
                out = Path(scratch) / f"{app.parent.name}.{stage}.json"
                subprocess.run([args.pareto, "synth", str(app.parent), "--stage", stage, "-o",
                                str(out)], check=True)
                templates.append(out)
                for logical_id in wildcard_statements(json.loads(out.read_text())):
                    problems.append(f"{out.name}: {logical_id} grants on \"Resource\": \"*\"")
        templates += sorted(args.source_dir.glob("tests/vectors/**/template*.json"))
        run_cfn_lint = "import sys; from cfnlint.runner import main; sys.exit(main())"
        lint = subprocess.run([sys.executable, "-c", run_cfn_lint, "--format", "parseable",
                               *map(str, templates)], capture_output=True, text=True)
        problems += [line for line in lint.stdout.splitlines() if ":E" in line]
        if lint.returncode & 1 or (lint.returncode and not lint.stdout):
            problems.append(lint.stderr.strip() or f"cfn-lint exited {lint.returncode}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"cfn-lint: {len(templates)} templates, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
