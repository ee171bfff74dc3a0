"""The Dagster instance's configuration (runtime/dagster.yaml), installed into $DAGSTER_HOME by one
function that `make`, `sgr draft` and the benchmark all call.

An installed copy names the version it came from; it is replaced when the project's file changes,
unless someone has edited it since, in which case it is kept and left to its owner.

Two `sgr draft` started together on a fresh $DAGSTER_HOME would both create its SQLite storages and
one fails ("UNIQUE constraint failed: alembic_version"): `opened()` creates them under a file lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import string
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pipeline import paths

SOURCE = paths.instance_file(paths.RUNTIME_DIR)
# The storages: SQLite under the home by default (runtime/storage-sqlite.yaml); with SGR_DAGSTER=postgres,
# run, event and schedule storage in PostgreSQL (deploy/storage-postgres.yaml, connection from SGR_PG_HOST,
# SGR_PG_PORT, SGR_PG_DB, SGR_PG_USER, SGR_PG_PASSWORD).
STORAGES = {
    "sqlite": paths.instance_file(paths.RUNTIME_DIR, "storage-sqlite.yaml"),
    "postgres": paths.instance_file(paths.DEPLOY_DIR, "storage-postgres.yaml"),
}
MARK = "# installed from runtime/dagster.yaml, sha256 "


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def install(home: Path, env: Mapping[str, str] = os.environ) -> Path:
    """$DAGSTER_HOME/dagster.yaml from the project's, for the storage `env` names; returns its path."""
    home.mkdir(parents=True, exist_ok=True)
    target = paths.instance_file(home)
    wanted = SOURCE.read_text()
    chosen = env.get("SGR_DAGSTER", "sqlite")
    if chosen not in STORAGES:
        raise ValueError(f"SGR_DAGSTER={chosen!r}: the storages are {', '.join(STORAGES)}")
    wanted += "\n" + string.Template(STORAGES[chosen].read_text()).substitute(home=json.dumps(str(home.resolve())))
    if target.exists():
        installed = target.read_text()
        first, _, body = installed.partition("\n")
        if not first.startswith(MARK) or first.removeprefix(MARK) != _digest(body):
            return target  # edited by hand (or never ours): its owner's to keep
        if body == wanted:
            return target
    staged = paths.instance_file(home, f".dagster.yaml.{os.getpid()}.tmp")
    staged.write_text(f"{MARK}{_digest(wanted)}\n{wanted}")
    staged.replace(target)  # whole or not at all: another process may be reading it
    return target


def home() -> Path:
    """$DAGSTER_HOME (pipeline/paths.py), with the configuration installed; set for Dagster if it was not."""
    folder = paths.dagster_home()
    os.environ["DAGSTER_HOME"] = str(folder)
    install(folder)
    return folder


@contextmanager
def opened() -> Iterator:
    """The Dagster instance of $DAGSTER_HOME, its storages created (or migrated) by one process at a time."""
    import dagster as dg

    folder = home()
    with open(paths.instance_file(folder, ".instance.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or by the kernel if we die
        dagster_instance = dg.DagsterInstance.get()
        dagster_instance.get_runs(limit=1)
        dagster_instance.get_latest_materialization_event(dg.AssetKey("draft_report"))
        dagster_instance.all_instigator_state()
    with dagster_instance:
        yield dagster_instance


if __name__ == "__main__":
    print(paths.instance_file(home()))
    sys.exit(0)
