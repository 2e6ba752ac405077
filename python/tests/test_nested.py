"""A 2,000-component app, past one stack's quotas: synthesized into a parent and nested stacks
that cfn-lint passes, deployed to moto's server and destroyed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pareto
from conftest import ROOT, cfn_lint_errors
from pareto.host import main

sys.path.insert(0, str(ROOT / "tests" / "support"))
from generated_app import write_app  # noqa: E402

COMPONENTS = 2000
GROUPS = COMPONENTS // 5


@pytest.fixture(scope="module")
def big_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_app(COMPONENTS, tmp_path_factory.mktemp("generated"))


@pytest.fixture(scope="module")
def written(big_app: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates `pareto synth -o` writes."""
    out = tmp_path_factory.mktemp("synth") / "template.json"
    subprocess.run([sys.executable, "-m", "pareto", "synth", str(big_app), "-o", str(out)],
                   check=True, capture_output=True)
    return out


def test_synth_writes_each_nested_template_beside_the_parent(big_app: Path, written: Path) -> None:
    app = pareto.App.load(big_app)
    nested = app.nested_stacks()
    assert len(nested) > 1
    assert written.read_text() == app.template_json()
    for stack in nested:
        path = written.with_name(f"template.{stack['name']}.json")
        assert path.read_text() == stack["template"]
        assert stack["key"].startswith(f"pareto/generated/stacks/{stack['name']}-")
        assert len(json.loads(stack["template"])["Resources"]) <= 500
    parent = json.loads(written.read_text())
    assert {r["Type"] for r in parent["Resources"].values()} == {"AWS::CloudFormation::Stack"}


def test_every_template_lints_clean(written: Path) -> None:
    assert cfn_lint_errors(*sorted(written.parent.glob("*.json"))) == ""


def test_fits_one_stack_writes_no_nested_templates(tmp_path: Path) -> None:
    small = write_app(50, tmp_path / "small")
    assert pareto.App.load(small).nested_stacks() == []


def stack_resources(aws, name: str) -> list[dict]:
    pages = aws("cloudformation").get_paginator("list_stack_resources").paginate(StackName=name)
    return [r for page in pages for r in page["StackResourceSummaries"]]


def test_deploys_to_moto_with_values_passed_between_stacks(big_app: Path, aws, moto_url: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    quiet = {"endpoint_url": moto_url, "write": lambda stream, text: None}
    app = pareto.App.load(big_app)
    outputs = app.deploy("big", **quiet)
    # Every component's outputs, from the nested stacks that hold them (locally, the APIs' stage
    # names are left out with the stages moto does not model).
    expected = {id for stack in app.nested_stacks()
                for id, output in json.loads(stack["template"])["Outputs"].items()
                if "Description" in output and not id.endswith("ApiStage")}
    assert set(outputs) == expected
    assert len(expected) == GROUPS * 6 + GROUPS // 20 * 2
    assert outputs["Table0Table"] == "generated-big-table0"
    parent = stack_resources(aws, "generated-big")
    nested = [r["PhysicalResourceId"] for r in parent if r["ResourceType"] == "AWS::CloudFormation::Stack"]
    assert len(nested) == len(app.nested_stacks())
    # A worker's table lives in another stack: its variable and its role's statement got there.
    inner = {name: stack_resources(aws, name) for name in nested}
    stacks_of = {r["LogicalResourceId"]: name for name in nested for r in inner[name]}
    worker = next(i for i in range(GROUPS)
                  if stacks_of[f"Worker{i}Function"] != stacks_of[f"Table{i * 7 % GROUPS}Table"])
    table = worker * 7 % GROUPS
    configuration = aws("lambda").get_function_configuration(FunctionName=f"generated-big-worker{worker}")
    assert configuration["Environment"]["Variables"][f"TABLE{table}_TABLE"] == f"generated-big-table{table}"
    role = configuration["Role"].rsplit("/", 1)[-1]
    iam = aws("iam")
    policies = [iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                for name in iam.list_role_policies(RoleName=role)["PolicyNames"]]
    assert f"table/generated-big-table{table}" in json.dumps(policies)

    # A worker reading one more table widens its role, in its nested stack: diff says so.
    other = (table + 1) % GROUPS
    (big_app / f"worker{worker}" / "index.py").write_text(
        f'import os\n\nTABLES = os.environ["TABLE{table}_TABLE"], os.environ["TABLE{other}_TABLE"]\n\n\n'
        "def handler(event, context):\n    return TABLES\n")
    widened = pareto.App.load(big_app).diff("big", **quiet)["widened"]
    # The table's ARN: its GetAtt in the same stack, else the text its fixed name makes.
    assert any(s.startswith(f"Worker{worker}FunctionRole: ") and
               (f"Table{other}Table" in s or f"table/generated-${{StageName}}-table{other}\"" in s)
               for s in widened), widened

    # `pareto resources` lists the parent's resources, then each nested stack's.
    capsys.readouterr()
    assert main(["resources", str(big_app), "--stage", "big", "--endpoint-url", moto_url]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]  # after the title and the header
    assert len(rows) == len(parent) + sum(len(resources) for resources in inner.values())

    app.destroy("big", **quiet)
    with pytest.raises(pareto.CommandError, match="there is no stack generated-big"):
        app.outputs("big", **quiet)
    names = {s["StackName"] for s in aws("cloudformation").list_stacks()["StackSummaries"]
             if s["StackStatus"] != "DELETE_COMPLETE"}
    assert not names & set(nested)
