"""Deploys to moto's server: a full round trip of the example app, and a failing deploy."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

import pareto
from conftest import ROOT
from pareto import deploy, local

# What moto's CloudFormation really creates of the example (the rest is dropped locally).
CREATED_TYPES = {
    "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Method", "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::RestApi", "AWS::CloudWatch::Dashboard", "AWS::DynamoDB::Table",
    "AWS::Events::Rule", "AWS::IAM::Role",
    "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Function", "AWS::Lambda::Permission",
    "AWS::Logs::LogGroup", "AWS::SNS::Topic", "AWS::SQS::Queue",
}


def make_stack(app_name: str, stage: str, moto_url: str, console: Console) -> deploy.Stack:
    target = deploy.Target(stage, region=local.LOCAL_REGION, endpoint_url=moto_url,
                           credentials=local.LOCAL_CREDENTIALS, poll_seconds=0.05)
    return deploy.Stack(app_name, target, console)


@pytest.fixture
def console() -> Console:
    return Console(record=True, width=200, force_terminal=False)


def local_options(console: Console) -> deploy.DeployOptions:
    return deploy.DeployOptions(local=local.MotoCompatibility(console.print))


def test_round_trip(example_app: Path, aws, moto_url: str, console: Console) -> None:
    stack = make_stack("hello", "trip", moto_url, console)
    outputs = deploy.deploy(pareto.App.load(example_app), stack, local_options(console))
    assert outputs["UsersTable"] == "hello-trip-users"
    assert "hello-trip-users" in aws("dynamodb").list_tables()["TableNames"]
    functions = {f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]}
    assert {"hello-trip-hello-get", "hello-trip-worker"} <= functions
    resources = aws("cloudformation").describe_stack_resources(StackName="hello-trip")["StackResources"]
    assert {r["ResourceType"] for r in resources} == CREATED_TYPES
    assert "dropped PublicApiStage (AWS::ApiGateway::Stage): moto does not model it" in console.export_text()

    console.export_text(clear=True)
    assert deploy.deploy(pareto.App.load(example_app), stack, local_options(console)) == outputs
    assert "no changes" in console.export_text()

    (example_app / "worker" / "index.py").write_text("def handler(event, context):\n    return 1\n")
    change_set = deploy.diff(pareto.App.load(example_app), stack, local_options(console))
    assert ("WorkerFunction", "Modify") in {(c.logical_id, c.action) for c in change_set.changes}
    assert deploy.deploy(pareto.App.load(example_app), stack, local_options(console)) == outputs
    key = aws("cloudformation").describe_stacks(StackName="hello-trip")["Stacks"][0]["Parameters"]
    archive = pareto.package.build_archive(pareto.App.load(example_app))
    assert {"ParameterKey": "ArtifactsKey", "ParameterValue": archive.key("hello")} in key

    deploy.destroy(stack)
    assert stack.describe() is None
    assert "hello-trip-users" not in aws("dynamodb").list_tables()["TableNames"]


def test_a_failing_deploy_says_why(aws, moto_url: str, console: Console) -> None:
    # A deployment of a REST API without methods: moto refuses it, as AWS does.
    template = {"Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "api"}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment",
                       "Properties": {"RestApiId": {"Ref": "Api"}}},
    }}
    stack = make_stack("broken", "dev", moto_url, console)
    change_set = stack.create_change_set(json.dumps(template), {}, stack.artifacts_bucket())
    assert {c.logical_id for c in change_set.changes} == {"Bucket", "Role", "Api", "Deployment"}
    with pytest.raises(deploy.DeployError, match="contain any methods"):
        stack.execute(change_set)


def test_replacing_stateful_resources_is_refused(aws, moto_url: str, console: Console) -> None:
    stack = make_stack("hello", "never", moto_url, console)
    change_set = deploy.ChangeSet(None, "UPDATE", [
        deploy.Change("UsersTable", "AWS::DynamoDB::Table", "Modify", "True"),
        deploy.Change("WorkerFunction", "AWS::Lambda::Function", "Modify", "True")], [])
    with pytest.raises(deploy.DeployError, match="replace UsersTable, which hold data"):
        deploy.refuse_stateful_replacements(change_set, stack)


def test_widened_iam_statements_are_found() -> None:
    def role(*actions: str) -> dict:
        statements = [{"Effect": "Allow", "Action": a, "Resource": "*"} for a in actions]
        return {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": statements}}]}}}}
    assert deploy.widened_statements(role("s3:GetObject"), role("s3:GetObject", "s3:PutObject")) == [
        'Role: {"Action": "s3:PutObject", "Effect": "Allow", "Resource": "*"}']
    assert deploy.widened_statements(role("s3:GetObject", "s3:PutObject"), role("s3:GetObject")) == []


def test_destroy_empties_the_buckets_first(tmp_path: Path, aws, moto_url: str, console: Console) -> None:
    (tmp_path / "pareto.yaml").write_text("app: files\nbuckets: [{name: uploads}]\n")
    stack = make_stack("files", "empty", moto_url, console)
    outputs = deploy.deploy(pareto.App.load(tmp_path), stack, local_options(console))
    bucket = outputs["UploadsBucket"]
    for i in range(3):
        aws("s3").put_object(Bucket=bucket, Key=f"in/{i}.txt", Body=b"x")
    deploy.destroy(stack)
    assert stack.describe() is None
    assert bucket not in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert f"emptied 3 objects from {bucket}" in console.export_text()


def test_event_rules_deploy_with_their_patterns(aws, moto_url: str, console: Console) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "events" / "bucket-and-custom")
    stack = make_stack("files", "events", moto_url, console)
    outputs = deploy.deploy(app, stack, local_options(console))
    rules = {rule["Name"]: rule for rule in aws("events").list_rules()["Rules"]}
    uploads = next(json.loads(r["EventPattern"]) for r in rules.values()
                   if "aws.s3" in r.get("EventPattern", ""))
    assert uploads["detail"]["bucket"]["name"] == [outputs["UploadsBucket"]]
    assert uploads["detail"]["object"]["key"] == [{"prefix": "in/"}]
    # The deployed pattern matches what `pareto match --rules` predicts for that bucket's events.
    event = {"source": "aws.s3", "detail-type": "Object Created",
             "detail": {"bucket": {"name": outputs["UploadsBucket"]}, "object": {"key": "in/a.csv"}}}
    assert pareto.match(uploads, event)
    deploy.destroy(stack)


def deployed_types(aws, stack_name: str) -> dict[str, str]:
    resources = aws("cloudformation").describe_stack_resources(StackName=stack_name)["StackResources"]
    return {r["LogicalResourceId"]: r["ResourceType"] for r in resources}


def test_table_streams_deploy_with_router_and_error_routing(aws, moto_url: str, console: Console) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "tables" / "streaming")
    stack = make_stack("shop", "streams", moto_url, console)
    outputs = deploy.deploy(app, stack, local_options(console))
    created = deployed_types(aws, "shop-streams")
    assert {"OrdersRouterFunction", "OrdersRouterFunctionMapping", "ErrorsQueue", "ErrorsTopic",
            "ErrorsFunction", "ErrorsFunctionMapping", "AuditAnyChangeRule",
            "NotifyStatusChangedRule"} <= set(created)
    assert "PlainRouterFunction" not in created  # only streaming tables get a router
    table = aws("dynamodb").describe_table(TableName=outputs["OrdersTable"])["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    mappings = aws("lambda").list_event_source_mappings(FunctionName="shop-streams-orders-router")
    assert [m["EventSourceArn"] for m in mappings["EventSourceMappings"]] == [table["LatestStreamArn"]]
    router = aws("lambda").get_function(FunctionName="shop-streams-orders-router")["Configuration"]
    assert router["Environment"]["Variables"]["TABLE"] == outputs["OrdersTable"]
    assert outputs["ErrorsTopic"].startswith("arn:aws:sns:")
    # The rule for status changes selects what the router publishes for that table.
    rule = next(r for r in aws("events").list_rules()["Rules"] if "status" in r.get("EventPattern", ""))
    change = {"source": "pareto.table", "detail-type": "MODIFY",
              "detail": {"table": outputs["OrdersTable"], "diff-keys": ["status", "updated"]}}
    assert pareto.match(json.loads(rule["EventPattern"]), change)
    deploy.destroy(stack)


def test_sub_minute_timers_and_builders_deploy(aws, moto_url: str, console: Console) -> None:
    stack = make_stack("beat", "ticks", moto_url, console)
    outputs = deploy.deploy(pareto.App.load(ROOT / "tests" / "vectors" / "timers" / "interval"),
                            stack, local_options(console))
    created = deployed_types(aws, "beat-ticks")
    assert {"HeartbeatTimer", "HeartbeatTickerFunction", "HeartbeatTimerQueue",
            "HeartbeatTimerMapping", "HeartbeatTickerFunctionPermission"} <= set(created)
    rule = aws("events").describe_rule(Name=outputs["HeartbeatTimer"])
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    ticker = aws("lambda").get_function(FunctionName="beat-ticks-heartbeat-ticker")["Configuration"]
    assert ticker["Environment"]["Variables"]["INTERVAL"] == "10"
    deploy.destroy(stack)

    console.export_text(clear=True)
    stack = make_stack("forge", "build", moto_url, console)
    deploy.deploy(pareto.App.load(ROOT / "tests" / "vectors" / "builders" / "basic"), stack,
                  local_options(console))
    created = deployed_types(aws, "forge-build")
    assert {"LayersBuilderRole", "LayersBuilderLogGroup", "OnBuiltSucceededRule"} <= set(created)
    assert "dropped LayersBuilder (AWS::CodeBuild::Project): moto does not model it" in console.export_text()
    deploy.destroy(stack)


def test_dashboards_and_alarms_deploy(aws, moto_url: str, console: Console) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "observability" / "everything")
    stack = make_stack("watch", "obs", moto_url, console)
    outputs = deploy.deploy(app, stack, local_options(console))
    created = deployed_types(aws, "watch-obs")
    assert created["Dashboard"] == "AWS::CloudWatch::Dashboard"
    body = json.loads(aws("cloudwatch").get_dashboard(DashboardName="watch-obs")["DashboardBody"])
    titles = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert "### function api-get" in titles and "### queue jobs" in titles
    # The physical names were filled in: the charts point at the deployed resources.
    rows: dict[str, list[dict]] = {}
    for widget in body["widgets"]:
        if widget["type"] == "text":
            title = widget["properties"]["markdown"]
        rows.setdefault(title, []).append(widget)
    assert rows["### queue jobs"][1]["properties"]["metrics"][0][3] == "watch-obs-jobs"
    assert rows["### queue jobs"][3]["properties"]["metrics"][0][3] == "watch-obs-jobs-dlq"
    # Alarms: moto's CloudFormation drops them, local mode creates them through the API.
    alarms = {a["AlarmName"]: a for a in aws("cloudwatch").describe_alarms()["MetricAlarms"]}
    errors = alarms["watch-obs-ApiGetFunctionErrorsAlarm"]
    assert errors["Threshold"] == 3.0
    assert errors["Dimensions"] == [{"Name": "FunctionName", "Value": "watch-obs-api-get"}]
    assert errors["AlarmActions"] == [outputs["AlarmsTopic"]]
    age = alarms["watch-obs-JobsQueueAgeAlarm"]
    assert age["Dimensions"] == [{"Name": "QueueName", "Value": "watch-obs-jobs"}]
    duration = alarms["watch-obs-JobsRunFunctionDurationAlarm"]
    assert [m.get("Expression") for m in duration["Metrics"]] == [None, "duration / (10 * 30)"]
    server_errors = alarms["watch-obs-PublicApiServerErrorsAlarm"]
    assert server_errors["Threshold"] == 0.025
    assert {"Name": "ApiName", "Value": "watch-obs-public"} in server_errors["Dimensions"]
    assert "created 24 alarms through CloudWatch's API" in console.export_text()
    assert {"LogAlertsFunction", "AlarmsTopic"} <= set(created)
    assert outputs["DashboardUrl"].endswith("#dashboards:name=watch-obs")
    deploy.destroy(stack, local_options(console).local)
    assert not aws("cloudwatch").describe_alarms(AlarmNamePrefix="watch-obs-")["MetricAlarms"]
