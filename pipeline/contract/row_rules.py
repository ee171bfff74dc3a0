"""A rule found on rows with pandas, across tables: the offending rows of one table, from the tables it
reads. The contract's warnings (warnings.py, never blocking) and its cross-table rules (cross_rules.py,
blocking) are both declared so; validation names each offending row by file, line, column and value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Formatter

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
    # The columns it reads, by table, beside each row's file, sheet and line; a table not named here is
    # read whole (a warning on 1,000,000 transfers reads 4 of their columns, not all).
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self):
        for table in self.columns:
            if table not in self.reads:
                raise ValueError(f"{self.says}: columns of {table}, which it does not read")
        shown = {self.column, *(name for _, name, _, _ in Formatter().parse(self.detail) if name)}
        if self.table in self.columns and not shown <= set(self.columns[self.table]):
            raise ValueError(f"{self.says}: its messages show {sorted(shown)}, not all among the columns it reads")


def read_columns(rules: list[RowRule], table: str) -> set[str] | None:
    """The columns of `table` that these rules read; None: all of them."""
    wanted: set[str] = set()
    for rule in rules:
        if table in rule.reads:
            if table not in rule.columns:
                return None
            wanted |= set(rule.columns[table])
    return wanted
