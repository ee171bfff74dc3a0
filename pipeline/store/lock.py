"""One writer per data folder, whoever starts it: `sgr draft`, a sensor's run, a run from the UI.

The lock is an OS file lock on `<data>/.lock` (pipeline/paths.py), so the kernel releases it when a
process dies; a run that finds it taken says who holds it and waits, up to SGR_LOCK_TIMEOUT seconds
(default 900), then fails in words. The Dagster resource that holds it for a run is
assets/resources.py's `data_lock`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from pipeline.paths import Data
from pipeline.store.objects import trust_own_writes

POLL_SECONDS = 0.25


class DataFolderBusy(Exception):
    pass


def holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it."""
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another run"
    return f"{info.get('by', 'a run')} (pid {info.get('pid')} on {info.get('host')}, since {info.get('since')})"


def acquire(data_dir: Path, by: str, timeout: float, say=None) -> object:
    """Take the lock of `data_dir`, waiting up to `timeout` seconds; returns the open lock file."""
    # A folder on an object store cannot be locked: its lock is this machine's, and runs on other machines
    # are kept apart by the instance's concurrency pool (in the shared Postgres).
    path = Data(data_dir).lock
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115  (held open for the run; closed by `release`)
    deadline, told = time.monotonic() + timeout, False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if not told:
                (say or _say)(f"waiting for the data folder {data_dir}: {holder(path)} is writing it")
                told = True
            if time.monotonic() >= deadline:
                handle.close()
                raise DataFolderBusy(
                    f"the data folder {data_dir} is being written by {holder(path)} and did not come free "
                    f"within {timeout:g} s (SGR_LOCK_TIMEOUT): run again when it has finished"
                ) from None
            time.sleep(POLL_SECONDS)
    handle.seek(0)
    handle.truncate()
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    handle.write(json.dumps({"by": by, "pid": os.getpid(), "host": socket.gethostname(), "since": since}))
    handle.flush()
    trust_own_writes(True, data_dir)
    return handle


def _say(message: str) -> None:
    print(message, flush=True)


def release(handle) -> None:
    try:
        trust_own_writes(False)  # waits for the uploads still under way
    finally:
        handle.seek(0)
        handle.truncate()
        handle.flush()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
