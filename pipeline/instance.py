"""The Dagster instance's configuration (pipeline/dagster.yaml), installed into $DAGSTER_HOME by one
function that `make`, `sgr draft` and the benchmark all call.

An installed copy names the version it came from; it is replaced when the project's file changes,
unless someone has edited it since, in which case it is kept and left to its owner.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

SOURCE = Path(__file__).with_name("dagster.yaml")
MARK = "# installed from pipeline/dagster.yaml, sha256 "


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def install(home: Path) -> Path:
    """$DAGSTER_HOME/dagster.yaml from the project's; returns its path."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    wanted = SOURCE.read_text()
    if target.exists():
        installed = target.read_text()
        first, _, body = installed.partition("\n")
        if not first.startswith(MARK) or first.removeprefix(MARK) != _digest(body):
            return target  # edited by hand (or never ours): its owner's to keep
        if body == wanted:
            return target
    target.write_text(f"{MARK}{_digest(wanted)}\n{wanted}")
    return target


def home() -> Path:
    """$DAGSTER_HOME, by default .dagster_home in the current folder, with the configuration installed."""
    folder = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve())))
    install(folder)
    return folder


if __name__ == "__main__":
    print(home() / "dagster.yaml")
    sys.exit(0)
