"""Who the caller is, from the claims of the Cognito token API Gateway checked."""
import json


def handler(event, context):
    claims = event["requestContext"]["authorizer"]["claims"]
    return {"statusCode": 200, "body": json.dumps({"email": claims["email"], "token_use": claims["token_use"]})}
