"""Warnings: what looks wrong in the sources without breaking the contract. Reported, never blocking.

Each is declared once: the table and column it is shown on, what it says, the tables it reads
and the rows it finds. Validation turns those rows into messages naming file, line, column and
value (pipeline/validation/suites.py).
"""

from __future__ import annotations

import pandas as pd

from pipeline.contract import iati, rows
from pipeline.contract.row_rules import RowRule
from pipeline.contract.rows import Frames
from pipeline.contract.source_tables import TABLES


def _expenditure_above_funding(t: Frames, day: pd.Timestamp) -> pd.DataFrame:
    transfers = t["transfers"]
    groups = transfers.groupby(["programme_id", "year"], sort=False)
    totals = groups[["net_funded_usd", "expenditure_usd"]].sum()
    over = (totals["expenditure_usd"] > totals["net_funded_usd"]).to_numpy()
    # Each row takes its group's verdict: a third less time than summing back onto every row (transform).
    return transfers[over[groups.ngroup().to_numpy()]].drop_duplicates(["programme_id", "year"])


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
    RowRule(
        "transfers",
        "expenditure_usd",
        "expenditure above net funded for a programme and year",
        ("transfers",),
        _expenditure_above_funding,
        detail="expenditure above net funded for {programme_id} in {year}",
        columns={"transfers": ("programme_id", "year", "net_funded_usd", "expenditure_usd")},
    ),
    RowRule(
        "reviews",
        "member_states_participating",
        "the participants listed differ from member_states_participating",
        ("reviews", "review_participants"),
        _participants_differ,
        detail="{listed} Member States are listed in review_participants",
    ),
    RowRule(
        "reviews",
        "review_id",
        "a review without findings or recommendations",
        ("reviews", "review_findings", "review_recommendations"),
        _reviews_without_outcomes,
        detail="no findings or recommendations for this review",
    ),
    RowRule(
        "champions",
        "iso3",
        "a Champion country without a country network",
        ("champions", "country_networks"),
        _champions_without_network,
        as_of=True,
    ),
    RowRule(
        "targets",
        "year",
        "a target year without deposits",
        ("targets", "contributions"),
        _targets_without_deposits,
    ),
    RowRule(
        "iati_transactions",
        "iati_identifier",
        "an activity funded by the Fund but not mapped to a joint programme: its money is not counted",
        ("iati_transactions", "iati_activities"),
        iati.unmapped,
        detail="“{activity_title}” is funded by the Fund but not mapped to a joint programme in iati_activities: "
        "its money is not counted",
    ),
    RowRule(
        "iati_transactions",
        "iati_identifier",
        "a mapped activity that others fund beside the Fund: its expenditure is the whole activity's",
        ("iati_transactions", "iati_activities"),
        iati.co_funded,
        detail="mapped to {programme_id} and funded also by {funders}: its expenditure (type 4), counted whole, "
        "is the activity's, not the Fund's alone; map it only if that is what the programme spent",
    ),
    RowRule(
        "iati_activities",
        "iati_identifier",
        "an activity mapped to a joint programme that no IATI file gives",
        ("iati_activities", "iati_transactions"),
        iati.absent,
        detail="no IATI file read gives a transaction of this activity (mapped to {programme_id}): nothing of it "
        "is counted",
    ),
]
assert all(w.table in TABLES and set(w.reads) <= set(TABLES) and w.table in w.reads for w in WARNINGS)


def warnings_for(table: str) -> list[RowRule]:
    return [w for w in WARNINGS if w.table == table]
