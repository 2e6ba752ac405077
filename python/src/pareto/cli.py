"""The `pareto` command: validate, synth, budget, package, diff, deploy, outputs, destroy, and the
commands that operate a deployed app (stacks, resources, events, logs, invoke, users, artifacts).

Exit status: 0 on success, 1 when the app description has errors (one
`file:line:column: /path: message [check]` line each on stderr) or a deployment fails, 2 on usage
errors. Never a traceback for bad input.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

from rich.console import Console
from rich.prompt import Confirm

from . import __version__, deploy, handler_tests, local, operate
from ._app import App
from ._errors import ParetoError, ValidationError, format_error
from .kinds import kinds_in_module
from .package import build_archive
from .patterns import Pattern, Rules

EXIT_INVALID = 1
EXIT_USAGE = 2
STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9]{0,15}$")


class UsageError(Exception):
    pass


def write_atomically(path: Path, data: bytes) -> None:
    """Writes next to the target and renames: a failed run never leaves half a file."""
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def load_valid(path: str, kind_modules: Sequence[str] = ()) -> App:
    """The app at `path`, valid, loaded with the kinds of `kind_modules` (--kinds) too."""
    try:
        kinds = [kind for module in kind_modules for kind in kinds_in_module(module)]
        app = App.load(path, kinds=kinds)
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    app.validate()
    return app


# --- commands that need no AWS ------------------------------------------------------------------


def validate(args: argparse.Namespace, console: Console) -> None:
    app = load_valid(args.app, args.kinds)
    console.print(f"{app.name}: valid")


def synth(args: argparse.Namespace, console: Console) -> None:
    """The template, and beside it (FILE.json -> FILE.Stack01.json) each nested stack's."""
    app = load_valid(args.app, args.kinds)
    nested = app.nested_stacks()
    if args.output in (None, "-"):
        if nested:
            console.print(f"the app needs {len(nested)} nested stacks; -o FILE writes their "
                          "templates beside FILE", style="yellow")
    else:
        path = Path(args.output)
        for stack in nested:
            write_output(stack["template"].encode(),
                         str(path.with_name(f"{path.stem}.{stack['name']}{path.suffix}")))
    write_output(app.template_json().encode(), args.output)


def budget(args: argparse.Namespace, console: Console) -> None:
    app = load_valid(args.app, args.kinds)
    text = json.dumps(app.budget(), indent=2) + "\n" if args.json else app.budget("text")
    write_output(text.encode(), None)


def graph(args: argparse.Namespace, console: Console) -> None:
    write_output(load_valid(args.app, args.kinds).graph(args.format).encode(), args.output)


def write_output(data: bytes, output: Optional[str]) -> None:
    """To stdout, or atomically to a file: a failed run never leaves half of it."""
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomically(Path(output), data)


def json_argument(text: str) -> str:
    """JSON given inline ({...}), as a file path, or as "-" for standard input."""
    if text.lstrip().startswith(("{", "[")):
        return text
    if text == "-":
        return sys.stdin.read()
    try:
        return Path(text).read_text(encoding="utf-8")
    except OSError:
        raise UsageError(f"{text}: no such file, and not inline JSON") from None


def match_command(args: argparse.Namespace, console: Console) -> int:
    """Exit 0 when the event matches (a rule fires), 1 when not; as the native command."""
    try:
        return match_event(args, console)
    except ValidationError:
        raise
    except ValueError as error:  # a pattern or event that is not JSON
        raise UsageError(str(error)) from None


def match_event(args: argparse.Namespace, console: Console) -> int:
    if args.rules:
        if len(args.pattern_event) != 1:
            raise UsageError("with --rules, give only EVENT")
        deployed = load_valid(args.rules).rules(args.stage)
        for logical_id, why in deployed["skipped"].items():
            console.print(f"{logical_id}: skipped: {why}")
        fired = Rules(deployed["rules"]).match(json_argument(args.pattern_event[0]))
        print("\n".join(fired) if fired else "no rule matches")
        return 0 if fired else EXIT_INVALID
    if len(args.pattern_event) != 2:
        raise UsageError("give PATTERN and EVENT, or --rules APP and EVENT")
    pattern, event = map(json_argument, args.pattern_event)
    matched = Pattern(pattern).matches(event)
    print("match" if matched else "no match")
    return 0 if matched else EXIT_INVALID


def test_command(args: argparse.Namespace, console: Console) -> int:
    """Runs each action's unit tests; exit 1 when any fails."""
    outcomes = handler_tests.run_all(load_valid(args.app, args.kinds))
    for outcome in outcomes:
        if not outcome.tests:
            console.print(f"[dim]{outcome.action}: no tests[/]")
            continue
        verdict = "[green]passed[/]" if outcome.returncode == 0 else "[red]failed[/]"
        console.print(f"{outcome.action}: {len(outcome.tests)} test file(s) {verdict}")
        if outcome.returncode or args.verbose:
            console.print(outcome.output.rstrip(), markup=False, highlight=False)
    failed = [o.action for o in outcomes if o.returncode]
    if failed:
        console.print(f"[red]failed:[/] {', '.join(failed)}")
    return EXIT_INVALID if failed else 0


def package(args: argparse.Namespace, console: Console) -> None:
    app = load_valid(args.app, args.kinds)
    archive = build_archive(app)
    output = Path(args.output or f"{app.name}.zip")
    write_atomically(output, archive.data)
    console.print(f"{output}: {len(archive.data):,} bytes, sha256 {archive.sha256}")


# --- commands that talk to AWS (or to the local emulator) ---------------------------------------


def parse_parameter(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


@contextmanager
def stack_for(args: argparse.Namespace, console: Console) -> Iterator[tuple[App, deploy.Stack, Optional[local.MotoCompatibility]]]:
    """The app's stack on AWS, or on moto's server in local mode (started here for --local
    without an endpoint URL), with local mode's compatibility hooks."""
    if not STAGE_PATTERN.match(args.stage):
        raise UsageError(f"--stage must be lower-case letters and digits, at most 16; got {args.stage!r}")
    app = load_valid(args.app, args.kinds)
    endpoint_url = args.endpoint_url or os.environ.get("PARETO_ENDPOINT_URL")
    if not (args.local or endpoint_url):
        target = deploy.Target(args.stage, region=args.region, profile=args.profile)
        yield app, deploy.Stack(app.name, target, console), None
        return
    local.require_moto()
    with local.moto_server(keep=args.keep_local) if not endpoint_url else nullcontext(endpoint_url) as url:
        if args.keep_local and not endpoint_url:
            console.print(f"moto's server keeps running at {url}")
        target = deploy.Target(args.stage, region=local.LOCAL_REGION, endpoint_url=url,
                               credentials=local.LOCAL_CREDENTIALS, poll_seconds=0.2)
        compatibility = local.MotoCompatibility(lambda change: console.print(f"[dim]local:[/] {change}"))
        yield app, deploy.Stack(app.name, target, console), compatibility


def deploy_options(args: argparse.Namespace, compatibility: Optional[local.MotoCompatibility]) -> deploy.DeployOptions:
    interactive = sys.stdin.isatty() and not getattr(args, "yes", True)
    return deploy.DeployOptions(
        parameters=dict(args.parameter),
        allow_replace=args.allow_replace,
        confirm=(lambda: Confirm.ask("deploy these changes?")) if interactive else None,
        local=compatibility,
    )


def print_outputs(outputs: dict[str, str], args: argparse.Namespace) -> None:
    for key, value in sorted(outputs.items()):
        print(f"{key} = {value}")
    if args.outputs_file:
        text = json.dumps(outputs, indent=2, sort_keys=True) + "\n"
        write_atomically(Path(args.outputs_file), text.encode())


def diff_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (app, stack, compatibility):
        change_set = deploy.diff(app, stack, deploy_options(args, compatibility))
        replaced = [c.logical_id for c in change_set.changes if c.replaces_state]
        if replaced and not args.allow_replace:
            raise deploy.DeployError(f"the change would replace {', '.join(replaced)}, which hold data")


def deploy_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (app, stack, compatibility):
        print_outputs(deploy.deploy(app, stack, deploy_options(args, compatibility)), args)


def outputs_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (_, stack, _):
        outputs = stack.outputs()
        if args.json:
            print(json.dumps(outputs, indent=2, sort_keys=True))
        else:
            print_outputs(outputs, args)


def show(table: Any) -> None:
    """Tables go to stdout, the command's answer: the terminal's width, or whole rows in a pipe."""
    Console(highlight=False, width=None if sys.stdout.isatty() else 400).print(table)


def stacks_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (_, stack, _):
        show(operate.stacks_table(stack))


def resources_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (_, stack, _):
        show(operate.resources_table(stack))


def events_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (_, stack, _):
        show(operate.events_table(stack, args.failed))


def action_names(app: App) -> list[str]:
    return [f["action"] for f in app.functions if "action" in f]


def logs_command(args: argparse.Namespace, console: Console) -> None:
    since = operate.since_millis(args.since)
    with stack_for(args, console) as (app, stack, _):
        function = operate.function_name(stack, args.action, action_names(app))
        shown = operate.tail_logs(stack, function, since, args.filter, args.follow, print)
        if not shown and not args.follow:
            console.print(f"no log events of {function} since {args.since} ago")


def payload_argument(text: str) -> str:
    """Inline JSON, or @FILE."""
    if text.startswith("@"):
        try:
            return Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"--payload {text}: {error.strerror}") from None
    return text


def invoke_command(args: argparse.Namespace, console: Console) -> int:
    with stack_for(args, console) as (app, stack, _):
        function = operate.function_name(stack, args.action, action_names(app))
        result, tail, error = operate.invoke(stack, function, payload_argument(args.payload))
        print(result)
        if tail:
            console.print(tail.rstrip(), markup=False)
        if error:
            console.print(f"[red]{function} failed ({error})[/]")
            return EXIT_INVALID
        return 0


def password(args: argparse.Namespace) -> str:
    text = args.password or os.environ.get("PARETO_PASSWORD")
    if text:
        return text
    if not sys.stdin.isatty():
        raise UsageError("give --password (or PARETO_PASSWORD)")
    import getpass
    return getpass.getpass("password: ")


def users_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (_, stack, _):
        pool = operate.Pool(stack, args.pool)
        if args.operation == "list":
            show(operate.users_table(pool))
            return
        if not args.user:
            raise UsageError(f"users {args.operation} needs USER")
        if args.operation == "create":
            pool.create(args.user, password(args), dict(args.attribute))
            console.print(f"created {args.user} in {pool.physical}")
        elif args.operation == "delete":
            pool.delete(args.user)
            console.print(f"deleted {args.user} from {pool.physical}")
        else:
            print(json.dumps(pool.login(args.user, password(args)), indent=2, sort_keys=True))


def artifacts_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (_, stack, _):
        if args.operation == "list":
            show(operate.artifacts_table(stack))
        elif args.operation == "fetch":
            if not args.key:
                raise UsageError("artifacts fetch needs KEY")
            output = Path(args.output or Path(args.key).name)
            write_atomically(output, operate.fetch_artifact(stack, args.key))
            console.print(f"{output}: fetched {args.key}")
        else:
            deleted = operate.clean_artifacts(stack, args.keep)
            for key in deleted:
                console.print(f"deleted {key}")
            console.print(f"deleted {len(deleted)} artifacts; kept those in use and the newest {args.keep}")


def destroy_command(args: argparse.Namespace, console: Console) -> None:
    with stack_for(args, console) as (_, stack, compatibility):
        if sys.stdin.isatty() and not args.yes and not Confirm.ask(f"delete {stack.name}?"):
            raise deploy.DeployError("cancelled")
        deploy.destroy(stack, compatibility)


# --- the parser ---------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="pareto", description="A serverless AWS app described in a few lines, as a stack.")
    root.add_argument("--version", action="version", version=f"pareto {__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace, Console], Optional[int]], help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("app", metavar="APP", help="a pareto.yaml, or the folder holding one")
        sub.add_argument("--kinds", action="append", default=[], metavar="MODULE",
                         help="a Python file of custom component kinds to load the app with "
                              "(besides the modules its \"kinds\" key names); repeatable")
        sub.set_defaults(run=run)
        return sub

    command("validate", validate, "check an app description and print every error")
    command("synth", synth, "print (or write) the CloudFormation template").add_argument(
        "-o", "--output", metavar="FILE", help="write the template to FILE instead of stdout")
    graph_command = command("graph", graph, "draw the app: components and how they connect")
    graph_command.add_argument("--format", choices=["mermaid", "dot"], default="mermaid",
                               help="mermaid (default) or dot (Graphviz)")
    graph_command.add_argument("-o", "--output", metavar="FILE",
                               help="write the diagram to FILE instead of stdout")
    command("budget", budget, "every AWS quota the app uses, with the config entry that costs "
            "it, least headroom first").add_argument("--json", action="store_true",
                                                     help="print them as a JSON array")
    command("test", test_command, "run each action's unit tests beside its handler").add_argument(
        "-v", "--verbose", action="store_true", help="show the output of passing tests too")
    command("package", package, "write the deterministic code archive").add_argument(
        "-o", "--output", metavar="FILE", help="where to write it (default: <app>.zip)")

    matcher = commands.add_parser("match", help="does an EventBridge pattern match an event?",
                                  description="Does an EventBridge pattern match an event? "
                                              "Exit 0: yes, 1: no, 2: error.")
    matcher.add_argument("pattern_event", nargs="+", metavar="PATTERN_EVENT",
                         help="PATTERN EVENT, or EVENT with --rules; each inline JSON, a file, or -")
    matcher.add_argument("--rules", metavar="APP", help="match against the event rules of this app")
    matcher.add_argument("--stage", default="dev", help="the stage the app's rules are deployed to")
    matcher.set_defaults(run=match_command)

    for name, run, help in [
        ("diff", diff_command, "show what a deploy would change, changing nothing"),
        ("deploy", deploy_command, "deploy the stack <app>-<stage> and print its outputs"),
        ("outputs", outputs_command, "print the stack's outputs"),
        ("destroy", destroy_command, "empty the stack's buckets and delete the stack"),
        ("stacks", stacks_command, "the app's stacks (every stage) and their status"),
        ("resources", resources_command, "the stack's resources: logical id, type, physical id, status"),
        ("events", events_command, "the stack's events, nested stacks included"),
        ("logs", logs_command, "an action's log events, newest last"),
        ("invoke", invoke_command, "invoke an action's function; print its result and log tail"),
        ("users", users_command, "list, create, delete or log in the users of a user pool"),
        ("artifacts", artifacts_command, "the app's code archives and templates in the artifacts bucket"),
    ]:
        sub = command(name, run, help)
        sub.add_argument("--stage", default="dev", help="lower-case letters and digits (default: dev)")
        sub.add_argument("--profile", help="the AWS profile to use")
        sub.add_argument("--region", help="the AWS region to use")
        sub.add_argument("--local", action="store_true",
                         help="use moto's server on 127.0.0.1, started for this run")
        sub.add_argument("--endpoint-url", metavar="URL",
                         help="use the AWS emulator at URL (default: $PARETO_ENDPOINT_URL)")
        sub.add_argument("--keep-local", action="store_true",
                         help="leave the server --local started running")
        if name in ("diff", "deploy"):
            sub.add_argument("--parameter", action="append", type=parse_parameter, default=[],
                             metavar="KEY=VALUE", help="a template parameter, e.g. a layer ARN")
            sub.add_argument("--allow-replace", action="store_true",
                             help="allow replacing tables, buckets, user pools and secrets")
        if name in ("deploy", "destroy"):
            sub.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
        if name in ("deploy", "outputs"):
            sub.add_argument("--outputs-file", metavar="FILE", help="also write the outputs as JSON")
        if name == "outputs":
            sub.add_argument("--json", action="store_true", help="print the outputs as JSON")
        if name == "events":
            sub.add_argument("--failed", action="store_true", help="only the failures, with their reasons")
        if name in ("logs", "invoke"):
            sub.add_argument("action", metavar="ACTION", help="the action's name")
        if name == "logs":
            sub.add_argument("--since", default="10m", help="how far back: 30s, 10m, 2h, 1d (default 10m)")
            sub.add_argument("--filter", metavar="TEXT", help="a CloudWatch Logs filter pattern")
            sub.add_argument("--follow", action="store_true", help="keep tailing until interrupted")
        if name == "invoke":
            sub.add_argument("--payload", default="{}", metavar="JSON|@FILE", help="the event (default {})")
        if name == "users":
            sub.add_argument("operation", choices=["list", "create", "delete", "login"])
            sub.add_argument("pool", metavar="POOL", help="the user pool's name")
            sub.add_argument("user", nargs="?", metavar="USER", help="the user name (not for list)")
            sub.add_argument("--password", help="for create and login (default: $PARETO_PASSWORD, or asked)")
            sub.add_argument("--attribute", action="append", type=parse_parameter, default=[],
                             metavar="NAME=VALUE", help="a user attribute for create, e.g. email=a@b.c")
        if name == "artifacts":
            sub.add_argument("operation", choices=["list", "fetch", "clean"])
            sub.add_argument("key", nargs="?", metavar="KEY", help="the artifact to fetch")
            sub.add_argument("-o", "--output", metavar="FILE", help="where fetch writes it")
            sub.add_argument("--keep", type=int, default=3, help="clean keeps the newest N of each kind (default 3)")
    return root


def main(argv: Optional[Sequence[str]] = None) -> int:
    root = parser()
    args = root.parse_args(argv)
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        return args.run(args, console) or 0
    except UsageError as error:
        root.print_usage(sys.stderr)
        print(f"pareto: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as error:
        for item in error.errors:
            print(format_error(item), file=sys.stderr)
        return EXIT_USAGE if args.command == "match" else EXIT_INVALID
    except (ParetoError, deploy.DeployError, local.LocalModeError, OSError, ValueError) + deploy.AwsError as error:
        print(f"pareto: {error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("pareto: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
