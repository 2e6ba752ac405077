"""Each function's archive is deterministic, rooted at its folder, and holds exactly its sources."""
from __future__ import annotations

import hashlib
import os
import zipfile
from io import BytesIO
from pathlib import Path

import pareto


def entries(data: bytes) -> dict[str, zipfile.ZipInfo]:
    return {info.filename: info for info in zipfile.ZipFile(BytesIO(data)).infolist()}


def archive(app_dir: Path, name: str = "hello-get") -> bytes:
    return pareto.App.load(app_dir).package(name)


def test_the_same_sources_give_the_same_bytes(example_app: Path) -> None:
    first = archive(example_app)
    for path in example_app.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))  # other timestamps, same content
    second = archive(example_app)
    assert first == second
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_entries_are_sorted_with_fixed_time_and_permissions(example_app: Path) -> None:
    (example_app / "worker" / "run.sh").write_text("#!/bin/sh\n")
    (example_app / "worker" / "run.sh").chmod(0o775)
    infos = entries(archive(example_app, "worker"))
    assert list(infos) == sorted(infos)
    assert {info.date_time for info in infos.values()} == {(1980, 1, 1, 0, 0, 0)}
    modes = {name: info.external_attr >> 16 & 0o777 for name, info in infos.items()}
    assert modes["run.sh"] == 0o755 and modes["index.py"] == 0o644


def test_tests_caches_and_hidden_files_are_left_out(example_app: Path) -> None:
    handler = example_app / "hello" / "get"
    for name in ["tests/test_get.py", "__pycache__/index.cpython-311.pyc", ".env", "test_x.py",
                 "index.test.js", "helper.pyc", "lib/util.py"]:
        (handler / name).parent.mkdir(parents=True, exist_ok=True)
        (handler / name).write_text("x = 1\n")
    names = set(entries(archive(example_app)))
    assert names == {"index.py", "lib/util.py"}  # the handler's folder is the archive's root


def test_a_source_change_changes_that_functions_archive_only(example_app: Path) -> None:
    before = {name: archive(example_app, name) for name in ("worker", "hello-get")}
    with open(example_app / "worker" / "index.py", "a") as source:
        source.write("# changed\n")
    assert archive(example_app, "worker") != before["worker"]
    assert archive(example_app, "hello-get") == before["hello-get"]
