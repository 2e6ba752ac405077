"""One version, the C API header's: CMake, pyproject (its regex provider), the installed
package's metadata, the core itself and node/package.json must all say it (issue 26)."""
from __future__ import annotations

import importlib.metadata
import json
import re

import pareto
from conftest import ROOT


def test_every_place_says_the_headers_version() -> None:
    header = (ROOT / "libpareto/include/pareto/pareto.h").read_text()
    version = re.search(r'#define PARETO_VERSION_STRING "([^"]+)"', header).group(1)
    parts = {name: re.search(rf"#define PARETO_VERSION_{name} (\d+)", header).group(1)
             for name in ("MAJOR", "MINOR", "PATCH")}
    assert version == "{MAJOR}.{MINOR}.{PATCH}".format(**parts)
    assert pareto.__version__ == version
    assert importlib.metadata.version("pareto") == version
    assert json.loads((ROOT / "node/package.json").read_text())["version"] == version
    assert json.loads((ROOT / "node/package-lock.json").read_text())["version"] == version
