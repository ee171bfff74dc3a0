"""Warnings: what looks wrong in the sources without breaking the contract. Reported, never blocking.

Each is declared once: the table and column it is shown on, what it says, the tables it reads
and the rows it finds. Validation turns those rows into messages naming file, line, column and
value (pipeline/validation/suites.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pipeline.contract import rows
from pipeline.contract.rows import Frames
from pipeline.contract.source_tables import TABLES


@dataclass(frozen=True)
class WarningRule:
    table: str
    column: str  # whose value each message shows
    says: str
    reads: tuple[str, ...]
    find: Callable[[Frames, pd.Timestamp], pd.DataFrame]  # the offending rows of `table`
    detail: str = ""  # each message's own words, with the row's fields: "... for {programme_id} in {year}"
    as_of: bool = False  # whether it depends on D: a new D checks again


def _expenditure_above_funding(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    transfers = t["transfers"]
    totals = transfers.groupby(["programme_id", "year"])[["net_funded_usd", "expenditure_usd"]].transform("sum")
    over = transfers[totals["expenditure_usd"] > totals["net_funded_usd"]]
    return over.drop_duplicates(["programme_id", "year"])


def _participants_differ(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    listed = t["review_participants"].groupby("review_id")["iso3"].nunique()
    reviews = t["reviews"].assign(listed=t["reviews"]["review_id"].map(listed).fillna(0).astype(int))
    return reviews[reviews["listed"] != reviews["member_states_participating"]]


def _reviews_without_outcomes(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    with_outcomes = set(t["review_findings"]["review_id"]) | set(t["review_recommendations"]["review_id"])
    return t["reviews"][~t["reviews"]["review_id"].isin(with_outcomes)]


def _champions_without_network(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    # As of D, as the key figure champion_countries_with_network counts them.
    champions = rows.champions(t, day)
    return champions[~champions["iso3"].isin(rows.networks(t, day)["iso3"])]


def _targets_without_deposits(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    contributions = t["contributions"]
    deposited = set(contributions.loc[contributions["deposit_usd"] > 0, "year"])
    return t["targets"][~t["targets"]["year"].isin(deposited)]


WARNINGS = [
    WarningRule(
        "transfers",
        "expenditure_usd",
        "expenditure above net funded for a programme and year",
        ("transfers",),
        _expenditure_above_funding,
        detail="expenditure above net funded for {programme_id} in {year}",
    ),
    WarningRule(
        "reviews",
        "member_states_participating",
        "the participants listed differ from member_states_participating",
        ("reviews", "review_participants"),
        _participants_differ,
        detail="{listed} Member States are listed in review_participants",
    ),
    WarningRule(
        "reviews",
        "review_id",
        "a review without findings or recommendations",
        ("reviews", "review_findings", "review_recommendations"),
        _reviews_without_outcomes,
        detail="no findings or recommendations for this review",
    ),
    WarningRule(
        "champions",
        "iso3",
        "a Champion country without a country network",
        ("champions", "country_networks"),
        _champions_without_network,
        as_of=True,
    ),
    WarningRule(
        "targets",
        "year",
        "a target year without deposits",
        ("targets", "contributions"),
        _targets_without_deposits,
    ),
]
assert all(w.table in TABLES and set(w.reads) <= set(TABLES) and w.table in w.reads for w in WARNINGS)


def warnings_for(table: str) -> list[WarningRule]:
    return [w for w in WARNINGS if w.table == table]
