"""cfn-lint over every template pareto makes in the repository: the examples (synthesized by the
native command) and the shared vectors' goldens. Any E-level finding fails, and so does a policy
statement on "Resource": "*" in an example (least privilege is the product's promise).

With --checkov, checkov instead of cfn-lint over the same templates (tests/lint/checkov.yaml
skips some checks, each with its reason); any failed check fails.

usage: lint_templates.py --pareto PATH/TO/pareto [--checkov PATH/TO/checkov] SOURCE_DIR
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


def collect(pareto: str, source_dir: Path, scratch: Path) -> tuple[list[Path], list[str]]:
    """Every template: each example's, each stage's (synthesized into `scratch`), then the
    vectors' goldens; with the examples' wildcard grants as problems."""
    templates, problems = [], []
    for app in sorted(source_dir.glob("examples/*/pareto.yaml")):
        if (app.parent / "kinds").is_dir():
            continue  # its kinds load from Python or Node: its vector's golden is linted
        # Each stage's template: dev's (the default) and every one its stages key sets.
        for stage in sorted({"dev", *yaml.safe_load(app.read_text()).get("stages", {})}):
            out = scratch / f"{app.parent.name}.{stage}.json"
            subprocess.run([pareto, "synth", str(app.parent), "--stage", stage, "-o", str(out)],
                           check=True)
            templates.append(out)
            for logical_id in wildcard_statements(json.loads(out.read_text())):
                problems.append(f"{out.name}: {logical_id} grants on \"Resource\": \"*\"")
    templates += sorted(source_dir.glob("tests/vectors/**/template*.json"))
    return templates, problems


def cfn_lint(templates: list[Path]) -> list[str]:
    run_cfn_lint = "import sys; from cfnlint.runner import main; sys.exit(main())"
    lint = subprocess.run([sys.executable, "-c", run_cfn_lint, "--format", "parseable",
                           *map(str, templates)], capture_output=True, text=True)
    problems = [line for line in lint.stdout.splitlines() if ":E" in line]
    if lint.returncode & 1 or (lint.returncode and not lint.stdout):
        problems.append(lint.stderr.strip() or f"cfn-lint exited {lint.returncode}")
    return problems


def checkov(command: str, templates: list[Path]) -> tuple[list[str], str]:
    """checkov's failed checks (tests/lint/checkov.yaml skips some, each with its reason), and
    its summary line."""
    config = Path(__file__).with_name("checkov.yaml")
    run = subprocess.run([command, "--config-file", str(config), "--quiet", "--compact",
                          "--output", "json", "-f", *map(str, templates)],
                         capture_output=True, text=True)
    try:
        reports = json.loads(run.stdout)
    except ValueError:
        return [run.stderr.strip() or f"checkov exited {run.returncode}"], ""
    reports = reports if isinstance(reports, list) else [reports]
    problems = [f"{failed.get('file_abs_path', failed['file_path'])}: {failed['resource']}: "
                f"{failed['check_id']} {failed['check_name']}"
                for report in reports for failed in report["results"]["failed_checks"]]
    passed = sum(report["summary"]["passed"] for report in reports)
    skipped = len(yaml.safe_load(config.read_text())["skip-check"])
    return problems, f"{passed} checks passed, {len(problems)} failed, {skipped} skipped with reasons"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pareto", required=True, help="the native pareto command")
    parser.add_argument("--checkov", help="run this checkov instead of cfn-lint")
    parser.add_argument("source_dir", type=Path)
    args = parser.parse_args()
    if not args.checkov:
        try:
            from cfnlint.runner import main as cfn_lint_main  # noqa: F401  (presence check)
        except ImportError:
            print(f"cfn-lint is not installed for {sys.executable}; run scripts/setup.sh",
                  file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as scratch:
        templates, problems = collect(args.pareto, args.source_dir, Path(scratch))
        if args.checkov:
            found, summary = checkov(args.checkov, templates)
            problems += found
        else:
            problems += cfn_lint(templates)
            summary = f"{len(problems)} problems"
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{'checkov' if args.checkov else 'cfn-lint'}: {len(templates)} templates, {summary}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
