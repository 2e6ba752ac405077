"""Operating a deployed app: every command against moto's server started by the fixtures, run
in-process through pareto.host.main."""
from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from pareto.host import Host, main

VECTORS = ROOT / "tests" / "vectors"


@pytest.fixture
def deployed(tmp_path: Path, aws, moto_url: str):
    """queues/worker deployed as demo-ops, with the command's common arguments; destroyed after."""
    app = Path(shutil.copytree(VECTORS / "queues" / "worker", tmp_path / "worker"))
    common = [str(app), "--stage", "ops", "--endpoint-url", moto_url]
    assert main(["deploy", *common, "--yes"]) == 0
    yield app, common
    main(["destroy", *common, "--yes"])


def test_stacks_resources_events_and_outputs(deployed, capsys: pytest.CaptureFixture[str]) -> None:
    app, common = deployed
    capsys.readouterr()
    assert main(["stacks", *common]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stacks of demo\n") and "demo-ops" in out
    assert main(["resources", *common]) == 0
    out = capsys.readouterr().out
    assert out.startswith("resources of demo-ops\n")
    row = next(line.split() for line in out.splitlines() if "JobsQueueMapping" in line)
    assert row[:2] == ["JobsQueueMapping", "AWS::Lambda::EventSourceMapping"]
    assert "demo-ops-worker" in out
    assert main(["events", *common]) == 0
    out = capsys.readouterr().out
    assert out.startswith("events of demo-ops\n") and "CREATE_COMPLETE" in out
    assert main(["events", *common, "--failed"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("failures of demo-ops\n") and "CREATE_COMPLETE" not in out
    assert main(["outputs", *common, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["WorkerFunction"] == "demo-ops-worker"
    missing = [str(app), "--stage", "nope", *common[3:]]
    assert main(["resources", *missing]) == 1
    assert capsys.readouterr().err == "pareto: there is no stack demo-nope\n"


def put_logs(aws) -> int:
    """Four log events of the worker in two streams, interleaved in time; the time they start."""
    logs = aws("logs")
    group = "/aws/lambda/demo-ops-worker"
    now = int(time.time() * 1000)
    for stream, messages in (("b", ["[ERROR] boom", "done"]), ("a", ["START", "[ERROR] again"])):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": now - 5000 + i * 1000 + (500 if stream == "a" else 0), "message": m}
            for i, m in enumerate(messages)])
    return now - 5000


def messages(out: str) -> list[str]:
    return [line.split(" ", 2)[2] for line in out.splitlines()]  # "YYYY-MM-DD HH:MM:SS message"


def test_logs_newest_last_and_filtered(deployed, aws, capsys: pytest.CaptureFixture[str]) -> None:
    _, common = deployed
    put_logs(aws)
    capsys.readouterr()
    assert main(["logs", *common, "worker", "--since", "1h"]) == 0
    assert messages(capsys.readouterr().out) == ["[ERROR] boom", "START", "done", "[ERROR] again"]
    assert main(["logs", *common, "worker", "--filter", "ERROR"]) == 0
    assert messages(capsys.readouterr().out) == ["[ERROR] boom", "[ERROR] again"]
    assert main(["logs", *common, "nobody"]) == 1
    assert "the app has no action 'nobody' (actions: worker)" in capsys.readouterr().err
    assert main(["logs", *common, "worker", "--since", "soon"]) == 2  # a usage error
    assert "--since: a duration like 30s, 10m, 2h or 1d, not 'soon'" in capsys.readouterr().err


def test_logs_follow_shows_each_event_once_until_interrupted(
        deployed, aws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, common = deployed
    put_logs(aws)
    waits: list[int] = []
    perform = Host.perform

    def interrupted_on_the_second_pause(self: Host, step: dict[str, Any], flow: Any) -> Any:
        if step["step"] != "wait":
            return perform(self, step, flow)
        waits.append(step["milliseconds"])
        if len(waits) == 2:
            raise KeyboardInterrupt  # Ctrl-C
        return None  # no need to sleep

    monkeypatch.setattr(Host, "perform", interrupted_on_the_second_pause)
    capsys.readouterr()
    assert main(["logs", *common, "worker", "--since", "1h", "--follow"]) == 130
    out, err = capsys.readouterr()
    # Two rounds: the second lists the newest event again, and shows nothing twice.
    assert messages(out) == ["[ERROR] boom", "START", "done", "[ERROR] again"]
    assert waits == [2000, 2000]
    assert err == "pareto: interrupted\n"


def test_invoke_prints_the_result(deployed, moto_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, common = deployed
    # moto runs functions in Docker; without it, its simple backend answers with the event.
    request = urllib.request.Request(f"{moto_url}/moto-api/config", method="POST",
                                     data=json.dumps({"lambda": {"use_docker": False}}).encode())
    urllib.request.urlopen(request).close()
    (tmp_path / "event.json").write_text('{"jobs": 1}')
    capsys.readouterr()
    assert main(["invoke", *common, "worker", "--payload", f"@{tmp_path / 'event.json'}"]) == 0
    assert capsys.readouterr().out.strip() == '{"jobs": 1}'
    assert main(["invoke", *common, "worker", "--payload", "{not json"]) == 2  # a usage error
    assert "--payload is not JSON" in capsys.readouterr().err
    assert main(["invoke", *common, "worker", "--payload", "@/no/such/file"]) == 2
    assert "--payload @/no/such/file: cannot be read" in capsys.readouterr().err


def test_users_of_a_pool(deployed, aws, capsys: pytest.CaptureFixture[str]) -> None:
    _, common = deployed
    # moto's CloudFormation skips user pools: made through the API, with the deployed names.
    cognito = aws("cognito-idp")
    pool = cognito.create_user_pool(PoolName="demo-ops-staff")["UserPool"]["Id"]
    cognito.create_user_pool_client(UserPoolId=pool, ClientName="demo-ops-staff-admin",
                                    ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])

    def users(*args: str) -> int:
        return main(["users", common[0], *args, *common[1:]])

    assert users("create", "staff", "ada", "--password", "Secret-123!", "--attribute", "email=ada@example.com") == 0
    assert "created ada in demo-ops-staff" in capsys.readouterr().err
    assert users("list", "staff") == 0
    out = capsys.readouterr().out
    assert out.startswith("users of demo-ops-staff\n")
    row = next(line for line in out.splitlines() if line.startswith("ada "))
    assert "CONFIRMED" in row and "email=ada@example.com" in row
    assert users("login", "staff", "ada", "--password", "Secret-123!") == 0
    assert "IdToken" in json.loads(capsys.readouterr().out)
    assert users("delete", "staff", "ada") == 0
    assert users("delete", "staff", "ada") == 1
    assert "user pool demo-ops-staff has no user 'ada'" in capsys.readouterr().err
    assert users("list", "nobody") == 1
    assert "there is no user pool demo-ops-nobody" in capsys.readouterr().err
    assert users("create", "staff") == 2  # no USER
    assert "users create needs USER" in capsys.readouterr().err


def test_artifacts_list_fetch_and_clean(deployed, aws, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, common = deployed
    s3 = aws("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("pareto-artifacts-"))
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"pareto/demo/old{i}.zip", Body=b"PK")
    capsys.readouterr()
    assert main(["artifacts", *common[:1], "list", *common[1:]]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith(f"s3://{bucket}\n")
    in_use = [line.split()[0] for line in listed.splitlines() if line.endswith("in use")]
    assert len(in_use) == 1 and in_use[0].startswith("pareto/demo/") and in_use[0].endswith(".zip")
    fetched = tmp_path / "code.zip"
    assert main(["artifacts", *common[:1], "fetch", in_use[0], *common[1:], "-o", str(fetched)]) == 0
    assert fetched.read_bytes()[:2] == b"PK"
    assert main(["artifacts", *common[:1], "clean", *common[1:], "--keep", "1"]) == 0
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="pareto/demo/")["Contents"]}
    assert in_use[0] in keys and len(keys) == 2  # the one in use, and the newest other
    assert main(["artifacts", *common[:1], "fetch", "pareto/demo/none.zip", *common[1:]]) == 1
    assert "has no artifact pareto/demo/none.zip" in capsys.readouterr().err
