"""The key figures, each declared once: its name, the definition drafters read, its unit, the
tables and columns it reads, the as-of predicate it uses and how it is counted.

To add a figure, add its declaration here and the sentence that states it to the template
(reports/template/); the key_figures table, docs/contract.md, the columns loaded and the draft's
provenance comments follow from the declaration.
"""

from __future__ import annotations

import pandas as pd

from pipeline.catalogue.model import BY_DATE, BY_YEAR, COUNT, NUMBER, PERCENT, STOCK, USD, Counted, Figure, Frames
from pipeline.contract import TABLES, rows
from pipeline.contract.as_of import InYear

NETWORK_OPEN = TABLES["country_networks"].as_of
CHAMPION_OPEN = TABLES["champions"].as_of
REVIEW_HELD = TABLES["reviews"].as_of
PROGRAMME_APPROVED = TABLES["joint_programmes"].as_of
NOTE_SUBMITTED = TABLES["concept_notes"].as_of
UP_TO_YEAR = TABLES["contributions"].as_of
IN_YEAR = InYear()
PIPELINE = ("positively assessed", "prioritized")


def count(rows: pd.DataFrame) -> Counted:
    return float(len(rows)), [rows]


def total(rows: pd.DataFrame, column: str) -> Counted:
    return float(rows[column].sum()), [rows]


def distinct(rows: pd.DataFrame, column: str) -> Counted:
    return float(rows[column].nunique()), [rows]


def ratio(rows: pd.DataFrame, part: str, whole: str) -> Counted:
    """One column's sum as a share of another's, over the same rows; none when the whole is nothing."""
    denominator = rows[whole].sum()
    return (float(rows[part].sum() / denominator) if denominator else None), [rows]


def share(part: Counted, whole: Counted) -> Counted:
    """`part` as a share of `whole`; none when the whole is missing or nothing."""
    (numerator, counted), (denominator, of) = part, whole
    return (numerator / denominator if denominator else None), [*counted, *of]


def _champions_with_network(t: Frames, day: pd.Timestamp) -> Counted:
    champions, networks = rows.champions(t, day), rows.networks(t, day)
    with_network = champions[champions["iso3"].isin(networks["iso3"])]
    return float(len(with_network)), [with_network, networks[networks["iso3"].isin(with_network["iso3"])]]


def _member_states_in_reviews(t: Frames, day: pd.Timestamp) -> Counted:
    participants = rows.of_reviews_held(t, "review_participants", day)
    return float(participants["iso3"].nunique()), [rows.reviews_held(t, day), participants]


def _in_person_or_hybrid(t: Frames, day: pd.Timestamp) -> Counted:
    held = rows.reviews_held(t, day)
    return count(held[held["format"] != "virtual"])


def _contributors(t: Frames, day: pd.Timestamp) -> Counted:
    contributions = rows.contributions(t, day)
    return distinct(contributions[contributions["deposit_usd"] > 0], "contributor")


def _target(t: Frames, day: pd.Timestamp) -> Counted:
    target = rows.of_the_year(t, "targets", day)
    return (float(target["capitalization_target_usd"].sum()) if len(target) else None), [target]


def _most_common_area(t: Frames, day: pd.Timestamp) -> Counted:
    programmes = rows.programmes(t, day)
    if programmes.empty:
        return None, [programmes]
    # The lowest-numbered area wins a tie, so that the same rows always name the same area.
    counts = programmes["thematic_area"].value_counts().sort_index(kind="stable")
    return float(counts.idxmax()), [programmes]


def _deposits_of_year(t: Frames, day: pd.Timestamp) -> Counted:
    return total(rows.of_the_year(t, "contributions", day), "deposit_usd")


FIGURES: list[Figure] = [
    Figure(
        "country_networks",
        "networks with level country, established_on <= D, not closed on or before D",
        COUNT,
        {"country_networks": ("level", "established_on", "closed_on")},
        NETWORK_OPEN,
        lambda t, d: count(rows.networks(t, d, "country")),
        grain=STOCK,
    ),
    Figure(
        "regional_networks",
        "networks with level regional, established_on <= D, not closed on or before D",
        COUNT,
        {"country_networks": ("level", "established_on", "closed_on")},
        NETWORK_OPEN,
        lambda t, d: count(rows.networks(t, d, "regional")),
        grain=STOCK,
    ),
    Figure(
        "champion_countries",
        "champions with joined_on <= D, not left on or before D",
        COUNT,
        {"champions": ("joined_on", "left_on")},
        CHAMPION_OPEN,
        lambda t, d: count(rows.champions(t, d)),
        grain=STOCK,
    ),
    Figure(
        "champion_countries_with_network",
        "of those Champions, how many have a counted country network",
        COUNT,
        {
            "champions": ("iso3", "joined_on", "left_on"),
            "country_networks": ("level", "iso3", "established_on", "closed_on"),
        },
        CHAMPION_OPEN,
        _champions_with_network,
        grain=STOCK,
    ),
    Figure(
        "regional_reviews_held",
        "reviews with end_date <= D",
        COUNT,
        {"reviews": ("end_date",)},
        REVIEW_HELD,
        lambda t, d: count(rows.reviews_held(t, d)),
        grain=BY_DATE,
    ),
    Figure(
        "member_states_in_reviews",
        "distinct iso3 in review_participants of the reviews held",
        COUNT,
        {"reviews": ("review_id", "end_date"), "review_participants": ("review_id", "iso3")},
        REVIEW_HELD,
        _member_states_in_reviews,
        grain=BY_DATE,
    ),
    Figure(
        "reviews_in_person_or_hybrid",
        "reviews held, in person or hybrid",
        COUNT,
        {"reviews": ("end_date", "format")},
        REVIEW_HELD,
        _in_person_or_hybrid,
        grain=BY_DATE,
    ),
    Figure(
        "mptf_contributors",
        "distinct contributors with deposit_usd > 0 in years <= year(D)",
        COUNT,
        {"contributions": ("contributor", "year", "deposit_usd")},
        UP_TO_YEAR,
        _contributors,
        grain=BY_YEAR,
    ),
    Figure(
        "mptf_deposits_total_usd",
        "sum of deposit_usd, years <= year(D)",
        USD,
        {"contributions": ("year", "deposit_usd")},
        UP_TO_YEAR,
        lambda t, d: total(rows.contributions(t, d), "deposit_usd"),
        grain=BY_YEAR,
    ),
    Figure(
        "mptf_commitments_total_usd",
        "sum of commitment_usd, years <= year(D)",
        USD,
        {"contributions": ("year", "commitment_usd")},
        UP_TO_YEAR,
        lambda t, d: total(rows.contributions(t, d), "commitment_usd"),
        grain=BY_YEAR,
    ),
    Figure(
        "mptf_deposits_year_usd",
        "sum of deposit_usd in year(D)",
        USD,
        {"contributions": ("year", "deposit_usd")},
        IN_YEAR,
        _deposits_of_year,
        grain=BY_YEAR,
    ),
    Figure(
        "mptf_target_year_usd",
        "capitalization_target_usd of year(D)",
        USD,
        {"targets": ("year", "capitalization_target_usd")},
        IN_YEAR,
        _target,
        grain=STOCK,  # set for the year ahead of it: the target in force on D, compared as of each date
    ),
    Figure(
        "mptf_deposits_year_share_of_target",
        "mptf_deposits_year_usd / mptf_target_year_usd; none without a target for year(D)",
        PERCENT,
        {"contributions": ("year", "deposit_usd"), "targets": ("year", "capitalization_target_usd")},
        IN_YEAR,
        lambda t, d: share(_deposits_of_year(t, d), _target(t, d)),
        grain=BY_YEAR,
    ),
    Figure(
        "mptf_joint_programmes",
        "joint programmes with approved_on <= D",
        COUNT,
        {"joint_programmes": ("approved_on",)},
        PROGRAMME_APPROVED,
        lambda t, d: count(rows.programmes(t, d)),
        grain=BY_DATE,
    ),
    Figure(
        "mptf_joint_programmes_budget_usd",
        "budget_usd of those joint programmes, summed",
        USD,
        {"joint_programmes": ("approved_on", "budget_usd")},
        PROGRAMME_APPROVED,
        lambda t, d: total(rows.programmes(t, d), "budget_usd"),
        grain=BY_DATE,
    ),
    Figure(
        "mptf_thematic_areas_covered",
        "distinct thematic_area among those joint programmes",
        COUNT,
        {"joint_programmes": ("approved_on", "thematic_area")},
        PROGRAMME_APPROVED,
        lambda t, d: distinct(rows.programmes(t, d), "thematic_area"),
        grain=BY_DATE,
    ),
    Figure(
        "mptf_most_common_thematic_area",
        "the thematic_area with the most of those joint programmes (the lowest on a tie); none without programmes",
        NUMBER,
        {"joint_programmes": ("approved_on", "thematic_area")},
        PROGRAMME_APPROVED,
        _most_common_area,
        grain=BY_DATE,
    ),
    Figure(
        "mptf_concept_notes_received",
        "concept notes with submitted_on <= D",
        COUNT,
        {"concept_notes": ("submitted_on",)},
        NOTE_SUBMITTED,
        lambda t, d: count(rows.notes(t, d)),
        grain=BY_DATE,
    ),
    Figure(
        "mptf_pipeline",
        "of those concept notes, status positively assessed or prioritized",
        COUNT,
        {"concept_notes": ("submitted_on", "status")},
        NOTE_SUBMITTED,
        lambda t, d: count(rows.notes(t, d, PIPELINE)),
        grain=BY_DATE,
    ),
    Figure(
        "mptf_pipeline_prioritized",
        "of those concept notes, status prioritized",
        COUNT,
        {"concept_notes": ("submitted_on", "status")},
        NOTE_SUBMITTED,
        lambda t, d: count(rows.notes(t, d, ("prioritized",))),
        grain=BY_DATE,
    ),
    Figure(
        "mptf_net_funded_usd",
        "sum of transfers.net_funded_usd, years <= year(D)",
        USD,
        {"transfers": ("year", "net_funded_usd")},
        UP_TO_YEAR,
        lambda t, d: total(rows.transfers(t, d), "net_funded_usd"),
        grain=BY_YEAR,
    ),
    Figure(
        "mptf_expenditure_usd",
        "sum of transfers.expenditure_usd, years <= year(D)",
        USD,
        {"transfers": ("year", "expenditure_usd")},
        UP_TO_YEAR,
        lambda t, d: total(rows.transfers(t, d), "expenditure_usd"),
        grain=BY_YEAR,
    ),
    Figure(
        "mptf_delivery_rate",
        "the Fund's delivery rate: expenditure_usd as a share of net_funded_usd, transfers of years <= year(D); "
        "none before any transfer",
        PERCENT,
        {"transfers": ("year", "net_funded_usd", "expenditure_usd")},
        UP_TO_YEAR,
        lambda t, d: ratio(rows.transfers(t, d), "expenditure_usd", "net_funded_usd"),
        grain=BY_YEAR,
    ),
]

# Each key figure as a reader of the report names it (the annex comparing reports lists them so).
LABELS = {
    "country_networks": "Country networks",
    "regional_networks": "Regional networks",
    "champion_countries": "Champion countries",
    "champion_countries_with_network": "Champion countries with a country network",
    "regional_reviews_held": "Regional reviews held",
    "member_states_in_reviews": "Member States taking part in the reviews",
    "reviews_in_person_or_hybrid": "Reviews held in person or in a hybrid format",
    "mptf_contributors": "Contributors to the Fund",
    "mptf_deposits_total_usd": "Deposits to the Fund, cumulative",
    "mptf_commitments_total_usd": "Commitments to the Fund, cumulative",
    "mptf_deposits_year_usd": "Deposits for the year",
    "mptf_target_year_usd": "Capitalization target for the year",
    "mptf_deposits_year_share_of_target": "Deposits for the year as a share of the target",
    "mptf_joint_programmes": "Joint programmes approved",
    "mptf_joint_programmes_budget_usd": "Budget of the joint programmes",
    "mptf_thematic_areas_covered": "Thematic areas covered by joint programmes",
    "mptf_most_common_thematic_area": "Thematic area with the most joint programmes",
    "mptf_concept_notes_received": "Concept notes received",
    "mptf_pipeline": "Concept notes in the pipeline",
    "mptf_pipeline_prioritized": "Concept notes prioritized for funding",
    "mptf_net_funded_usd": "Transferred to participating organizations, cumulative",
    "mptf_expenditure_usd": "Expenditure reported, cumulative",
    "mptf_delivery_rate": "Delivery rate",
}
assert LABELS.keys() == {f.name for f in FIGURES}, "every key figure has a reader's name, and only those"
