"""`pareto test examples/hello` runs this with USERS_TABLE set; moto stands in for DynamoDB."""
import json
import os

import boto3
from moto import mock_aws


@mock_aws
def test_returns_the_user_or_404():
    table = boto3.resource("dynamodb", region_name="us-east-1").create_table(
        TableName=os.environ["USERS_TABLE"], BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}])
    table.put_item(Item={"pk": "user#7", "sk": "profile", "name": "Ada"})
    import index  # reads USERS_TABLE at import, as in Lambda

    found = index.handler({"pathParameters": {"id": "7"}}, None)
    assert found["statusCode"] == 200 and json.loads(found["body"])["name"] == "Ada"
    assert index.handler({"pathParameters": {"id": "8"}}, None)["statusCode"] == 404
