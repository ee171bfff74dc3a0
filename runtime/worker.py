"""A second process for validation, started first thing by `sgr draft`.

Importing Great Expectations takes about 3 s here, longer than the rest of the stack together.
Forked before Dagster starts, the worker imports it on the other core while this process
starts Dagster and ingests, and it validates each table when asked (pipeline/ahead.py).
Without a worker (runs launched from the Dagster UI, or a caller that already has threads)
validation runs in the calling process.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipeline import ahead
from runtime import collection

_pool: ProcessPoolExecutor | None = None


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
    _pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_started, initargs=(warm,))
    _pool.submit(int)  # the pool forks its worker on the first task
    ahead.use(_pool)


def _one_thread() -> None:
    """The worker computes with Arrow on one thread, so that it never takes both cores from `sgr draft`, whose
    own Arrow pool keeps every core: it parses and writes the large tables while the worker waits for them
    (paired at 3,000,000 rows: 9.75 s with one thread each, 9.00 s so; at 1,000,000 the same)."""
    import pyarrow

    pyarrow.set_cpu_count(1)


def _started(warm: bool) -> None:
    _one_thread()
    if warm:
        with collection.long_lived():  # GX's import: 0.3 s less (runtime/collection.py)
            from pipeline.validation import suites

            suites.warm()


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
    ahead.use(None)
    return peak


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
