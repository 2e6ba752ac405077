"""Living with a deployed app: its stacks, resources, events, logs, invocations, user pools and
artifacts — boto3 with the same Target (profile, region, emulator) as deploy."""
from __future__ import annotations

import base64
import json
import re
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Optional

import botocore.exceptions
from rich.table import Table

from .deploy import DeployError, Stack

DURATION = re.compile(r"^(\d+)([smhd])$")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class NotFound(DeployError):
    """What the command names is not there: no such stack, action, pool or artifact."""


def since_millis(text: str, now: Optional[float] = None) -> int:
    """"10m" → the epoch milliseconds ten minutes ago."""
    match = DURATION.match(text)
    if not match:
        raise ValueError(f"--since: a duration like 30s, 10m, 2h or 1d, not {text!r}")
    now = time.time() if now is None else now
    return int((now - int(match[1]) * SECONDS[match[2]]) * 1000)


def table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    out = Table(*columns, title=title)
    for row in rows:
        out.add_row(*row)
    return out


def app_stacks(stack: Stack) -> list[dict[str, Any]]:
    """The app's stacks in this account and region: <app>-<stage>, any stage."""
    pages = stack.cloudformation.get_paginator("describe_stacks").paginate()
    pattern = re.compile(rf"^{re.escape(stack.app_name)}-[a-z][a-z0-9]{{0,15}}$")
    return sorted((s for page in pages for s in page["Stacks"] if pattern.match(s["StackName"])),
                  key=lambda s: s["StackName"])


def stacks_table(stack: Stack) -> Table:
    rows = [[s["StackName"], s["StackStatus"],
             str(s.get("LastUpdatedTime") or s.get("CreationTime") or "")] for s in app_stacks(stack)]
    if not rows:
        raise NotFound(f"{stack.app_name} has no stacks here")
    return table(f"stacks of {stack.app_name}", ["stack", "status", "updated"], rows)


def stack_resources(stack: Stack, name: Optional[str] = None) -> list[dict[str, Any]]:
    name = name or stack.name
    if not stack_exists(stack, name):
        raise NotFound(f"there is no stack {name}")
    return stack.resources(name)


def stack_exists(stack: Stack, name: str) -> bool:
    try:
        stack.cloudformation.describe_stacks(StackName=name)
        return True
    except botocore.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return False
        raise


def resources_table(stack: Stack) -> Table:
    """The stack's resources, then each nested stack's, under the nested stack's logical id."""
    resources = stack_resources(stack)
    rows = [["", r["LogicalResourceId"], r["ResourceType"], r.get("PhysicalResourceId", ""),
             r["ResourceStatus"]] for r in resources]
    for nested in resources:
        if nested["ResourceType"] == "AWS::CloudFormation::Stack" and nested.get("PhysicalResourceId"):
            rows += [[nested["LogicalResourceId"], r["LogicalResourceId"], r["ResourceType"],
                      r.get("PhysicalResourceId", ""), r["ResourceStatus"]]
                     for r in stack.resources(nested["PhysicalResourceId"])]
    return table(f"resources of {stack.name}",
                 ["stack", "logical id", "type", "physical id", "status"], rows)


def stack_events(stack: Stack, failed: bool) -> list[dict[str, Any]]:
    """The stack's events, oldest first, with its nested stacks' after their parent's; only the
    failures when `failed`."""
    out: list[dict[str, Any]] = []
    pending = [stack.name]
    while pending:
        name = pending.pop(0)
        if not stack_exists(stack, name):
            raise NotFound(f"there is no stack {name}")
        pages = stack.cloudformation.get_paginator("describe_stack_events").paginate(StackName=name)
        events = [e for page in pages for e in page["StackEvents"]][::-1]
        out += [e for e in events if not failed or e["ResourceStatus"].endswith("_FAILED")]
        pending += [r["PhysicalResourceId"] for r in stack_resources(stack, name)
                    if r["ResourceType"] == "AWS::CloudFormation::Stack" and r.get("PhysicalResourceId")]
    return out


def events_table(stack: Stack, failed: bool) -> Table:
    rows = [[str(e["Timestamp"]), e["StackName"], e["LogicalResourceId"], e["ResourceType"],
             e["ResourceStatus"], e.get("ResourceStatusReason") or ""] for e in stack_events(stack, failed)]
    title = f"{'failures' if failed else 'events'} of {stack.name}"
    return table(title, ["time", "stack", "logical id", "type", "status", "reason"], rows)


def function_name(stack: Stack, action: str, actions: list[str]) -> str:
    """The deployed function of an action: physical names derive from the stack."""
    if action not in actions:
        raise NotFound(f"the app has no action {action!r} (actions: {', '.join(actions) or 'none'})")
    if not stack_exists(stack, stack.name):
        raise NotFound(f"there is no stack {stack.name}")
    return f"{stack.name}-{action}"


def log_events(stack: Stack, function: str, since: int, pattern: Optional[str]) -> Iterator[dict[str, Any]]:
    """The function's log events from `since` (epoch ms), oldest first, across its streams."""
    logs = stack.client("logs")
    arguments: dict[str, Any] = {"logGroupName": f"/aws/lambda/{function}", "startTime": since}
    if pattern:
        arguments["filterPattern"] = pattern
    try:
        for page in logs.get_paginator("filter_log_events").paginate(**arguments):
            yield from sorted(page["events"], key=lambda e: (e["timestamp"], e.get("eventId", "")))
    except logs.exceptions.ResourceNotFoundException:
        raise NotFound(f"{function} has no logs yet") from None


def format_log_event(event: dict[str, Any]) -> str:
    when = datetime.fromtimestamp(event["timestamp"] / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return f"{when} {event['message'].rstrip()}"


def tail_logs(stack: Stack, function: str, since: int, pattern: Optional[str], follow: bool,
              show: Callable[[str], None], poll_seconds: float = 2.0,
              keep_going: Callable[[], bool] = lambda: True) -> int:
    """Shows the log events; with `follow`, keeps polling for new ones until interrupted (or
    `keep_going` says stop). Returns how many were shown."""
    seen: set[str] = set()
    shown = 0
    while True:
        for event in log_events(stack, function, since, pattern):
            key = event.get("eventId") or f"{event['timestamp']}:{event['message']}"
            if key in seen:
                continue
            seen.add(key)
            since = max(since, event["timestamp"])
            show(format_log_event(event))
            shown += 1
        if not follow or not keep_going():
            return shown
        time.sleep(poll_seconds)


def invoke(stack: Stack, function: str, payload: str) -> tuple[str, str, Optional[str]]:
    """Invokes the function: (its result, its log tail, its error type if it failed)."""
    try:
        json.loads(payload)
    except ValueError as error:
        raise ValueError(f"--payload is not JSON: {error}") from None
    answer = stack.client("lambda").invoke(FunctionName=function, Payload=payload.encode(), LogType="Tail")
    result = answer["Payload"].read().decode("utf-8", errors="replace")
    tail = base64.b64decode(answer.get("LogResult", "")).decode("utf-8", errors="replace")
    return result, tail, answer.get("FunctionError")


# --- user pools ---------------------------------------------------------------------------------


class Pool:
    """One of the app's user pools as deployed, found by its physical name (an emulator's
    CloudFormation may not have made it: then it is made through the API)."""

    def __init__(self, stack: Stack, name: str) -> None:
        self.cognito = stack.client("cognito-idp")
        self.physical = f"{stack.name}-{name}"
        self.id = self.find_pool()
        self.admin_client = self.find_client(f"{self.physical}-admin")

    def find_pool(self) -> str:
        for page in self.cognito.get_paginator("list_user_pools").paginate(MaxResults=60):
            for pool in page["UserPools"]:
                if pool["Name"] == self.physical:
                    return pool["Id"]
        raise NotFound(f"there is no user pool {self.physical}")

    def find_client(self, client_name: str) -> str:
        pages = self.cognito.get_paginator("list_user_pool_clients").paginate(UserPoolId=self.id, MaxResults=60)
        for page in pages:
            for client in page["UserPoolClients"]:
                if client["ClientName"] == client_name:
                    return client["ClientId"]
        raise NotFound(f"user pool {self.physical} has no client {client_name}")

    def users(self) -> list[dict[str, Any]]:
        pages = self.cognito.get_paginator("list_users").paginate(UserPoolId=self.id)
        return [user for page in pages for user in page["Users"]]

    def create(self, username: str, password: str, attributes: dict[str, str]) -> None:
        """A confirmed user with a permanent password."""
        self.cognito.admin_create_user(
            UserPoolId=self.id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])
        self.cognito.admin_set_user_password(UserPoolId=self.id, Username=username,
                                             Password=password, Permanent=True)

    def delete(self, username: str) -> None:
        try:
            self.cognito.admin_delete_user(UserPoolId=self.id, Username=username)
        except self.cognito.exceptions.UserNotFoundException:
            raise NotFound(f"user pool {self.physical} has no user {username!r}") from None

    def login(self, username: str, password: str) -> dict[str, Any]:
        """The tokens of a login through the admin client."""
        answer = self.cognito.admin_initiate_auth(
            UserPoolId=self.id, ClientId=self.admin_client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password})
        return answer["AuthenticationResult"]


def users_table(pool: Pool) -> Table:
    rows = [[u["Username"], u.get("UserStatus", ""),
             ", ".join(f"{a['Name']}={a['Value']}" for a in u.get("Attributes", []) if a["Name"] != "sub"),
             str(u.get("UserCreateDate", ""))] for u in pool.users()]
    return table(f"users of {pool.physical}", ["user", "status", "attributes", "created"], rows)


# --- artifacts ----------------------------------------------------------------------------------


def artifacts(stack: Stack) -> tuple[str, list[dict[str, Any]], set[str]]:
    """The artifacts bucket, the app's objects in it (newest first), and the keys its deployed
    stacks use (code archives, by the ArtifactsKey parameter)."""
    bucket = stack.artifacts_bucket()
    pages = stack.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"pareto/{stack.app_name}/")
    objects = sorted((o for page in pages for o in page.get("Contents", [])),
                     key=lambda o: (o["LastModified"], o["Key"]), reverse=True)
    used = {p["ParameterValue"] for s in app_stacks(stack) for p in s.get("Parameters", [])
            if p["ParameterKey"] == "ArtifactsKey"}
    return bucket, objects, used


def artifacts_table(stack: Stack) -> Table:
    bucket, objects, used = artifacts(stack)
    rows = [[o["Key"], f"{o['Size']:,}", str(o["LastModified"]), "in use" if o["Key"] in used else ""]
            for o in objects]
    return table(f"s3://{bucket}", ["key", "bytes", "modified", ""], rows)


def fetch_artifact(stack: Stack, key: str) -> bytes:
    bucket, objects, _ = artifacts(stack)
    if key not in {o["Key"] for o in objects}:
        raise NotFound(f"s3://{bucket} has no artifact {key} of {stack.app_name}")
    return stack.s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def clean_artifacts(stack: Stack, keep: int) -> list[str]:
    """Deletes the app's code archives and templates but those the deployed stacks use and the
    newest `keep` of each kind; returns the deleted keys."""
    bucket, objects, used = artifacts(stack)
    archives = [o["Key"] for o in objects if "/templates/" not in o["Key"]]
    templates = [o["Key"] for o in objects if "/templates/" in o["Key"]]
    doomed = [k for kind in (archives, templates) for k in kind[keep:] if k not in used]
    for start in range(0, len(doomed), 1000):  # DeleteObjects takes 1,000 keys at a time
        stack.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in doomed[start:start + 1000]]})
    return doomed
