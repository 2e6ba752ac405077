"""No sequence of pareto.yaml edits and deploys loses data without a flag (issue: no deploy loses
data), on moto's server: a generated 1,000-component app deployed with an item in every table and
an object in every bucket, grown to 1,100 components (no deployed resource changes stack, every
item and object stays), shrunk by 50 components (refused without --allow-delete, the stack
unchanged; with it the retained tables and buckets stay, data and all), then destroyed with
--delete-data (what the stack retains goes). A plain destroy keeping them is test_cli's."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import json

import pareto
from conftest import ROOT
from pareto.host import main

sys.path.insert(0, str(ROOT / "tests" / "support"))
from generated_app import write_app  # noqa: E402

STACK = "generated-keep"


def placement(aws) -> dict[str, str]:
    """Where each resource is: "" the parent's own, else its nested stack's logical id."""
    cloudformation = aws("cloudformation")
    pages = cloudformation.get_paginator("list_stack_resources")
    out = {}
    for page in pages.paginate(StackName=STACK):
        for resource in page["StackResourceSummaries"]:
            if resource["ResourceType"] != "AWS::CloudFormation::Stack":
                out[resource["LogicalResourceId"]] = ""
                continue
            for inner in pages.paginate(StackName=resource["PhysicalResourceId"]):
                for held in inner["StackResourceSummaries"]:
                    out[held["LogicalResourceId"]] = resource["LogicalResourceId"]
    return out


def fill(aws, groups: range) -> None:
    for i in groups:
        aws("dynamodb").put_item(TableName=f"{STACK}-table{i}",
                                 Item={"pk": {"S": "kept"}, "sk": {"S": str(i)}})
        aws("s3").put_object(Bucket=f"{STACK}-bucket{i}-123456789012", Key="kept.txt", Body=b"x")


def data(aws, groups: range) -> tuple[int, int]:
    """Items and objects there are in the groups' tables and buckets (missing ones hold none)."""
    pages = aws("dynamodb").get_paginator("list_tables").paginate()
    tables = {name for page in pages for name in page["TableNames"]}
    buckets = {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    items = sum(aws("dynamodb").scan(TableName=f"{STACK}-table{i}")["Count"]
                for i in groups if f"{STACK}-table{i}" in tables)
    objects = sum(aws("s3").list_objects_v2(Bucket=f"{STACK}-bucket{i}-123456789012")["KeyCount"]
                  for i in groups if f"{STACK}-bucket{i}-123456789012" in buckets)
    return items, objects


def test_no_edit_or_deploy_loses_data_without_a_flag(tmp_path: Path, aws, moto_url: str) -> None:
    quiet = {"endpoint_url": moto_url, "write": lambda stream, text: None}
    folder = write_app(1000, tmp_path / "app", apis=False)
    pareto.App.load(folder).deploy("keep", **quiet)
    deployed = placement(aws)
    assert len(set(deployed.values())) > 2
    fill(aws, range(200))

    # Growing: workers read other tables as well (an edit of every worker). `synth --stage`
    # shows the placement the deploy uses.
    write_app(1100, folder, apis=False)
    written = tmp_path / "synth" / "template.json"
    written.parent.mkdir()
    assert main(["synth", str(folder), "--stage", "keep", "--endpoint-url", moto_url,
                 "-o", str(written)]) == 0
    shown = {id: stack.stem.split(".")[1] for stack in written.parent.glob("template.*.json")
             for id in json.loads(stack.read_text())["Resources"]}
    assert {id: shown[id] for id in deployed} == deployed
    pareto.App.load(folder).deploy("keep", **quiet)
    grown = placement(aws)
    assert {id: grown[id] for id in deployed} == deployed
    assert len(grown) > len(deployed)
    assert {id: grown[id] for id in shown} == shown
    assert data(aws, range(200)) == (200, 200)
    fill(aws, range(200, 220))

    # Shrinking by 50 components (the last ten groups) is refused without the flag.
    write_app(1050, folder, apis=False)  # the handlers of groups 210..219 stay, unused
    shrunk = pareto.App.load(folder)
    with pytest.raises(pareto.CommandError, match="refused, nothing changed") as refused:
        shrunk.deploy("keep", **quiet)
    assert f"Table215Table (AWS::DynamoDB::Table {STACK}-table215): 1 item, no longer in " \
           "pareto.yaml" in str(refused.value)
    assert placement(aws) == grown
    status = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
    assert status == "UPDATE_COMPLETE"

    # With it, the retained tables and buckets leave the stack and stay, with their data.
    shrunk.deploy("keep", allow_delete=True, **quiet)
    after = placement(aws)
    assert "Table215Table" not in after
    assert {id: after[id] for id in after if id in grown} == {id: grown[id] for id in after}
    assert data(aws, range(220)) == (220, 220)

    # Destroying with --delete-data deletes what the stack retains; what left it before stays.
    result = shrunk.destroy("keep", delete_data=True, **quiet)
    assert len(result["deleted"]) == 2 * 210 and result["kept"] == []
    assert data(aws, range(210)) == (0, 0)
    assert data(aws, range(210, 220)) == (10, 10)
