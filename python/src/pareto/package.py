"""The code archive: one deterministic zip of the app's code folders, named by its content hash.

The core writes it (pareto_app_package), so Python and Node upload the same bytes for the same
sources: entries sorted by path, the timestamp fixed at 1980-01-01 00:00, permissions 0644
(0755 for executables), and tests, caches and hidden files left out. Paths inside are relative
to the app's folder, as the template's handlers (`hello/get/index.handler`) expect.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ._app import App


@dataclass(frozen=True)
class Archive:
    data: bytes
    sha256: str

    def key(self, app_name: str) -> str:
        """Where the archive lives in the artifacts bucket: unchanged code, unchanged key."""
        return f"pareto/{app_name}/{self.sha256}.zip"


def build_archive(app: App) -> Archive:
    """Zips the code folders of a valid app loaded from a path."""
    app.validate()
    if app.base_dir is None:
        raise ValueError("the app was not loaded from a folder: there are no sources to package")
    data = app.package()
    return Archive(data, hashlib.sha256(data).hexdigest())
