"""Where validation runs: in this process, or in the validation worker that `sgr draft` starts
(runtime/worker.py), which a run may ask ahead: ingest asks for a staged table's validation while it
reads the next table, so that the two cores overlap what a run otherwise does in turn.

The worker is handed in by the runtime (`use`), so that this layer does not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
_executor: Executor | None = None
_ahead: dict[tuple, Future] = {}  # answers asked for early, by what they answer


def use(executor: Executor | None) -> None:
    """Validate in `executor` from now on (None: in this process)."""
    global _executor
    _executor = executor
    _ahead.clear()


def ahead(key: tuple, function: Callable[..., T], *args) -> None:
    """Start `function(*args)` in the worker now, for a `call` with the same `key` later. Without a worker,
    nothing is done ahead."""
    if _executor is not None and key not in _ahead:
        _ahead[key] = _executor.submit(function, *args)


def call(function: Callable[..., T], *args, key: tuple | None = None) -> T:
    """`function(*args)` in the worker if there is one, else here; the answer asked for ahead under `key`,
    if there is one."""
    if _executor is None:
        return function(*args)
    future = _ahead.pop(key, None) if key is not None else None
    try:
        return (future or _executor.submit(function, *args)).result()
    except BrokenProcessPool:
        raise RuntimeError("the validation worker stopped before it answered (out of memory?)") from None
