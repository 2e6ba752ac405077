"""Local mode: deploy to moto's server on 127.0.0.1 instead of AWS.

moto's CloudFormation creates the resource types it models and skips the rest (Cognito, Secrets
Manager, Lambda EventInvokeConfig, API Gateway stages, authorizers, models, validators, gateway
responses, ...), and it reads `Integration.Uri` and `IntegrationHttpMethod` of every
AWS::ApiGateway::Method, which the MOCK integrations of CORS preflights do not have. The
template for AWS is never bent to that: local mode deploys its own copy, made by
`adapt_for_moto`, which

  1. drops every resource whose type moto does not model (the list is moto's own),
  2. drops the DependsOn entries and outputs that name a dropped resource, and turns the other
     references to one (Ref, Fn::GetAtt, ${...} in Fn::Sub) into the string "local:<LogicalId>",
  3. gives MOCK methods a placeholder Uri and IntegrationHttpMethod,
  4. orders the resources so that every DependsOn target comes first: moto's change sets create
     new resources in template order, without reading DependsOn,

and says what it changed, one line each. moto's change sets also leave a stack's outputs
uncomputed, so after executing one local mode asks for them with an update that reuses the
template and parameters (`after_execute`). moto's CloudWatch models alarms but its
CloudFormation does not: local mode then creates the template's alarms through CloudWatch's API,
named `<stack>-<LogicalId>`, with their references resolved against the deployed stack, and
deletes them when the stack is destroyed (`before_destroy`).
"""
from __future__ import annotations

import copy
import importlib.util
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from typing import IO, Any, Callable, Iterator

LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
STARTUP_SECONDS = 30


class LocalModeError(RuntimeError):
    """Local mode cannot run: moto is missing or its server did not start."""


def require_moto() -> None:
    if importlib.util.find_spec("moto") is None:
        raise LocalModeError("local mode needs moto's server: pip install 'pareto[local]'")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def moto_server(keep: bool = False) -> Iterator[str]:
    """Starts moto's server (pareto.moto_server) on a free loopback port and yields its URL; stops it after,
    unless `keep`, in which case it goes on running on its own."""
    require_moto()
    port = free_port()
    with tempfile.TemporaryFile() as log:
        output = subprocess.DEVNULL if keep else log
        server = subprocess.Popen(
            [sys.executable, "-m", "pareto.moto_server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=keep,
        )
        try:
            wait_until_listening(server, port, log)
        except BaseException:
            stop(server)
            raise
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            if not keep:
                stop(server)


def wait_until_listening(server: subprocess.Popen[bytes], port: int, log: IO[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not listening(port):
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            output = log.read().decode(errors="replace").strip()
            raise LocalModeError(f"moto's server did not start on port {port}: {output[-2000:]}")
        time.sleep(0.05)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class MotoCompatibility:
    """Local mode's two hooks into a deploy; `report` is told each change to the template."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self.report = report
        self.alarms: dict[str, Any] = {}  # the template's alarms, which moto's CloudFormation drops

    def adapt(self, template_json: str) -> str:
        template = json.loads(template_json)
        self.alarms = {id: r["Properties"] for id, r in template.get("Resources", {}).items()
                       if r.get("Type") == ALARM}
        adapted, changes = adapt_for_moto(template)
        for change in changes:
            self.report(change)
        return json.dumps(adapted, indent=2)

    def after_execute(self, cloudformation: Any, cloudwatch: Any, stack_name: str) -> None:
        cloudformation.update_stack(StackName=stack_name, UsePreviousTemplate=True,
                                    Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
        if not self.alarms:
            return
        resolve = Resolver.for_stack(cloudformation, stack_name)
        for logical_id, properties in sorted(self.alarms.items()):
            cloudwatch.put_metric_alarm(AlarmName=f"{stack_name}-{logical_id}", **resolve(properties))
        self.report(f"created {len(self.alarms)} alarms through CloudWatch's API, named "
                    f"{stack_name}-<LogicalId>: moto's CloudFormation does not model them")

    def before_destroy(self, cloudwatch: Any, stack_name: str) -> None:
        names = [a["AlarmName"] for page in cloudwatch.get_paginator("describe_alarms").paginate(
            AlarmNamePrefix=f"{stack_name}-") for a in page["MetricAlarms"]]
        for start in range(0, len(names), 100):  # DeleteAlarms takes 100 names at a time
            cloudwatch.delete_alarms(AlarmNames=names[start:start + 100])


ALARM = "AWS::CloudWatch::Alarm"


class Resolver:
    """Resolves the intrinsics of a deployed stack's resource properties: Ref (resources,
    parameters, pseudo parameters), Fn::GetAtt of a queue's QueueName, and Fn::Sub."""

    def __init__(self, physical: dict[str, str], values: dict[str, str]) -> None:
        self.physical = physical
        self.values = values

    @classmethod
    def for_stack(cls, cloudformation: Any, stack_name: str) -> "Resolver":
        stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
        physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
                    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name)
                    for r in page["StackResourceSummaries"]}
        arn = stack["StackId"].split(":")
        values = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
        values.update({"AWS::StackName": stack_name, "AWS::Partition": arn[1], "AWS::Region": arn[3],
                       "AWS::AccountId": arn[4]})
        return cls(physical, values)

    def name(self, reference: str) -> str:
        logical_id, _, attribute = reference.partition(".")
        if not attribute:
            return self.physical.get(logical_id, self.values.get(logical_id, f"local:{logical_id}"))
        if attribute == "QueueName":  # a queue's physical id is its URL
            return self.physical.get(logical_id, "").rsplit("/", 1)[-1]
        return f"local:{reference}"

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (function, argument), = node.items()
            if function == "Ref":
                return self.name(argument)
            if function == "Fn::GetAtt":
                return self.name(".".join(argument) if isinstance(argument, list) else argument)
            if function == "Fn::Sub" and isinstance(argument, str):
                return re.sub(r"\$\{([A-Za-z0-9:]+(?:\.[A-Za-z0-9]+)?)\}", lambda m: self.name(m[1]), argument)
        return {key: self(value) for key, value in node.items()}


def modelled_types() -> frozenset[str]:
    """The resource types moto's CloudFormation creates, from moto itself."""
    require_moto()
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map

    return frozenset(get_model_map()) | frozenset(NULL_MODELS)


def adapt_for_moto(
    template: dict[str, Any], modelled: frozenset[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """A copy of `template` that moto's CloudFormation can create, and what was changed."""
    modelled = modelled_types() if modelled is None else modelled
    adapted = copy.deepcopy(template)
    resources = adapted.get("Resources", {})
    dropped = {id for id, r in resources.items() if r.get("Type") not in modelled}
    changes = [f"dropped {id} ({resources[id]['Type']}): moto does not model it" for id in sorted(dropped)]
    for id in dropped:
        del resources[id]
    for id, resource in resources.items():
        if "DependsOn" in resource:
            kept = [name for name in depends_on(resource) if name not in dropped]
            if kept:
                resource["DependsOn"] = kept
            else:
                del resource["DependsOn"]
        if "Properties" in resource:
            resource["Properties"] = unreference(resource["Properties"], dropped)
        if resource.get("Type") == "AWS::ApiGateway::Method":
            integration = resource.get("Properties", {}).get("Integration", {})
            if integration.get("Type") == "MOCK" and "Uri" not in integration:
                integration.update(Uri="local:mock", IntegrationHttpMethod="POST")
                changes.append(f"gave MOCK method {id} a placeholder Integration Uri")
    ordered = dependency_order(resources)
    if list(ordered) != list(resources):
        adapted["Resources"] = ordered
        changes.append("ordered the resources so that DependsOn targets come first")
    outputs = adapted.get("Outputs", {})
    for name in sorted(outputs):
        if references(outputs[name], dropped):
            del outputs[name]
            changes.append(f"dropped output {name}: it names a dropped resource")
    return adapted, changes


def depends_on(resource: dict[str, Any]) -> list[str]:
    names = resource.get("DependsOn", [])
    return [names] if isinstance(names, str) else names


def dependency_order(resources: dict[str, Any]) -> dict[str, Any]:
    """The resources, each after its DependsOn targets, otherwise in their order."""
    ordered: dict[str, Any] = {}

    def visit(logical_id: str, path: frozenset[str]) -> None:
        if logical_id in ordered or logical_id in path or logical_id not in resources:
            return  # placed already, a cycle (CloudFormation reports it), or not a resource
        for target in depends_on(resources[logical_id]):
            visit(target, path | {logical_id})
        ordered[logical_id] = resources[logical_id]

    for logical_id in resources:
        visit(logical_id, frozenset())
    return ordered


SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}")


def unreference(node: Any, dropped: set[str]) -> Any:
    """`node` with every reference to a dropped resource replaced by "local:<LogicalId>"."""
    if isinstance(node, list):
        return [unreference(item, dropped) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        (function, argument), = node.items()
        if function == "Ref" and argument in dropped:
            return f"local:{argument}"
        if function == "Fn::GetAtt" and target_of_get_att(argument) in dropped:
            return f"local:{target_of_get_att(argument)}"
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            text = SUB_REFERENCE.sub(
                lambda m: f"local:{m[1]}" if m[1] in dropped else m[0], text
            )
            variables = unreference(variables, dropped)
            return {"Fn::Sub": [text, variables] if variables else text}
    return {key: unreference(value, dropped) for key, value in node.items()}


def target_of_get_att(argument: Any) -> Any:
    if isinstance(argument, str):
        return argument.split(".", 1)[0]
    return argument[0] if isinstance(argument, list) and argument else None


def references(node: Any, dropped: set[str]) -> bool:
    return unreference(node, dropped) != node
