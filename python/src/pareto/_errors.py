"""The exceptions of the pareto package, defined once."""
from __future__ import annotations

from typing import Any, Mapping


class ParetoError(Exception):
    """A call into the pareto core failed; `code` is its status, one of pareto.h's codes."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class ValidationError(ParetoError, ValueError):
    """The app description has errors; `errors` lists every one of them.

    Each error is a dict {"file", "path", "line", "column", "message", "check"}.
    """

    def __init__(self, code: int, errors: list[dict[str, Any]]) -> None:
        lines = [format_error(error) for error in errors]
        super().__init__(code, "\n".join(lines) or "the app description has errors")
        self.errors = errors


class CommandError(ParetoError):
    """A command the engine ran did not succeed (a deploy that failed, a stack that is not
    there); the message is what it said, `exit` its status."""

    def __init__(self, exit: int, message: str) -> None:
        super().__init__(_ERROR, message)
        self.exit = exit


_ERROR = -1  # pareto.h's PARETO_ERROR


def format_error(error: dict[str, Any]) -> str:
    """One error as `file:line:column: /path: message [check]`, as the native command prints it."""
    if not isinstance(error, Mapping):
        raise TypeError(f"an error is a mapping, not {type(error).__name__}")
    where = str(error.get("file", ""))
    line, column = error.get("line", 0), error.get("column", 0)
    if isinstance(line, int) and line > 0:
        where += f":{line}:{column}"
    prefix = f"{where}: " if where else ""
    return f"{prefix}{error.get('path') or '/'}: {error.get('message', '')} [{error.get('check', '')}]"
