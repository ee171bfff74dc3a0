"""A second process for validation, started first thing by `sgr draft`.

Importing Great Expectations takes about 2 s here, as long as the rest of the stack together.
Forked before Dagster starts, the worker imports it on the other core while this process
starts Dagster and ingests, and it validates each table when asked. Without a worker (runs
launched from the Dagster UI, or a caller that already has threads) validation runs in the
calling process.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
_pool: ProcessPoolExecutor | None = None
_ahead: dict[tuple, Future] = {}  # answers asked for early, by what they answer


def start(warm: bool = True) -> None:
    """Fork the worker; unless told not to, it imports Great Expectations at once, in the background."""
    global _pool
    if threading.active_count() > 1 or sys.platform != "linux":
        # A fork copies only the calling thread: a lock another thread held would never be
        # released in the child; and macOS's system libraries do not survive a fork. Validation
        # then runs here, as in the UI.
        return
    # Forked with little imported, the child starts at once and imports what it needs itself.
    context = multiprocessing.get_context("fork")
    _pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_warm if warm else None)
    _pool.submit(int)  # the pool forks its worker on the first task


def _warm() -> None:
    from pipeline.validation import run

    run.warm()


def ahead(key: tuple, function: Callable[..., T], *args) -> None:
    """Start `function(*args)` in the worker now, for a `call` with the same `key` later: ingest
    asks for a staged table's validation while it reads the next table, so the two cores overlap
    what a run otherwise does in turn. Without a worker, nothing is done ahead."""
    if _pool is not None and key not in _ahead:
        _ahead[key] = _pool.submit(function, *args)


def call(function: Callable[..., T], *args, key: tuple | None = None) -> T:
    """`function(*args)` in the worker if one was started, else here; the answer asked for ahead
    under `key`, if there is one."""
    if _pool is None:
        return function(*args)
    future = _ahead.pop(key, None) if key is not None else None
    try:
        return (future or _pool.submit(function, *args)).result()
    except BrokenProcessPool:
        raise RuntimeError("the validation worker stopped before it answered (out of memory?)") from None


def stop() -> float | None:
    """Stop the worker; its peak resident memory in MB, if one was running."""
    global _pool
    if _pool is None:
        return None
    try:
        peak = _pool.submit(_peak_mb).result()
    except BrokenProcessPool:
        peak = None
    _pool.shutdown(cancel_futures=True)
    _pool = None
    _ahead.clear()
    return peak


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
