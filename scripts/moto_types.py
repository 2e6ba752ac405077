"""Writes libpareto/data/engine/moto-types.json: the resource types moto's CloudFormation creates
(its model map, with those pareto.moto_server adds, and its null models), which local mode keeps
in its copy of a template. Run it
with the moto that python/pyproject.toml pins whenever that pin changes.

usage: moto_types.py [OUTPUT]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from moto.cloudformation.parsing import NULL_MODELS, get_model_map

import pareto.moto_server  # noqa: F401  (its models join moto's)

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "libpareto/data/engine/moto-types.json"


def main() -> int:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    types = sorted(set(get_model_map()) | set(NULL_MODELS))
    output.write_text(json.dumps(types, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
