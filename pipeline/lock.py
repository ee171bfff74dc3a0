"""One writer per data folder, whoever starts it: `sgr draft`, a sensor's run, a run from the UI.

Every asset and check requires the `data_lock` resource; a run takes the lock when its resources are
set up (before staging) and gives it back when they are torn down (after the draft). The lock is an
OS file lock on `<data>/.lock`, so the kernel releases it when a process dies; a run that finds it
taken says who holds it and waits, up to SGR_LOCK_TIMEOUT seconds (default 900), then fails in words.
Temporary files a killed run left behind are removed once the lock is held, when none can be in use.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path

import dagster as dg

from pipeline.settings import Settings
from pipeline.store import local_stand_in
from pipeline.warehouse import remove_leftovers

DEFAULT_TIMEOUT = 900
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
    folder = local_stand_in(data_dir, "locks")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
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
    return handle


def _say(message: str) -> None:
    print(message, flush=True)


def release(handle) -> None:
    handle.seek(0)
    handle.truncate()
    handle.flush()
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


@dg.resource(
    required_resource_keys={"settings"},
    description="Holds the data folder's lock for the whole run: one writer per data folder (SGR_LOCK_TIMEOUT).",
)
def data_lock(context: dg.InitResourceContext):
    """A function resource, so that it reads the run's own `settings` (a nested resource would not)."""
    settings: Settings = context.resources.settings
    timeout = float(os.environ.get("SGR_LOCK_TIMEOUT", DEFAULT_TIMEOUT))

    def say(message: str) -> None:
        context.log.warning(message)
        print(f"sgr: {message}", file=sys.stderr, flush=True)

    handle = acquire(settings.data_dir, f"Dagster run {context.run.run_id}", timeout, say)
    try:
        for leftover in remove_leftovers(settings.data_dir, settings.reports_dir):
            context.log.info(f"removed {leftover}, left by a run that did not finish")
        yield settings.data_dir
    finally:
        release(handle)
