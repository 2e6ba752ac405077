"""Custom component kinds from Python: a decorated function or a Kind subclass, from a module the
app names, given to App.load or to the command line; schema, definition, module and renderer
errors reported where they are; the example kind deployed to moto."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pareto
from conftest import ROOT, cfn_lint_errors

EXAMPLE = ROOT / "examples" / "streams"
GOLDEN = ROOT / "tests" / "vectors" / "custom" / "streams" / "template.json"
STREAM = pareto.kinds_in_module(EXAMPLE / "kinds" / "stream.py")[0]


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "streams")
    return tmp_path / "streams"


def test_the_example_kind_gives_the_shared_template() -> None:
    app = pareto.App.load(EXAMPLE)
    assert app.errors == []
    assert app.template_json().encode() == GOLDEN.read_bytes()


def test_a_kind_subclass_renders_as_the_decorated_function(app_dir: Path) -> None:
    (app_dir / "kinds" / "stream.py").write_text(
        "import json\nfrom pathlib import Path\nimport pareto\n"
        "import importlib.util as u\n"
        f"spec = u.spec_from_file_location('example_stream', {str(EXAMPLE / 'kinds' / 'stream.py')!r})\n"
        "example = u.module_from_spec(spec); spec.loader.exec_module(example)\n"
        "class Streams(pareto.Kind):\n"
        "    key, noun, suffix = 'streams', 'stream', 'stream'\n"
        "    schema = example.DEFINITION['schema']\n"
        "    references = example.DEFINITION['references']\n"
        "    variable = True\n"
        "    def render(self, request):\n"
        "        return example.render.render(request)\n")
    app = pareto.App.load(app_dir)
    assert app.errors == []
    assert app.template_json().encode() == GOLDEN.read_bytes()


def test_kinds_given_to_load_and_from_text() -> None:
    text = (EXAMPLE / "pareto.yaml").read_text().replace("kinds:\n  - kinds/stream\n", "")
    app = pareto.App.from_text(text, base_dir=EXAMPLE, kinds=[STREAM])
    assert app.errors == []
    assert app.synth()["Resources"]["ClicksStream"]["Type"] == "AWS::Kinesis::Stream"
    # Without the kind, "streams" is an unknown key like any other.
    unknown = pareto.App.from_text(text, base_dir=EXAMPLE)
    assert [(e["path"], e["check"]) for e in unknown.errors] == [("/streams", "E2003")]
    # Modules named in text are found beside the app only.
    with pytest.raises(pareto.ValidationError) as raised:
        pareto.App.from_text((EXAMPLE / "pareto.yaml").read_text())
    assert raised.value.errors[0]["path"] == "/kinds/0"


def test_entries_are_checked_against_the_kinds_schema_and_references(app_dir: Path) -> None:
    yaml = app_dir / "pareto.yaml"
    yaml.write_text(yaml.read_text().replace("shards: 2", "shards: 0\n    colour: red")
                    .replace("writers: [track]", "writers: [trak]"))
    errors = pareto.App.load(app_dir).errors
    assert [(e["path"], e["check"], e["message"]) for e in errors] == [
        ("/streams/0/shards", "E2006", "0 is out of range 1..64"),
        ("/streams/0/colour", "E2003", 'unknown key "colour"; expected one of batch, name, '
         "readers, retention_hours, shards or writers"),
    ]
    assert all(e["line"] > 0 for e in errors)
    yaml.write_text(yaml.read_text().replace("shards: 0\n    colour: red", "shards: 2"))
    errors = pareto.App.load(app_dir).errors
    assert [(e["path"], e["message"]) for e in errors] == [
        ("/streams/0/writers/0", 'no action is named "trak"; did you mean "track"?')]


def test_renderer_errors_name_the_kind_and_where(app_dir: Path) -> None:
    yaml = app_dir / "pareto.yaml"
    yaml.write_text(yaml.read_text().replace("readers: [tally]", "readers: [tally, track]"))
    errors = pareto.App.load(app_dir).errors
    assert [(e["path"], e["check"], e["message"]) for e in errors] == [
        ("/streams/0/readers/1", "E3010", 'stream "clicks" (custom kind "streams"): action "track" '
         "writes to this stream too: it would read its own records back forever")]

    broken = pareto.Kind("streams", schema={}, references={"writers": "actions"},
                         render=lambda request: request["entry"]["no such key"])
    text = "app: x\nactions: [{name: a}]\nstreams: [{name: s, writers: [a]}]\n"
    errors = pareto.App.from_text(text, kinds=[broken]).errors
    assert len(errors) == 1 and errors[0]["check"] == "E3011" and errors[0]["path"] == "/streams/0"
    assert errors[0]["message"].startswith(
        "stream \"s\" (custom kind \"streams\"): the renderer failed: KeyError: 'no such key' (test_kinds.py:")
    wrong = pareto.Kind("streams", schema={}, render=lambda request: {"resources": {"S": {}}})
    errors = pareto.App.from_text(text.replace(", writers: [a]", ""), kinds=[wrong]).errors
    assert [e["message"] for e in errors] == [
        'stream "s" (custom kind "streams"): the renderer\'s reply at /resources/S: missing required key "Type"']
    unserializable = pareto.Kind("streams", schema={}, render=lambda request: {"resources": {1, 2}})
    errors = pareto.App.from_text(text.replace(", writers: [a]", ""), kinds=[unserializable]).errors
    assert "TypeError: Object of type set is not JSON serializable" in errors[0]["message"]


def test_definition_errors_raise_with_where() -> None:
    with pytest.raises(pareto.KindError) as raised:
        pareto.App.from_text("app: x\n", kinds=[pareto.Kind("tables", schema={}, render=dict)])
    assert raised.value.errors[0]["path"] == "/key"
    assert "is a key of pareto.yaml already" in str(raised.value)
    with pytest.raises(TypeError):
        pareto.App.from_text("app: x\n", kinds=["streams"])  # type: ignore[list-item]


def test_module_errors_point_at_the_kinds_entry(app_dir: Path) -> None:
    module = app_dir / "kinds" / "stream.py"
    module.write_text("import pareto\n\nraise RuntimeError('half written')\n")
    with pytest.raises(pareto.ValidationError) as raised:
        pareto.App.load(app_dir)
    [error] = raised.value.errors
    assert (error["path"], error["check"]) == ("/kinds/0", "E3012")
    assert error["message"].endswith("stream.py:3: RuntimeError: half written")
    module.write_text("X = 1\n")
    with pytest.raises(pareto.ValidationError, match="defines no pareto.Kind"):
        pareto.App.load(app_dir)
    module.unlink()
    with pytest.raises(pareto.ValidationError, match=r"no Python module kinds/stream.py beside the app"):
        pareto.App.load(app_dir)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pareto", *args], capture_output=True, text=True)


def test_the_command_line_loads_kinds_named_or_given(app_dir: Path, tmp_path: Path) -> None:
    done = cli("synth", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert done.stdout.encode() == GOLDEN.read_bytes()
    # --kinds gives a module the app does not name.
    yaml = app_dir / "pareto.yaml"
    yaml.write_text(yaml.read_text().replace("kinds:\n  - kinds/stream\n", ""))
    assert cli("validate", str(app_dir)).returncode == 1
    done = cli("synth", str(app_dir), "--kinds", str(app_dir / "kinds" / "stream.py"), "-o", str(tmp_path / "t.json"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "t.json").read_bytes() == GOLDEN.read_bytes()
    missing = cli("validate", str(app_dir), "--kinds", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "nope.py" in missing.stderr  # a usage error


def test_the_example_lints_clean_and_deploys_to_moto(aws, moto_url: str) -> None:
    assert cfn_lint_errors(GOLDEN) == ""
    app = pareto.App.load(EXAMPLE)
    outputs = app.deploy("kinds", endpoint_url=moto_url, write=lambda stream, text: None)
    assert outputs["ClicksStreamName"] == "clicks-kinds-clicks"
    summary = aws("kinesis").describe_stream_summary(StreamName="clicks-kinds-clicks")
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 2
    track = aws("lambda").get_function_configuration(FunctionName="clicks-kinds-track")
    assert track["Environment"]["Variables"]["CLICKS_STREAM"] == "clicks-kinds-clicks"
    iam = aws("iam")
    role = track["Role"].rsplit("/", 1)[-1]
    policies = json.dumps([iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                           for name in iam.list_role_policies(RoleName=role)["PolicyNames"]])
    assert "kinesis:PutRecord" in policies and "stream/clicks-kinds-clicks" in policies
    mappings = aws("lambda").list_event_source_mappings(FunctionName="clicks-kinds-tally")
    assert [m["EventSourceArn"].rsplit("/", 1)[-1] for m in mappings["EventSourceMappings"]] == [
        "clicks-kinds-clicks"]
    app.destroy("kinds", endpoint_url=moto_url, write=lambda stream, text: None)
    with pytest.raises(pareto.CommandError, match="there is no stack clicks-kinds"):
        app.outputs("kinds", endpoint_url=moto_url, write=lambda stream, text: None)
