"""App: a loaded pareto.yaml, over the core's C API (through the generated pareto._pareto)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

from . import _pareto
from ._errors import ParetoError, ValidationError
from .kinds import Kind, load_with_kinds

PathLike = Union[str, "os.PathLike[str]"]


def _check(status: int) -> None:
    if status < 0:
        raise ParetoError(status, _pareto.strerror(status))


class App:
    """A loaded app description: its errors, or its CloudFormation template.

    Immutable. Build one with App.load(path), App.from_text(text) or App.from_dict(config).
    """

    def __init__(self, native: _pareto.App, base_dir: Optional[Path]) -> None:
        self._native = native
        self.base_dir = base_dir
        """The folder that holds the handler sources (None: sources were not read)."""

    @classmethod
    def load(cls, path: PathLike, *, kinds: Iterable[Kind] = (), stage: Optional[str] = None) -> App:
        """Loads a pareto.yaml (.yml, .json), or the folder holding one, with the custom kinds
        given and those of the modules its "kinds" key names, as `stage` sets it (None: the
        app's own settings)."""
        path = Path(path)
        base = path if path.is_dir() else path.parent
        stage = _stage(stage)
        status, native = load_with_kinds(
            lambda native_kinds: _pareto.load_path(os.fsdecode(path), native_kinds, stage),
            kinds, base, os.fsdecode(path))
        if status == _pareto.EIO:
            raise FileNotFoundError(f"{path}: no such file, or no pareto.yaml in that folder")
        if status != _pareto.EINVALID:
            _check(status)
        return cls(native, base)

    @classmethod
    def from_text(
        cls, text: str, *, source_name: str = "<input>", base_dir: Optional[PathLike] = None,
        kinds: Iterable[Kind] = (), stage: Optional[str] = None,
    ) -> App:
        """Loads YAML 1.2 or JSON text; handler sources and kind modules are read from base_dir
        when given; `stage` chooses whose settings apply (None: the app's own)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        text.encode("utf-8")  # lone surrogates raise UnicodeEncodeError here, a ValueError
        stage = _stage(stage)
        directory = None if base_dir is None else Path(base_dir)
        status, native = load_with_kinds(
            lambda native_kinds: _pareto.load(
                text, source_name, None if directory is None else os.fsdecode(directory),
                native_kinds, stage),
            kinds, directory, source_name)
        if status != _pareto.EINVALID:
            _check(status)
        return cls(native, directory)

    @classmethod
    def from_dict(
        cls,
        config: Mapping[str, Any],
        *,
        source_name: str = "<dict>",
        base_dir: Optional[PathLike] = None,
        kinds: Iterable[Kind] = (),
        stage: Optional[str] = None,
    ) -> App:
        """Loads an app description given as the dict its YAML would parse to."""
        if not isinstance(config, Mapping):
            raise TypeError(f"config must be a mapping, not {type(config).__name__}")
        text = json.dumps(config, allow_nan=False, ensure_ascii=False)
        return cls.from_text(text, source_name=source_name, base_dir=base_dir, kinds=kinds,
                             stage=stage)

    @property
    def name(self) -> str:
        """The app's name (its `app` key); "" when the description has none."""
        return self._native.name()

    @property
    def stage(self) -> Optional[str]:
        """The stage whose settings it was loaded with (None: the app's own); the commands'
        default stage when set, "dev" otherwise."""
        return self._native.stage() or None

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Every error: {"file", "path", "line", "column", "message", "check"}; [] when valid."""
        return json.loads(self._native.errors())

    @property
    def valid(self) -> bool:
        return not self.errors

    def validate(self) -> None:
        """Raises ValidationError carrying every error, unless the description is valid."""
        errors = self.errors
        if errors:
            raise ValidationError(_pareto.EINVALID, errors)

    def template_json(self) -> str:
        """The template exactly as the core wrote it: write these bytes, never a re-dump."""
        self.validate()
        status, text = self._native.synth()
        _check(status)
        return text

    def synth(self) -> dict[str, Any]:
        """The CloudFormation template as a dict."""
        return json.loads(self.template_json())

    def budget(self, format: str = "json") -> Any:
        """The quotas the app uses, least headroom first: as [{"quota", "subject", "used",
        "limit", "headroom", "entry"}] ("json"), or as an aligned table ("text")."""
        if format not in ("json", "text"):
            raise ValueError(f"budget format must be json or text, not {format!r}")
        self.validate()
        status, text = self._native.budget(format)
        _check(status)
        return json.loads(text) if format == "json" else text

    def nested_stacks(self) -> list[dict[str, str]]:
        """The nested stacks of an app past one stack's quotas, [] when it fits one:
        {"name": its logical id in the parent, "key": where a deploy uploads it in the
        artifacts bucket, "template": its text, to write byte for byte}."""
        self.validate()
        status, text = self._native.nested_stacks()
        _check(status)
        return json.loads(text)

    @property
    def functions(self) -> list[dict[str, Any]]:
        """The app's archives, one per action {"action", "path", "runtime", "handler", "shared",
        "key", "digest", "dependencies"}, then one per builder (see pareto.h)."""
        status, text = self._native.functions()
        _check(status)
        return json.loads(text)

    def package(self, name: str, dependencies: Optional[Union[str, os.PathLike[str]]] = None) -> bytes:
        """The archive (zip bytes) of the action or builder `name` of an app loaded from a folder,
        as the core writes it, with the dependencies installed in `dependencies` (default: the
        build cache's, as ``pareto package`` leaves it)."""
        self.validate()
        if self.base_dir is None:
            raise TypeError("the app was not loaded from a folder: there are no sources to package")
        status, data = self._native.package(name, os.fspath(dependencies or ""))
        if status == _pareto.EARG:
            raise KeyError(f"{self.name} has no action or builder {name!r}")
        if status == _pareto.EIO:
            raise OSError(f"{self.name}: {name}: a source file could not be read, or its "
                          "dependencies are not built (pareto package builds them)")
        _check(status)
        return data

    def graph(self, format: str = "mermaid") -> str:
        """The app's diagram as Mermaid ("mermaid") or Graphviz ("dot") text."""
        if format not in ("mermaid", "dot"):
            raise ValueError(f"graph format must be mermaid or dot, not {format!r}")
        self.validate()
        status, text = self._native.graph(format)
        _check(status)
        return text

    def rules(self, stage: Optional[str] = None) -> dict[str, Any]:
        """The app's event rules as deployed to `stage`: {"rules": {id: pattern}, "skipped":
        {id: why}}; pass ["rules"] to pareto.Rules to see which fire for an event."""
        self.validate()
        status, text = self._native.rules(self._stage_or(stage))
        _check(status)
        return json.loads(text)

    def _stage_or(self, stage: Optional[str]) -> str:
        return stage or self.stage or "dev"

    # --- the commands that reach AWS, through the core's engine (pareto.host) ---------------

    def deploy(self, stage: Optional[str] = None, **target: Any) -> dict[str, str]:
        """Deploys the stack <app>-<stage> and returns its outputs. Keywords: region, profile,
        endpoint_url, local (moto's server, started for the call), parameters (a dict),
        allow_replace, allow_delete (a table, bucket, queue, user pool or secret may leave the
        stack, retained ones staying in the account; time to live or a lifecycle expiry may be
        turned on for what is deployed), hotswap (only functions' code changed: update
        it directly, without a change set), write ((stream, text) -> None: the progress;
        default stderr). A deploy that would remove or replace what holds data without the flag
        raises CommandError, the stack unchanged."""
        return self._command("deploy", stage, ["--yes"], **target)

    def diff(self, stage: Optional[str] = None, **target: Any) -> dict[str, Any]:
        """What a deploy would change, changing nothing: {"changes": [{"logical_id", "type",
        "action", "replacement"}], "widened": ["LogicalId: statement"], "overridden": [the
        logical ids the app's overrides patch]}."""
        return self._command("diff", stage, [], **target)

    def outputs(self, stage: Optional[str] = None, **target: Any) -> dict[str, str]:
        """The deployed stack's outputs."""
        return self._command("outputs", stage, [], **target)

    def destroy(self, stage: Optional[str] = None, **target: Any) -> dict[str, Any]:
        """Deletes the stack; its retained tables, buckets, user pools and secrets stay, with
        their data, unless delete_data=True. Returns {"kept": [{"logical_id", "type",
        "physical_id"}], "deleted": [physical ids]}."""
        return self._command("destroy", stage, ["--yes"], **target)

    def _command(self, command: str, stage: Optional[str], flags: list[str], *,
                 region: Optional[str] = None, profile: Optional[str] = None,
                 endpoint_url: Optional[str] = None, local: bool = False,
                 parameters: Optional[Mapping[str, str]] = None, allow_replace: bool = False,
                 allow_delete: bool = False, delete_data: bool = False, hotswap: bool = False,
                 write: Optional[Any] = None) -> Any:
        from .host import command as run  # the host imports App
        argv = [command, os.fsdecode(self.base_dir or "."), "--stage", self._stage_or(stage),
                *flags]
        argv += ["--region", region] if region else []
        argv += ["--profile", profile] if profile else []
        argv += ["--endpoint-url", endpoint_url] if endpoint_url else []
        argv += ["--local"] if local else []
        argv += ["--allow-replace"] if allow_replace else []
        argv += ["--allow-delete"] if allow_delete else []
        argv += ["--delete-data"] if delete_data else []
        argv += ["--hotswap"] if hotswap else []
        for key, value in (parameters or {}).items():
            argv += ["--parameter", f"{key}={value}"]
        return run(self, argv, write)

    def __repr__(self) -> str:
        state = "valid" if self.valid else f"{len(self.errors)} errors"
        return f"<pareto.App {self.name or '?'}: {state}>"


def load(
    text_or_dict: Union[str, Mapping[str, Any]],
    *,
    source_name: Optional[str] = None,
    base_dir: Optional[PathLike] = None,
    kinds: Iterable[Kind] = (),
    stage: Optional[str] = None,
) -> App:
    """Loads an app description given as YAML/JSON text or as a dict."""
    if isinstance(text_or_dict, str):
        return App.from_text(text_or_dict, source_name=source_name or "<input>",
                             base_dir=base_dir, kinds=kinds, stage=stage)
    return App.from_dict(text_or_dict, source_name=source_name or "<dict>", base_dir=base_dir,
                         kinds=kinds, stage=stage)


load_path = App.load


def _stage(stage: Optional[str]) -> Optional[str]:
    if stage is not None and not isinstance(stage, str):
        raise TypeError(f"stage must be a str or None, not {type(stage).__name__}")
    return stage
