"""What some tests need from the machine besides the Python packages: each asks `require(name)`. Outside CI a
missing one skips the test, saying what to install (the session's summary lists them); in CI, which
installs them all (.ci/run), it fails the test."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI") == "true"
VALIDATOR = ROOT / "node_modules/@ooxml-tools/validate"
PG_BIN = Path(os.environ.get("SGR_PG_BIN", "/usr/lib/postgresql/15/bin"))
SKIPPED = "not installed here: "  # how each skip's reason starts, for the summary


@functools.cache
def _fonts() -> bool:
    from pipeline.document import charts

    try:
        charts.font_for("zh"), charts.font_for("ar")
    except RuntimeError:
        return False
    return True


# What each needs, how to install it, and whether it is here.
NEEDS = {
    "validator": ("the Open XML SDK validator", "npm ci", lambda: VALIDATOR.is_dir() and bool(shutil.which("node"))),
    "libreoffice": (
        "LibreOffice and pdftotext",
        "apt-get install libreoffice-writer-nogui poppler-utils",
        lambda: bool(shutil.which("soffice") and shutil.which("pdftotext")),
    ),
    "fonts": ("the CJK and Arabic fonts", "apt-get install fonts-noto-cjk fonts-noto-core", _fonts),
    "postgres": ("PostgreSQL 15", "apt-get install postgresql-15", lambda: (PG_BIN / "initdb").exists()),
    "redis": ("Redis", "apt-get install redis-server", lambda: bool(shutil.which("redis-server"))),
    "moto": ("moto's S3 server", "make setup", lambda: importlib.util.find_spec("moto.server") is not None),
}


def require(*names: str) -> None:
    """Skip (fail in CI) the calling test unless the machine has what `names` name."""
    for name in names:
        what, how, here = NEEDS[name]
        if not here():
            if IN_CI:
                pytest.fail(f"{what} is needed and CI installs it (.ci/run): {how}")
            pytest.skip(f"{SKIPPED}{what} ({how})")
