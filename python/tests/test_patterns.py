"""EventBridge patterns from Python: the shared conformance cases (tests/patterns/cases.json, also
run by the C++ suite), rule sets, hostile arguments, and `pareto match` against the native one."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pareto
from conftest import EXAMPLE, ROOT

CASES = json.loads((ROOT / "tests" / "patterns" / "cases.json").read_text(encoding="utf-8"))
NATIVE = ROOT / "build" / "libpareto" / "src" / "cli" / "pareto"
PYTHON_COMMAND = Path(sys.executable).parent / "pareto"


@pytest.mark.parametrize("case", CASES["matching"], ids=lambda case: case["name"])
def test_conformance_matching(case: dict) -> None:
    pattern = pareto.compile(case["pattern"])
    for event in case["match"]:
        assert pattern.matches(event), event
    for event in case["miss"]:
        assert not pattern.matches(event), event


@pytest.mark.parametrize("case", CASES["invalid"], ids=lambda case: case["name"])
def test_conformance_invalid(case: dict) -> None:
    with pytest.raises(pareto.ValidationError) as raised:
        pareto.compile(case["pattern"])
    first = raised.value.errors[0]
    assert first["path"] == case["path"]
    assert case["message"] in first["message"]


def test_rules_say_which_fire() -> None:
    rules = pareto.Rules({"s3": {"source": ["aws.s3"]}, "big": {"detail": {"size": [{"numeric": [">", 100]}]}}})
    assert rules.match({"source": "aws.s3", "detail": {"size": 1e3}}) == ["big", "s3"]
    assert rules.match('{"source": "aws.ec2"}') == []


@pytest.mark.parametrize("bad", [None, 5, {"a": object()}, {"a": float("nan")}, b"\xff\xfe", "{", "x\x00"])
def test_hostile_arguments_raise_cleanly(bad) -> None:
    with pytest.raises((TypeError, ValueError)):
        pareto.match({"a": ["x"]}, bad) if not isinstance(bad, (type(None), int)) else pareto.compile(bad)


def test_deep_events_are_bounded() -> None:
    def nested(arrays: int) -> str:  # event-ruler reads 1,000 levels, the root's included
        return '{"b": ' + "[" * arrays + '"x"' + "]" * arrays + "}"

    assert pareto.match({"b": ["x"]}, nested(999)) is True
    for arrays in (1000, 50_000):
        with pytest.raises(ValueError, match="nested deeper than 1,000 levels"):
            pareto.match({"b": ["x"]}, nested(arrays))


EVENTS_APP = ROOT / "tests" / "vectors" / "events" / "bucket-and-custom"


def test_app_rules_as_deployed() -> None:
    deployed = pareto.load_path(EVENTS_APP).rules("prod")
    assert deployed["skipped"] == {}
    uploads = deployed["rules"]["IngestNewUploadRule"]
    assert uploads["detail"]["bucket"]["name"] == ["files-prod-uploads-123456789012"]
    assert pareto.load_path(EXAMPLE).rules() == {"rules": {}, "skipped": {}}


def run(command: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(command), "match", *args], capture_output=True, text=True)


@pytest.mark.parametrize("args", [
    ['{"source": ["aws.s3"]}', '{"source": "aws.s3"}'],
    ['{"source": ["aws.s3"]}', '{"source": "aws.ec2"}'],
    ['{"source": "aws.s3"}', '{}'],
    ['{"a": ["x"]}', '{not json'],
    ["--rules", str(EXAMPLE), '{"source": "aws.s3"}'],
    ["--rules", str(EVENTS_APP), "--stage", "prod",
     '{"source": "aws.s3", "detail-type": "Object Created", "detail": {"bucket": '
     '{"name": "files-prod-uploads-123456789012"}, "object": {"key": "in/a"}}}'],
    ["--rules", str(EVENTS_APP), '{"source": "my.deployer"}'],
])
def test_match_command_agrees_with_the_native_one(args: list[str]) -> None:
    python = run(PYTHON_COMMAND, *args)
    if NATIVE.exists():
        native = run(NATIVE, *args)
        assert (python.returncode, python.stdout) == (native.returncode, native.stdout)
    assert python.returncode in (0, 1, 2)
    if "--rules" in args and args[1] == str(EVENTS_APP):
        assert python.returncode == 0 and python.stdout.strip() in ("IngestNewUploadRule", "IngestDeploysRule")
