"""The code archive: one deterministic zip of every handler folder, named by its content hash.

The same sources give the same bytes on every run and machine: entries sorted by path, the
timestamp fixed at 1980-01-01 00:00, permissions 0644 (0755 for executables), Unix attributes,
and tests, caches and hidden files left out. Paths inside are relative to the app's folder, as
the template's handlers (`hello/get/index.handler`) expect.
"""
from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ._app import App

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
SKIPPED_FOLDERS = frozenset({"tests", "test", "__tests__", "__pycache__", ".venv", "venv"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class Archive:
    data: bytes
    sha256: str

    def key(self, app_name: str) -> str:
        """Where the archive lives in the artifacts bucket: unchanged code, unchanged key."""
        return f"pareto/{app_name}/{self.sha256}.zip"


def is_test_file(name: str) -> bool:
    return name.startswith("test_") or any(t in name for t in (".test.", ".spec.", "_test."))


def included(name: str) -> bool:
    return not (name.startswith(".") or is_test_file(name) or name.endswith(SKIPPED_SUFFIXES))


def source_files(base_dir: Path, folder: str) -> list[Path]:
    """The files of one handler folder to ship, relative to base_dir."""
    found = []
    for root, dirs, files in os.walk(base_dir / folder):
        dirs[:] = [d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith(".")]
        found += [Path(root, f).relative_to(base_dir) for f in files if included(f)]
    return found


def zip_files(base_dir: Path, files: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in sorted(set(files), key=lambda p: p.as_posix()):
            source = base_dir / relative
            if not source.is_file():
                continue
            executable = os.stat(source).st_mode & stat.S_IXUSR
            entry = zipfile.ZipInfo(relative.as_posix(), date_time=FIXED_TIMESTAMP)
            entry.create_system = 3  # Unix, so that the permissions below are read
            entry.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, source.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def build_archive(app: App) -> Archive:
    """Zips the handler folders of a valid app loaded from a path."""
    app.validate()
    if app.base_dir is None:
        raise ValueError("the app was not loaded from a folder: there are no sources to package")
    files = [f for function in app.functions for f in source_files(app.base_dir, function["path"])]
    data = zip_files(app.base_dir, files)
    return Archive(data, hashlib.sha256(data).hexdigest())
