"""Deploys to moto's server through App.deploy/diff/outputs/destroy (the core's engine, with the
Python host): a full round trip of the example app, the review of a change set (widened IAM
statements, replacements of what holds data), a failing deploy, and the kinds of components
moto's CloudFormation creates."""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import pareto
from conftest import REGION, ROOT
from pareto.host import Host

# What moto's CloudFormation really creates of the example (the rest is dropped locally).
CREATED_TYPES = {
    "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Method", "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::RestApi", "AWS::CloudWatch::Dashboard", "AWS::DynamoDB::Table",
    "AWS::Events::Rule", "AWS::IAM::Role",
    "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Function", "AWS::Lambda::Permission",
    "AWS::Logs::LogGroup", "AWS::SNS::Topic", "AWS::SQS::Queue",
}


class Said:
    """A command's `write`: what it printed, by stream."""

    def __init__(self) -> None:
        self.stdout = ""
        self.stderr = ""

    def __call__(self, stream: str, text: str) -> None:
        setattr(self, stream, getattr(self, stream) + text)

    def clear(self) -> None:
        self.stdout = self.stderr = ""


@pytest.fixture
def said() -> Said:
    return Said()


def stack_exists(aws, name: str) -> bool:
    try:
        [stack] = aws("cloudformation").describe_stacks(StackName=name)["Stacks"]
    except aws("cloudformation").exceptions.ClientError:
        return False
    return stack["StackStatus"] != "DELETE_COMPLETE"


def test_round_trip(example_app: Path, aws, moto_url: str, said: Said) -> None:
    target: dict[str, Any] = {"endpoint_url": moto_url, "write": said}
    outputs = pareto.App.load(example_app).deploy("trip", **target)
    assert outputs["UsersTable"] == "hello-trip-users"
    assert "UsersTable = hello-trip-users" in said.stdout
    assert aws("dynamodb").describe_table(TableName="hello-trip-users")["Table"]["TableName"] == "hello-trip-users"
    functions = {f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]}
    assert {"hello-trip-hello-get", "hello-trip-worker"} <= functions
    resources = aws("cloudformation").describe_stack_resources(StackName="hello-trip")["StackResources"]
    assert {r["ResourceType"] for r in resources} == CREATED_TYPES
    assert "local: dropped PublicApiStage (AWS::ApiGateway::Stage): moto does not model it" in said.stderr
    assert "hello-trip: CREATE_COMPLETE" in said.stderr
    assert pareto.App.load(example_app).outputs("trip", endpoint_url=moto_url) == outputs

    said.clear()
    assert pareto.App.load(example_app).deploy("trip", **target) == outputs
    assert "no changes" in said.stderr
    assert pareto.App.load(example_app).diff("trip", **target) == {"changes": [], "widened": [],
                                                                   "overridden": []}

    # The worker no longer names the table: its variable goes, and its permission, bound to no
    # table now, is on every table of the account and region: a widening the diff reports.
    (example_app / "worker" / "index.py").write_text("def handler(event, context):\n    return 1\n")
    diff = pareto.App.load(example_app).diff("trip", **target)
    assert ("WorkerFunction", "Modify") in {(c["logical_id"], c["action"]) for c in diff["changes"]}
    assert diff["widened"] == ['WorkerFunctionRole: {"Action":["dynamodb:UpdateItem"],'
                               '"Effect":"Allow","Resource":[{"Fn::Sub":"arn:${AWS::Partition}:dynamodb:'
                               '${AWS::Region}:${AWS::AccountId}:*"}],"Sid":"Dynamodb"}']
    assert pareto.App.load(example_app).deploy("trip", **target) == outputs
    # The worker's new archive, under its own key, is the code the function runs.
    function = aws("lambda").get_function(FunctionName="hello-trip-worker")
    data = pareto.App.load(example_app).package("worker")
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert function["Configuration"]["CodeSha256"] == digest

    pareto.App.load(example_app).destroy("trip", **target)
    assert not stack_exists(aws, "hello-trip")
    # The table is retained: it outlives its stack, data and all.
    assert aws("dynamodb").describe_table(TableName="hello-trip-users")["Table"]["TableStatus"] == "ACTIVE"


WORKER_APP = "app: perms\nactions:\n  - {name: worker, permissions: [%s]}\ntables: [{name: items}]\n"


def perms_app(folder: Path, permissions: str) -> pareto.App:
    (folder / "worker").mkdir(parents=True, exist_ok=True)
    (folder / "worker" / "index.py").write_text("def handler(event, context):\n    return 1\n")
    (folder / "pareto.yaml").write_text(WORKER_APP % permissions)
    return pareto.App.load(folder)


def test_a_diff_reports_the_iam_statements_an_update_widens(tmp_path: Path, aws, moto_url: str,
                                                            said: Said) -> None:
    target: dict[str, Any] = {"endpoint_url": moto_url, "write": said}
    perms_app(tmp_path, "dynamodb:GetItem").deploy("iam", **target)
    said.clear()
    diff = perms_app(tmp_path, "dynamodb:GetItem, dynamodb:PutItem").diff("iam", **target)
    [widened] = diff["widened"]
    role, statement = widened.split(": ", 1)
    assert role == "WorkerFunctionRole"
    assert set(json.loads(statement)["Action"]) == {"dynamodb:GetItem", "dynamodb:PutItem"}
    assert f"IAM widens: {widened}" in said.stderr
    # Narrowing widens nothing.
    assert perms_app(tmp_path, "").diff("iam", **target)["widened"] == []
    perms_app(tmp_path, "dynamodb:GetItem").destroy("iam", **target)


class Replacing(Host):
    """The Python host, with every modification in a change set marked as a replacement, as
    CloudFormation marks a change of a table's key: moto's change sets never say Replacement."""

    def call(self, service: str, operation: str, params: dict[str, Any], **raw: Any) -> Any:
        answer = super().call(service, operation, params, **raw)
        if operation == "DescribeChangeSet":
            for change in answer.get("response", {}).get("Changes", []):
                if change.get("ResourceChange", {}).get("Action") == "Modify":
                    change["ResourceChange"]["Replacement"] = "True"
        return answer


def replacing_change(folder: Path, moto_url: str, stage: str) -> list[str]:
    """The example deployed to `stage`, then changed: its table gains an index and its worker's
    code changes. The common arguments of a command on it."""
    pareto.App.load(folder).deploy(stage, endpoint_url=moto_url, write=lambda stream, text: None)
    config = folder / "pareto.yaml"
    config.write_text(config.read_text().replace(
        "  - name: users\n", "  - name: users\n    indexes: [{name: email, type: S}]\n"))
    (folder / "worker" / "index.py").write_text("def handler(event, context):\n    return 2\n")
    return [str(folder), "--stage", stage, "--endpoint-url", moto_url]


def test_replacing_what_holds_data_is_shown(example_app: Path, aws, moto_url: str) -> None:
    common = replacing_change(example_app, moto_url, "shown")
    said = Said()
    exit_status, _ = Replacing(write=said, interactive=False).run(["diff", *common, "--allow-replace"])
    rows: dict[str, str] = {}
    for line in said.stderr.splitlines():  # the change table's row, before the refusal's lines
        if line.strip():
            rows.setdefault(line.split()[0], line)
    assert rows["UsersTable"].endswith("yes (holds data)")
    assert rows["WorkerFunction"].endswith("yes")
    # Both have fixed names: CloudFormation would fail half-way, so even --allow-replace is refused.
    assert exit_status == 1
    pareto.App.load(example_app).destroy("shown", endpoint_url=moto_url, write=said)


def test_replacing_what_holds_data_is_refused(example_app: Path, aws, moto_url: str) -> None:
    common = replacing_change(example_app, moto_url, "never")
    before = aws("cloudformation").describe_stacks(StackName="hello-never")["Stacks"][0]
    for command in (["diff", *common], ["deploy", *common, "--yes"],
                    ["deploy", *common, "--yes", "--allow-replace"]):
        said = Said()
        exit_status, _ = Replacing(write=said, interactive=False).run(command)
        assert exit_status == 1
        # Replacing a resource with a fixed name is explained before anything starts.
        assert "pareto: refused, nothing changed:\nCloudFormation would fail half-way replacing " \
               "these, since the new one takes the same fixed name:\n" in said.stderr, said.stderr
        assert "  UsersTable (AWS::DynamoDB::Table hello-never-users) at /tables/0\n" in said.stderr
        assert "  WorkerFunction (AWS::Lambda::Function hello-never-worker) at /actions/" in said.stderr
    after = aws("cloudformation").describe_stacks(StackName="hello-never")["Stacks"][0]
    assert after["StackStatus"] == before["StackStatus"] == "UPDATE_COMPLETE"
    # Every change set was deleted (moto lists every stack's change sets: only this one's count).
    summaries = aws("cloudformation").list_change_sets(StackName="hello-never")["Summaries"]
    assert not [s for s in summaries if s["StackName"] == "hello-never"
                and s["ExecutionStatus"] == "AVAILABLE"]
    table = aws("dynamodb").describe_table(TableName="hello-never-users")["Table"]
    assert not table.get("GlobalSecondaryIndexes"), table
    pareto.App.load(example_app).destroy("never", endpoint_url=moto_url, write=Said())


def failing_deploy(folder: Path, aws, moto_url: str, said: Said) -> pytest.ExceptionInfo:
    """A deploy whose queue's name is taken by a queue with other settings: moto's
    ExecuteChangeSet answers with SQS's error."""
    (folder / "pareto.yaml").write_text(
        "app: broken\nactions: [{name: worker}]\nqueues: [{name: jobs, action: worker}]\n")
    (folder / "worker").mkdir()
    (folder / "worker" / "index.py").write_text("def handler(event, context):\n    return 1\n")
    aws("sqs").create_queue(QueueName="broken-dev-jobs", Attributes={"VisibilityTimeout": "5"})
    with pytest.raises(pareto.CommandError) as raised:
        pareto.App.load(folder).deploy("dev", endpoint_url=moto_url, write=said)
    return raised


def test_a_failing_deploy_says_why(tmp_path: Path, aws, moto_url: str, said: Said) -> None:
    raised = failing_deploy(tmp_path, aws, moto_url, said)
    assert raised.value.exit == 1
    assert str(raised.value).startswith(
        "executing the change set failed (broken-dev is REVIEW_IN_PROGRESS): ")
    assert "The specified queue already exists" in str(raised.value)
    assert said.stderr.count("pareto: ") == 1
    # moto leaves the stack in REVIEW_IN_PROGRESS (AWS would roll it back). Deployed again, it
    # stays there after ExecuteChangeSet, and the engine's progress polls without end: it is
    # destroyed like any other instead.
    aws("sqs").delete_queue(QueueUrl=aws("sqs").get_queue_url(QueueName="broken-dev-jobs")["QueueUrl"])
    pareto.App.load(tmp_path).destroy("dev", endpoint_url=moto_url, write=said)
    assert not stack_exists(aws, "broken-dev")


def test_a_taken_name_is_refused_before_anything_starts(tmp_path: Path, aws, moto_url: str,
                                                        said: Said) -> None:
    # As a table an earlier destroy kept would be: CloudFormation would fail on it half-way.
    (tmp_path / "pareto.yaml").write_text("app: taken\ntables: [{name: users}]\n")
    aws("dynamodb").create_table(
        TableName="taken-dev-users", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    with pytest.raises(pareto.CommandError, match="these names are taken") as raised:
        pareto.App.load(tmp_path).deploy("dev", endpoint_url=moto_url, write=said)
    assert "  UsersTable (AWS::DynamoDB::Table taken-dev-users)" in str(raised.value)
    assert not stack_exists(aws, "taken-dev")


def test_destroy_empties_the_buckets_first(tmp_path: Path, aws, moto_url: str, said: Said) -> None:
    # A throwaway stage's bucket goes with its stack; a retained one stays (test_cli, test_data).
    (tmp_path / "pareto.yaml").write_text("app: files\nretain: false\nbuckets: [{name: uploads}]\n")
    app = pareto.App.load(tmp_path)
    outputs = app.deploy("empty", endpoint_url=moto_url, write=said)
    bucket = outputs["UploadsBucket"]
    for i in range(3):
        aws("s3").put_object(Bucket=bucket, Key=f"in/{i}.txt", Body=b"x")
    app.destroy("empty", endpoint_url=moto_url, write=said)
    assert not stack_exists(aws, "files-empty")
    assert bucket not in {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert f"emptied 3 objects from {bucket}" in said.stderr
    # Destroying what is not there is no failure.
    said.clear()
    app.destroy("empty", endpoint_url=moto_url, write=said)
    assert "there is no stack files-empty" in said.stderr


@pytest.mark.parametrize("first", ["pool", "client"])
def test_a_user_pool_and_its_client_delete_in_either_order(first: str) -> None:
    # moto's CloudFormation deletes a stack's resources in set order, which varies by process.
    from moto import mock_aws

    from pareto.moto_server import UserPool, UserPoolClient
    account = "123456789012"
    with mock_aws():
        pool = UserPool.create_from_cloudformation_json("Pool", {}, account, REGION)
        client = UserPoolClient.create_from_cloudformation_json(
            "Client", {"Properties": {"UserPoolId": pool.physical_resource_id}}, account, REGION)
        for resource in [pool, client] if first == "pool" else [client, pool]:
            resource.delete(account, REGION)
        assert not boto3.client("cognito-idp", region_name=REGION).list_user_pools(
            MaxResults=10)["UserPools"]


def test_event_rules_deploy_with_their_patterns(aws, moto_url: str, said: Said) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "events" / "bucket-and-custom")
    outputs = app.deploy("events", endpoint_url=moto_url, write=said)
    rules = {rule["Name"]: rule for rule in aws("events").list_rules()["Rules"]}
    uploads = next(json.loads(r["EventPattern"]) for r in rules.values()
                   if "aws.s3" in r.get("EventPattern", ""))
    assert uploads["detail"]["bucket"]["name"] == [outputs["UploadsBucket"]]
    assert uploads["detail"]["object"]["key"] == [{"prefix": "in/"}]
    # The deployed pattern matches what `pareto match --rules` predicts for that bucket's events.
    event = {"source": "aws.s3", "detail-type": "Object Created",
             "detail": {"bucket": {"name": outputs["UploadsBucket"]}, "object": {"key": "in/a.csv"}}}
    assert pareto.match(uploads, event)
    app.destroy("events", endpoint_url=moto_url, write=said)


def deployed_types(aws, stack_name: str) -> dict[str, str]:
    resources = aws("cloudformation").describe_stack_resources(StackName=stack_name)["StackResources"]
    return {r["LogicalResourceId"]: r["ResourceType"] for r in resources}


def test_table_streams_deploy_with_router_and_error_routing(aws, moto_url: str, said: Said) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "tables" / "streaming")
    outputs = app.deploy("streams", endpoint_url=moto_url, write=said)
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
    app.destroy("streams", endpoint_url=moto_url, write=said)


def test_sub_minute_timers_and_builders_deploy(aws, moto_url: str, said: Said) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "timers" / "interval")
    outputs = app.deploy("ticks", endpoint_url=moto_url, write=said)
    created = deployed_types(aws, "beat-ticks")
    assert {"HeartbeatTimer", "HeartbeatTickerFunction", "HeartbeatTimerQueue",
            "HeartbeatTimerMapping", "HeartbeatTickerFunctionPermission"} <= set(created)
    rule = aws("events").describe_rule(Name=outputs["HeartbeatTimer"])
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    ticker = aws("lambda").get_function(FunctionName="beat-ticks-heartbeat-ticker")["Configuration"]
    assert ticker["Environment"]["Variables"]["INTERVAL"] == "10"
    app.destroy("ticks", endpoint_url=moto_url, write=said)

    said.clear()
    app = pareto.App.load(ROOT / "tests" / "vectors" / "builders" / "basic")
    app.deploy("build", endpoint_url=moto_url, write=said)
    created = deployed_types(aws, "forge-build")
    assert {"LayersBuilderRole", "LayersBuilderLogGroup", "OnBuiltSucceededRule"} <= set(created)
    assert "local: dropped LayersBuilder (AWS::CodeBuild::Project): moto does not model it" in said.stderr
    app.destroy("build", endpoint_url=moto_url, write=said)


def test_dashboards_and_alarms_deploy(aws, moto_url: str, said: Said) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "observability" / "everything")
    outputs = app.deploy("obs", endpoint_url=moto_url, write=said)
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
    assert "local: created 24 alarms through CloudWatch's API" in said.stderr
    assert {"LogAlertsFunction", "AlarmsTopic"} <= set(created)
    assert outputs["DashboardUrl"].endswith("#dashboards:name=watch-obs")
    app.destroy("obs", endpoint_url=moto_url, write=said)
    assert not aws("cloudwatch").describe_alarms(AlarmNamePrefix="watch-obs-")["MetricAlarms"]


def test_fifo_queues_and_batching_windows_deploy(aws, moto_url: str, said: Said) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "queues" / "fifo")
    outputs = app.deploy("fifo", endpoint_url=moto_url, write=said)
    sqs = aws("sqs")
    orders, dead_letters = outputs["OrdersQueue"], outputs["OrdersQueueDlq"]
    assert orders.endswith("/fulfil-fifo-orders.fifo") and dead_letters.endswith("/fulfil-fifo-orders-dlq.fifo")
    attributes = sqs.get_queue_attributes(QueueUrl=orders, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true" and attributes["ContentBasedDeduplication"] == "true"
    assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"].endswith(":fulfil-fifo-orders-dlq.fifo")
    # One group's messages come in order; the same body again within 5 minutes is dropped.
    for body in ("placed", "paid", "placed"):
        sqs.send_message(QueueUrl=orders, MessageBody=body, MessageGroupId="customer-1")
    received = sqs.receive_message(QueueUrl=orders, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in received] == ["placed", "paid"]
    # A standard queue's batches above 10 messages gather for a window.
    [mapping] = aws("lambda").list_event_source_mappings(FunctionName="fulfil-fifo-events")["EventSourceMappings"]
    assert mapping["BatchSize"] == 500 and mapping["MaximumBatchingWindowInSeconds"] == 5
    app.destroy("fifo", endpoint_url=moto_url, write=said)


def test_tables_deploy_with_their_keys(aws, moto_url: str, said: Said) -> None:
    app = pareto.App.load(ROOT / "tests" / "vectors" / "tables" / "keys-ttl")
    outputs = app.deploy("keys", endpoint_url=moto_url, write=said)
    dynamodb = aws("dynamodb")
    readings = dynamodb.describe_table(TableName=outputs["ReadingsTable"])["Table"]
    assert readings["KeySchema"] == [{"AttributeName": "device", "KeyType": "HASH"},
                                     {"AttributeName": "at", "KeyType": "RANGE"}]
    assert {"AttributeName": "at", "AttributeType": "N"} in readings["AttributeDefinitions"]
    sessions = dynamodb.describe_table(TableName=outputs["SessionsTable"])["Table"]
    assert sessions["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    reading = {"device": {"S": "d1"}, "at": {"N": "1764806400"}, "expires": {"N": "1764892800"}}
    dynamodb.put_item(TableName=outputs["ReadingsTable"], Item=reading)
    key = {"device": {"S": "d1"}, "at": {"N": "1764806400"}}  # the sort key is a number
    assert dynamodb.get_item(TableName=outputs["ReadingsTable"], Key=key)["Item"] == reading
    for table in ("ReadingsTable", "SessionsTable"):  # moto's CloudFormation ignores it: applied locally
        ttl = dynamodb.describe_time_to_live(TableName=outputs[table])["TimeToLiveDescription"]
        assert ttl == {"AttributeName": "expires", "TimeToLiveStatus": "ENABLED"}, ttl
    assert "local: applied the settings of ReadingsTable, SessionsTable through the APIs (2 calls)" in said.stderr
    app.destroy("keys", endpoint_url=moto_url, write=said)


def test_bucket_settings_deploy(aws, moto_url: str, said: Said) -> None:
    s3 = aws("s3")
    app = pareto.App.load(ROOT / "tests" / "vectors" / "buckets" / "browser-uploads")
    outputs = app.deploy("files", endpoint_url=moto_url, write=said)
    uploads, exports = outputs["UploadsBucket"], outputs["ExportsBucket"]
    [rule] = s3.get_bucket_cors(Bucket=uploads)["CORSRules"]
    assert rule["AllowedOrigins"] == ["https://app.example.com", "https://*.example.com"]
    assert rule["AllowedMethods"] == ["GET", "PUT"] and rule["ExposeHeaders"] == ["ETag"]
    assert s3.get_bucket_versioning(Bucket=uploads)["Status"] == "Enabled"
    assert s3.get_bucket_versioning(Bucket=exports)["Status"] == "Suspended"
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=uploads)["Rules"]}
    assert rules["under tmp/"]["Expiration"] == {"Days": 1}
    assert [t["StorageClass"] for t in rules["under raw/"]["Transitions"]] == ["STANDARD_IA", "GLACIER"]
    assert rules["every object"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert rules["every object"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    app.destroy("files", endpoint_url=moto_url, write=said)

    app = pareto.App.load(ROOT / "tests" / "vectors" / "buckets" / "website")
    outputs = app.deploy("web", endpoint_url=moto_url, write=said)
    site = outputs["SiteBucket"]
    website = s3.get_bucket_website(Bucket=site)
    assert website["IndexDocument"] == {"Suffix": "index.html"} and website["ErrorDocument"] == {"Key": "error.html"}
    [statement] = json.loads(s3.get_bucket_policy(Bucket=site)["Policy"])["Statement"]
    assert statement["Principal"] == "*" and statement["Action"] == "s3:GetObject"
    assert statement["Resource"] == f"arn:aws:s3:::{site}/*"
    assert "SiteBucketWebsite" in outputs
    app.destroy("web", endpoint_url=moto_url, write=said)


def test_data_a_deploy_would_start_expiring_is_refused(tmp_path: Path, aws, moto_url: str, said: Said) -> None:
    config = tmp_path / "pareto.yaml"

    def write(table: str, bucket: str) -> pareto.App:
        config.write_text(f"app: expiry\nretain: false\ntables: [{{name: sessions{table}}}]\n"
                          f"buckets: [{{name: uploads{bucket}}}]\n")
        return pareto.App.load(tmp_path)

    outputs = write("", "").deploy("dev", endpoint_url=moto_url, write=said)
    aws("s3").put_object(Bucket=outputs["UploadsBucket"], Key="tmp/a.txt", Body=b"x")
    app = write(", ttl: expires", ", lifecycle: [{prefix: tmp/, expire: 7}]")
    with pytest.raises(pareto.CommandError) as raised:
        app.deploy("dev", endpoint_url=moto_url, write=said)
    message = str(raised.value)
    assert message.startswith("refused, nothing changed:\nthe change would have AWS delete data as it expires:\n")
    assert ('  SessionsTable (AWS::DynamoDB::Table expiry-dev-sessions): 0 items at /tables/0: time to '
            'live on "expires" deletes every item whose expires has passed\n') in message
    assert (f"  UploadsBucket (AWS::S3::Bucket {outputs['UploadsBucket']}): 1 object at /buckets/0: "
            "the objects under tmp/ expire after 7 days\n") in message
    assert message.endswith("pass --allow-delete to deploy it anyway")
    app.deploy("dev", endpoint_url=moto_url, write=said, allow_delete=True)
    # A later expiry of the same objects deletes nothing sooner; a sooner one, or of more objects,
    # does.
    write(", ttl: expires", ", lifecycle: [{prefix: tmp/, expire: 30}]").deploy(
        "dev", endpoint_url=moto_url, write=said)
    for bucket, expected in ((", lifecycle: [{prefix: tmp/, expire: 3}]", "the objects under tmp/ expire after 3 days"),
                             (", lifecycle: [{expire: 30}]", "every object expire after 30 days")):
        with pytest.raises(pareto.CommandError, match=expected):
            write(", ttl: expires", bucket).deploy("dev", endpoint_url=moto_url, write=said)
    with pytest.raises(pareto.CommandError, match='time to live on "until"'):
        write(", ttl: until", ", lifecycle: [{prefix: tmp/, expire: 30}]").deploy("dev", endpoint_url=moto_url, write=said)
    write("", "").deploy("dev", endpoint_url=moto_url, write=said)  # turning expiry off deletes nothing
    write("", "").destroy("dev", endpoint_url=moto_url, write=said)


def test_a_queue_turned_fifo_is_a_replacement_under_a_new_name(tmp_path: Path, aws, moto_url: str) -> None:
    config = tmp_path / "pareto.yaml"
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "index.py").write_text("def handler(event, context):\n    return None\n")
    config.write_text("app: turn\nactions: [{name: worker}]\nqueues: [{name: jobs, action: worker}]\n")
    pareto.App.load(tmp_path).deploy("dev", endpoint_url=moto_url, write=Said())
    config.write_text(config.read_text().replace("action: worker}", "action: worker, fifo: true}"))
    said = Said()
    common = [str(tmp_path), "--stage", "dev", "--endpoint-url", moto_url]
    exit_status, _ = Replacing(write=said, interactive=False).run(["deploy", *common, "--yes"])
    assert exit_status == 1
    # The FIFO queues take new names, so CloudFormation can make them: the flag decides.
    replaced = said.stderr.split("the change would replace what holds data, the new one empty:\n")[1]
    replaced = replaced.split("\npass --allow-replace")[0]
    assert "  JobsQueue (AWS::SQS::Queue http" in replaced and "  JobsQueueDlq (AWS::SQS::Queue" in replaced
    fixed = said.stderr.partition("since the new one takes the same fixed name:\n")[2]
    assert "JobsQueue" not in fixed.split("\nundo the change")[0]
    pareto.App.load(tmp_path).destroy("dev", endpoint_url=moto_url, write=Said())
