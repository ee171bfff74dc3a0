"""The as-of predicates: which rows of a table count on the reference date D.

Each contract table names its own (pipeline/contract/source_tables.py); key figures, report tables and
warnings all select rows through it, so "open on D" or "held by D" is written once. A key figure
declares the one it counts by, and is given its rows with it applied (pipeline/catalogue/).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

# The day a row's money moved, where its source gives one (an IATI transaction's value date): such a row of
# a flow by year counts from that day, not from the first day of its year.
DATED = "value_date"


@dataclass(frozen=True)
class OpenOn:
    """Started on or before D and not ended on or before D: a network, a Champion."""

    start: str
    end: str

    def __call__(self, rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
        return rows[(rows[self.start] <= day) & ~(rows[self.end] <= day)]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.start, self.end)

    @property
    def words(self) -> str:
        return f"{self.start} <= D, not {self.end} on or before D"


@dataclass(frozen=True)
class By:
    """Dated on or before D: a review held, a programme approved, a note submitted."""

    column: str

    def __call__(self, rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
        return rows[rows[self.column] <= day]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    @property
    def words(self) -> str:
        return f"{self.column} <= D"


def _by_day(rows: pd.DataFrame, day: pd.Timestamp) -> pd.Series | bool:
    """Rows without a day of their own, and those dated by D."""
    return ~(rows[DATED] > day) if DATED in rows.columns else True


@dataclass(frozen=True)
class UpToYear:
    """Of a year up to D's: money counted by calendar year."""

    column: str = "year"

    def __call__(self, rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
        return rows[(rows[self.column] <= day.year) & _by_day(rows, day)]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    @property
    def words(self) -> str:
        return f"{self.column} <= year(D)"


@dataclass(frozen=True)
class InYear:
    """Of D's own year: the year's deposits, the year's target."""

    column: str = "year"

    def __call__(self, rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
        return rows[(rows[self.column] == day.year) & _by_day(rows, day)]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    @property
    def words(self) -> str:
        return f"{self.column} = year(D)"


@dataclass(frozen=True)
class Always:
    """Every row counts, whatever D: the calendar."""

    def __call__(self, rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
        return rows

    columns: ClassVar[tuple[str, ...]] = ()

    @property
    def words(self) -> str:
        return "every row"


Predicate = OpenOn | By | UpToYear | InYear | Always
