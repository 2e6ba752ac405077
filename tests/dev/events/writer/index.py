"""POST /users: stores the user and their avatar under in/ in the uploads bucket, and has
greeter greet them: the answer waited for, and once more without waiting."""
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])
s3 = boto3.client("s3")
functions = boto3.client("lambda")
greeter = os.environ["AWS_LAMBDA_FUNCTION_NAME"].removesuffix("writer") + "greeter"


def handler(event, context):
    user = json.loads(event["body"])
    table.put_item(Item={"pk": f"user#{user['id']}", "sk": "profile", "name": user["name"]})
    s3.put_object(Bucket=os.environ["UPLOADS_BUCKET"], Key=f"in/{user['id']}.txt", Body=user["name"].encode())
    payload = json.dumps({"name": user["name"]})
    greeted = functions.invoke(FunctionName=greeter, Payload=payload)
    functions.invoke(FunctionName=greeter, Payload=payload, InvocationType="Event")
    greeting = json.loads(greeted["Payload"].read())["greeting"]
    return {"statusCode": 201, "body": json.dumps({"id": user["id"], "greeting": greeting})}
