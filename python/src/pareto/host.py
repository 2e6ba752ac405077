"""The Python host of the core's engine: every command and every deploy decision is the core's
(pareto.h, "Commands as flows"); this module performs the steps it yields, with boto3 for AWS,
and nothing else."""
from __future__ import annotations

import base64
import datetime
import getpass
import importlib.metadata
import json
import os
import random
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import boto3
import botocore.config
import botocore.exceptions
import botocore.handlers
import botocore.parsers
import botocore.response

from . import _pareto
from ._app import App
from ._errors import CommandError, ParetoError, ValidationError
from ._serve import Incoming
from .kinds import kinds_in_module

# The engine owns retries (one policy, with jitter, in every host): the SDK makes one attempt.
SDK_CONFIG = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
Write = Callable[[str, str], None]  # (stream, text)
INTERRUPTED = json.dumps({"interrupted": True})  # the answer to a step Ctrl-C cut short


def normalized(value: Any) -> Any:
    """An SDK answer in the engine's form: timestamps ISO 8601 UTC, binary base64."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if isinstance(value, botocore.response.StreamingBody):
        value = value.read()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return value


def request(value: Any) -> Any:
    """The engine's request in boto3's form: {"$bytes": base64} members as bytes."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        return {k: request(v) for k, v in value.items()}
    if isinstance(value, list):
        return [request(v) for v in value]
    return value


def error_answer(error: Exception) -> dict[str, Any]:
    if isinstance(error, botocore.exceptions.ClientError):
        details = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return {"error": {"code": str(details.get("Code", "Error")),
                          "message": str(details.get("Message", "")), "status": status}}
    if isinstance(error, (botocore.exceptions.EndpointConnectionError,
                          botocore.exceptions.ConnectionClosedError,
                          botocore.exceptions.ReadTimeoutError,
                          botocore.exceptions.ConnectTimeoutError)):
        return {"error": {"code": "NetworkingError", "message": str(error), "status": 0}}
    return {"error": {"code": type(error).__name__, "message": str(error), "status": 0}}


class Host:
    """Performs one flow's steps. `app`: the app to lend for a "load" step (library calls),
    else loaded from the step's path; `write`: where output goes (default: the process's)."""

    def __init__(self, app: Optional[App] = None, write: Optional[Write] = None,
                 interactive: Optional[bool] = None) -> None:
        self.request: dict[str, Any] = {}
        self.app = app
        self.lent = app is not None  # a library call's app, lent as its caller loaded it
        self.stage: Optional[str] = None  # the stage the app this host loaded is for
        self.write = write or self.write_to_process
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        # ANSI colours in what pareto dev says, on a terminal that has not opted out
        self.colour = write is None and sys.stderr.isatty() and "NO_COLOR" not in os.environ
        self.session: Optional[boto3.Session] = None
        self.endpoint: Optional[str] = None
        self.clients: dict[str, Any] = {}
        self.resources = ExitStack()  # the emulator and servers, stopped when the flow ends
        self.incoming: Optional[Incoming] = None  # pareto dev's servers and processes

    @staticmethod
    def write_to_process(stream: str, text: str) -> None:
        out = sys.stdout if stream == "stdout" else sys.stderr
        out.write(text)
        out.flush()

    def run(self, argv: Sequence[str]) -> tuple[int, Any]:
        """Runs a command line to its end: (exit status, result)."""
        return self.run_request({
            "argv": list(argv), "host": "python", "aws": True, "interactive": self.interactive,
            "colour": self.colour, "now_ms": int(time.time() * 1000), "seed": random.getrandbits(63)})

    def run_request(self, request: dict[str, Any]) -> tuple[int, Any]:
        """Runs a flow of pareto_flow_start's request to its end: (exit status, result)."""
        self.request = request
        status, flow = _pareto.start_flow(json.dumps(request))
        if status < 0:
            raise ParetoError(status, _pareto.strerror(status))
        with self.resources:
            answer = "null"
            while True:
                # Ctrl-C, wherever it lands, answers the step the flow waits on: the core says
                # where that leaves things.
                try:
                    status, text = flow.next(answer)
                    if status < 0:
                        raise ParetoError(status, _pareto.strerror(status))
                    step = json.loads(text)
                    if step["step"] == "done":
                        return step["exit"], step["result"]
                    answer = json.dumps(self.perform(step, flow))
                except KeyboardInterrupt:
                    answer = INTERRUPTED

    def perform(self, step: dict[str, Any], flow: Any) -> Any:
        kind = step["step"]
        if kind == "write":
            self.write(step["stream"], step["text"])
        elif kind == "wait":
            time.sleep(step["milliseconds"] / 1000)
        elif kind == "ask":
            if step.get("secret"):
                return getpass.getpass(step["question"])
            return input(f"{step['question']} [y/N] ").strip().lower() in ("y", "yes")
        elif kind == "load":
            return self.load(step, flow)
        elif kind == "connect":
            return self.connect(step)
        elif kind == "call":
            return self.call(step["service"], step["operation"], step["params"])
        elif kind == "upload":
            _, data = flow.blob()
            return self.call("s3", "PutObject", {"Bucket": step["bucket"], "Key": step["key"]},
                             Body=data)
        elif kind == "emulator":
            return self.emulator(step.get("keep", False))
        elif kind == "run":
            return self.process(step)
        elif kind == "tool":
            return self.tool(step["name"])
        elif kind in ("serve", "start", "incoming", "respond", "fetch"):
            if self.incoming is None:
                self.incoming = Incoming(program)
                self.resources.callback(self.incoming.close)
            return self.incoming.perform(step)
        else:
            raise ParetoError(_pareto.ERROR, f"the engine asked for an unknown step: {kind}")
        return None

    def load(self, step: dict[str, Any], flow: Any) -> dict[str, Any]:
        if (self.app is None or step.get("again")
                or (not self.lent and step.get("stage") != self.stage)):
            self.stage = step.get("stage")
            try:
                kinds = [k for module in step["kinds"] for k in kinds_in_module(module)]
                self.app = App.load(step["path"], kinds=kinds, stage=self.stage)
            except FileNotFoundError as error:
                return {"error": {"message": str(error)}}
            except ValidationError as error:  # a kind module that cannot be loaded
                return {"errors": error.errors}
            except (ImportError, OSError, SyntaxError) as error:
                return {"error": {"message": f"{step['kinds']}: {error}"}}
        flow.lend(self.app._native)
        return {"loaded": True}

    def connect(self, step: dict[str, Any]) -> dict[str, Any]:
        credentials = step.get("credentials") or {}
        try:
            self.session = boto3.Session(
                profile_name=step.get("profile"), region_name=step.get("region"),
                aws_access_key_id=credentials.get("access_key_id"),
                aws_secret_access_key=credentials.get("secret_access_key"))
        except botocore.exceptions.BotoCoreError as error:
            return error_answer(error)
        self.endpoint = step.get("endpoint")
        return {"region": self.session.region_name or "us-east-1"}

    def client(self, service: str) -> Any:
        if service not in self.clients:
            assert self.session is not None, "the engine calls only after connecting"
            client = self.session.client(service, endpoint_url=self.endpoint, config=SDK_CONFIG)
            # The API's shape, as the other hosts give it: GetTemplate's TemplateBody is text.
            client.meta.events.unregister("after-call.cloudformation.GetTemplate",
                                          botocore.handlers.json_decode_template_body)
            self.clients[service] = client
        return self.clients[service]

    def call(self, service: str, operation: str, params: dict[str, Any], **raw: Any) -> Any:
        try:
            method = getattr(self.client(service), botocore.xform_name(operation))
            return {"response": normalized(method(**request(params), **raw))}
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError,
                botocore.parsers.ResponseParserError) as error:  # an emulator's malformed answer
            return error_answer(error)

    def emulator(self, keep: bool) -> dict[str, Any]:
        from .local import LocalModeError, moto_server  # only local mode needs moto
        try:
            url = self.resources.enter_context(moto_server(keep=keep))
        except LocalModeError as error:
            return {"error": {"message": str(error)}}
        return {"endpoint": url}

    @staticmethod
    def tool(name: str) -> Optional[dict[str, Any]]:
        """pip of this interpreter, and npm on PATH, with versions known without starting them
        (a cached build starts no process); None: the core asks the tool for its version."""
        if name == "pip":
            try:
                return {"argv": [sys.executable, "-m", "pip"],
                        "version": importlib.metadata.version("pip")}
            except importlib.metadata.PackageNotFoundError:
                return None
        npm = shutil.which("npm") if name == "npm" else None
        if npm is None:
            return None
        # npm is a link to <prefix>/lib/node_modules/npm/bin/npm-cli.js, beside its package.json.
        manifest = Path(os.path.realpath(npm)).parent.parent / "package.json"
        try:
            return {"argv": [npm], "version": json.loads(manifest.read_text())["version"]}
        except (OSError, ValueError, KeyError):
            return None

    @staticmethod
    def process(step: dict[str, Any]) -> dict[str, Any]:
        argv = program(step["argv"])
        try:
            done = subprocess.run(argv, cwd=step["cwd"], env={**os.environ, **step["env"]},
                                  input=step.get("input"), capture_output=True, text=True)
        except OSError as error:
            return {"exit": 127, "output": f"cannot run {argv[0]}: {error}"}
        return {"exit": done.returncode, "output": done.stdout + done.stderr}


def program(argv: Sequence[str]) -> list[str]:
    """A run or start step's argv, "python" being this interpreter."""
    return [{"python": sys.executable}.get(argv[0], argv[0]), *argv[1:]]


def command(app: App, argv: Sequence[str], write: Optional[Write] = None) -> Any:
    """A library call (App.deploy, ...): the command's result, or CommandError with what it
    said when it stopped."""
    app.validate()
    exit_status, result = Host(app=app, write=write, interactive=False).run(argv)
    if exit_status != 0:
        said = result.get("error") if isinstance(result, dict) else None
        raise CommandError(exit_status, said or f"{argv[0]} failed")
    return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    """`pareto`: the core's command line with this host."""
    try:
        exit_status, _ = Host().run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        print("pareto: interrupted", file=sys.stderr)
        return 130
    return exit_status
