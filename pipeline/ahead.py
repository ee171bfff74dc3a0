"""Where validation and the draft's charts run: in this process, or in the worker that `sgr draft` starts
(runtime/worker.py), which a run may ask ahead: ingest asks for a staged table's validation while it
reads the next table, and publication for the draft's charts while the figures and tables are derived,
so that the two cores overlap what a run otherwise does in turn.

The worker is handed in by the runtime (`use`), so that this layer does not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from pipeline.store.objects import on_behalf, own_writes

T = TypeVar("T")
_executor: Executor | None = None
_ahead: dict[tuple, Future] = {}  # answers asked for early, by what they answer


def use(executor: Executor | None) -> None:
    """Validate in `executor` from now on (None: in this process)."""
    global _executor
    _executor = executor
    _ahead.clear()


def working() -> bool:
    """Whether there is a worker to ask ahead."""
    return _executor is not None


def ahead(key: tuple, function: Callable[..., T], *args) -> None:
    """Start `function(*args)` in the worker now, for a `call` with the same `key` later. Without a worker,
    nothing is done ahead."""
    if _executor is not None and key not in _ahead:
        _ahead[key] = _executor.submit(_for_caller, own_writes(), function, *args)


def call(function: Callable[..., T], *args, key: tuple | None = None) -> T:
    """`function(*args)` in the worker if there is one, else here; the answer asked for ahead under `key`,
    if there is one."""
    if _executor is None:
        return function(*args)
    future = _ahead.pop(key, None) if key is not None else None
    try:
        return (future or _executor.submit(_for_caller, own_writes(), function, *args)).result()
    except BrokenProcessPool:
        raise RuntimeError("the validation worker stopped before it answered (out of memory?)") from None


def _for_caller(writes: dict[str, str] | None, function: Callable[..., T], *args) -> T:
    """In the worker: the caller holds the data folder's lock until it has the answer, so what it wrote
    stands as it wrote it."""
    with on_behalf(writes):
        return function(*args)


def settle(key: tuple) -> None:
    """Wait for what was asked ahead under `key`, if anything was, for what it leaves behind (charts drawn
    into their cache); if it failed, the caller does the work itself and meets the failure there."""
    future = _ahead.pop(key, None)
    if future is not None:
        try:
            future.result()
        except Exception:  # the same work, done here next, says what went wrong
            pass


def give_back_memory() -> None:
    """Give the system back what this process has freed: Arrow's pool keeps it for the next tables and
    malloc for its next blocks, so that work of another kind (charts after validation) would add to it."""
    import ctypes

    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: its malloc keeps what it keeps
