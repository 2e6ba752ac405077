"""Per-function settings read back from the function moto made: runtime, architecture, memory,
timeout, tracing, ephemeral storage, reserved concurrency and tags; the app's tags on the stack."""
from __future__ import annotations

import shutil
from pathlib import Path

import pareto

SETTINGS = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "actions" / "settings"


def test_each_setting_reaches_the_function(tmp_path: Path, aws, moto_url: str) -> None:
    folder = Path(shutil.copytree(SETTINGS, tmp_path / "settings"))
    pareto.App.load(folder).deploy("set", endpoint_url=moto_url, write=lambda stream, text: None)
    lam = aws("lambda")
    report = lam.get_function(FunctionName="tuned-set-report")
    configuration = report["Configuration"]
    assert configuration["Runtime"] == "python3.13"
    assert configuration["Architectures"] == ["arm64"]
    assert (configuration["MemorySize"], configuration["Timeout"]) == (1769, 120)
    assert configuration["TracingConfig"] == {"Mode": "Active"}
    assert configuration["EphemeralStorage"] == {"Size": 2048}
    assert report["Concurrency"]["ReservedConcurrentExecutions"] == 5
    assert report["Tags"]["tier"] == "batch"
    resize = lam.get_function_configuration(FunctionName="tuned-set-resize")
    assert resize["Runtime"] == "nodejs24.x"
    assert (resize["MemorySize"], resize["Timeout"]) == (2048, 30)  # the large and long presets
    assert resize["Architectures"] == ["x86_64"]
    stack = aws("cloudformation").describe_stacks(StackName="tuned-set")["Stacks"][0]
    assert {"Key": "team", "Value": "data"} in stack["Tags"]
    assert {"Key": "pareto:app", "Value": "tuned"} in stack["Tags"]


def test_components_tags_reach_their_resources(tmp_path: Path, aws, moto_url: str) -> None:
    """What moto's CloudFormation tags (its SNS, Secrets Manager and Cognito do not)."""
    folder = Path(shutil.copytree(SETTINGS.parents[1] / "tags" / "components", tmp_path / "tagged"))
    pareto.App.load(folder).deploy("tag", endpoint_url=moto_url, write=lambda stream, text: None)
    dynamodb, s3, sqs = aws("dynamodb"), aws("s3"), aws("sqs")
    table = dynamodb.describe_table(TableName="tagged-tag-users")["Table"]["TableArn"]
    assert dynamodb.list_tags_of_resource(ResourceArn=table)["Tags"] == [
        {"Key": "data", "Value": "users"}, {"Key": "pii", "Value": "yes"}]
    [bucket] = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("tagged-tag-uploads")]
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "data", "Value": "uploads"}]
    queue = sqs.get_queue_url(QueueName="tagged-tag-jobs")["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=queue)["Tags"] == {"tier": "batch"}
    assert aws("lambda").get_function(FunctionName="tagged-tag-api")["Tags"]["tier"] == "web"
