"""The key figures as a drafter reads them, in English: each by its reader's name, its value in the report's
form ("$60.5 million", "74.3 per cent", "79") and, where compared, the earlier value and the change, by the
rules of its time grain (catalogue/model.py). The Dagster UI's table of `key_figures` and `sgr draft`'s list
show these; the report's own annex says the same in each language through its template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.catalogue import FIGURES
from pipeline.catalogue.figures import LABELS
from pipeline.catalogue.model import BY_YEAR, NUMBER
from pipeline.contract.as_of import InYear
from pipeline.languages import un_style
from pipeline.reference import THEMATIC_AREAS


@dataclass(frozen=True)
class Stated:
    figure: str
    label: str
    value: str
    previous: str | None  # None: nothing compared with
    change: str | None
    rows: int


def _shown(value: float | None, unit: str) -> str:
    if unit == NUMBER and value is not None:
        return f"{int(value)}. {THEMATIC_AREAS[int(value)]}"  # a thematic area, by its name
    return un_style.figure(value, unit) if value is not None else "not stated"


def stated(row: dict, as_of: dt.date) -> Stated:
    """One row of key_figures (its dates as dates) in words."""
    figure, unit = FIGURES[row["figure"]], row["unit"]
    now, before = row["value"], row.get("previous_value")
    of_one_year = isinstance(figure.as_of, InYear)
    value = _shown(now, unit)
    if of_one_year and figure.grain == BY_YEAR and (as_of.month, as_of.day) != (12, 31):
        value += f" ({un_style.date_range(dt.date(as_of.year, 1, 1), as_of)})"
    if row.get("previous_as_of") is None:
        return Stated(figure.name, LABELS[figure.name], value, None, None, row["rows_counted"])
    previous, to = _shown(before, unit), row.get("previous_counted_to")
    if to is not None and to != row["previous_as_of"] and before is not None:
        previous += f" ({to.year})" if of_one_year else f" (to the end of {to.year})"
    if of_one_year and figure.grain == BY_YEAR and (as_of.month, as_of.day) != (12, 31):
        change = "not comparable"  # a year still running against a whole one
    elif unit == NUMBER:
        change = "unchanged" if now == before else "changed"
    else:
        change = un_style.change(now, before, unit)
    return Stated(figure.name, LABELS[figure.name], value, previous, change, row["rows_counted"])
