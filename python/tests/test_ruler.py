"""pareto's pattern matcher against aws/event-ruler 2.1.0 (issue 25): 100,000 generated pairs,
event-ruler's own test cases (tests/ruler/event-ruler-cases.tsv) and pareto's conformance cases
(tests/patterns/cases.json, whose expectations test_patterns checks) go through both, and any
disagreement fails the test with its shrunk report (tests/ruler/differential.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "ruler"))
import differential  # noqa: E402 (lives in tests/ruler, next to the oracle it drives)

JAR = ROOT / "tests" / "ruler" / "target" / "ruler-oracle.jar"
CASES = ROOT / "tests" / "ruler" / "event-ruler-cases.tsv"
CONFORMANCE = ROOT / "tests" / "patterns" / "cases.json"


def oracle_jar() -> Path:
    if not JAR.is_file():
        pytest.fail(f"{JAR} is missing: run `mvn -q -B package` in tests/ruler")
    return JAR


def assert_agree(cases: list[differential.Case]) -> None:
    jar = oracle_jar()
    outcome = differential.compare(cases, jar)
    if outcome.disagreements:
        pytest.fail(differential.report(outcome, jar), pytrace=False)


def test_generated_pairs_agree() -> None:
    assert_agree(differential.generate(100_000, seed=25))


def test_event_ruler_cases_agree() -> None:
    assert_agree(differential.read_cases(CASES))


def test_conformance_cases_agree() -> None:
    assert_agree(differential.conformance_cases(CONFORMANCE))
