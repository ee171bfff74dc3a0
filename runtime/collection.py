"""Python's cyclic garbage collector and the objects that live as long as a process.

A full collection scans every object the process holds. In `sgr draft` most of them are the modules'
own (Dagster's, pandas', Great Expectations'), made at import and kept to the end, so each full
collection scanned them again: 0.5-0.7 s of each draft's main process. Set aside once imported
(`gc.freeze`), they are left out of the scans; only what a run makes afterwards is collected as before.

Only for processes that run one command and end (`sgr`, the validation worker): in a process that lives
on (the tests, the Dagster UI), freezing would also keep for good any garbage not yet collected.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    """Collection paused while the body imports, and what it made set aside from later scans."""
    enabled = gc.isenabled()
    gc.disable()  # an import makes little garbage (about 3,000 objects for Dagster or GX): no need to look
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
