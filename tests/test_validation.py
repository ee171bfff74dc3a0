"""The rules derived from the contract, and the warnings, on small hand-made tables."""

import pytest

from pipeline.contract import TABLES
from pipeline.validation import ERROR, WARNING, WARNINGS, check_warnings, contract_rules, validate_table
from tests.test_derive import D, contribution, frame, network, programme, review


def test_every_contract_rule_kind_is_derived():
    rules = {r.name: r for t in TABLES.values() for r in contract_rules(t)}
    assert rules["venue required"].expectation == "ExpectColumnValuesToNotBeNull"
    assert rules["format in its list"].arguments["value_set"] == ["in person", "virtual", "hybrid"]
    assert rules["commission matches region"].expectation == "ExpectColumnPairValuesToBeInSet"
    assert rules["end_date not before start_date"].arguments["or_equal"] is True
    assert rules["objectives range"].items and rules["countries ISO 3166-1 alpha-3"].items
    assert rules["(review_id, iso3) unique"].expectation == "ExpectCompoundColumnsToBeUnique"
    assert rules["programme_id required when status is funded"].arguments["row_condition"] == 'status=="funded"'
    assert rules["iso3 required when level is country"].table == "country_networks"
    assert {r.reference for r in rules.values() if r.reference} == {
        "reviews.review_id",
        "joint_programmes.programme_id",
    }
    assert all(r.severity == ERROR for r in rules.values())


def test_a_valid_table_passes_every_rule():
    outcome = validate_table(TABLES["joint_programmes"], frame("joint_programmes", [programme("P1", D, 1, 1.0)]), [])
    assert outcome.failures == [] and len(outcome.rules) == 14


def test_an_empty_required_cell_names_its_line():
    outcome = validate_table(TABLES["joint_programmes"], frame("joint_programmes", [programme("P1", None, 1, 1.0)]), [])
    assert [str(f) for f in outcome.failures] == [
        "joint_programmes.approved_on: required: the cell is empty (1 row)\n"
        "  joint_programmes.csv line 2, column approved_on — required: the cell is empty"
    ]


def test_a_reference_to_a_missing_key_is_an_error():
    rows = [{"programme_id": "P9", "organization": "IOM", "year": 2021, "net_funded_usd": 1.0, "expenditure_usd": 0.0}]
    outcome = validate_table(
        TABLES["transfers"], frame("transfers", rows), [], {"joint_programmes.programme_id": ["P1"]}
    )
    (failure,) = outcome.errors
    assert str(failure.examples[0]) == (
        "transfers.csv line 2, column programme_id: value 'P9' — must exist in joint_programmes (programme_id)"
    )


def frames(**rows):
    names = {n for w in WARNINGS for n in w.reads}
    return {name: frame(name, rows.get(name, [])) for name in names}


def messages(table, **rows) -> list[str]:
    found = check_warnings(table, frames(**rows))
    assert all(f.severity == WARNING for f in found)
    return [str(p) for f in found for p in f.examples]


def test_expenditure_above_net_funded_is_a_warning():
    rows = [
        {"programme_id": "P1", "organization": o, "year": 2021, "net_funded_usd": 100.0, "expenditure_usd": e}
        for o, e in (("IOM", 90.0), ("ILO", 120.0))
    ]
    assert messages("transfers", transfers=rows) == [
        "transfers.csv line 2, column expenditure_usd: value 90 — expenditure above net funded for P1 in 2021"
    ]
    rows[1]["expenditure_usd"] = 110.0
    assert messages("transfers", transfers=rows) == []


def test_participants_differing_from_the_stated_count_is_a_warning():
    participants = [{"review_id": "A", "iso3": "KEN"}]
    assert messages(
        "reviews",
        reviews=[review("A", None) | {"member_states_participating": 2}],
        review_participants=participants,
        review_findings=[{"review_id": "A", "objective": 1, "finding": "progress", "text": "t"}],
    ) == [
        "reviews.csv line 2, column member_states_participating: value 2 — 1 Member States are listed in review_participants"
    ]


def test_a_review_without_findings_or_recommendations_is_a_warning():
    assert messages("reviews", reviews=[review("A", None) | {"member_states_participating": 0}]) == [
        "reviews.csv line 2, column review_id: value 'A' — no findings or recommendations for this review"
    ]


def test_a_champion_without_a_network_is_a_warning():
    champions = [{"iso3": "KEN", "joined_on": None}, {"iso3": "EGY", "joined_on": None}]
    assert messages("champions", champions=champions, country_networks=[network("n", iso3="KEN")]) == [
        "champions.csv line 3, column iso3: value 'EGY' — a Champion country without a country network"
    ]


def test_a_target_year_without_deposits_is_a_warning():
    targets = [{"year": 2021, "capitalization_target_usd": 1.0}, {"year": 2022, "capitalization_target_usd": 1.0}]
    assert messages("targets", targets=targets, contributions=[contribution("Germany", 2021, 1.0, 1.0)]) == [
        "targets.csv line 3, column year: value 2022 — a target year without deposits"
    ]


@pytest.mark.parametrize("table", sorted({w.table for w in WARNINGS}))
def test_warnings_are_quiet_on_empty_tables(table):
    assert check_warnings(table, frames()) == []
