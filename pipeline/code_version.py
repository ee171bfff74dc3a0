"""A digest of this code: what validation results and forked runs are tied to."""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform

from pipeline.paths import package


def digest(packages: tuple[str, ...], libraries: tuple[str, ...] = ()) -> str:
    """SHA-256 of the Python version, every module of `packages` and the versions of `libraries`."""
    hashed = hashlib.sha256(platform.python_version().encode())
    for name in packages:
        folder = package(name)
        for path in sorted(folder.rglob("*.py")):
            hashed.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    for library in libraries:
        hashed.update(f"{library}=={importlib.metadata.version(library)}".encode())
    return hashed.hexdigest()
