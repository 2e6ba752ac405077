"""The "streams" kind in Python: Kinesis data streams that actions write to and read from.

pareto loads this module for an app whose pareto.yaml names it under "kinds"; the decorator
registers the kind with the definition in stream.json (its schema, and the fields naming actions).
"""
import json
from pathlib import Path

import pareto

DEFINITION = json.loads(Path(__file__).with_name("stream.json").read_text(encoding="utf-8"))

WRITE = ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary"]
READ = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
        "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"]


@pareto.kind(**DEFINITION)
def render(request: dict) -> dict:
    entry, stream = request["entry"], request["id"]
    arn = {"Fn::GetAtt": [stream, "Arn"]}
    writers = {w["name"] for w in request["references"]["writers"]}
    errors = [{"path": f"/readers/{i}",
               "message": f"action \"{name}\" writes to this stream too: it would read its own "
                          "records back forever"}
              for i, name in enumerate(entry["readers"]) if name in writers]
    if errors:
        return {"errors": errors}
    resources = {stream: {
        "Type": "AWS::Kinesis::Stream",
        "Properties": {
            "Name": request["physical_name"],
            "ShardCount": entry["shards"],
            "RetentionPeriodHours": entry["retention_hours"],
            "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"},
        },
    }}
    grants = [{"action": w["name"], "actions": WRITE, "resources": [arn]}
              for w in request["references"]["writers"]]
    for reader in request["references"]["readers"]:
        grants.append({"action": reader["name"], "actions": READ, "resources": [arn]})
        resources[f"{stream}{reader['id']}Mapping"] = {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": arn,
                "FunctionName": {"Ref": reader["id"]},
                "StartingPosition": "LATEST",
                "BatchSize": entry["batch"],
                "MaximumRetryAttempts": 3,
                "BisectBatchOnFunctionError": True,
            },
        }
    outputs = {
        f"{stream}Name": {"Value": {"Ref": stream}, "Description": f"stream {request['name']}"},
        f"{stream}Arn": {"Value": arn, "Description": f"ARN of stream {request['name']}"},
    }
    return {"resources": resources, "outputs": outputs, "grants": grants}
