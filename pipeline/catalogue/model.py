"""What the catalogue declares: a key figure, a report table, a chart, and the units they are stated in.

A declaration is data: its name, the words drafters read, the tables and columns it reads, how
it is computed, its unit, and for a table its title, headers and notes. The derive stage computes
them, the report binds them to the drafters' template, docs/contract.md describes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.contract.as_of import Predicate
from pipeline.contract.rows import Frames

# Units, as the report states them.
COUNT = "count"  # 52
USD = "usd"  # $17.5 million
PERCENT = "percent"  # a share: 0.105 is stated 10.5 per cent
NUMBER = "number"  # a number that names something: thematic area 2
TEXT, DATE, YEAR, FLAG, LIST = "text", "date", "year", "flag", "list"
ROW_UNIT = "unit of the row"  # stated in the unit its row's `unit` field names (figures of mixed units)
# Figures in these units carry their provenance into the draft: a Word comment, a footnote.
STATED_UNITS = (COUNT, USD, PERCENT, NUMBER)

# A figure's value and the rows it was counted from (each with its lineage columns).
Counted = tuple[float | None, list[pd.DataFrame]]
# A report table's rows and the source rows they were made from.
Derived = tuple[pd.DataFrame, list[pd.DataFrame]]


# A figure's time grain: what it can be compared at. A stock is as of a date (networks open on D); a flow
# by date sums what is dated by D (programmes approved); a flow by year sums whole years (deposits, transfers:
# the sources carry a year, not a date), so it is compared only up to the end of a year that has ended.
STOCK, BY_DATE, BY_YEAR = "stock", "flow by date", "flow by year"


def counted_to(grain: str, day: dt.date) -> dt.date:
    """The day a figure of `grain` can be counted to as of `day`: the day itself, or for a flow by year the
    end of the last year ended by then (31 December of the year before, unless `day` is a 31 December)."""
    if grain != BY_YEAR or (day.month, day.day) == (12, 31):
        return day
    return dt.date(day.year - 1, 12, 31)


@dataclass(frozen=True)
class Figure:
    name: str
    words: str  # the definition drafters read
    unit: str
    reads: Mapping[str, tuple[str, ...]]  # table -> the columns it reads
    as_of: Predicate  # which rows count on D
    compute: Callable[[Frames, pd.Timestamp], Counted]  # given only what `reads` declares, `as_of` applied
    grain: str = STOCK


@dataclass(frozen=True)
class Field:
    """A column of a report table's rows, as stored in Parquet and read by the template."""

    name: str
    unit: str
    words: str = ""  # what a value means, in provenance comments


@dataclass(frozen=True)
class TableColumn:
    """A column of a report table as the draft shows it."""

    header: str
    cell: str  # a field's name, or a template over the row's fields: "{{ commission }} ({{ region }})"
    width_cm: float | None = None
    right: bool | None = None  # aligned right; by default, cells of counts, amounts and shares are

    @property
    def template(self) -> str:
        return self.cell if "{" in self.cell else "{{ " + self.cell + " }}"


@dataclass(frozen=True)
class ReportTable:
    name: str
    title: str
    words: str  # what the table holds
    reads: Mapping[str, tuple[str, ...]]
    fields: tuple[Field, ...]
    derive: Callable[..., Derived]  # (frames, D, **parameters)
    columns: tuple[TableColumn, ...] = ()  # shown as a table ({{table:name}}); none: stated in prose or charts only
    notes: tuple[str, ...] = ()
    totals: tuple[str, ...] = ()  # fields summed in a last row
    total_label: str = "Total"
    key: str | None = None  # the field that names a row in provenance: findings_by_cluster[RT1]
    parameters: tuple[str, ...] = ()  # what of the run its derivation is given besides D ("freshness")
    single_row: bool = False  # the template reads it as one row, {{ name.field }}, or none
    states_data: bool = True  # False: about the pipeline's own records (files, checks), no provenance notes
    keep_together: bool = True  # a short table is not split across pages

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    table: str  # the report table it draws
    notes: tuple[str, ...] = ()
