"""The shared vectors of tests/vectors: every case folder's pareto.yaml gives exactly the bytes of
its template.json, or exactly the errors of its errors.json ("file" aside: it names the case the
way each runner loaded it). Goldens are written by the C++ runner (PARETO_UPDATE_GOLDEN=1); this
suite only reads them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import pareto
from conftest import ROOT

VECTORS = ROOT / "tests" / "vectors"
CASES = sorted(path.parent for path in VECTORS.rglob("pareto.yaml"))


def without_file(errors: list[dict]) -> list[dict]:
    return [{key: value for key, value in error.items() if key != "file"} for error in errors]


@pytest.mark.skipif(not CASES, reason="tests/vectors has no cases yet")
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.relative_to(VECTORS).as_posix())
def test_vector(case: Path) -> None:
    app = pareto.load_path(case)
    template, errors = case / "template.json", case / "errors.json"
    if template.exists():
        assert app.errors == []
        assert app.template_json().encode() == template.read_bytes()
    else:
        assert errors.exists(), f"{case} has neither template.json nor errors.json"
        assert without_file(app.errors) == json.loads(errors.read_text(encoding="utf-8"))


STAGED = [(case, golden) for case in CASES for pattern in ("template.*.json", "errors.*.json")
          for golden in sorted(case.glob(pattern))]


@pytest.mark.parametrize("case, golden", STAGED,
                         ids=lambda value: value.relative_to(VECTORS).as_posix())
def test_vector_stage(case: Path, golden: Path) -> None:
    """template.<stage>.json or errors.<stage>.json: the case as that stage sets it."""
    kind, stage, _ = golden.name.split(".")
    app = pareto.load_path(case, stage=stage)
    if kind == "template":
        assert app.errors == []
        assert app.template_json().encode() == golden.read_bytes()
    else:
        assert without_file(app.errors) == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.skipif(not CASES, reason="tests/vectors has no cases yet")
@pytest.mark.parametrize("case", CASES[:3], ids=lambda case: case.relative_to(VECTORS).as_posix())
def test_vector_from_text_matches_from_path(case: Path) -> None:
    """Loading the text with the case folder as base gives the same result as loading the path."""
    text = (case / "pareto.yaml").read_text(encoding="utf-8")
    from_text = pareto.App.from_text(text, source_name="pareto.yaml", base_dir=case)
    from_path = pareto.load_path(case)
    assert without_file(from_text.errors) == without_file(from_path.errors)
    if not from_path.errors:
        assert from_text.template_json() == from_path.template_json()
