"""`pareto test`: each action's own unit tests, run beside its handler with the environment the
template gives it (stack values stand in as placeholders), as the seed tool's test runner did."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._app import App

PYTHON_TESTS = ("test_*.py", "*_test.py")
NODE_TESTS = ("*.test.js", "*.test.mjs", "*.test.cjs")


@dataclass
class Outcome:
    action: str
    tests: list[Path]
    returncode: int  # 0 when they pass (or there are none)
    output: str


def placeholder(name: str, value: Any) -> str:
    """A stack value (Ref, Fn::GetAtt, ...) stands in as "users-table" for USERS_TABLE."""
    return value if isinstance(value, str) else name.lower().replace("_", "-")


def environment(template: dict[str, Any], handler: str) -> dict[str, str]:
    """The variables the template gives the function with this handler, and stand-in AWS
    credentials so that clients can be made; tests that call AWS bring their own mocks."""
    function = next(r for r in template["Resources"].values()
                    if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == handler)
    variables = function["Properties"].get("Environment", {}).get("Variables", {})
    env = {name: placeholder(name, value) for name, value in variables.items()}
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing")
    return env


def find_tests(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    found = {path for pattern in patterns for path in folder.rglob(pattern)
             if "node_modules" not in path.parts and "__pycache__" not in path.parts}
    return sorted(found)


def run_action(app: App, template: dict[str, Any], function: dict[str, str]) -> Outcome:
    assert app.base_dir is not None
    folder = (app.base_dir / function["path"]).resolve()
    python = function["runtime"] == "python"
    tests = find_tests(folder, PYTHON_TESTS if python else NODE_TESTS)
    if not tests:
        return Outcome(function["action"], [], 0, "")
    env = {**os.environ, **environment(template, function["handler"])}
    if python:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, tests)]
    else:
        command = ["node", "--test", *map(str, tests)]
    try:
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    except FileNotFoundError as error:
        return Outcome(function["action"], tests, 127, f"cannot run {command[0]}: {error}")
    return Outcome(function["action"], tests, done.returncode, done.stdout + done.stderr)


def run_all(app: App) -> list[Outcome]:
    if app.base_dir is None:
        raise ValueError("the app was not loaded from a folder: no handler tests to find")
    template = app.synth()
    return [run_action(app, template, function) for function in app.functions
            if "action" in function]
