"""The artifacts of scripts/package.sh, installed as a user installs them (issue 26).

Each goes into a fresh virtualenv or npm project in a temporary folder outside the checkout, with a
PATH that holds no compiler, no CMake and no SWIG:
- the wheel, with its `local` extra, and the npm tarball: each loads and validates examples/hello,
  synthesizes it to the native command's bytes, and deploys it to the emulator;
- the wheel's module and the Node module need nothing beyond glibc, and the wheel carries no
  libraries auditwheel grafted in;
- each install's `pareto --version` is the native command's (python/tests/test_version.py
  checks the version's other places);
- the npm tarball's fallback, where the prebuilt module does not load: its install script builds
  the module from the sources it carries with a compiler and CMake but no SWIG, reading no
  dependency's headers from the system (headers.py), and the module it builds synthesizes the
  same bytes;
- node/ of this checkout, once `npm ci` has built it there, installed into another project by its
  path (npm links it) synthesizes the same bytes.

    python tests/packages/check_packages.py --dist dist --native build/libpareto/src/cli/pareto
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from headers import foreign, system_packages

ROOT = Path(__file__).resolve().parents[2]
BUILD_TOOLS = ("cmake", "swig", "cc", "c++", "gcc", "g++", "clang", "make", "ninja")
# What installing and running needs: the runtimes, npm's shell, and ldd for the check below.
RUN_TOOLS = ("node", "npm", "npx", "sh", "bash", "env", "ldd", "uname")
GLIBC = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1"}


def run(argv: list[str], **kwargs) -> str:
    print("$", " ".join(str(a) for a in argv), flush=True)
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(str(a) for a in argv)}")
    return done.stdout


def check_needs_only_glibc(module: Path, env: dict[str, str]) -> None:
    libraries = run(["ldd", str(module)], env=env)
    needed = {line.split()[0] for line in libraries.splitlines() if "=>" in line}
    assert needed <= GLIBC, f"{module.name} needs {sorted(needed - GLIBC)}"


def bare_path(folder: Path) -> str:
    """A folder of links to RUN_TOOLS only: what a user without a toolchain has."""
    folder.mkdir()
    for tool in RUN_TOOLS:
        found = shutil.which(tool)
        if found:
            (folder / tool).symlink_to(found)
    path = str(folder)
    for tool in BUILD_TOOLS:
        assert shutil.which(tool, path=path) is None, f"{tool} is on the bare PATH"
    return path


def check_python(wheel: Path, work: Path, env: dict[str, str], expected: bytes, version: str) -> Path:
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    env = {**env, "PATH": f"{venv / 'bin'}:{env['PATH']}"}
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.startswith("pareto.libs/")], "auditwheel grafted libraries in"
    run([str(python), "-m", "pip", "install", "-q", f"{wheel}[local]"], env=env, cwd=work)
    site = Path(run([str(python), "-c", "import pareto, os; print(os.path.dirname(pareto.__file__))"],
                    env=env, cwd=work).strip())
    modules = list(site.glob("_pareto_native*.so"))
    assert len(modules) == 1, f"the wheel installed {modules}"
    check_needs_only_glibc(modules[0], env)
    script = """
import json, pathlib, sys, pareto
app = pareto.load_path(sys.argv[1])
assert app.valid, app.errors
assert pathlib.Path(pareto.__file__).is_relative_to(sys.argv[2]), pareto.__file__
sys.stdout.write(app.template_json())
"""
    template = run([str(python), "-c", script, str(work / "hello"), str(venv)], env=env, cwd=work)
    assert template.encode() == expected, "the wheel's template differs from the native command's"
    assert run([str(venv / "bin" / "pareto"), "--version"], env=env, cwd=work).split()[-1] == version
    deployed = run([str(venv / "bin" / "pareto"), "deploy", str(work / "hello"), "--stage", "wheel",
                    "--local", "-y"], env=env, cwd=work)
    print(deployed, end="")
    print(f"wheel: {wheel.name} installed, synthesized the native bytes and deployed", flush=True)
    return python


SYNTH_WITH_NODE = """
const pareto = require('pareto');
const app = pareto.App.load(process.argv[1]);
app.validate();
process.stdout.write(app.templateJson());
"""


def npm_project(work: Path, name: str, env: dict[str, str], package: Path,
                approve_scripts: bool = False) -> Path:
    """A fresh npm project `work/name` with `package` (a tarball or a folder) installed."""
    project = work / name
    project.mkdir()
    run(["npm", "init", "-y"], env=env, cwd=project)
    if approve_scripts:  # npm 11 runs a dependency's install script once approved
        manifest = project / "package.json"
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "allowScripts": {"pareto": True}}))
    run(["npm", "install", "--no-audit", "--no-fund", str(package)], env=env, cwd=project)
    return project


def check_node_synthesizes(project: Path, work: Path, env: dict[str, str], expected: bytes, what: str) -> None:
    template = run(["node", "-e", SYNTH_WITH_NODE, str(work / "hello")], env=env, cwd=project)
    assert template.encode() == expected, f"{what}'s template differs from the native command's"


def check_node_from_source(tarball: Path, work: Path, env: dict[str, str], expected: bytes) -> None:
    # The system's tools without SWIG (the Python tools' folder holds PyPI's).
    path = os.pathsep.join(folder for folder in os.environ["PATH"].split(os.pathsep)
                           if not shutil.which("swig", path=folder))
    assert shutil.which("cmake", path=path) and not shutil.which("swig", path=path)
    built = {**env, "PATH": path, "PARETO_BUILD_FROM_SOURCE": "1"}
    project = npm_project(work, "project-from-source", built, tarball, approve_scripts=True)
    package = project / "node_modules" / "pareto"
    module = package / "build" / "Release" / "_pareto.node"
    assert module.exists(), "npm's install script built no module"
    beyond = foreign(system_packages(package / "build"))
    assert not beyond, f"the build read the system's {sorted(beyond)}"
    check_node_synthesizes(project, work, env, expected, "the module built from the tarball's sources")
    print(f"npm: {tarball.name} built from its sources without SWIG and synthesized the native bytes", flush=True)


def check_node_from_checkout(work: Path, env: dict[str, str], expected: bytes, version: str) -> None:
    """`npm install /path/to/node` from another project, once `npm ci` in node/ has built the
    module there (the test command's node step): npm links the folder, whose install script finds
    the build current, and the project loads the module and the SDK from the folder."""
    linked = {**env, "PATH": os.environ["PATH"]}  # a checkout's build needs its toolchain
    project = npm_project(work, "project-from-checkout", linked, ROOT / "node")
    package = project / "node_modules" / "pareto"
    assert package.is_symlink() and package.resolve() == ROOT / "node", "npm did not link the folder"
    check_node_synthesizes(project, work, env, expected, "the linked checkout")
    assert run(["npx", "pareto", "--version"], env=env, cwd=project).split()[-1] == version
    print("npm: node/ of the checkout linked into a project, synthesized the native bytes", flush=True)


def check_node(tarball: Path, work: Path, env: dict[str, str], expected: bytes, version: str,
               python: Path) -> None:
    project = npm_project(work, "project", env, tarball)
    check_needs_only_glibc(project / "node_modules" / "pareto" / "prebuilds" / "linux-x64" / "_pareto.node", env)
    assert not (project / "node_modules" / "pareto" / "build").exists(), "npm built from source"
    check_node_synthesizes(project, work, env, expected, "the tarball")
    assert run(["npx", "pareto", "--version"], env=env, cwd=project).split()[-1] == version
    local = {**env, "PARETO_PYTHON": str(python)}  # --local starts moto's server from the wheel's venv
    deployed = run(["npx", "pareto", "deploy", str(work / "hello"), "--stage", "npm", "--local", "-y"],
                   env=local, cwd=project)
    print(deployed, end="")
    print(f"npm: {tarball.name} installed without a build, synthesized the native bytes and deployed",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--native", type=Path, default=ROOT / "build/libpareto/src/cli/pareto")
    args = parser.parse_args()
    version = run([str(args.native), "--version"]).split()[-1]
    wheel = next(args.dist.glob(f"pareto-{version}-*-manylinux_*.whl"))
    tarball = args.dist / f"pareto-{version}.tgz"
    print(run([str(Path(sys.executable).parent / "auditwheel"), "show", str(wheel)]), end="")

    with tempfile.TemporaryDirectory(prefix="pareto-packages-") as folder:
        work = Path(folder)
        shutil.copytree(ROOT / "examples" / "hello", work / "hello")
        expected = run([str(args.native), "synth", str(work / "hello")]).encode()
        env = {"HOME": str(work / "home"), "PATH": bare_path(work / "bin"), "CI": "true",
               "npm_config_cache": os.environ.get("npm_config_cache", str(Path.home() / ".npm")),
               "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))}
        python = check_python(wheel, work, env, expected, version)
        check_node(tarball, work, env, expected, version, python)
        check_node_from_source(tarball, work, env, expected)
        check_node_from_checkout(work, env, expected, version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
