"""Records the engine's transcript vectors (tests/vectors/flows/<case>/) against moto's server:
each case is a command line run by the Python host, its steps and the answers moto gave, and
what it printed. The C++, Python and Node suites replay them. Faults (throttling, 5xx, dropped
connections) are injected into the answers of chosen calls, so that the retries are recorded.

    .venv/bin/python tests/support/record_flows.py      # from the repository's root
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional

import boto3

from pareto import host, local
from pareto.host import Host

ROOT = Path(__file__).resolve().parents[2]
FLOWS = Path("tests/vectors/flows")
APPS = FLOWS / "apps"
NOW_MS = int(time.time()) // 60 * 60_000  # the clock every case starts at: the recording's minute
Fault = Callable[[dict[str, Any], int], Optional[dict[str, Any]]]
Amend = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


class Recorder(Host):
    """The Python host, keeping every step it performed and every answer it gave; `fault`
    may answer a call in moto's place, and `amend` change moto's answer."""

    def __init__(self, fault: Optional[Fault] = None, amend: Optional[Amend] = None) -> None:
        super().__init__(interactive=False, write=self.keep_output)
        self.steps: list[dict[str, Any]] = []
        self.output = {"stdout": "", "stderr": ""}
        self.fault = fault
        self.amend = amend
        self.calls = 0

    def keep_output(self, stream: str, text: str) -> None:
        self.output[stream] += text

    def perform(self, step: dict[str, Any], flow: Any) -> Any:
        if step["step"] == "write":
            return super().perform(step, flow)
        if step["step"] == "wait":
            answer = None  # replays need not sleep; neither does recording
        elif step["step"] == "call" and self.fault and (injected := self.fault(step, self.calls)):
            answer = injected
        else:
            answer = super().perform(step, flow)
        if step["step"] == "call":
            self.calls += 1
            if self.amend:
                answer = self.amend(step, answer)
        self.steps.append({"step": step, "answer": answer})
        return answer


def record(case: str, description: str, argv: list[str], fault: Optional[Fault] = None,
           amend: Optional[Amend] = None) -> None:
    recorder = Recorder(fault, amend)
    request = {"argv": argv, "host": "python", "aws": True, "interactive": False,
               "now_ms": NOW_MS, "seed": 0}
    exit_status, _ = recorder.run_request(request)
    folder = ROOT / FLOWS / case
    folder.mkdir(parents=True, exist_ok=True)
    transcript = {"description": description, "request": request, "steps": recorder.steps,
                  "exit": exit_status}
    (folder / "transcript.json").write_text(json.dumps(transcript, indent=1, sort_keys=True) + "\n")
    (folder / "stdout").write_text(recorder.output["stdout"])
    (folder / "stderr").write_text(recorder.output["stderr"])
    print(f"{case}: exit {exit_status}, {len(recorder.steps)} steps")


def after(operation: str, then: str, *answers: dict[str, Any]) -> Fault:
    """Once `operation` has been called, the next calls of `then` answered with `answers`, in
    turn; then moto's. after(X, X, ...) answers X's own first calls."""
    seen = False
    pending = list(answers)

    def fault(step: dict[str, Any], _: int) -> Optional[dict[str, Any]]:
        nonlocal seen
        seen = seen or step["operation"] == operation
        if seen and step["operation"] == then and pending:
            return pending.pop(0)
        return None
    return fault


INTERRUPTED = json.loads(host.INTERRUPTED)  # what a host answers to the step Ctrl-C cut short


def first_status(status: str) -> Amend:
    """The first DescribeStacks answered with the stack in `status`, as AWS leaves it after a
    failed create (moto's failed creates stay REVIEW_IN_PROGRESS)."""
    pending = [status]

    def amend(step: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        if step["operation"] == "DescribeStacks" and pending and "response" in answer:
            for stack in answer["response"].get("Stacks", []):
                stack["StackStatus"] = pending.pop()
        return answer
    return amend


def as_replacements(step: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """Every modification in a change set marked a replacement, as CloudFormation marks a change
    of a table's key: moto's change sets never say Replacement."""
    if step["operation"] == "DescribeChangeSet":
        for change in answer.get("response", {}).get("Changes", []):
            if change.get("ResourceChange", {}).get("Action") == "Modify":
                change["ResourceChange"]["Replacement"] = "True"
    return answer


def error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


def main() -> None:
    os.chdir(ROOT)
    for case in (ROOT / FLOWS).iterdir():
        if case.is_dir() and case.name != "apps":
            shutil.rmtree(case)
    with local.moto_server() as url:
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                          AWS_DEFAULT_REGION="us-east-1")
        os.environ.pop("PARETO_ENDPOINT_URL", None)
        aws = lambda service: boto3.client(service, endpoint_url=url, region_name="us-east-1")
        v1, v2, v3, v4, v5 = (str(APPS / v) for v in ("v1", "v2", "v3", "v4", "v5"))
        at = ["--stage", "rec", "--endpoint-url", url]
        record("deploy-create", "the first deploy: artifacts bucket, code, change set, progress, "
               "outputs", ["deploy", v1, *at, "--yes"])
        record("deploy-unchanged", "a deploy with nothing to change", ["deploy", v1, *at, "--yes"])
        record("diff-widened", "a diff that adds a bucket and widens the worker's role",
               ["diff", v2, *at])
        record("deploy-update", "an update: the change table, the widened statement, progress",
               ["deploy", v2, *at, "--yes"])
        record("deploy-hotswap", "only the worker's code changed: it is updated directly, without "
               "a change set", ["deploy", v5, *at, "--yes", "--hotswap"])
        record("outputs", "the outputs, KEY = VALUE", ["outputs", v2, *at])
        record("outputs-json", "the outputs as JSON", ["outputs", v2, *at, "--json"])
        record("outputs-throttled", "throttling, a 503 and a dropped connection, retried with "
               "backoff", ["outputs", v2, *at],
               after("DescribeStacks", "DescribeStacks", error("Throttling", "Rate exceeded", 400),
                          error("ServiceUnavailable", "Service Unavailable", 503),
                          error("NetworkingError", "Connection was closed", 0)))
        record("outputs-retries-run-out", "six throttled answers: the last one stops the command",
               ["outputs", v2, *at],
               after("DescribeStacks", "DescribeStacks", *[error("Throttling", "Rate exceeded", 400)] * 6))
        record("stacks", "the app's stacks, every stage", ["stacks", v2, *at])
        record("resources", "the stack's resources", ["resources", v2, *at])
        record("resources-no-stack", "a stage with no stack", ["resources", v2, "--stage", "nope",
                                                               "--endpoint-url", url])
        record("events-failed", "only the failures: none", ["events", v2, *at, "--failed"])
        logs = aws("logs")
        group = "/aws/lambda/flows-rec-worker"
        logs.create_log_stream(logGroupName=group, logStreamName="a")
        logs.put_log_events(logGroupName=group, logStreamName="a", logEvents=[
            {"timestamp": NOW_MS - 5000 + i * 1000, "message": m}
            for i, m in enumerate(["START", "[ERROR] boom", "END"])])
        record("logs", "an action's log events since an hour ago", ["logs", v2, "worker", *at,
                                                                    "--since", "1h"])
        record("logs-no-action", "an action the app does not have", ["logs", v2, "nobody", *at])
        urllib.request.urlopen(urllib.request.Request(
            f"{url}/moto-api/config", method="POST",
            data=json.dumps({"lambda": {"use_docker": False}}).encode())).close()
        record("invoke", "an invocation's result", ["invoke", v2, "worker", *at, "--payload",
                                                    '{"jobs": 1}'])
        cognito = aws("cognito-idp")
        pool = cognito.create_user_pool(PoolName="flows-rec-staff")["UserPool"]["Id"]
        cognito.create_user_pool_client(UserPoolId=pool, ClientName="flows-rec-staff-admin",
                                        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
        record("users-create", "a user made with a permanent password",
               ["users", v2, "create", "staff", "ada", *at, "--password", "Secret-123!",
                "--attribute", "email=ada@example.com"])
        record("users-list", "the users of a pool", ["users", v2, "list", "staff", *at])
        record("users-delete", "a user deleted", ["users", v2, "delete", "staff", "ada", *at])
        record("artifacts-list", "the app's artifacts, those in use marked",
               ["artifacts", v2, "list", *at])
        files = next(r["PhysicalResourceId"] for r in aws("cloudformation").list_stack_resources(
            StackName="flows-rec")["StackResourceSummaries"] if r["LogicalResourceId"] == "FilesBucket")
        aws("s3").put_object(Bucket=files, Key="kept.txt", Body=b"data")
        record("diff-remove-refused", "a diff that removes a bucket holding an object: refused",
               ["diff", v3, *at])
        record("deploy-remove-refused", "a deploy that removes a bucket holding an object: "
               "refused, the change set deleted, the stack unchanged", ["deploy", v3, *at, "--yes"])
        record("deploy-remove-allowed", "the same with --allow-delete: the bucket leaves the stack "
               "and stays, retained", ["deploy", v3, *at, "--yes", "--allow-delete"])
        record("deploy-replace-fixed-name", "a change that replaces the table, whose name is "
               "fixed: explained and refused, even with --allow-replace",
               ["deploy", v4, *at, "--yes", "--allow-replace"], amend=as_replacements)
        gone = ["--stage", "gone", "--endpoint-url", url]
        Recorder().run(["deploy", v2, *gone, "--yes"])
        bucket = next(r["PhysicalResourceId"] for r in aws("cloudformation").list_stack_resources(
            StackName="flows-gone")["StackResourceSummaries"] if r["LogicalResourceId"] == "FilesBucket")
        aws("s3").put_object(Bucket=bucket, Key="kept.txt", Body=b"data")
        record("destroy", "the stack deleted and followed; the retained bucket and table kept, "
               "with their data", ["destroy", v2, *gone, "--yes"])
        record("destroy-no-stack", "nothing to destroy", ["destroy", v2, *gone, "--yes"])
        wipe = ["--stage", "wipe", "--endpoint-url", url]
        Recorder().run(["deploy", v2, *wipe, "--yes"])
        aws("s3").put_object(Bucket=bucket.replace("-gone-", "-wipe-"), Key="gone.txt", Body=b"data")
        record("destroy-delete-data-unasked", "--delete-data without a terminal or --yes: refused",
               ["destroy", v2, *wipe, "--delete-data"])
        record("destroy-delete-data", "--delete-data --yes: the retained bucket emptied and "
               "deleted, the table deleted", ["destroy", v2, *wipe, "--delete-data", "--yes"])
        aws("dynamodb").create_table(
            TableName="flows-taken-items", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        record("deploy-name-taken", "a create whose table's fixed name is taken (as by a table "
               "an earlier destroy kept): refused before anything starts",
               ["deploy", v1, "--stage", "taken", "--endpoint-url", url, "--yes"])
        aws("sqs").create_queue(QueueName="flows-fail-jobs", Attributes={"VisibilityTimeout": "5"})
        record("deploy-failure", "a create that fails: the queue's name is taken, with other "
               "settings; the reasons", ["deploy", v1, "--stage", "fail", "--endpoint-url", url, "--yes"])
        rolled = ["--stage", "rolled", "--endpoint-url", url]
        Recorder().run(["deploy", v1, *rolled, "--yes"])
        record("deploy-failed-create-unasked", "a deploy of a stack whose create failed and was "
               "rolled back, without a terminal or --yes: refused before anything changes",
               ["deploy", v1, *rolled], amend=first_status("ROLLBACK_COMPLETE"))
        record("deploy-interrupted", "Ctrl-C while CloudFormation creates the stack: what goes on, "
               "and how to follow it", ["deploy", v1, "--stage", "cut", "--endpoint-url", url, "--yes"],
               after("ExecuteChangeSet", "DescribeStackEvents", INTERRUPTED))
        record("deploy-retries-run-out", "the network lost while CloudFormation creates the stack: "
               "six attempts, then where the stack was left",
               ["deploy", v1, "--stage", "lost", "--endpoint-url", url, "--yes"],
               after("ExecuteChangeSet", "DescribeStackEvents",
                     *[error("NetworkingError", "Connection was closed", 0)] * 6))


if __name__ == "__main__":
    sys.exit(main())
