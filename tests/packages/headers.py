"""The system headers a build read, by the Debian package they belong to: what shows whether the
sdist's and the npm tarball's builds take their dependencies from the sources they carry.

The compilers' dependency files name every header each source included: Ninja keeps them in its
log (`ninja -t deps`), CMake's Makefiles beside each object (`*.o.d`, Make syntax).

    python tests/packages/headers.py BUILD_FOLDER
"""
from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

# A build with only a compiler present reads the C library's, the kernel's and the compiler's
# own headers, and the language runtime's (Python's or Node's, where they are Debian's).
TOOLCHAIN_PREFIXES = ("libc6-dev", "linux-libc-dev", "libstdc++-", "libgcc-", "libpython3", "nodejs", "libnode-dev")


def headers_read(build: Path) -> set[Path]:
    headers: set[Path] = set()
    for ninja in build.rglob("build.ninja"):
        deps = subprocess.run(["ninja", "-C", str(ninja.parent), "-t", "deps"], capture_output=True, text=True,
                              check=True).stdout
        headers.update(Path(line.strip()) for line in deps.splitlines() if line.startswith("    "))
    for depfile in build.rglob("*.o.d"):
        text = depfile.read_text(errors="replace").replace("\\\n", " ")
        for rule in text.splitlines():
            _, _, prerequisites = rule.partition(": ")
            headers.update(Path(name) for name in prerequisites.split())
    return headers


def system_packages(build: Path) -> dict[str, list[str]]:
    """Each Debian package whose headers the build under `build` read, with those headers. A
    folder without dependency files is an error: it would pass for a build that read none."""
    headers = headers_read(build)
    if not headers:
        raise ValueError(f"{build}: no dependency files")
    system = sorted({str(h.resolve()) for h in headers if h.is_absolute() and h.resolve().is_relative_to("/usr")})
    owners: dict[str, list[str]] = defaultdict(list)
    if not system:
        return owners
    found = subprocess.run(["dpkg", "-S", *system], capture_output=True, text=True)  # unowned paths: exit 1
    for line in found.stdout.splitlines():
        packages, _, path = line.partition(": ")
        for package in packages.split(", "):
            owners[package.split(":")[0]].append(path)
    owned = {path for paths in owners.values() for path in paths}
    unowned = [path for path in system if path not in owned]
    if unowned:
        owners["(no package)"] = unowned
    return owners


def foreign(packages: dict[str, list[str]]) -> dict[str, list[str]]:
    """The packages beyond the toolchain: none for a build that needs only a compiler."""
    return {package: paths for package, paths in packages.items() if not package.startswith(TOOLCHAIN_PREFIXES)}


def main() -> int:
    build = Path(sys.argv[1])
    try:
        packages = system_packages(build)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    beyond = foreign(packages)
    for package, paths in sorted(beyond.items()):
        print(f"{build}: read {len(paths)} headers of {package}, e.g. {paths[0]}", file=sys.stderr)
    if not beyond:
        print(f"{build}: every header outside the sources is the toolchain's ({', '.join(sorted(packages))})")
    return 1 if beyond else 0


if __name__ == "__main__":
    sys.exit(main())
