"""Shared fixtures: the example app, and moto's server on a free 127.0.0.1 port (no other
network is used)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import boto3
import pytest

from pareto import local

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hello"
REGION = "us-east-1"  # local mode's region, the engine's (engine/command_line.cpp)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with local.moto_server() as url:
        yield url


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch):
    """A boto3 client factory for the emulator; credentials and region point there too."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("PARETO_ENDPOINT_URL", raising=False)
    return lambda service: boto3.client(service, endpoint_url=moto_url,
                                        region_name=REGION)


@pytest.fixture
def example_app(tmp_path: Path) -> Path:
    """A copy of examples/hello that a test may change."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "hello"))


def cfn_lint_errors(*templates: Path) -> str:
    """cfn-lint's error lines for the templates (warnings and notes do not count); "" if none."""
    lint = subprocess.run(
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         "--format", "parseable", *map(str, templates)], capture_output=True, text=True)
    errors = [line for line in lint.stdout.splitlines() if ":E" in line]
    return "\n".join(errors) or (lint.stderr if lint.returncode & 1 else "")
