"""The rows that count on the reference date D, by each table's own predicate (tables.py).

Key figures, report tables and warnings all select rows here, so that "a country network open
on D" or "a review held by D" means the same wherever the draft or a warning states it.
"""

from __future__ import annotations

import pandas as pd

from pipeline.contract.as_of import InYear
from pipeline.contract.source_tables import TABLES

Frames = dict[str, pd.DataFrame]


def counted(rows: pd.DataFrame, table: str, day: pd.Timestamp) -> pd.DataFrame:
    """The rows of `table` (or a selection of them) that count on D."""
    return TABLES[table].as_of(rows, day)


def networks(t: Frames, day: pd.Timestamp, level: str = "country") -> pd.DataFrame:
    rows = t["country_networks"]
    return counted(rows[rows["level"] == level], "country_networks", day)


def champions(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return counted(t["champions"], "champions", day)


def reviews_held(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return counted(t["reviews"], "reviews", day)


def of_reviews_held(t: Frames, table: str, day: pd.Timestamp) -> pd.DataFrame:
    """Rows of a review's own table (participants, findings, recommendations) whose review was held by D."""
    rows = t[table]
    return rows[rows["review_id"].isin(reviews_held(t, day)["review_id"])]


def programmes(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return counted(t["joint_programmes"], "joint_programmes", day)


def notes(t: Frames, day: pd.Timestamp, statuses: tuple[str, ...] = ()) -> pd.DataFrame:
    rows = counted(t["concept_notes"], "concept_notes", day)
    return rows[rows["status"].isin(statuses)] if statuses else rows


def contributions(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return counted(t["contributions"], "contributions", day)


def transfers(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return counted(t["transfers"], "transfers", day)


def targets(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    return counted(t["targets"], "targets", day)


def of_the_year(t: Frames, table: str, day: pd.Timestamp) -> pd.DataFrame:
    """Rows of D's own year only: the year's deposits, the year's target."""
    return InYear()(t[table], day)
