# The SWIG-generated layer over pareto.h (bindings/pareto.i); private to the package.
from typing import Callable, Optional

OK: int
ERROR: int
EINVALID: int
ENOMEM: int
EARG: int
EIO: int

class Kinds:
    def errors(self) -> str: ...
    def add(self, definition: str, render: Callable[[str], tuple[bool, str]]) -> int: ...

def new_kinds() -> list[object]: ...  # [status, Kinds or None]

class App:
    def errors(self) -> str: ...
    def name(self) -> str: ...
    def kind_modules(self) -> list[object]: ...  # [status, JSON array or None]
    def synth(self) -> list[object]: ...  # [status, template JSON or None]
    def nested_stacks(self) -> list[object]: ...  # [status, JSON array or None]
    def budget(self, format: str) -> list[object]: ...  # [status, JSON or text, or None]
    def functions(self) -> list[object]: ...  # [status, functions JSON or None]
    def graph(self, format: str) -> list[object]: ...  # [status, diagram text or None]
    def package(self, name: str, dependencies: str) -> list[object]: ...  # [status, zip bytes or None]
    def rules(self, stage: str) -> list[object]: ...  # [status, rules JSON or None]

class Rules:
    def errors(self) -> str: ...
    def match(self, event_json: str) -> list[object]: ...  # [status, names JSON or None]

def compile_rules(rules_json: str) -> list[object]: ...  # [status, Rules or None]

class Flow:
    def next(self, answer_json: str) -> list[object]: ...  # [status, step JSON or None]
    def blob(self) -> list[object]: ...  # [status, bytes or None]
    def lend(self, app: App) -> int: ...

def start_flow(request_json: str) -> list[object]: ...  # [status, Flow or None]

def load(text: str, source_name: Optional[str], base_dir: Optional[str],
         kinds: Optional[Kinds]) -> list[object]: ...
def load_path(path: str, kinds: Optional[Kinds]) -> list[object]: ...
def strerror(status: int) -> str: ...
def version() -> str: ...
def version_number() -> int: ...
def config_schema() -> str: ...
