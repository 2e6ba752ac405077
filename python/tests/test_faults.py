"""The fault matrix: deploys whose AWS calls pass a loopback proxy that injects faults between
the SDK and moto's server (tests/support/fault_proxy.py). Each cell ends in a completed deploy,
or in a clear stop that says where the stack was left, after which the next deploy completes
with nothing orphaned. Ctrl-C is a cell too: a real SIGINT to a running `pareto deploy`."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import pareto
from conftest import REGION, ROOT
from pareto import local
from pareto.host import main

sys.path.insert(0, str(ROOT / "tests" / "support"))
from dev_scenario import interruptible  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

APP = ROOT / "tests" / "vectors" / "flows" / "apps" / "v1"
# What the app's stack holds once it is deployed, by logical id (moto makes all of it).
RESOURCES = {"ItemsTable", "JobsQueue", "JobsQueueDlq", "JobsQueueMapping", "WorkerFunction",
             "WorkerFunctionLogGroup", "WorkerFunctionRole"}


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The app with code of its own: its archive is not in the artifacts bucket yet, so the
    deploy uploads it."""
    copy = Path(shutil.copytree(APP, tmp_path / "app"))
    for handler in copy.rglob("*.py"):
        handler.write_text(handler.read_text() + f"# {request.node.name}\n")
    return copy


def deploy(app: Path, url: str, stage: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    exit_status = main(["deploy", str(app), "--stage", stage, "--endpoint-url", url, "--yes"])
    return exit_status, capsys.readouterr().err


def uploaded_whole(aws, app: Path) -> None:
    """Each archive in the artifacts bucket is the whole archive: nothing half-uploaded."""
    loaded = pareto.App.load(app)
    for function in loaded.functions:
        bucket = f"pareto-artifacts-123456789012-{REGION}"
        body = aws("s3").get_object(Bucket=bucket, Key=function["key"])["Body"].read()
        assert body == loaded.package(function["action"]), function["key"]


def deployed(aws, stage: str) -> set[str]:
    """The logical ids of the stack's resources, each of them complete."""
    cloudformation = aws("cloudformation")
    [stack] = cloudformation.describe_stacks(StackName=f"flows-{stage}")["Stacks"]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    summaries = cloudformation.list_stack_resources(StackName=f"flows-{stage}")["StackResourceSummaries"]
    assert {s["ResourceStatus"] for s in summaries} <= {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
    return {s["LogicalResourceId"] for s in summaries}


# (cell, the schedule): each fault is retried away and the deploy completes.
RETRIED = [
    ("reset-changeset", [{"operation": "CreateChangeSet", "fault": "reset"}]),
    ("reset-upload", [{"operation": "PutObject", "fault": "reset"}]),
    ("error-upload", [{"operation": "PutObject", "fault": "500", "times": 2}]),
    ("error-events", [{"operation": "DescribeStackEvents", "after": "ExecuteChangeSet",
                       "fault": "500", "times": 2}]),
    ("throttle-reads", [{"operation": "DescribeStacks", "fault": "throttle", "times": 3}]),
    ("throttle-execute", [{"operation": "ExecuteChangeSet", "fault": "throttle"}]),
    ("slow-events", [{"operation": "DescribeStackEvents", "fault": "slow", "seconds": 1,
                       "times": 2}]),
]


@pytest.mark.parametrize("cell,rules", RETRIED, ids=[cell for cell, _ in RETRIED])
def test_a_fault_is_retried_and_the_deploy_completes(cell: str, rules: list[dict[str, Any]], app: Path,
                                                     aws, moto_url: str, capsys) -> None:
    stage = cell.replace("-", "")
    with FaultProxy(moto_url, rules) as proxy:
        exit_status, err = deploy(app, proxy.url, stage, capsys)
        injected = proxy.injected
    assert exit_status == 0, err
    assert len(injected) == sum(rule.get("times", 1) for rule in rules)
    if rules[0]["fault"] != "slow":
        assert "retrying in" in err
    assert RESOURCES <= deployed(aws, stage)
    uploaded_whole(aws, app)


def test_retries_running_out_mid_deploy_say_where_the_stack_was_left(app: Path, aws,
                                                                    moto_url: str, capsys) -> None:
    rules = [{"operation": "DescribeStackEvents", "after": "ExecuteChangeSet", "fault": "reset",
              "times": 6}]
    with FaultProxy(moto_url, rules) as proxy:
        exit_status, err = deploy(app, proxy.url, "runout", capsys)
    assert exit_status == 1
    assert "(cloudformation DescribeStackEvents: gave up after 6 attempts)\n" in err
    assert err.endswith("CloudFormation goes on creating flows-runout without pareto: `pareto "
                        f"events {app} --stage runout` shows how it ends, and the next deploy "
                        "waits for it\n")
    # The next deploy picks up from there: nothing to change, nothing orphaned.
    exit_status, err = deploy(app, moto_url, "runout", capsys)
    assert exit_status == 0, err
    assert "no changes\n" in err
    assert RESOURCES <= deployed(aws, "runout")


@pytest.fixture
def own_emulator() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A moto server of the test's own, which it may kill."""
    with local.moto_process() as started:
        yield started


def test_an_emulator_killed_mid_deploy_is_an_explained_stop(app: Path, own_emulator, aws,
                                                           moto_url: str, capsys) -> None:
    server, url = own_emulator
    with FaultProxy(url, [{"operation": "ExecuteChangeSet", "fault": "kill"}], server.pid) as proxy:
        exit_status, err = deploy(app, proxy.url, "killed", capsys)
    assert exit_status == 1
    assert "gave up after 6 attempts" in err
    assert "whether CloudFormation started the change set on flows-killed is not known" in err
    # The emulator back (empty, as a restarted moto is): the next deploy makes it all.
    exit_status, err = deploy(app, moto_url, "killed", capsys)
    assert exit_status == 0, err
    assert RESOURCES <= deployed(aws, "killed")


def test_ctrl_c_mid_deploy_says_cloudformation_goes_on(app: Path, aws, moto_url: str) -> None:
    rules = [{"operation": "DescribeStackEvents", "after": "ExecuteChangeSet", "fault": "slow",
              "seconds": 30}]
    with FaultProxy(moto_url, rules) as proxy:
        command = subprocess.Popen(
            [sys.executable, "-m", "pareto", "deploy", str(app), "--stage", "ctrlc",
             "--endpoint-url", proxy.url, "--yes"], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
        deadline = time.monotonic() + 60
        while not proxy.injected and time.monotonic() < deadline and command.poll() is None:
            time.sleep(0.05)
        command.send_signal(signal.SIGINT)
        _, err = command.communicate(timeout=30)
    assert command.returncode == 130, err
    assert err.endswith("pareto: interrupted\nCloudFormation goes on creating flows-ctrlc without "
                        f"pareto: `pareto events {app} --stage ctrlc` shows how it ends, and the "
                        "next deploy waits for it\n")
    assert RESOURCES <= deployed(aws, "ctrlc")
