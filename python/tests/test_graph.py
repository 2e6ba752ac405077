"""The diagram from Python: the native command's exact text, in both formats."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pareto
from conftest import EXAMPLE, ROOT

NATIVE = Path(os.environ.get("PARETO_NATIVE", ROOT / "build" / "libpareto" / "src" / "cli" / "pareto"))


@pytest.mark.parametrize("format", ["mermaid", "dot"])
def test_graph_matches_the_native_command(format: str) -> None:
    if not NATIVE.exists():
        pytest.skip(f"no native command at {NATIVE}")
    native = subprocess.run([str(NATIVE), "graph", "--format", format, str(EXAMPLE)],
                            check=True, capture_output=True, text=True).stdout
    assert pareto.load_path(EXAMPLE).graph(format) == native


def test_graph_command_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "hello.mmd"
    command = Path(sys.executable).parent / "pareto"  # the installed console script
    subprocess.run([str(command), "graph", str(EXAMPLE), "-o", str(out)], check=True)
    text = out.read_text()
    assert text.startswith("flowchart LR\n")
    assert 'apis_public -->|"GET /hello/{id}"| actions_hello_get' in text


def test_graph_of_an_invalid_app_raises() -> None:
    app = pareto.App.from_text("app: x\nbogus: 1\n")
    with pytest.raises(pareto.ValidationError):
        app.graph()


def test_graph_rejects_unknown_formats() -> None:
    with pytest.raises(ValueError):
        pareto.load_path(EXAMPLE).graph("svg")
