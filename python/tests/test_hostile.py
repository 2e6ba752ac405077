"""Hostile calls through the Python binding: every public function, given values of the wrong
type or shape (None, numbers, huge strings, invalid UTF-8, cyclic objects, arbitrary nesting),
returns or raises one of the documented exceptions, and never takes the process down.
Hypothesis drives it; node/test/hostile.test.js does the same with fast-check."""
from __future__ import annotations

import re
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pareto
from conftest import EXAMPLE

# What the API documents raising: ValidationError and CommandError are ParetoErrors (and
# ValidationError a ValueError); a path that is not there is an OSError.
DOCUMENTED = (TypeError, ValueError, KeyError, OSError, pareto.ParetoError)


def cyclic_dict() -> dict[str, Any]:
    value: dict[str, Any] = {"app": "x"}
    value["self"] = value
    return value


def cyclic_list() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


SPECIAL = st.sampled_from([
    None, True, 0, -1, 2 ** 64, 2 ** 200, float("nan"), float("inf"), 1e308, "", "\0", "x" * 1_000_000,
    "\ud800", b"\xff\xfe\xfd", b"", bytearray(b"app: x"), object(), print, [], {}, (), set(),
]) | st.builds(cyclic_dict) | st.builds(cyclic_list)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
HOSTILE = SPECIAL | st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                                 | st.dictionaries(st.text(max_size=8), inner, max_size=5),
                                 max_leaves=12)

EXAMPLE_APP = pareto.App.load(EXAMPLE)
STAGE = re.compile(r"[a-z][a-z0-9]{0,15}")


def outputs(stage: Any) -> Any:
    """App.outputs with a stage that cannot be valid (None and "" mean dev): a valid one would
    reach for AWS, so those are left out, and the endpoint is loopback regardless."""
    effective = stage or "dev"
    if isinstance(effective, str) and STAGE.fullmatch(effective):
        return None
    return EXAMPLE_APP.outputs(stage, endpoint_url="http://127.0.0.1:1")


CALLS: dict[str, Callable[[Any], Any]] = {
    "load": lambda v: pareto.load(v),
    "App.from_text": lambda v: pareto.App.from_text(v),
    "App.from_text(source_name)": lambda v: pareto.App.from_text("app: x", source_name=v),
    "App.from_text(base_dir)": lambda v: pareto.App.from_text("app: x", base_dir=v),
    "App.from_text(stage)": lambda v: pareto.App.from_text("app: x", stage=v),
    "App.from_text(kinds)": lambda v: pareto.App.from_text("app: x", kinds=v),
    "App.from_dict": lambda v: pareto.App.from_dict(v),
    "App.from_dict(nested)": lambda v: pareto.App.from_dict({"app": "x", "actions": v}),
    "App.load": lambda v: pareto.App.load(v),
    "App.package": lambda v: EXAMPLE_APP.package(v),
    "App.package(dependencies)": lambda v: EXAMPLE_APP.package("hello-get", v),
    "App.graph": lambda v: EXAMPLE_APP.graph(v),
    "App.budget": lambda v: EXAMPLE_APP.budget(v),
    "App.rules": lambda v: EXAMPLE_APP.rules(v),
    "App.outputs(stage)": outputs,
    "compile": lambda v: pareto.compile(v),
    "match(pattern)": lambda v: pareto.match(v, {}),
    "match(event)": lambda v: pareto.match({"a": [1]}, v),
    "Rules": lambda v: pareto.Rules(v),
    "Rules.match": lambda v: pareto.Rules({"r": {"a": [1]}}).match(v),
    "format_error": lambda v: pareto.format_error(v),
    "kind": lambda v: pareto.kind(key=v)(lambda request: request),
    "kinds_in_module": lambda v: pareto.kinds_in_module(v),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=HOSTILE)
def test_a_hostile_argument_raises_a_documented_exception(name: str, value: Any) -> None:
    try:
        CALLS[name](value)
    except DOCUMENTED:
        pass
