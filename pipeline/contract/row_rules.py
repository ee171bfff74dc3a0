"""A rule found on rows with pandas, across tables: the offending rows of one table, from the tables it
reads. The contract's warnings (warnings.py, never blocking) and its cross-table rules (cross_rules.py,
blocking) are both declared so; validation names each offending row by file, line, column and value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pipeline.contract.rows import Frames


@dataclass(frozen=True)
class RowRule:
    table: str
    column: str  # whose value each message shows
    says: str
    reads: tuple[str, ...]
    find: Callable[[Frames, pd.Timestamp], pd.DataFrame]  # the offending rows of `table`
    detail: str = ""  # each message's own words, with the row's fields: "... for {programme_id} in {year}"
    as_of: bool = False  # whether it depends on D: a new D checks again
