"""The rules derived from the contract, and the warnings, on small hand-made tables."""

import dataclasses

import pyarrow as pa
import pytest

from pipeline.contract import TABLES, WARNINGS, Column, warnings_for
from pipeline.contract.row_rules import read_columns
from pipeline.store import Store
from pipeline.validation.rules import TEXT_TYPES, contract_rules
from pipeline.validation.suites import INDEX_COLUMNS, check_warnings, validate_batches, validate_table
from tests.conftest import DAY_AFTER, D, champion, contribution, frame, frames, network, programme, review, transfer

# Each attribute of a column that carries a rule, and the rule it must give (by name).
RULE_OF_ATTRIBUTE = {
    "allowed": "in its list",
    "min": "range",
    "max": "range",
    "above": "above",
    "pattern": "form",
    "pairs_with": "matches {pairs_with}",
    "not_before": "not before {not_before}",
    "required_when": "required when {required_when[0]} is {required_when[1]}",
    "references": "exists in {references_table}",
}


def test_every_rule_carrying_attribute_of_the_contract_gives_its_rule():
    declared = {f.name for f in dataclasses.fields(Column)} - {"name", "type", "required"}
    assert declared == set(RULE_OF_ATTRIBUTE), "a new kind of rule needs its rule derived (and listed here)"
    checked = 0
    for table in TABLES.values():
        names = {r.name for r in contract_rules(table)}
        for column in table.columns:
            for attribute, rule in RULE_OF_ATTRIBUTE.items():
                value = getattr(column, attribute)
                if value is None or value == ():
                    continue
                wanted = rule.format(
                    pairs_with=column.pairs_with,
                    not_before=column.not_before,
                    required_when=column.required_when or ("", ""),
                    references_table=(column.references or ".").split(".")[0],
                )
                assert f"{column.name} {wanted}" in names, (table.name, column.name, attribute)
                checked += 1
            if column.required and column.required_when is None:
                assert f"{column.name} required" in names
            if column.type.endswith("alpha-3") or column.type == "iso3":
                assert f"{column.name} ISO 3166-1 alpha-3" in names
            if column.type in TEXT_TYPES:
                assert f"{column.name} no control characters" in names
        if table.key:
            assert any(name.endswith("unique") for name in names), table.name
    assert checked > 20


def test_the_rules_are_the_gx_expectations_a_drafter_reads():
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


def test_a_valid_table_passes_every_rule():
    outcome = validate_table(TABLES["joint_programmes"], frame("joint_programmes", [programme("P1", D, 1, 1.0)]), [])
    assert outcome.failures == []
    # What the contract declares of joint_programmes, rule by rule (pipeline/contract/source_tables.py).
    assert [rule.name for rule in outcome.rules] == [
        *("programme_id required", "programme_id no control characters"),
        *("title required", "title no control characters"),
        *("countries required", "countries no control characters", "countries ISO 3166-1 alpha-3"),
        *("thematic_area required", "thematic_area range"),
        *("participating_organizations required", "participating_organizations no control characters"),
        "approved_on required",
        "end_date not before start_date",
        *("budget_usd required", "budget_usd above"),
        *("status required", "status no control characters", "status in its list"),
        "programme_id unique",
    ]


def test_an_empty_required_cell_names_its_line():
    outcome = validate_table(TABLES["joint_programmes"], frame("joint_programmes", [programme("P1", None, 1, 1.0)]), [])
    assert [str(f) for f in outcome.failures] == [
        "joint_programmes.approved_on: required: the cell is empty (1 row)\n"
        "  joint_programmes.csv line 2, column approved_on — required: the cell is empty"
    ]


def test_a_control_character_in_text_is_an_error_shown_visibly():
    rows = [review("A", D) | {"venue": "Gen\x00eva"}, review("B", D) | {"format": "virtual\x0b"}]
    outcome = validate_table(TABLES["reviews"], frame("reviews", rows), [])
    shown = [str(p) for f in outcome.errors for p in f.examples if "control" in f.rule]
    assert shown == [
        "reviews.csv line 2, column venue: value 'Gen\\x00eva' — a control character (shown as \\x.. in the value) "
        "that a Word document cannot hold: remove it",
        "reviews.csv line 3, column format: value 'virtual\\x0b' — a control character (shown as \\x.. in the value) "
        "that a Word document cannot hold: remove it",
    ]
    tabs = validate_table(TABLES["reviews"], frame("reviews", [review("A", D) | {"venue": "Gen\teva\r\n"}]), [])
    assert not any("control" in f.rule for f in tabs.errors)


def test_a_reference_to_a_missing_key_is_an_error():
    outcome = validate_table(
        TABLES["transfers"],
        frame("transfers", [transfer("P9", 2021, 1.0, 0.0)]),
        [],
        {"joint_programmes.programme_id": ["P1"]},
    )
    (failure,) = outcome.errors
    assert str(failure.examples[0]) == (
        "transfers.csv line 2, column programme_id: value 'P9' — must exist in joint_programmes (programme_id)"
    )


def messages(table, day=D, **rows) -> list[str]:
    found = check_warnings(table, frames(**rows), day)
    assert all(f.severity == "warning" for f in found)
    return [str(p) for f in found for p in f.examples]


def test_expenditure_above_net_funded_is_a_warning():
    rows = [transfer("P1", 2021, 100.0, 90.0, "IOM"), transfer("P1", 2021, 100.0, 120.0, "ILO")]
    assert messages("transfers", transfers=rows) == [
        "transfers.csv line 2, column expenditure_usd: value 90 — expenditure above net funded for P1 in 2021"
    ]
    rows[1]["expenditure_usd"] = 110.0
    assert messages("transfers", transfers=rows) == []


def test_a_warning_finds_the_same_rows_from_the_columns_it_declares_alone():
    rows = [transfer("P1", 2021, 100.0, 90.0, "IOM"), transfer("P1", 2021, 100.0, 120.0, "ILO")]
    whole = frames(transfers=rows)
    rules = warnings_for("transfers")
    columns = read_columns(rules, "transfers")
    assert columns is not None and "organization" not in columns
    pruned = {**whole, "transfers": whole["transfers"][[*sorted(columns), *INDEX_COLUMNS]]}
    found = [str(p) for f in check_warnings("transfers", pruned, D) for p in f.examples]
    assert found == [str(p) for f in check_warnings("transfers", whole, D) for p in f.examples] and found


def test_a_rule_declaring_its_columns_must_read_those_it_shows():
    rule = warnings_for("transfers")[0]
    with pytest.raises(ValueError, match="not all among the columns it reads"):
        dataclasses.replace(rule, columns={"transfers": ("programme_id", "expenditure_usd")})
    with pytest.raises(ValueError, match="columns of contributions, which it does not read"):
        dataclasses.replace(rule, columns={**rule.columns, "contributions": ("year",)})
    assert read_columns([rule, dataclasses.replace(rule, columns={})], "transfers") is None  # one reads it whole


def test_participants_differing_from_the_stated_count_is_a_warning():
    assert messages(
        "reviews",
        reviews=[review("A", None) | {"member_states_participating": 2}],
        review_participants=[{"review_id": "A", "iso3": "KEN"}],
        review_findings=[{"review_id": "A", "objective": 1, "finding": "progress", "text": "t"}],
    ) == [
        "reviews.csv line 2, column member_states_participating: value 2 — 1 Member States are listed in review_participants"
    ]


def test_a_review_without_findings_or_recommendations_is_a_warning():
    assert messages("reviews", reviews=[review("A", None) | {"member_states_participating": 0}]) == [
        "reviews.csv line 2, column review_id: value 'A' — no findings or recommendations for this review"
    ]


def test_a_champion_without_a_network_is_a_warning_as_of_the_day():
    champions = [champion("KEN"), champion("EGY"), champion("IRQ", joined=DAY_AFTER), champion("MAR")]
    networks = [network("n", iso3="KEN"), network("m", iso3="MAR", established=DAY_AFTER)]
    assert messages("champions", champions=champions, country_networks=networks) == [
        "champions.csv line 3, column iso3: value 'EGY' — a Champion country without a country network",
        "champions.csv line 5, column iso3: value 'MAR' — a Champion country without a country network",
    ]
    # A day later Iraq is a Champion and Morocco has its network: the warning follows the date, as the figures do.
    assert messages("champions", DAY_AFTER, champions=champions, country_networks=networks) == [
        "champions.csv line 3, column iso3: value 'EGY' — a Champion country without a country network",
        "champions.csv line 4, column iso3: value 'IRQ' — a Champion country without a country network",
    ]


def test_a_target_year_without_deposits_is_a_warning():
    targets = [{"year": 2021, "capitalization_target_usd": 1.0}, {"year": 2022, "capitalization_target_usd": 1.0}]
    assert messages("targets", targets=targets, contributions=[contribution("Germany", 2021, 1.0, 1.0)]) == [
        "targets.csv line 3, column year: value 2022 — a target year without deposits"
    ]


@pytest.mark.parametrize("table", sorted({w.table for w in WARNINGS}))
def test_warnings_are_quiet_on_empty_tables(table):
    assert check_warnings(table, frames(), D) == []


def test_rules_run_batch_by_batch_find_what_they_find_on_the_whole_table():
    rows = [
        programme("P1", D, 1, 1.0),
        programme("P2", None, 1, 1.0),
        programme("P1", D, 2, 1.0),  # the key of line 2 again, in another batch
        programme("P4", D, 1, 1.0, countries=("KEN", "XXX")),
        programme("P5", None, 1, 1.0),
        programme("P6", D, 1, 1.0) | {"title": "T\x07"},
        programme("P7", None, 1, 1.0),
    ]
    table, whole = TABLES["joint_programmes"], frame("joint_programmes", rows)
    batches = [whole.iloc[i : i + 2].reset_index(drop=True) for i in range(0, len(whole), 2)]
    batched = validate_batches(table, batches, whole, [])
    assert [str(f) for f in batched.failures] == [str(f) for f in validate_table(table, whole, []).failures]
    counted = {f.rule: f.count for f in batched.failures}
    assert counted["required: the cell is empty"] == 3 and counted["must be unique"] == 1
    assert len(batched.failures) == 4


def test_a_staged_table_is_read_in_batches_and_an_empty_one_as_one_empty_batch(tmp_path):
    staging, table = Store(tmp_path).staging, TABLES["contributions"]
    rows = pa.Table.from_pandas(frame("contributions", [contribution(f"C{i}", 2021, 1.0, 1.0) for i in range(5)]))
    staging.stage("contributions", rows.cast(table.schema))
    batches = list(staging.batches("contributions", ["contributor", "source_file"], 2))
    assert [b.num_rows for b in batches] == [2, 2, 1]
    assert batches[0].schema.field("source_file").type == pa.dictionary(pa.int32(), pa.string())
    staging.stage("contributions", table.schema.empty_table())
    assert [b.num_rows for b in staging.batches("contributions", ["contributor"], 2)] == [0]
