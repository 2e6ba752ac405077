"""The pareto command: exit 0 on success, 1 on invalid input or a failed deploy, 2 on usage
errors; never a traceback."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import pareto
from conftest import EXAMPLE
from pareto.host import main


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pareto", *args], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=120)


def test_validate_and_synth(tmp_path: Path) -> None:
    validated = run("validate", str(EXAMPLE))
    assert validated.returncode == 0 and validated.stderr == "hello: valid\n"
    output = tmp_path / "template.json"
    assert run("synth", str(EXAMPLE), "-o", str(output)).returncode == 0
    assert output.read_bytes() == pareto.App.load(EXAMPLE).template_json().encode()
    assert run("synth", str(EXAMPLE)).stdout == output.read_text()


def test_budget_prints_the_quotas_as_a_table_or_json() -> None:
    app = pareto.App.load(EXAMPLE)
    table = run("budget", str(EXAMPLE))
    assert table.returncode == 0
    assert table.stdout == app.budget("text")
    assert table.stdout.splitlines()[0].split() == ["quota", "subject", "used", "limit", "entry"]
    uses = json.loads(run("budget", "--json", str(EXAMPLE)).stdout)
    assert uses == app.budget()
    function = next(u for u in uses if u["quota"] == "function name length"
                    and u["entry"] == "/actions/0/name")
    assert (function["used"], function["limit"], function["headroom"]) == (32, 64, 32)
    with pytest.raises(ValueError):
        app.budget("yaml")


def test_invalid_input_prints_one_line_per_error(tmp_path: Path) -> None:
    config = tmp_path / "pareto.yaml"
    config.write_text("app: Hello\nactions:\n  - name: hello-get\n    timeout: quick\n")
    result = run("synth", str(tmp_path), "-o", str(tmp_path / "out.json"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{config}:4:") and "/actions/0/timeout" in lines[1]
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("args", [[], ["frobnicate", "x"], ["validate"], ["validate", "/no/such/app"],
                                  ["deploy", str(EXAMPLE), "--stage", "Bad-Stage"],
                                  ["deploy", str(EXAMPLE), "--parameter", "novalue"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_package_writes_each_functions_archive(tmp_path: Path) -> None:
    done = run("package", str(EXAMPLE), "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    app = pareto.App.load(EXAMPLE)
    for function in app.functions:
        output = tmp_path / "actions" / f"{function['action']}.zip"
        assert output.read_bytes() == app.package(function["action"])
        assert f"{output}: " in done.stderr and f"key {function['key']}\n" in done.stderr
    assert sorted(p.name for p in (tmp_path / "actions").iterdir()) == [
        "hello-get.zip", "hello-post.zip", "ticker.zip", "worker.zip"]


def test_deploy_outputs_diff_destroy_against_an_endpoint(example_app: Path, aws, moto_url: str,
                                                         tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = [str(example_app), "--stage", "cli", "--endpoint-url", moto_url]
    outputs_file = tmp_path / "outputs.json"
    assert main(["deploy", *common, "--yes", "--outputs-file", str(outputs_file)]) == 0
    assert json.loads(outputs_file.read_text())["UsersTable"] == "hello-cli-users"
    assert "UsersTable = hello-cli-users" in capsys.readouterr().out
    assert main(["diff", *common]) == 0
    assert "no changes" in capsys.readouterr().err
    assert main(["outputs", *common]) == 0
    assert "UsersTable = hello-cli-users" in capsys.readouterr().out
    assert main(["destroy", *common, "--yes"]) == 0
    said = capsys.readouterr().err
    assert "hello-cli: DELETE_COMPLETE\nkept, with their data (retained):\n" in said
    assert "UsersTable  AWS::DynamoDB::Table  hello-cli-users" in said
    assert aws("dynamodb").describe_table(TableName="hello-cli-users")["Table"]["TableStatus"] == "ACTIVE"
    assert main(["destroy", *common, "--yes"]) == 0  # nothing left to destroy: the table stays
    capsys.readouterr()
    assert main(["outputs", *common]) == 1
    assert capsys.readouterr().err == "pareto: there is no stack hello-cli\n"


def test_local_starts_and_stops_its_own_server(example_app: Path, tmp_path: Path) -> None:
    outputs_file = tmp_path / "outputs.json"
    result = run("deploy", str(example_app), "--local", "--outputs-file", str(outputs_file))
    assert result.returncode == 0, result.stderr
    assert json.loads(outputs_file.read_text())["UsersTable"] == "hello-dev-users"
    assert "local: dropped PublicApiStage" in result.stderr


def write_app_with_handler_test(folder: Path, assertion: str) -> Path:
    (folder / "calc").mkdir(parents=True)
    (folder / "pareto.yaml").write_text("app: calc\nactions: [{name: calc}]\ntables: [{name: sums}]\n")
    (folder / "calc" / "index.py").write_text(
        "import os\nTABLE = os.environ['SUMS_TABLE']\n\ndef handler(event, context):\n    return event['a'] + event['b']\n")
    (folder / "calc" / "test_index.py").write_text(
        "import os\nimport index\n\n"
        "def test_adds():\n    assert " + assertion + "\n\n"
        "def test_sees_the_table_variable():\n    assert os.environ['SUMS_TABLE'] == 'sums-table'\n")
    return folder


@pytest.mark.parametrize("assertion, code", [("index.handler({'a': 1, 'b': 2}, None) == 3", 0),
                                             ("index.handler({'a': 1, 'b': 2}, None) == 4", 1)])
def test_test_command_runs_each_actions_tests(tmp_path: Path, assertion: str, code: int) -> None:
    app = write_app_with_handler_test(tmp_path / "calc-app", assertion)
    done = subprocess.run([str(Path(sys.executable).parent / "pareto"), "test", str(app)],
                          capture_output=True, text=True)
    assert done.returncode == code, done.stderr
    assert ("passed" if code == 0 else "failed") in done.stderr
    if code:
        assert "test_adds" in done.stderr  # the failing test's output is shown
