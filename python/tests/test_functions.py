"""Real functions: dependencies installed from the real registries for Lambda's platform, shared
code, one archive per function rooted at its folder, the build cache, and hot swaps on moto."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import pareto
from pareto import host
from pareto.host import CommandError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "support"))
from dev_scenario import interruptible  # noqa: E402

# The local interpreter's version: what a function built for it can be run with here.
HERE = f"{sys.version_info.major}.{sys.version_info.minor}"

FETCH = '''\
import requests
import sibling
from lib import helpers


def handler(event, context):
    return {"requests": requests.__version__, "from": requests.__file__,
            "sibling": sibling.NAME, "double": helpers.double(21)}
'''

SHAPES = '''\
import pydantic
import pydantic_core


class User(pydantic.BaseModel):
    name: str
    age: int


def handler(event, context):
    return {"user": User(**event).model_dump(), "core": pydantic_core.__file__}
'''

GREET = '''\
const ms = require('ms');
const helpers = require('lib/helpers.js');
exports.handler = async () => ({ ms: ms('2h'), shared: helpers.shared, from: require.resolve('ms') });
'''

LOCK = {  # npm install --package-lock-only for {"ms": "2.1.3"}
    "name": "greet", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "greet", "version": "1.0.0", "dependencies": {"ms": "2.1.3"}},
        "node_modules/ms": {
            "version": "2.1.3",
            "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
            "integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==",
            "license": "MIT"}}}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_app(folder: Path) -> Path:
    """Three actions: Python on requests (with a sibling module and shared code), Python on
    pydantic (native pydantic-core), Node on ms (shared code too)."""
    write(folder / "pareto.yaml", "app: deps\nshared: [lib]\nactions:\n  - name: fetch\n"
                                  "  - name: shapes\n  - name: greet\n    runtime: nodejs\n")
    write(folder / "fetch" / "index.py", FETCH)
    write(folder / "fetch" / "sibling.py", 'NAME = "sibling"\n')
    write(folder / "fetch" / "requirements.txt", "requests==2.32.3\n")
    write(folder / "fetch" / "test_fetch.py",
          "import index\n\ndef test_it():\n    assert index.handler({}, None)['double'] == 42\n")
    write(folder / "shapes" / "index.py", SHAPES)
    write(folder / "shapes" / "requirements.txt", "pydantic==2.10.4\n")
    write(folder / "greet" / "index.js", GREET)
    write(folder / "greet" / "package.json", json.dumps(
        {"name": "greet", "version": "1.0.0", "private": True, "dependencies": {"ms": "2.1.3"}}))
    write(folder / "greet" / "package-lock.json", json.dumps(LOCK, indent=2))
    write(folder / "lib" / "__init__.py", "")
    write(folder / "lib" / "helpers.py", "def double(x):\n    return 2 * x\n")
    write(folder / "lib" / "helpers.js", "module.exports = { shared: true };\n")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The app packaged once for this interpreter's Python version (so its handlers run here)
    and once for Lambda's default, with every process the host started."""
    folder = make_app(tmp_path_factory.mktemp("deps") / "deps")
    runs: list[list[str]] = []
    started = host.Host.process

    def counted(step: dict[str, Any]) -> dict[str, Any]:
        runs.append(list(step["argv"]))
        return started(step)

    said: list[str] = []
    quiet = lambda stream, text: said.append(text)  # noqa: E731
    app = pareto.App.load(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(host.Host, "process", staticmethod(counted))
        here = folder / "here"
        host.command(app, ["package", str(folder), "-o", str(here), "--parameter",
                           f"RuntimeVersion={HERE}"], quiet)
        first = len(runs)
        host.command(app, ["package", str(folder), "-o", str(folder / "again"), "--parameter",
                           f"RuntimeVersion={HERE}"], quiet)
        second = len(runs) - first
        host.command(app, ["package", str(folder), "-o", str(folder / "lambda")], quiet)
    return {"folder": folder, "here": here, "lambda": folder / "lambda", "first": first,
            "second": second, "runs": runs, "said": "".join(said), "app": app}


def extract(archive: Path, into: Path) -> Path:
    shutil.rmtree(into, ignore_errors=True)
    with zipfile.ZipFile(archive) as z:
        z.extractall(into)
    return into


def run_python_handler(task: Path, event: dict[str, Any]) -> dict[str, Any]:
    """The handler as Lambda runs it: /var/task (here `task`) first on sys.path, no site-packages
    of this machine (-S -I), Lambda's variables."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import index; "
            "print(json.dumps(index.handler(json.loads(sys.argv[2]), None)))")
    env = {"LAMBDA_TASK_ROOT": str(task), "AWS_LAMBDA_FUNCTION_NAME": "f", "PATH": os.environ["PATH"]}
    done = subprocess.run([sys.base_prefix + "/bin/python3", "-I", "-S", "-c", code, str(task),
                           json.dumps(event)], cwd=task, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_python_action_ships_requests_its_sibling_and_the_shared_code(built, tmp_path: Path) -> None:
    task = extract(built["here"] / "actions" / "fetch.zip", tmp_path / "task")
    assert (task / "index.py").is_file() and (task / "lib" / "helpers.py").is_file()
    assert not (task / "bin").exists() and not (task / "test_fetch.py").exists()
    result = run_python_handler(task, {})
    assert result["requests"] == "2.32.3"
    assert result["from"].startswith(str(task))  # from the archive, not from this machine
    assert result["sibling"] == "sibling" and result["double"] == 42


def test_a_native_package_lands_as_the_wheel_for_lambdas_platform(built, tmp_path: Path) -> None:
    def wheel_tags(archive: Path) -> list[str]:
        with zipfile.ZipFile(archive) as z:
            [wheel] = [n for n in z.namelist() if n.startswith("pydantic_core-") and n.endswith("/WHEEL")]
            return [line.split(": ", 1)[1] for line in z.read(wheel).decode().splitlines()
                    if line.startswith("Tag: ")]

    cp = "cp" + HERE.replace(".", "")
    assert all(tag.startswith(f"{cp}-{cp}-manylinux") and tag.endswith("_x86_64")
               for tag in wheel_tags(built["here"] / "actions" / "shapes.zip"))
    assert all(tag.startswith("cp312-cp312-manylinux") and tag.endswith("_x86_64")
               for tag in wheel_tags(built["lambda"] / "actions" / "shapes.zip"))
    task = extract(built["here"] / "actions" / "shapes.zip", tmp_path / "task")
    result = run_python_handler(task, {"name": "Ada", "age": "36"})
    assert result["user"] == {"name": "Ada", "age": 36}
    assert result["core"].startswith(str(task))


def test_a_node_action_ships_its_locked_packages_and_the_shared_code(built, tmp_path: Path) -> None:
    task = extract(built["here"] / "actions" / "greet.zip", tmp_path / "task")
    assert (task / "node_modules" / "ms" / "package.json").is_file()
    # Lambda's NODE_PATH ends with /var/task: shared folders resolve by their name.
    script = "require(process.argv[1] + '/index.js').handler().then(r => console.log(JSON.stringify(r)))"
    done = subprocess.run(["node", "-e", script, str(task)], cwd=task, capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "NODE_PATH": f"/opt/nodejs/node_modules:{task}"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ms"] == 7_200_000 and result["shared"] is True
    assert result["from"].startswith(str(task))


def test_a_second_package_with_unchanged_manifests_starts_no_installer(built) -> None:
    assert built["first"] >= 2  # pip twice (pip's version is known without starting it), npm
    assert any("install" in argv for argv in built["runs"])
    assert built["second"] == 0
    for name in ("fetch", "shapes", "greet"):  # the same bytes every run
        assert ((built["folder"] / "again" / "actions" / f"{name}.zip").read_bytes() ==
                (built["here"] / "actions" / f"{name}.zip").read_bytes())
    assert "installing the dependencies of fetch (fetch/requirements.txt) with pip" in built["said"]


def test_editing_one_handler_changes_only_its_key(built, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(built["folder"], tmp_path / "deps", ignore=shutil.ignore_patterns(".pareto")))

    def keys() -> dict[str, Any]:
        template = pareto.App.load(folder).synth()
        return {rid: r["Properties"]["Code"]["S3Key"] for rid, r in template["Resources"].items()
                if r["Type"] == "AWS::Lambda::Function"}

    before = keys()
    with open(folder / "shapes" / "index.py", "a") as source:
        source.write("# edited\n")
    after = keys()
    assert [rid for rid in before if before[rid] != after[rid]] == ["ShapesFunction"]
    assert after["ShapesFunction"] == {"Fn::Sub": pareto.App.load(folder).functions[1]["key"]["Fn::Sub"]}
    assert "${RuntimeVersion}" in after["ShapesFunction"]["Fn::Sub"]  # built for that version


def test_a_package_without_a_wheel_for_lambda_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path / "pareto.yaml", "app: old\nactions: [{name: crypto}]\n")
    write(tmp_path / "crypto" / "index.py", "def handler(event, context):\n    return {}\n")
    write(tmp_path / "crypto" / "requirements.txt", "pycrypto==2.6.1  # an sdist only\n")
    with pytest.raises(CommandError) as raised:
        host.command(pareto.App.load(tmp_path), ["package", str(tmp_path), "-o", str(tmp_path / "out")],
                     lambda stream, text: None)
    message = str(raised.value)
    assert 'action "crypto": pycrypto==2.6.1' in message
    assert "no wheel for Lambda's platform (python3.12, x86_64" in message
    assert "builder" in message and "layer" in message
    assert not (tmp_path / "out").exists()  # nothing written
    assert not list((tmp_path / ".pareto" / "build").glob("*.partial"))


def test_pareto_test_imports_siblings_and_shared_code_as_lambda_does(built) -> None:
    said: list[str] = []
    host.command(built["app"], ["test", str(built["folder"])], lambda stream, text: said.append(text))
    assert "fetch: 1 test file(s) passed" in "".join(said)


def test_hot_swap_updates_code_alone_without_a_change_set(tmp_path: Path, aws, moto_url: str) -> None:
    write(tmp_path / "pareto.yaml", "app: swap\nactions: [{name: hello}, {name: other}]\n")
    write(tmp_path / "hello" / "index.py", "def handler(event, context):\n    return 1\n")
    write(tmp_path / "other" / "index.py", "def handler(event, context):\n    return 2\n")
    said: list[str] = []
    target = {"endpoint_url": moto_url, "stage": "hot", "write": lambda stream, text: said.append(text)}
    pareto.App.load(tmp_path).deploy(**target)
    lam = aws("lambda")
    before = {name: lam.get_function(FunctionName=f"swap-hot-{name}")["Configuration"]["CodeSha256"]
              for name in ("hello", "other")}
    change_sets = len(aws("cloudformation").list_change_sets(StackName="swap-hot")["Summaries"])

    write(tmp_path / "hello" / "index.py", "def handler(event, context):\n    return 3\n")
    said.clear()
    pareto.App.load(tmp_path).deploy(hotswap=True, **target)
    after = {name: lam.get_function(FunctionName=f"swap-hot-{name}")["Configuration"]["CodeSha256"]
             for name in ("hello", "other")}
    assert after["hello"] != before["hello"] and after["other"] == before["other"]
    assert "hot swap: updated the code of swap-hot-hello\n" in said
    assert not any(text.startswith("changes\n") for text in said)
    assert len(aws("cloudformation").list_change_sets(StackName="swap-hot")["Summaries"]) == change_sets

    write(tmp_path / "pareto.yaml",
          "app: swap\nactions: [{name: hello, env: {MODE: fast}}, {name: other}]\n")
    said.clear()
    pareto.App.load(tmp_path).deploy(hotswap=True, **target)
    assert "hot swap: HelloFunction changes, not only code: deploying with a change set\n" in said
    assert any(text.startswith("changes\n") for text in said)
    configuration = lam.get_function(FunctionName="swap-hot-hello")["Configuration"]
    assert configuration["Environment"]["Variables"]["MODE"] == "fast"


def test_watch_deploys_then_hot_swaps_each_saved_change(tmp_path: Path, aws, moto_url: str) -> None:
    write(tmp_path / "pareto.yaml", "app: watch\nactions: [{name: hello}]\n")
    write(tmp_path / "hello" / "index.py", "def handler(event, context):\n    return 1\n")
    watching = subprocess.Popen(
        [sys.executable, "-m", "pareto", "watch", str(tmp_path), "--stage", "w", "--endpoint-url",
         moto_url], stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=interruptible)
    assert watching.stderr is not None

    def said_until(text: str) -> list[str]:
        lines = []
        for line in watching.stderr:  # the test's timeout bounds this
            lines.append(line)
            if line.startswith(text):
                return lines
        raise AssertionError("".join(lines))

    try:
        first = said_until("watching ")
        assert any(line.startswith("watch-w: CREATE_COMPLETE") for line in first), "".join(first)
        before = aws("lambda").get_function(FunctionName="watch-w-hello")["Configuration"]["CodeSha256"]
        write(tmp_path / "hello" / "index.py", "def handler(event, context):\n    return 2\n")
        swapped = said_until("watching ")
        assert "hot swap: updated the code of watch-w-hello\n" in swapped, "".join(swapped)
        after = aws("lambda").get_function(FunctionName="watch-w-hello")["Configuration"]["CodeSha256"]
        assert after != before
        write(tmp_path / "pareto.yaml", "app: watch\nactions: [{name: hello, bogus: 1}]\n")
        broken = said_until("watching ")  # a typo is said, and watched past
        assert any("/actions/0/bogus" in line for line in broken), "".join(broken)
    finally:
        watching.send_signal(signal.SIGINT)
        assert watching.wait(timeout=30) == 130


def test_functions_with_dependencies_deploy_each_with_its_own_archive(built, aws, moto_url: str) -> None:
    said: list[str] = []
    pareto.App.load(built["folder"]).deploy("deps", endpoint_url=moto_url,
                                            write=lambda stream, text: said.append(text))
    assert not any(text.startswith("installing ") for text in said)  # from the build cache
    for name in ("fetch", "shapes", "greet"):
        code = (built["lambda"] / "actions" / f"{name}.zip").read_bytes()
        configuration = aws("lambda").get_function(FunctionName=f"deps-deps-{name}")["Configuration"]
        assert configuration["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
        assert configuration["Handler"] == "index.handler"
    uploads = [text for text in said if text.startswith("uploaded s3://")]
    assert sum("-python3.12-x86_64.zip" in text for text in uploads) == 2  # the key names 3.12


def test_an_arm64_function_gets_the_arm64_wheels(tmp_path: Path) -> None:
    write(tmp_path / "pareto.yaml", "app: graviton\nactions:\n  - {name: shapes, runtime: python3.13, "
                                    "architecture: arm64}\n")
    write(tmp_path / "shapes" / "index.py", SHAPES)
    write(tmp_path / "shapes" / "requirements.txt", "pydantic==2.10.4\n")
    said: list[str] = []
    app = pareto.App.load(tmp_path)
    host.command(app, ["package", str(tmp_path), "-o", str(tmp_path / "out")],
                 lambda stream, text: said.append(text))
    assert any("for python3.13, arm64" in text for text in said), said
    with zipfile.ZipFile(tmp_path / "out" / "actions" / "shapes.zip") as z:
        [wheel] = [n for n in z.namelist() if n.startswith("pydantic_core-") and n.endswith("/WHEEL")]
        tags = [line.split(": ", 1)[1] for line in z.read(wheel).decode().splitlines()
                if line.startswith("Tag: ")]
    assert tags and all(t.startswith("cp313-cp313-manylinux") and t.endswith("_aarch64") for t in tags)
    assert app.functions[0]["key"].endswith("-python3.13-arm64.zip")  # the version is the action's
