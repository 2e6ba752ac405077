"""EventBridge event patterns, matched locally and exactly by the core (the same code the native
`pareto match` runs): compile a pattern once, match it against many events."""
from __future__ import annotations

import json
from typing import Any, Mapping, Union

from . import _pareto
from ._errors import ParetoError, ValidationError

JsonText = Union[str, bytes]


def _json(value: Any, what: str) -> str:
    """A JSON document's text: text is taken as it is, anything else is encoded."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"the {what} is not UTF-8") from None
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise TypeError(f"the {what} must be JSON-serializable: {error}") from None


class Rules:
    """Named patterns compiled together: `match(event)` says which of them fire."""

    def __init__(self, rules: Union[Mapping[str, Any], JsonText]) -> None:
        status, native = _pareto.compile_rules(_json(rules, "rules"))
        if status not in (_pareto.OK, _pareto.EINVALID):
            raise ParetoError(status, _pareto.strerror(status))
        self._native = native
        errors = json.loads(native.errors())
        if errors:
            raise ValidationError(_pareto.EINVALID, errors)

    def match(self, event: Union[Mapping[str, Any], JsonText]) -> list[str]:
        """The names of the rules the event matches, in name order."""
        status, names = self._native.match(_json(event, "event"))
        if status == _pareto.EARG:
            raise ValueError("the event is not JSON, or is nested deeper than 1,000 levels")
        if status != _pareto.OK:
            raise ParetoError(status, _pareto.strerror(status))
        return json.loads(names)


class Pattern:
    """One compiled pattern; raises ValidationError (every error, with its JSON path) when
    EventBridge would reject it."""

    def __init__(self, pattern: Union[Mapping[str, Any], JsonText]) -> None:
        text = _json(pattern, "pattern")
        try:
            json.loads(text)
        except ValueError:
            raise ValueError("the pattern is not JSON") from None
        try:
            self._rules = Rules('{"pattern": ' + text + "}")
        except ValidationError as error:
            for e in error.errors:
                e["path"] = e["path"][len("/pattern"):]
            raise ValidationError(error.code, error.errors) from None

    def matches(self, event: Union[Mapping[str, Any], JsonText]) -> bool:
        return bool(self._rules.match(event))


def compile(pattern: Union[Mapping[str, Any], JsonText]) -> Pattern:  # noqa: A001 (the API's name)
    """Compiles a pattern once, to match against many events."""
    return Pattern(pattern)


def match(pattern: Union[Mapping[str, Any], JsonText], event: Union[Mapping[str, Any], JsonText]) -> bool:
    """Whether the event matches the pattern."""
    return Pattern(pattern).matches(event)
