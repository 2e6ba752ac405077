"""Custom component kinds from Python: a kind is a definition (key, the JSON Schema of an entry,
the fields naming other components) and a renderer from an entry's request to its resources,
outputs and grants (README "Custom components").

Either decorate a function::

    @pareto.kind(key="streams", schema={...}, references={"writers": "actions"})
    def render(request: dict) -> dict: ...

or subclass Kind::

    class Streams(pareto.Kind):
        key = "streams"
        schema = {...}
        def render(self, request: dict) -> dict: ...

A module holding kinds is named under "kinds" in pareto.yaml (or given to App.load(kinds=...) or
the command line's --kinds); pareto imports it and registers every Kind in it. Nothing is
registered globally: each load gets its own native set of kinds.
"""
from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Union

from . import _pareto
from ._errors import ParetoError, ValidationError

PathLike = Union[str, "os.PathLike[str]"]
Render = Callable[[dict], Mapping[str, Any]]


class Kind:
    """A custom component kind. Subclasses set the class attributes and define render()."""

    key: str = ""
    schema: Mapping[str, Any] = {}
    noun: Optional[str] = None
    suffix: Optional[str] = None
    references: Mapping[str, str] = {}
    variable: bool = False
    name_limit: Optional[int] = None

    def __init__(self, key: Optional[str] = None, *, schema: Optional[Mapping[str, Any]] = None,
                 noun: Optional[str] = None, suffix: Optional[str] = None,
                 references: Optional[Mapping[str, str]] = None, variable: Optional[bool] = None,
                 name_limit: Optional[int] = None, render: Optional[Render] = None) -> None:
        for name, value in (("key", key), ("schema", schema), ("noun", noun), ("suffix", suffix),
                            ("references", references), ("variable", variable),
                            ("name_limit", name_limit)):
            if value is not None:
                setattr(self, name, value)
        if render is not None:
            self._render = render

    def render(self, request: dict) -> Mapping[str, Any]:
        """The entry's request in; {"resources", "outputs", "grants", "errors"} out."""
        render = getattr(self, "_render", None)
        if render is None:
            raise TypeError(f"kind {self.key!r} has no renderer: give render= or define render()")
        return render(request)

    def definition(self) -> dict[str, Any]:
        """The definition the core reads (pareto.h, pareto_kinds_add)."""
        out: dict[str, Any] = {"key": self.key, "schema": dict(self.schema)}
        for name in ("noun", "suffix", "name_limit"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.references:
            out["references"] = dict(self.references)
        if self.variable:
            out["variable"] = True
        return out

    def _native_render(self, request: str) -> tuple[bool, str]:
        # Never raises into the core: a failure is the reason, with where it was raised.
        try:
            return True, json.dumps(self.render(json.loads(request)), allow_nan=False)
        except Exception as error:  # noqa: BLE001 - any renderer bug becomes an app error
            frames = traceback.extract_tb(error.__traceback__)
            where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
            return False, f"{type(error).__name__}: {error}{where}"

    def __repr__(self) -> str:
        return f"<pareto.Kind {self.key}>"


def kind(key: Optional[str] = None, **definition: Any) -> Callable[[Render], Kind]:
    """Decorator: the function becomes the renderer of the kind the arguments define."""
    def wrap(render: Render) -> Kind:
        return Kind(key, render=render, **definition)
    return wrap


class KindError(ParetoError, ValueError):
    """A kind's definition is wrong, or a module of kinds cannot be loaded; `errors` says where."""

    def __init__(self, message: str, errors: Optional[list[dict[str, Any]]] = None) -> None:
        super().__init__(_pareto.EINVALID, message)
        self.errors = errors or []


def kinds_in_module(path: PathLike) -> list[Kind]:
    """Imports a module file and returns every Kind in it: instances, and Kind subclasses it
    defines (instantiated). Each call imports it afresh."""
    path = Path(path)
    name = "pareto_kinds_" + hashlib.sha1(os.fsencode(path.resolve())).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise KindError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as an import would: dataclasses and pickling look it up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    found: list[Kind] = []
    for value in vars(module).values():
        if isinstance(value, Kind):
            found.append(value)
        elif (inspect.isclass(value) and issubclass(value, Kind) and value is not Kind
              and value.__module__ == name):
            found.append(value())
    return found


def native_kinds(kinds: Iterable[Kind]) -> Any:
    """The core's set of these kinds, for one load; KindError naming the first wrong one."""
    status, native = _pareto.new_kinds()
    if status < 0:
        raise ParetoError(status, _pareto.strerror(status))
    for each in kinds:
        if not isinstance(each, Kind):
            raise TypeError(f"expected a pareto.Kind, not {type(each).__name__}")
        text = json.dumps(each.definition(), allow_nan=False)
        status = native.add(text, each._native_render)
        if status == _pareto.EINVALID:
            errors = json.loads(native.errors())
            lines = [f"{e['path'] or '/'}: {e['message']} [{e['check']}]" for e in errors]
            raise KindError(f"kind {each.key!r}: " + "; ".join(lines), errors)
        if status < 0:
            raise ParetoError(status, _pareto.strerror(status))
    return native


def module_file(base: Path, module: str) -> Path:
    """A module pareto.yaml names ("kinds/stream") as the Python file it is."""
    return base / (module if module.endswith(".py") else module + ".py")


def modules_error(source: str, index: int, message: str, check: str) -> ValidationError:
    return ValidationError(_pareto.EINVALID, [{"file": source, "path": f"/kinds/{index}", "line": 0,
                                               "column": 0, "message": message, "check": check}])


def load_with_kinds(load: Callable[[Any], tuple[int, Any]], given: Iterable[Kind],
                    base: Optional[Path], source: str) -> tuple[int, Any]:
    """Loads through `load(native kinds or None)` with the given kinds, and again with the kinds
    of the modules the app names under "kinds" once it says which they are."""
    given = list(given)
    status, native = load(native_kinds(given) if given else None)
    if native is None:
        return status, native
    _, text = native.kind_modules()
    modules = json.loads(text or "[]")
    if not modules:
        return status, native
    if base is None:
        raise modules_error(source, 0, "kind modules are found beside the app: load it from its "
                            "path, or give base_dir", "E1005")
    found = list(given)
    for index, module in enumerate(modules):
        file = module_file(base, module)
        if not file.is_file():
            raise modules_error(source, index, f"no Python module {file.relative_to(base)} beside "
                                "the app", "E1005")
        try:
            kinds = kinds_in_module(file)
        except Exception as error:  # noqa: BLE001 - the module's own bug, reported where it is
            frames = traceback.extract_tb(error.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else f"{file}: "
            raise modules_error(source, index, f"{where}{type(error).__name__}: {error}",
                                "E3012") from None
        if not kinds:
            raise modules_error(source, index, f"{file.relative_to(base)} defines no pareto.Kind "
                                "(a @pareto.kind function or a Kind subclass)", "E3012")
        found += kinds
    return load(native_kinds(found))
