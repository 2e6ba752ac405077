"""Deploy with boto3: the artifacts bucket, a change set, live progress, outputs; destroy.

Progress and tables go to `console` (rich: colour on a terminal, plain lines otherwise).
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import boto3
import botocore.exceptions
import botocore.parsers
from rich.console import Console
from rich.table import Table

from ._app import App
from .local import MotoCompatibility
from .package import build_archive

TEMPLATE_BODY_LIMIT = 51_200
STATEFUL_TYPES = frozenset(
    {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Cognito::UserPool",
     "AWS::SecretsManager::Secret"}
)
IAM_TYPES = frozenset({"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"})
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
CHANGE_SET_PREFIX = "pareto-"

# What a failed AWS call raises; an emulator's malformed error answers raise the parser's error.
AwsError = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError,
            botocore.parsers.ResponseParserError)


class DeployError(RuntimeError):
    """The deployment did not succeed; the reasons were printed."""


@dataclass(frozen=True)
class Target:
    """Where a stack goes: the AWS account of a profile and region, or an emulator's URL."""

    stage: str
    region: Optional[str] = None
    profile: Optional[str] = None
    endpoint_url: Optional[str] = None
    credentials: dict[str, str] = field(default_factory=dict)  # local mode's dummy keys
    poll_seconds: float = 3.0

    def session(self) -> boto3.Session:
        return boto3.Session(profile_name=self.profile, region_name=self.region, **self.credentials)


@dataclass(frozen=True)
class Change:
    logical_id: str
    resource_type: str
    action: str  # Add | Modify | Remove | Import | Dynamic
    replacement: str  # True | False | Conditional | "" (not a modification)

    @property
    def replaces_state(self) -> bool:
        return self.resource_type in STATEFUL_TYPES and self.replacement in ("True", "Conditional")


@dataclass
class ChangeSet:
    id: Optional[str]  # None: nothing to change
    stack_type: str  # CREATE | UPDATE
    changes: list[Change]
    widened: list[str]  # IAM statements an update adds


class Stack:
    """One app's stack, `<app>-<stage>`, and the calls that change it."""

    def __init__(self, app_name: str, target: Target, console: Console) -> None:
        self.app_name = app_name
        self.name = f"{app_name}-{target.stage}"
        self.target = target
        self.console = console
        session = target.session()
        self.cloudformation = session.client("cloudformation", endpoint_url=target.endpoint_url)
        self.s3 = session.client("s3", endpoint_url=target.endpoint_url)
        self.sts = session.client("sts", endpoint_url=target.endpoint_url)
        self.region = session.region_name or "us-east-1"
        self.session = session

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.target.endpoint_url)

    # --- reading ----------------------------------------------------------------------------

    def describe(self) -> Optional[dict[str, Any]]:
        """The stack, or None when there is none."""
        try:
            return self.cloudformation.describe_stacks(StackName=self.name)["Stacks"][0]
        except botocore.exceptions.ClientError as error:
            if "does not exist" in str(error):
                return None
            raise

    def outputs(self) -> dict[str, str]:
        """The app's outputs: the stack's, then those its nested stacks hold for their
        components (described ones: the rest pass values between the stacks)."""
        stack = self.describe()
        if stack is None:
            raise DeployError(f"there is no stack {self.name}")
        outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])}
        for nested in self.nested_stacks():
            described = self.cloudformation.describe_stacks(StackName=nested)["Stacks"][0]
            outputs.update({o["OutputKey"]: o.get("OutputValue", "")
                            for o in described.get("Outputs", []) if o.get("Description")})
        return outputs

    def resources(self, stack: Optional[str] = None) -> list[dict[str, Any]]:
        """The resources of the stack, or of one of its nested stacks."""
        # describe_stack_resources stops at 100 resources; the paginated listing has them all.
        pages = self.cloudformation.get_paginator("list_stack_resources").paginate(
            StackName=stack or self.name)
        return [summary for page in pages for summary in page["StackResourceSummaries"]]

    def nested_stacks(self) -> list[str]:
        """The physical ids of the stack's nested stacks."""
        return [r["PhysicalResourceId"] for r in self.resources()
                if r["ResourceType"] == "AWS::CloudFormation::Stack" and r.get("PhysicalResourceId")]

    def deployed_template(self) -> dict[str, Any]:
        """The deployed template, its nested stacks' resources merged in (logical ids are the
        app's, unique across its stacks)."""
        def template(stack: str) -> dict[str, Any]:
            body = self.cloudformation.get_template(StackName=stack)["TemplateBody"]
            return body if isinstance(body, dict) else json.loads(body)
        return merged([template(self.name)] + [template(n) for n in self.nested_stacks()])

    # --- artifacts --------------------------------------------------------------------------

    def artifacts_bucket(self) -> str:
        """The account's pareto bucket for this region, created when missing."""
        account = self.sts.get_caller_identity()["Account"]
        bucket = f"pareto-artifacts-{account}-{self.region}"
        try:
            self.s3.head_bucket(Bucket=bucket)
        except botocore.exceptions.ClientError:
            self.console.print(f"creating the artifacts bucket {bucket}")
            location = {} if self.region == "us-east-1" else {
                "CreateBucketConfiguration": {"LocationConstraint": self.region}}
            self.s3.create_bucket(Bucket=bucket, **location)
        return bucket

    def upload(self, bucket: str, key: str, data: bytes) -> None:
        """Uploads unless the key is there already: keys are content hashes."""
        try:
            self.s3.head_object(Bucket=bucket, Key=key)
            self.console.print(f"s3://{bucket}/{key} is up to date")
        except botocore.exceptions.ClientError:
            self.s3.put_object(Bucket=bucket, Key=key, Body=data)
            self.console.print(f"uploaded s3://{bucket}/{key} ({len(data):,} bytes)")

    def template_argument(self, template_json: str, bucket: str) -> dict[str, str]:
        """TemplateBody when it is small enough, else TemplateURL of a copy in the bucket."""
        data = template_json.encode()
        if len(data) <= TEMPLATE_BODY_LIMIT:
            return {"TemplateBody": template_json}
        key = f"pareto/{self.app_name}/templates/{hashlib.sha256(data).hexdigest()}.json"
        self.upload(bucket, key, data)
        return {"TemplateURL": f"https://{bucket}.s3.{self.region}.amazonaws.com/{key}"}

    # --- change sets ------------------------------------------------------------------------

    def create_change_set(self, template_json: str, parameters: dict[str, str], bucket: str,
                          nested: Sequence[str] = ()) -> ChangeSet:
        """`nested`: the nested stacks' templates, already uploaded, for the IAM comparison."""
        stack = self.describe()
        if stack and stack["StackStatus"] == "ROLLBACK_COMPLETE":
            self.console.print(f"{self.name} failed to create before: deleting it first")
            self.delete()
            stack = None
        stack_type = "UPDATE" if stack and stack["StackStatus"] != "REVIEW_IN_PROGRESS" else "CREATE"
        created = self.cloudformation.create_change_set(
            StackName=self.name,
            ChangeSetName=f"{CHANGE_SET_PREFIX}{int(time.time() * 1000)}",
            ChangeSetType=stack_type,
            Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Tags=[{"Key": "pareto:app", "Value": self.app_name}],
            **self.template_argument(template_json, bucket),
        )
        described = self.wait_for_change_set(created["Id"])
        if described["Status"] == "FAILED":
            reason = described.get("StatusReason", "")
            self.cloudformation.delete_change_set(ChangeSetName=created["Id"])
            if any(text in reason for text in NO_CHANGES):
                return ChangeSet(None, stack_type, [], [])
            raise DeployError(f"the change set failed: {reason}")
        changes = [to_change(c["ResourceChange"]) for c in described.get("Changes", [])]
        new = merged([json.loads(text) for text in [template_json, *nested]])
        widened = widened_statements(self.deployed_template(), new) if stack_type == "UPDATE" else []
        return ChangeSet(created["Id"], stack_type, changes, widened)

    def wait_for_change_set(self, change_set_id: str) -> dict[str, Any]:
        while True:
            described = describe_all_changes(self.cloudformation, change_set_id)
            if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
                return described
            time.sleep(self.target.poll_seconds)

    def discard(self, change_set: ChangeSet) -> None:
        """Deletes an unexecuted change set, and the empty stack a CREATE one made."""
        if change_set.id:
            self.cloudformation.delete_change_set(ChangeSetName=change_set.id)
            if change_set.stack_type == "CREATE":
                self.cloudformation.delete_stack(StackName=self.name)

    def execute(self, change_set: ChangeSet) -> None:
        """Executes the change set and follows its events until the stack settles."""
        since = self.latest_event_id()
        try:
            self.cloudformation.execute_change_set(ChangeSetName=change_set.id)
        except AwsError as error:
            stack = self.describe()
            status = stack["StackStatus"] if stack else "gone"
            raise DeployError(f"executing the change set failed ({self.name} is {status}): {error}")
        self.follow(since, len(change_set.changes), expected=f"{change_set.stack_type}_COMPLETE")

    # --- destroy ----------------------------------------------------------------------------

    def delete(self) -> None:
        """Empties the stack's buckets (its nested stacks' too), deletes the stack and follows
        it until it is gone."""
        resources = self.resources()
        nested = [r for stack in self.nested_stacks() for r in self.resources(stack)]
        for resource in resources + nested:
            if resource["ResourceType"] == "AWS::S3::Bucket" and resource.get("PhysicalResourceId"):
                self.empty_bucket(resource["PhysicalResourceId"])
        since = self.latest_event_id()
        self.cloudformation.delete_stack(StackName=self.name)
        self.follow(since, len(resources), expected="DELETE_COMPLETE")

    def empty_bucket(self, bucket: str) -> None:
        pages = self.s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
        try:
            for page in pages:
                objects = [{"Key": o["Key"], "VersionId": o["VersionId"]}
                           for o in page.get("Versions", []) + page.get("DeleteMarkers", [])]
                if objects:
                    self.s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
                    self.console.print(f"emptied {len(objects)} objects from {bucket}")
        except botocore.exceptions.ClientError as error:
            if "NoSuchBucket" not in str(error):
                raise

    # --- progress ---------------------------------------------------------------------------

    def events(self) -> list[dict[str, Any]]:
        """The stack's events, oldest first; [] once the stack is gone."""
        try:
            pages = self.cloudformation.get_paginator("describe_stack_events").paginate(
                StackName=self.name)
            return [e for page in pages for e in page["StackEvents"]][::-1]
        except botocore.exceptions.ClientError as error:
            if "does not exist" in str(error):
                return []
            raise

    def latest_event_id(self) -> Optional[str]:
        events = self.events()
        return events[-1]["EventId"] if events else None

    def follow(self, since: Optional[str], total: int, expected: str) -> None:
        """Prints each new event as it happens, with resources done out of total, until the
        stack settles; raises DeployError, after printing the reasons, unless it is `expected`."""
        seen: set[str] = set()
        done: set[str] = set()
        failures: list[str] = []
        started = since is None
        while True:
            for event in self.events():
                if not started:
                    started = event["EventId"] == since
                    continue
                if event["EventId"] in seen:
                    continue
                seen.add(event["EventId"])
                status = event["ResourceStatus"]
                logical_id = event["LogicalResourceId"]
                is_stack = event["ResourceType"] == "AWS::CloudFormation::Stack"
                if status.endswith("_COMPLETE") and not is_stack:
                    done.add(logical_id)
                reason = event.get("ResourceStatusReason") or ""
                if status.endswith("_FAILED"):
                    failures.append(f"{logical_id} ({event['ResourceType']}): {reason}")
                colour = "red" if "FAILED" in status or "ROLLBACK" in status else (
                    "green" if status.endswith("_COMPLETE") else "yellow")
                self.console.print(
                    f"[{len(done):>3}/{total}] [{colour}]{status:<28}[/] {logical_id} "
                    f"[dim]{event['ResourceType']}[/] {reason}".rstrip(), highlight=False)
            stack = self.describe()
            status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
            if status.endswith(("_COMPLETE", "_FAILED")) and not status.endswith("CLEANUP_COMPLETE"):
                break
            time.sleep(self.target.poll_seconds)
        if status != expected:
            for failure in failures:
                self.console.print(f"[red]failed:[/] {failure}", highlight=False)
            reason = stack.get("StackStatusReason") if stack else None
            raise DeployError(f"{self.name} is {status}" + (f": {reason}" if reason else ""))
        self.console.print(f"[green]{self.name}: {status}[/]")


def describe_all_changes(cloudformation: Any, change_set_id: str) -> dict[str, Any]:
    described = cloudformation.describe_change_set(ChangeSetName=change_set_id)
    changes = described.get("Changes", [])
    while described.get("NextToken"):
        described = cloudformation.describe_change_set(
            ChangeSetName=change_set_id, NextToken=described["NextToken"])
        changes += described.get("Changes", [])
    described["Changes"] = changes
    return described


def to_change(resource_change: dict[str, Any]) -> Change:
    return Change(
        logical_id=resource_change.get("LogicalResourceId", ""),
        resource_type=resource_change.get("ResourceType", ""),
        action=resource_change.get("Action", ""),
        replacement=resource_change.get("Replacement", "") if resource_change.get("Action") == "Modify" else "",
    )


def iam_statements(template: dict[str, Any]) -> set[tuple[str, str]]:
    """(logical id, canonical statement) for every IAM statement of the template's roles and
    policies."""
    found = set()
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") not in IAM_TYPES:
            continue
        properties = resource.get("Properties", {})
        documents = [p.get("PolicyDocument", {}) for p in properties.get("Policies", [])]
        documents.append(properties.get("PolicyDocument", {}))
        for document in documents:
            statements = document.get("Statement", [])
            for statement in statements if isinstance(statements, list) else [statements]:
                found.add((logical_id, json.dumps(statement, sort_keys=True)))
    return found


def merged(templates: list[dict[str, Any]]) -> dict[str, Any]:
    """A parent and its nested stacks' templates as one, for comparing what they grant."""
    resources: dict[str, Any] = {}
    for template in templates:
        resources.update(template.get("Resources", {}))
    return {"Resources": resources}


def widened_statements(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The IAM statements `new` grants that `old` did not, as `LogicalId: statement`."""
    return [f"{logical_id}: {statement}"
            for logical_id, statement in sorted(iam_statements(new) - iam_statements(old))]


def change_table(change_set: ChangeSet) -> Table:
    table = Table("resource", "type", "action", "replacement", title="changes")
    labels = {"True": "yes", "False": "no", "Conditional": "conditional"}
    for change in change_set.changes:
        replacement = labels.get(change.replacement, "")
        style = "bold red" if change.replaces_state else None
        table.add_row(change.logical_id, change.resource_type, change.action, replacement, style=style)
    return table


def show(change_set: ChangeSet, console: Console) -> None:
    if change_set.id is None:
        console.print("no changes")
        return
    console.print(change_table(change_set))
    for statement in change_set.widened:
        console.print(f"[yellow]IAM widens:[/] {statement}", highlight=False)


@dataclass
class DeployOptions:
    parameters: dict[str, str] = field(default_factory=dict)  # e.g. PyyamlLayerArn
    allow_replace: bool = False
    confirm: Optional[Callable[[], bool]] = None  # asked before executing; None: go on
    local: Optional[MotoCompatibility] = None  # local mode's hooks


def prepare(app: App, stack: Stack, options: DeployOptions) -> ChangeSet:
    """Uploads the code archive and creates the change set that deploys the app."""
    archive = build_archive(app)
    bucket = stack.artifacts_bucket()
    key = archive.key(app.name)
    stack.upload(bucket, key, archive.data)
    nested = []
    for stack_template in app.nested_stacks():  # at the keys the parent's TemplateURLs name
        text = stack_template["template"]
        if options.local:
            text = options.local.adapt(text)
        stack.upload(bucket, stack_template["key"], text.encode())
        nested.append(text)
    template_json = app.template_json()
    if options.local:
        template_json = options.local.adapt(template_json)
    parameters = {"StageName": stack.target.stage, "ArtifactsBucket": bucket, "ArtifactsKey": key}
    parameters.update(options.parameters)
    return stack.create_change_set(template_json, parameters, bucket, nested)


def refuse_stateful_replacements(change_set: ChangeSet, stack: Stack) -> None:
    replaced = [c.logical_id for c in change_set.changes if c.replaces_state]
    if replaced:
        stack.discard(change_set)
        raise DeployError(f"the change would replace {', '.join(replaced)}, which hold data; "
                          "pass --allow-replace to do it anyway")


def diff(app: App, stack: Stack, options: DeployOptions) -> ChangeSet:
    """Shows what a deploy would change, without changing anything."""
    change_set = prepare(app, stack, options)
    stack.discard(change_set)
    show(change_set, stack.console)
    return change_set


def deploy(app: App, stack: Stack, options: DeployOptions) -> dict[str, str]:
    """Deploys the app and returns the stack's outputs."""
    change_set = prepare(app, stack, options)
    show(change_set, stack.console)
    if change_set.id is not None:
        if not options.allow_replace:
            refuse_stateful_replacements(change_set, stack)
        if options.confirm and not options.confirm():
            stack.discard(change_set)
            raise DeployError("cancelled")
        stack.execute(change_set)
        if options.local:
            options.local.after_execute(stack.cloudformation, stack.client("cloudwatch"), stack.name)
    return stack.outputs()


def destroy(stack: Stack, local: Optional[MotoCompatibility] = None) -> None:
    if stack.describe() is None:
        stack.console.print(f"there is no stack {stack.name}")
        return
    if local:
        local.before_destroy(stack.client("cloudwatch"), stack.name)
    stack.delete()
