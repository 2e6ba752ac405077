"""`pareto dev` on a copy of examples/hello, driven as a developer would drive it: requests to its
API, the queue worker, the timer fired by --now and by its name typed, a saved handler reloaded,
a failing handler retried to the errors topic, and Ctrl-C. The Python and Node suites run it with their pareto command,
and scripts/main.sh shows it.

    python tests/support/dev_scenario.py [--failing] -- PARETO_ARGV...
"""
from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hello"
EVENTS = ROOT / "tests" / "dev" / "events"
START_SECONDS = 180  # the emulator started and the stack deployed on a slow machine
EVENT_SECONDS = 60


def interruptible() -> None:
    """In the child: Ctrl-C as a terminal's, even when this runs where SIGINT is ignored (a
    shell's background job), which the child would otherwise inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class DevSession:
    """`pareto dev APP` as a process; its stderr lines are read as they come."""

    echo = False  # --show: each line of pareto dev's on stderr as it comes

    def __init__(self, pareto: Sequence[str], app: Path, *options: str) -> None:
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.process = subprocess.Popen([*pareto, "dev", str(app), *options], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        preexec_fn=interruptible)
        threading.Thread(target=self.read, daemon=True).start()
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
        self.url = self.wait_for(r"public API: (http://127\.0\.0\.1:\d+)", START_SECONDS).group(1)
        self.wait_for(r"^handlers run from their folders", START_SECONDS)

    def read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if self.echo:
                sys.stderr.write(line)
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, pattern: str, seconds: float = EVENT_SECONDS, after: int = 0) -> re.Match[str]:
        """The first line from `after` on that matches `pattern`, waited for."""
        deadline = time.monotonic() + seconds
        with self.changed:
            while True:
                for line in self.lines[after:]:
                    if found := re.search(pattern, line):
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(f"no line matched {pattern!r}:\n" + "\n".join(self.lines))
                self.changed.wait(min(left, 0.5))

    def request(self, method: str, path: str, body: Optional[Any] = None,
                headers: Optional[dict[str, str]] = None,
                url: Optional[str] = None) -> tuple[int, dict[str, str], str]:
        """A request to the public API, or to the API at `url`."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request((url or self.url) + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=EVENT_SECONDS) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def type(self, line: str) -> None:
        """A line typed at pareto dev's terminal."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> tuple[int, str]:
        """Ctrl-C: the exit status and everything it said."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            status = self.process.wait(timeout=EVENT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        time.sleep(0.1)
        return status, "\n".join(self.lines)


@contextlib.contextmanager
def running(pareto: Sequence[str], app: Path, *options: str) -> Iterator[DevSession]:
    """pareto dev for the block, then Ctrl-C, which ends it with exit 0."""
    dev = DevSession(pareto, app, *options)
    try:
        yield dev
    finally:
        status, said = dev.stop()
    check(status == 0 and said.endswith("pareto dev: stopped"), f"Ctrl-C ends it: {status}\n{said}")


def say(text: str) -> None:
    print(text, flush=True)


def check(condition: bool, what: str, session: Optional[DevSession] = None) -> None:
    if not condition:
        raise AssertionError(what + ("\n" + "\n".join(session.lines) if session else ""))


def working(pareto: Sequence[str], app: Path) -> str:
    """The app served: the five steps of examples/hello, CORS, routing and a reload."""
    with running(pareto, app, "--port", "0", "--now", "tick") as dev:
        say(f"pareto dev serves the public API at {dev.url}")
        dev.wait_for(r"^ticker timer tick: ok in \d+ ms")
        dev.wait_for(r"│ tick: 0 users")
        say("the timer fired: ticker counted 0 users")
        seen = len(dev.lines)
        dev.type("tock")
        dev.wait_for(r'^pareto dev: no timer "tock"; type one of tick and Enter to fire it', after=seen)
        dev.type("tick")
        dev.wait_for(r"^ticker timer tick: ok in \d+ ms", after=seen)
        say("tick typed: the timer fired again")

        status, _, body = dev.request("POST", "/hello", {"id": "ada", "name": "Ada"})
        say(f"POST /hello → {status} {body}")
        check(status == 201 and json.loads(body) == {"id": "ada"}, "POST /hello", dev)

        dev.wait_for(r"^worker jobs queue, 1 message: ok in \d+ ms")
        status, _, body = dev.request("GET", "/hello/ada")
        say(f"GET /hello/ada → {status} {body}")
        check(status == 200 and json.loads(body) == {"id": "ada", "name": "Ada", "welcomed": True},
              "the worker's update", dev)

        status, headers, body = dev.request("POST", "/hello", {"id": "bob"})
        say(f"POST /hello without a name → {status} {body}")
        check(status == 400 and json.loads(body) == {"message": "Invalid request body"},
              "API Gateway's 400", dev)
        check(headers.get("Access-Control-Allow-Origin") == "*", "CORS on a 4XX", dev)

        status, headers, _ = dev.request("OPTIONS", "/hello")
        check(status == 200 and "POST" in headers.get("Access-Control-Allow-Methods", ""),
              "CORS preflight", dev)
        status, _, body = dev.request("GET", "/nowhere")
        check(status == 403 and json.loads(body) == {"message": "Missing Authentication Token"},
              "an unknown path", dev)

        handler = app / "hello" / "get" / "index.py"
        handler.write_text(handler.read_text().replace('"welcomed": bool', '"reloaded": True, "welcomed": bool'))
        status, _, body = dev.request("GET", "/hello/ada")
        say(f"after saving hello/get/index.py, GET /hello/ada → {status} {body}")
        check(json.loads(body).get("reloaded") is True, "the saved handler runs", dev)

        description = app / "pareto.yaml"
        seen = len(dev.lines)
        description.write_text(description.read_text().replace("rate: 5 minutes", "rate: 5 minutez"))
        dev.wait_for(r"the app above has errors; the last one keeps running", after=seen)
        status, _, _ = dev.request("GET", "/hello/ada")
        check(status == 200, "the last app keeps serving", dev)
        say("a pareto.yaml with an error: said, and the last app goes on serving")
        seen = len(dev.lines)
        description.write_text(description.read_text().replace("rate: 5 minutez", "rate: 1 minute"))
        dev.wait_for(r"^  tick timer → ticker \(rate\(1 minute\)\)", after=seen)
        say("pareto.yaml saved with the timer every minute: deployed again, and read anew")
    say("Ctrl-C: pareto dev stopped")
    return "\n".join(dev.lines)


def failing(pareto: Sequence[str], app: Path) -> str:
    """A timer's handler that raises: retried as its invoke config says, then the failure record
    to the errors queue, whose handler publishes it on the errors topic."""
    ticker = app / "ticker" / "index.py"
    ticker.write_text(ticker.read_text() + '\n\ndef handler(event, context):\n    raise ValueError("no users table today")\n')
    with running(pareto, app, "--now", "tick") as dev:
        dev.wait_for(r"^ticker timer tick: failed: ValueError: no users table today")
        dev.wait_for(r"^ticker timer tick \(retry 1 of 1\): failed: ValueError")
        dev.wait_for(r"^errors errors queue, 1 message: ok in \d+ ms")
        say("the failing ticker was retried once, and its failure reached the errors topic")
    return "\n".join(dev.lines)


def tokens(emulator: str, pool: str, client: str) -> tuple[str, str, str]:
    """A user of the emulator's pool signed in: their ID and access tokens, and an ID token
    signed with the emulator's own key that expired a minute ago."""
    import boto3  # pareto[local]'s, as moto is
    from joserfc import jwk, jwt
    from moto.utilities.utils import load_resource
    idp = boto3.client("cognito-idp", endpoint_url=emulator, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    user, password = "ada@example.com", "Correct-Horse-9"
    idp.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=user, Password=password, Permanent=True)
    signed = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": user, "PASSWORD": password})
    id_token = signed["AuthenticationResult"]["IdToken"]
    claims = jwt.decode(id_token, jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-public.json")["keys"][0])).claims
    claims["exp"] = int(time.time()) - 60
    key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    expired = jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, key)
    return id_token, signed["AuthenticationResult"]["AccessToken"], expired


def graphql(dev: "DevSession", id_token: str, expired: str) -> None:
    """The profile GraphQL API, as AppSync answers: its user pool's tokens only; each field with a
    resolver through the handler, the rest from the parent's value; a resolver's failure and a
    non-null field's null said with their paths, the rest of the answer kept; a query naming
    a field the schema lacks refused before anything runs."""
    url = dev.wait_for(r"profile GraphQL API: (http://127\.0\.0\.1:\d+/graphql) \(Query\.me → profile, "
                       r"Query\.member → profile; a Cognito token\)").group(1)

    def ask(query: str, token: str | None = id_token, **variables: str) -> tuple[int, dict]:
        status, _, body = dev.request("POST", "/graphql", {"query": query, "variables": variables}, url=url[:-len("/graphql")],
                                      headers={"Authorization": token} if token else {})
        return status, json.loads(body)

    for token, message in [(None, "Valid authorization header not provided."), (expired, "Token has expired.")]:
        status, answer = ask("{ me { email } }", token)
        check(status == 401 and answer == {"errors": [{"errorType": "UnauthorizedException", "message": message}]},
              f"GraphQL without a good token: {status} {answer}", dev)
    status, answer = ask("query Who { me { email kind: __typename ...Listed } } fragment Listed on Member { fields }")
    check(status == 200 and answer == {"data": {"me": {"email": "ada@example.com", "kind": "Member",
                                                       "fields": ["email", "fields"]}}},
          f"GraphQL me: {status} {answer}", dev)
    status, answer = ask("query Find($email: String!) { me { email } found: member(email: $email) { email } }",
                         email="nobody@example.com")
    error = answer.get("errors", [{}])[0]
    check(answer.get("data") == {"me": {"email": "ada@example.com"}, "found": None}
          and error.get("path") == ["found"] and error.get("errorType") == "LookupError"
          and error.get("message") == "no member nobody@example.com", f"GraphQL resolver failure: {answer}", dev)
    status, answer = ask('{ member(email: "grace@example.com") { id email } }')
    check(answer.get("data") == {"member": None} and answer["errors"][0]["message"] ==
          "Cannot return null for non-nullable type: 'ID' within parent 'Member' (/member/id)",
          f"GraphQL non-null: {answer}", dev)
    status, answer = ask("{ me { shoe } }")
    check(answer.get("data") is None and answer["errors"][0]["message"] ==
          "Validation error of type FieldUndefined: Field 'shoe' in type 'Member' is undefined @ 'me/shoe'",
          f"GraphQL validation: {answer}", dev)
    dev.wait_for(r"^profile Query\.member: failed: LookupError: no member nobody@example\.com")
    dev.wait_for(r"^profile GraphQL API: Cannot return null for non-nullable type")
    say("the profile GraphQL API: 401 without a token or with an expired one; fields resolved by the handler, "
        "fragments and aliases; a resolver's failure, a non-null's null and an unknown field said as AppSync says them")


def events(pareto: Sequence[str], app: Path) -> str:
    """tests/dev/events: a handler's own Lambda Invoke calls, both kinds; a table's insert
    reaches an action through the stream, the router and the bus; an upload reaches another
    through the bucket's EventBridge notifications; an API takes its user pool's ID tokens only,
    as API Gateway's Cognito authorizer does; a sub-minute timer's ticks reach its action."""
    with running(pareto, app) as dev:
        emulator = dev.wait_for(r"the emulator at (http://127\.0\.0\.1:\d+)").group(1)
        members = dev.wait_for(r"members API: (http://127\.0\.0\.1:\d+) \(GET /me with a Cognito token\)").group(1)
        pool = dev.wait_for(r"members user pool: (\S+) \(clients: .*members-admin (\w+)")
        id_token, access_token, expired = tokens(emulator, pool.group(1), pool.group(2))
        tampered = id_token[:-4] + ("AAAA" if not id_token.endswith("AAAA") else "BBBB")
        for token, answer in [(None, "Unauthorized"), ("not a token", "Unauthorized"), (tampered, "Unauthorized"),
                              (access_token, "Unauthorized"), (expired, "The incoming token has expired")]:
            status, _, body = dev.request("GET", "/me", url=members,
                                          headers={"Authorization": token} if token else {})
            check(status == 401 and json.loads(body) == {"message": answer}, f"GET /me: {status} {body}", dev)
        status, _, body = dev.request("GET", "/me", url=members, headers={"Authorization": id_token})
        check(status == 200 and json.loads(body) == {"email": "ada@example.com", "token_use": "id"},
              f"GET /me with an ID token: {status} {body}", dev)
        say("GET /me: 401 without a token, with a forged, an access or an expired one; 200 with an ID token, its claims in the event")
        graphql(dev, id_token, expired)
        status, _, body = dev.request("POST", "/users", {"id": "ada", "name": "Ada"})
        check(status == 201 and json.loads(body) == {"id": "ada", "greeting": "welcome, Ada"},
              f"POST /users: {status} {body}", dev)
        dev.wait_for(r"^greeter Invoke \(RequestResponse\): ok in \d+ ms")
        dev.wait_for(r"^greeter Invoke \(Event\): ok in \d+ ms")
        say("writer invoked greeter through Lambda's API: waiting for its answer, then not")
        dev.wait_for(r"^users-router users table's stream, 1 record: ok in \d+ ms")
        dev.wait_for(r"^audit rule AuditNewUserRule \(INSERT\): ok in \d+ ms")
        dev.wait_for(r"│ new user: ")
        say("an insert reached audit: the stream, the router, the bus and the rule")
        dev.wait_for(r"^onupload rule OnuploadUploadRule \(Object Created\): ok in \d+ ms")
        dev.wait_for(r"│ uploaded: in/ada.txt")
        say("the upload under in/ reached onupload")
        seen = len(dev.lines)
        dev.type("pulse")
        dev.wait_for(r"^pulse-ticker timer pulse: ok in \d+ ms", after=seen)
        tick = r"^pulse pulse-ticks queue, 1 message: ok in \d+ ms"
        for _ in range(2):  # the ticks at 0 and 5 seconds
            dev.wait_for(tick, after=seen)
            seen = next(i for i in range(seen, len(dev.lines)) if re.search(tick, dev.lines[i])) + 1
        say("the 5-second timer typed: its ticker queued the minute's ticks, and they reach pulse")
    return "\n".join(dev.lines)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failing", action="store_true", help="the failing-handler scenario")
    parser.add_argument("--events", action="store_true", help="the events app's scenario")
    parser.add_argument("--show", action="store_true", help="echo what pareto dev says")
    parser.add_argument("pareto", nargs="+", help="the pareto command, e.g. python -m pareto")
    options = parser.parse_args(argv)
    DevSession.echo = options.show
    with tempfile.TemporaryDirectory() as folder:
        source = EVENTS if options.events else EXAMPLE
        app = Path(shutil.copytree(source, Path(folder) / source.name))
        scenario = events if options.events else failing if options.failing else working
        try:
            scenario(options.pareto, app)
        except AssertionError as error:
            print(f"dev scenario failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
