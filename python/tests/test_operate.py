"""Operating a deployed app: every command against moto's server started by the fixtures."""
from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from pareto import operate
from pareto.cli import main

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
    assert "demo-ops" in capsys.readouterr().out
    assert main(["resources", *common]) == 0
    out = capsys.readouterr().out
    assert "JobsQueueMapping" in out and "AWS::Lambda::EventSourceMapping" in out and "demo-ops-worker" in out
    assert main(["events", *common]) == 0
    assert "CREATE_COMPLETE" in capsys.readouterr().out
    assert main(["events", *common, "--failed"]) == 0
    assert "CREATE_COMPLETE" not in capsys.readouterr().out
    assert main(["outputs", *common, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["WorkerFunction"] == "demo-ops-worker"
    missing = [str(app), "--stage", "nope", *common[3:]]
    assert main(["resources", *missing]) == 1
    assert "there is no stack demo-nope" in capsys.readouterr().err


def test_logs_newest_last_filtered_and_followed(deployed, aws, capsys: pytest.CaptureFixture[str]) -> None:
    _, common = deployed
    logs = aws("logs")
    group = "/aws/lambda/demo-ops-worker"
    now = int(__import__("time").time() * 1000)
    for stream, messages in (("b", ["[ERROR] boom", "done"]), ("a", ["START", "[ERROR] again"])):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": now - 5000 + i * 1000 + (500 if stream == "a" else 0), "message": m}
            for i, m in enumerate(messages)])
    capsys.readouterr()
    assert main(["logs", *common, "worker", "--since", "1h"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == ["[ERROR] boom", "START", "done", "[ERROR] again"]
    assert main(["logs", *common, "worker", "--filter", "ERROR"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    # --follow polls until interrupted; here, one more round shows nothing twice.
    from pareto import deploy, local
    target = deploy.Target("ops", region=local.LOCAL_REGION, endpoint_url=common[-1],
                           credentials=local.LOCAL_CREDENTIALS)
    stack = deploy.Stack("demo", target, None)
    rounds = iter([True, False])
    shown: list[str] = []
    assert operate.tail_logs(stack, "demo-ops-worker", now - 60_000, None, True, shown.append,
                             poll_seconds=0, keep_going=lambda: next(rounds)) == 4
    assert main(["logs", *common, "nobody"]) == 1
    assert "the app has no action 'nobody' (actions: worker)" in capsys.readouterr().err
    assert main(["logs", *common, "worker", "--since", "soon"]) == 1


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
    assert main(["invoke", *common, "worker", "--payload", "{not json"]) == 1
    assert "--payload is not JSON" in capsys.readouterr().err
    assert main(["invoke", *common, "worker", "--payload", "@/no/such/file"]) == 2


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
    capsys.readouterr()
    assert users("list", "staff") == 0
    out = capsys.readouterr().out
    assert "ada" in out and "email=ada@example.com" in out and "CONFIRMED" in out
    assert users("login", "staff", "ada", "--password", "Secret-123!") == 0
    assert "IdToken" in json.loads(capsys.readouterr().out)
    assert users("delete", "staff", "ada") == 0
    assert users("delete", "staff", "ada") == 1
    assert "has no user 'ada'" in capsys.readouterr().err
    assert users("list", "nobody") == 1
    assert "there is no user pool demo-ops-nobody" in capsys.readouterr().err
    assert users("create", "staff") == 2  # no USER


def test_artifacts_list_fetch_and_clean(deployed, aws, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, common = deployed
    s3 = aws("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("pareto-artifacts-"))
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"pareto/demo/old{i}.zip", Body=b"PK")
    capsys.readouterr()
    assert main(["artifacts", *common[:1], "list", *common[1:]]) == 0
    listed = capsys.readouterr().out
    in_use = next(line for line in listed.splitlines() if "in use" in line).split()[1]
    assert in_use.startswith("pareto/demo/") and in_use.endswith(".zip")
    fetched = tmp_path / "code.zip"
    assert main(["artifacts", *common[:1], "fetch", in_use, *common[1:], "-o", str(fetched)]) == 0
    assert fetched.read_bytes()[:2] == b"PK"
    assert main(["artifacts", *common[:1], "clean", *common[1:], "--keep", "1"]) == 0
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="pareto/demo/")["Contents"]}
    assert in_use in keys and len(keys) == 2  # the one in use, and the newest other
    assert main(["artifacts", *common[:1], "fetch", "pareto/demo/none.zip", *common[1:]]) == 1
    assert "has no artifact pareto/demo/none.zip" in capsys.readouterr().err
