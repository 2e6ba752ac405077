"""The Python API over the core: load, errors, synth, and no crash whatever it is given."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import pareto
from conftest import EXAMPLE, ROOT, cfn_lint_errors

INVALID = "app: Hello\nactions:\n  - name: hello-get\n    timeout: quick\n"


def test_version_matches_the_header() -> None:
    header = (ROOT / "libpareto/include/pareto/pareto.h").read_text()
    assert f'#define PARETO_VERSION_STRING "{pareto.__version__}"' in header


def test_load_a_folder() -> None:
    app = pareto.App.load(EXAMPLE)
    assert (app.name, app.valid, app.errors) == ("hello", True, [])
    assert app.base_dir == EXAMPLE
    template = app.synth()
    assert template["Resources"]["HelloGetFunction"]["Type"] == "AWS::Lambda::Function"
    assert json.loads(app.template_json()) == template
    assert {f["action"]: f["path"] for f in app.functions}["hello-get"] == "hello/get"
    assert {f["handler"] for f in app.functions if "action" in f} == {"index.handler"}


def test_load_a_file_equals_load_a_folder() -> None:
    assert pareto.load_path(EXAMPLE / "pareto.yaml").template_json() == pareto.App.load(EXAMPLE).template_json()


def test_template_json_is_what_the_native_command_prints() -> None:
    native = shutil.which("pareto", path=str(ROOT / "build/libpareto/src/cli"))
    if native is None:
        pytest.skip("the native pareto command is not built in build/")
    printed = subprocess.run([native, "synth", str(EXAMPLE)], capture_output=True, check=True).stdout
    assert pareto.App.load(EXAMPLE).template_json().encode() == printed


def test_the_example_template_passes_cfn_lint(tmp_path: Path) -> None:
    template = tmp_path / "hello.json"
    template.write_text(pareto.App.load(EXAMPLE).template_json(), encoding="utf-8")
    assert cfn_lint_errors(template) == ""


def test_errors_are_all_reported_with_their_place() -> None:
    app = pareto.App.from_text(INVALID, source_name="pareto.yaml")
    assert not app.valid
    assert [(e["path"], e["line"], e["check"]) for e in app.errors] == [
        ("/app", 1, "E2005"), ("/actions/0/timeout", 4, "E2005")]
    with pytest.raises(pareto.ValidationError) as raised:
        app.validate()
    assert raised.value.errors == app.errors
    assert str(raised.value).splitlines()[1].startswith("pareto.yaml:4:")
    with pytest.raises(pareto.ValidationError):
        app.synth()


def test_from_dict_and_load_agree() -> None:
    config = {"app": "tiny", "actions": [{"name": "ping"}]}
    assert pareto.App.from_dict(config).template_json() == pareto.load(json.dumps(config)).template_json()
    assert pareto.load(config).name == "tiny"


def test_a_missing_path_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        pareto.App.load(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError):
        pareto.App.load(tmp_path)  # a folder without pareto.yaml


@pytest.mark.parametrize("text", ["", "\x00", "{", "[1, 2]", "app: [", "\ufeffapp: x", "a: " * 10000,
                                  "app: x\n" * 1000, "- " * 5000 + "x", "&a [*a]"])
def test_any_text_gives_errors_not_a_crash(text: str) -> None:
    app = pareto.App.from_text(text)
    assert isinstance(app.errors, list)
    assert app.valid or all({"path", "message", "check"} <= set(e) for e in app.errors)


@pytest.mark.parametrize("bad, error", [(None, TypeError), (b"app: x", TypeError), (1, TypeError),
                                        ("\udc80", ValueError)])
def test_bad_arguments_raise_type_or_value_errors(bad: object, error: type) -> None:
    with pytest.raises(error):
        pareto.App.from_text(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad, error", [([1], TypeError), ({"app": float("nan")}, ValueError),
                                        ({"app": object()}, TypeError)])
def test_bad_dicts_raise_type_or_value_errors(bad: object, error: type) -> None:
    with pytest.raises(error):
        pareto.App.from_dict(bad)  # type: ignore[arg-type]
