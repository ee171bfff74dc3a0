"""Each key figure and each report table of the catalogue, on small hand-made tables, dates at the
edges included; and the declarations' own consistency."""

import datetime as dt

import pandas as pd
import pytest

from pipeline.catalogue import (
    CHARTS,
    FIGURES,
    PREVIOUS_FIGURES,
    REPORT_TABLES,
    TOTAL,
    columns_read,
    compute_key_figures,
    derive_table,
)
from pipeline.catalogue.model import STATED_UNITS
from pipeline.contract import LINEAGE_COLUMNS, TABLES
from tests.conftest import (
    DAY_AFTER,
    DAY_BEFORE,
    D,
    champion,
    contribution,
    frames,
    network,
    note,
    programme,
    review,
    transfer,
)


def figures(**rows) -> dict:
    return {r["figure"]: r for r in compute_key_figures(frames(**rows), D).to_pylist()}


def value(name: str, **rows):
    return figures(**rows)[name]["value"]


def table(name: str, t=None, as_of=D, **rows) -> list[dict]:
    derived = derive_table(REPORT_TABLES[name], t if t is not None else frames(**rows), as_of)
    return derived.to_pylist()


def test_a_network_established_on_the_day_counts_and_one_closed_on_it_does_not():
    networks = [
        network("on-day", established=D),
        network("tomorrow", established=DAY_AFTER),
        network("closed-on-day", closed=D),
        network("closed-yesterday", closed=DAY_BEFORE),
        network("closes-tomorrow", closed=DAY_AFTER),
        network("regional", level="regional", iso3=None),
    ]
    result = figures(country_networks=networks)
    assert result["country_networks"]["value"] == 2
    assert result["regional_networks"]["value"] == 1
    assert result["country_networks"]["rows_counted"] == 2


def test_champions_and_those_with_a_network():
    champions = [champion("KEN", joined=D), champion("EGY"), champion("IRQ", left=D), champion("MEX", joined=DAY_AFTER)]
    networks = [
        network("n1", iso3="KEN"),
        network("n2", iso3="MEX"),
        network("n3", iso3="IRQ"),
        network("n4", iso3="EGY", closed=D),
    ]
    result = figures(champions=champions, country_networks=networks)
    assert result["champion_countries"]["value"] == 2
    assert result["champion_countries_with_network"]["value"] == 1
    assert result["champion_countries_with_network"]["source_tables"] == ["champions", "country_networks"]


def test_reviews_held_their_member_states_and_those_in_person():
    reviews = [review("A", D, fmt="hybrid"), review("B", DAY_BEFORE), review("C", DAY_AFTER, fmt="in person")]
    participants = [
        {"review_id": "A", "iso3": "KEN"},
        {"review_id": "B", "iso3": "KEN"},
        {"review_id": "B", "iso3": "EGY"},
        {"review_id": "C", "iso3": "MAR"},
    ]
    result = figures(reviews=reviews, review_participants=participants)
    assert result["regional_reviews_held"]["value"] == 2
    assert result["member_states_in_reviews"]["value"] == 2
    assert result["reviews_in_person_or_hybrid"]["value"] == 1  # C is in person, but not yet held


def test_contributions_up_to_and_in_the_year_and_the_share_of_the_target():
    rows = [
        contribution("Germany", 2020, 5e6, 4e6),
        contribution("Germany", 2021, 1e6, 1e6),
        contribution("Spain", 2021, 2e6, 0),
        contribution("Norway", 2022, 9e6, 9e6),
    ]
    result = figures(contributions=rows, targets=[{"year": 2021, "capitalization_target_usd": 4e6}])
    assert result["mptf_contributors"]["value"] == 1  # Spain deposited nothing yet; Norway only in 2022
    assert result["mptf_deposits_total_usd"]["value"] == 5e6
    assert result["mptf_commitments_total_usd"]["value"] == 8e6
    assert result["mptf_deposits_year_usd"]["value"] == 1e6
    assert result["mptf_target_year_usd"]["value"] == 4e6
    assert result["mptf_deposits_year_share_of_target"]["value"] == 0.25
    assert result["mptf_deposits_year_share_of_target"]["rows_counted"] == 3  # 2 contributions of 2021, 1 target


def test_a_year_without_a_target_has_no_target_and_no_share():
    result = figures(targets=[{"year": 2020, "capitalization_target_usd": 1.0}])
    assert result["mptf_target_year_usd"]["value"] is None
    assert result["mptf_deposits_year_share_of_target"]["value"] is None


def test_joint_programmes_approved_by_the_day_and_the_most_common_area():
    rows = [
        programme("P1", D, 3, 2e6),
        programme("P2", DAY_BEFORE, 1, 1e6),
        programme("P3", DAY_BEFORE, 3, 1e6),
        programme("P4", DAY_AFTER, 1, 5e6),
        programme("P5", DAY_AFTER, 1, 5e6),
    ]
    result = figures(joint_programmes=rows)
    assert result["mptf_joint_programmes"]["value"] == 3
    assert result["mptf_joint_programmes_budget_usd"]["value"] == 4e6
    assert result["mptf_thematic_areas_covered"]["value"] == 2
    assert result["mptf_most_common_thematic_area"]["value"] == 3  # area 1 leads only after D


def test_the_most_common_area_on_a_tie_is_the_lowest_and_none_without_programmes():
    assert (
        value("mptf_most_common_thematic_area", joint_programmes=[programme("a", D, 4, 1), programme("b", D, 2, 1)])
        == 2
    )
    assert value("mptf_most_common_thematic_area") is None


def test_concept_notes_and_the_pipeline():
    rows = [
        note("1", D, "prioritized"),
        note("2", D, "positively assessed"),
        note("3", DAY_BEFORE, "funded"),
        note("4", DAY_BEFORE, "not retained"),
        note("5", DAY_AFTER, "prioritized"),
    ]
    result = figures(concept_notes=rows)
    assert result["mptf_concept_notes_received"]["value"] == 4
    assert result["mptf_pipeline"]["value"] == 2
    assert result["mptf_pipeline_prioritized"]["value"] == 1


def test_transfers_up_to_the_year_and_the_delivery_rate():
    result = figures(transfers=[transfer("P1", y, 1e6, s) for y, s in ((2020, 5e5), (2021, 1e6), (2022, 0))])
    assert result["mptf_net_funded_usd"]["value"] == 2e6
    assert result["mptf_expenditure_usd"]["value"] == 1.5e6
    assert result["mptf_delivery_rate"]["value"] == 0.75
    assert result["mptf_delivery_rate"]["rows_counted"] == 2
    assert value("mptf_delivery_rate") is None  # nothing transferred: no rate, not a division by zero


def test_each_figure_names_the_files_its_rows_came_from():
    rows = [
        contribution("Germany", 2020, 1, 1) | {"file": "mptf/b.csv"},
        contribution("Spain", 2020, 1, 1) | {"file": "mptf/a.xlsx"},
    ]
    result = figures(contributions=rows)["mptf_deposits_total_usd"]
    assert result["source_files"] == ["mptf/a.xlsx", "mptf/b.csv"]
    assert result["rows_counted"] == 2
    assert result["as_of"] == D


@pytest.mark.parametrize("name", ["country_networks", "mptf_deposits_total_usd", "mptf_pipeline"])
def test_empty_tables_give_zero(name):
    assert value(name) == 0


def test_regional_reviews_lists_the_cycles_begun_held_or_scheduled():
    reviews = [
        review("B", DAY_BEFORE, region="Arab region", commission="ESCWA") | {"start_date": dt.date(2021, 6, 1)},
        review("A", D) | {"start_date": dt.date(2021, 5, 1)},
        review("C", DAY_AFTER, region="Asia and the Pacific", commission="ESCAP"),
        review("N", dt.date(2024, 11, 6), cycle="2024-2025"),
    ]
    rows = table("regional_reviews", reviews=reviews)
    assert [(r["review_id"], r["held"]) for r in rows] == [("A", True), ("B", True), ("C", False)]
    assert rows[0]["start_date"] == dt.date(2021, 5, 1) and rows[0]["member_states"] == 1


def test_contributions_by_year_against_the_target_with_totals():
    rows = table(
        "contributions_by_year",
        contributions=[
            contribution("G", 2020, 2.0, 1.0),
            contribution("S", 2020, 1.0, 1.0),
            contribution("N", 2022, 5, 5),
        ],
        targets=[{"year": 2020, "capitalization_target_usd": 4.0}, {"year": 2021, "capitalization_target_usd": 10.0}],
    )
    assert [
        (r["year"], r["commitments_usd"], r["deposits_usd"], r["target_usd"], r["share_of_target"]) for r in rows
    ] == [
        (2020, 3.0, 2.0, 4.0, 0.5),
        (2021, 0.0, 0.0, 10.0, 0.0),
        (None, 3.0, 2.0, None, None),
    ]
    assert [r[TOTAL] for r in rows] == [False, False, True]


def test_transfers_by_year_with_each_years_delivery_rate():
    rows = table(
        "transfers_by_year",
        transfers=[transfer("P1", 2020, 4.0, 1.0), transfer("P2", 2020, 0, 1.0), transfer("P1", 2022, 1, 1)],
    )
    assert [(r["year"], r["net_funded_usd"], r["expenditure_usd"], r["delivery_rate"]) for r in rows] == [
        (2020, 4.0, 2.0, 0.5),
        (None, 4.0, 2.0, None),
    ]


def test_programmes_by_area_lists_every_area_of_the_contract():
    rows = table("programmes_by_area", joint_programmes=[programme("P1", D, 2, 3.0), programme("P2", DAY_AFTER, 2, 1)])
    assert [r["thematic_area"] for r in rows[:-1]] == list(TABLES["joint_programmes"].column("thematic_area").values)
    assert [(r["programmes"], r["budget_usd"]) for r in rows] == [(0, 0), (1, 3.0), (0, 0), (0, 0), (0, 0), (1, 3.0)]
    assert rows[0]["name"].startswith("Fact-based")


def test_programmes_by_region_lists_regions_with_programmes_and_several():
    rows = table(
        "programmes_by_region",
        joint_programmes=[
            programme("P1", D, 1, 1.0, ("KEN", "EGY")),
            programme("P2", D, 1, 2.0, ("KEN", "MEX")),
            programme("P3", D, 1, 4.0, ("FRA",)),
        ],
    )
    assert [(r["region"], r["programmes"], r["budget_usd"]) for r in rows] == [
        ("Africa", 1, 1.0),
        ("Europe", 1, 4.0),
        ("Several regions", 1, 2.0),
        (None, 3, 7.0),
    ]


def test_networks_by_region_as_of_the_day():
    rows = table(
        "networks_by_region",
        country_networks=[network("n1", iso3="KEN"), network("n2", iso3="FRA", closed=D), network("n3", iso3="MEX")],
        champions=[champion("KEN"), champion("FRA"), champion("BRA", joined=DAY_AFTER)],
    )
    by_region = {
        r["region"]: (r["country_networks"], r["champion_countries"], r["champions_with_network"]) for r in rows
    }
    assert by_region == {
        "Africa": (1, 1, 1),
        "Americas": (1, 0, 0),
        "Asia": (0, 0, 0),
        "Europe": (0, 1, 0),
        "Oceania": (0, 0, 0),
        None: (2, 2, 1),
    }


def test_networks_over_time_at_each_year_end_and_on_the_day():
    rows = table(
        "networks_over_time",
        country_networks=[
            network("n1", established=dt.date(2019, 5, 1)),
            network("n2", established=dt.date(2021, 1, 5)),
        ],
        champions=[champion("KEN", joined=dt.date(2020, 3, 1), left=dt.date(2021, 2, 1))],
    )
    assert [(r["date"], r["country_networks"], r["champion_countries"]) for r in rows] == [
        (dt.date(2019, 12, 31), 1, 0),
        (dt.date(2020, 12, 31), 1, 1),
        (D, 2, 0),
    ]


def findings_frames():
    reviews = [
        review("A", D),
        review("B", DAY_BEFORE, region="Arab region", commission="ESCWA"),
        review("C", DAY_AFTER),
    ]
    findings = [
        {"review_id": "A", "objective": 12, "finding": "progress", "text": "t"},
        {"review_id": "B", "objective": 12, "finding": "progress", "text": "t"},
        {"review_id": "B", "objective": 5, "finding": "progress", "text": "t"},
        {"review_id": "A", "objective": 2, "finding": "challenge", "text": "t"},
        {"review_id": "C", "objective": 2, "finding": "priority", "text": "t"},  # not yet held
    ]
    recommendations = [
        {"review_id": "A", "number": 1, "text": "t", "objectives": [2, 5]},  # one recommendation, one cluster
        {"review_id": "B", "number": 1, "text": "t", "objectives": [5, 1]},  # two clusters
        {"review_id": "C", "number": 1, "text": "t", "objectives": [2]},  # not yet held
    ]
    return frames(reviews=reviews, review_findings=findings, review_recommendations=recommendations)


def test_findings_by_cluster_counts_kinds_cites_objectives_and_recommendations_once():
    rows = {r["cluster"]: r for r in table("findings_by_cluster", findings_frames())}
    rt1 = rows["RT1"]
    assert (rt1["findings"], rt1["progress_findings"], rt1["challenge_findings"], rt1["priority_findings"]) == (
        4,
        3,
        1,
        0,
    )
    assert rt1["most_progress"] == [12, 5]  # 12 in two regions, 5 in one
    assert rt1["most_challenge"] == [2] and rt1["most_priority"] == []
    assert rt1["recommendations"] == 2  # A's names two objectives of RT1 but counts once
    assert rows["RT4"]["recommendations"] == 1 and rows["RT4"]["findings"] == 0
    assert rt1["objectives"] == [2, 5, 6, 12, 18]


def test_objectives_by_region_counts_the_findings_of_reviews_held():
    rows = {r["objective"]: r for r in table("objectives_by_region", findings_frames())}
    assert len(rows) == 23 and rows[12]["cluster"] == "RT1"
    assert (rows[12]["Africa"], rows[12]["Arab region"], rows[2]["Africa"]) == (1, 1, 1)


def record_frames(previous=None, **extra):
    t = frames(**extra)
    t["source_files"] = pd.DataFrame(
        {
            "path": ["b.xlsx", "a.csv", "b.xlsx"],
            "table": ["reviews", "targets", "review_findings"],
            "family": ["regional_reviews", "mptf", "regional_reviews"],
            "sha256": ["b" * 64, "a" * 64, "b" * 64],
            "rows_read": [2, 3, 4],
            "first_seen": pd.to_datetime(["2021-06-01", "2021-01-01", "2021-06-01"], utc=True),
            "note": [None, None, None],
        }
    )
    t["validation_results"] = pd.DataFrame(
        {
            "table": ["reviews", "reviews", "targets"],
            "rule": ["r1", "a warning", "r2"],
            "severity": ["error", "warning", "error"],
            "passed": [True, False, True],
            "offending": [0, 2, 0],
            "examples": [[], ["x.csv line 2 — a warning", "x.csv line 3 — a warning"], []],
        }
    )
    now = compute_key_figures(t, D).to_pandas(date_as_object=False)
    t["key_figures"] = now
    t[PREVIOUS_FIGURES] = now.iloc[0:0] if previous is None else previous
    return t


def test_the_annex_tables_files_checks_and_freshness():
    t = record_frames()
    files = table("source_files_used", t)
    assert [(f["path"], f["tables"], f["rows"], f["first_seen"]) for f in files] == [
        ("a.csv", ["targets"], 3, dt.date(2021, 1, 1)),
        ("b.xlsx", ["review_findings", "reviews"], 6, dt.date(2021, 6, 1)),
    ]
    assert table("validation", t) == [{"blocking_rules": 2, "tables": 2, "warnings": 1}]
    assert table("warnings_outstanding", t) == [
        {"table": "reviews", "rule": "a warning", "offending": 2, "example": "x.csv line 2 — a warning"}
    ]
    assert table("freshness", t) == [{"window_days": 30, "stale": 1}]  # mptf's newest file is 174 days old
    assert table("stale_families", t) == [{"family": "mptf", "age_days": 174}]


def test_the_next_deadline_and_the_days_left():
    calendar = [{"date": DAY_AFTER, "kind": "imrf", "title": "Forum", "tentative": "yes"}]
    assert table("next_deadline", calendar=calendar) == [
        {"title": "Forum", "date": DAY_AFTER, "tentative": True, "days_left": 1}
    ]
    assert table("next_deadline", calendar=calendar, as_of=dt.date(2021, 7, 1)) == []


def test_changes_since_the_previous_draft():
    first = record_frames()
    assert table("previous_draft", first) == [] and table("figure_changes", first) == []
    before = first["key_figures"].copy()
    before.loc[before["figure"] == "country_networks", "value"] = 7.0
    before = before[before["figure"] != "mptf_pipeline"]
    t = record_frames(previous=before)
    assert table("previous_draft", t) == [{"as_of": D, "figures_changed": 2}]
    assert table("figure_changes", t) == [
        {"figure": "country_networks", "stated_before": True, "previous": 7.0, "now": 0.0, "unit": "count"},
        {"figure": "mptf_pipeline", "stated_before": False, "previous": None, "now": 0.0, "unit": "count"},
    ]


def test_every_declaration_reads_only_what_exists_and_derives_what_it_declares():
    published = set(TABLES) | {"source_files", "validation_results", "key_figures", PREVIOUS_FIGURES}
    for declaration in [*FIGURES.values(), *REPORT_TABLES.values()]:
        for name, columns in declaration.reads.items():
            assert name in published, (declaration.name, name)
            if name in TABLES:
                # A table of the dossier may name a row's line: lineage every row keeps.
                assert set(columns) <= {*TABLES[name].column_names, *LINEAGE_COLUMNS}, (declaration.name, name)
    for figure in FIGURES.values():
        assert figure.unit in STATED_UNITS and figure.words, figure.name
    assert {c.table for c in CHARTS.values()} <= set(REPORT_TABLES)


def test_the_columns_loaded_are_the_union_of_what_the_declarations_read():
    columns = columns_read(FIGURES.values())
    assert columns["country_networks"] == ["level", "established_on", "closed_on", "iso3"]
    assert "title" not in columns["joint_programmes"]  # no figure reads a programme's title


def iati_transaction(number: int, kind: int, day: dt.date, amount: float, from_fund: str = "yes") -> dict:
    return {
        "iati_identifier": "XM-DAC-41114-1",
        "organization": "UNDP",
        "transaction_number": number,
        "transaction_type": kind,
        "value_date": day,
        "value_usd": amount,
        "from_fund": from_fund,
        "file": "mptf/undp.xml",
    }


def test_the_iati_tables_name_each_file_and_each_transaction_that_counts_by_d():
    t = record_frames(
        iati_transactions=[
            iati_transaction(1, 1, dt.date(2020, 12, 31), 100.0),
            iati_transaction(2, 11, dt.date(2020, 12, 1), 500.0),  # a commitment: kept, not counted
            iati_transaction(3, 4, dt.date(2021, 5, 31), 40.0),
            iati_transaction(4, 4, DAY_AFTER, 9.0),  # after D
            iati_transaction(5, 1, dt.date(2021, 1, 5), 7.0, from_fund="no"),  # from another funder
        ],
        iati_activities=[{"iati_identifier": "XM-DAC-41114-1", "programme_id": "JP1"}],
    )
    iati_file = {"path": "mptf/undp.xml", "table": "iati_transactions", "family": "mptf", "sha256": "c" * 64}
    iati_file |= {"rows_read": 5, "first_seen": pd.Timestamp("2021-06-01", tz="UTC"), "note": "2 activities: ..."}
    t["source_files"] = pd.concat([t["source_files"], pd.DataFrame([iati_file])], ignore_index=True)
    assert table("iati_files", t) == [{"path": "mptf/undp.xml", "note": "2 activities: ..."}]
    assert [
        (r["line"], r["transaction"], r["counted_as"], r["value_date"], r["amount_usd"], r["programme"])
        for r in table("iati_transactions_counted", t)
    ] == [
        (2, 1, "net funded", dt.date(2020, 12, 31), 100.0, "JP1"),
        (4, 3, "expenditure", dt.date(2021, 5, 31), 40.0, "JP1"),
    ]
    t["iati_activities"] = t["iati_activities"].iloc[0:0]
    assert {r["programme"] for r in table("iati_transactions_counted", t)} == {"not mapped: not counted"}


def test_every_report_table_has_a_test_of_its_own():
    import re
    from pathlib import Path

    here = Path(__file__).read_text()
    untested = [name for name in REPORT_TABLES if not re.search(rf'table\(\s*"{name}"', here)]
    assert untested == []


def test_key_figures_as_of_two_dates_and_the_comparison_table():
    t = frames(
        country_networks=[network("a", established=DAY_BEFORE), network("b", established=dt.date(2019, 1, 1))],
        transfers=[transfer("JP1", 2021, 100.0, 40.0)],
    )
    earlier = dt.date(2020, 1, 1)
    rows = {r["figure"]: r for r in compute_key_figures(t, D, earlier).to_pylist()}
    assert (rows["country_networks"]["value"], rows["country_networks"]["previous_value"]) == (2.0, 1.0)
    assert rows["country_networks"]["previous_as_of"] == earlier
    # No transfer in 2020: the delivery rate did not exist then, and is not made zero.
    assert rows["mptf_delivery_rate"]["value"] == 0.4 and rows["mptf_delivery_rate"]["previous_value"] is None
    # The comparison table lists every figure, then and now.
    t["key_figures"] = compute_key_figures(t, D, earlier).to_pandas(date_as_object=False)
    compared = {r["figure"]: r for r in table("figures_compared", t)}
    assert len(compared) == len(FIGURES)
    assert compared["country_networks"] == {
        "figure": "country_networks",
        "previous": 1.0,
        "now": 2.0,
        "unit": "count",
        "counted_to": None,  # a stock: as of the date compared with
        "stated": False,  # no report was drafted then: counted now
        "of_one_year": False,
        "previous_year": None,  # not a figure of one year
        "year_running": False,
        "previous_name": None,  # a count names nothing
        "now_name": None,
    }
    assert compared["mptf_delivery_rate"]["previous"] is None
    # The year's deposits as of a day inside the year are the year so far: not compared with a whole year's. The
    # year's target is set ahead of its year: compared as of each date.
    deposits, target = compared["mptf_deposits_year_usd"], compared["mptf_target_year_usd"]
    assert (deposits["of_one_year"], deposits["year_running"], deposits["previous_year"]) == (True, True, 2019)
    assert (target["of_one_year"], target["year_running"], target["previous_year"]) == (True, False, 2020)
    # Nothing to compare with (the first edition): the table is empty, the figures have no previous value.
    t["key_figures"] = compute_key_figures(t, D).to_pandas(date_as_object=False)
    assert table("figures_compared", t) == []
    assert {r["previous_value"] for r in compute_key_figures(t, D).to_pylist()} == {None}


def test_reviews_and_findings_by_cycle_the_cycle_under_review_apart():
    reviews = [
        review("OLD", dt.date(2021, 3, 1), cycle="2020-2021"),
        review("A", DAY_BEFORE, cycle="2022-2023"),
        review("B", DAY_AFTER, cycle="2022-2023", region="Arab region", commission="ESCWA"),  # scheduled
    ]
    participants = [
        {"review_id": "OLD", "iso3": "KEN"},
        {"review_id": "OLD", "iso3": "EGY"},
        {"review_id": "A", "iso3": "KEN"},
        {"review_id": "B", "iso3": "MAR"},
    ]
    findings = [
        {"review_id": "OLD", "objective": 12, "finding": "progress", "text": "t"},
        {"review_id": "OLD", "objective": 5, "finding": "challenge", "text": "t"},
        {"review_id": "A", "objective": 12, "finding": "priority", "text": "t"},
        {"review_id": "B", "objective": 12, "finding": "progress", "text": "t"},  # not yet held
    ]
    t = frames(reviews=reviews, review_participants=participants, review_findings=findings)
    assert table("reviews_by_cycle", t) == [
        {
            "cycle": "2020-2021",
            "under_review": False,
            "reviews_held": 1,
            "reviews_scheduled": 0,
            "member_states": 2,
            "progress_findings": 1,
            "challenge_findings": 1,
            "priority_findings": 0,
        },
        {
            "cycle": "2022-2023",
            "under_review": True,
            "reviews_held": 1,
            "reviews_scheduled": 1,
            "member_states": 1,
            "progress_findings": 0,
            "challenge_findings": 0,
            "priority_findings": 1,
        },
    ]
    by_objective = {r["objective"]: (r["under_review"], r["previous"]) for r in table("objectives_by_cycle", t)}
    assert by_objective[12] == (1, 1) and by_objective[5] == (0, 1) and by_objective[1] == (0, 0)
    assert len(by_objective) == 23
    # Before any review: no cycle, no findings.
    assert table("reviews_by_cycle", t, as_of=dt.date(2020, 1, 1)) == []
    assert {r["under_review"] + r["previous"] for r in table("objectives_by_cycle", t, as_of=dt.date(2020, 1, 1))} == {
        0
    }


def test_a_compute_that_reads_an_undeclared_column_or_table_fails_naming_it(monkeypatch):
    import dataclasses

    from pipeline.catalogue import UndeclaredRead, figure_inputs

    rows = frames(country_networks=[network("AFG"), network("AGO", established=DAY_AFTER)])
    counted = FIGURES["country_networks"]
    given = figure_inputs(counted, rows, pd.Timestamp(D))
    assert set(given) == {"country_networks"}
    # Only the declared columns (and the rows' files), with the as-of predicate already applied on D.
    assert set(given["country_networks"].columns) <= {"level", "established_on", "closed_on", "source_file"}
    assert len(given["country_networks"]) == 1
    by_name = dataclasses.replace(counted, compute=lambda t, day: (t["country_networks"]["name"].nunique(), []))
    monkeypatch.setitem(FIGURES, "country_networks", by_name)
    with pytest.raises(UndeclaredRead, match="country_networks reads column 'name', which its declaration"):
        compute_key_figures(rows, D)
    of_champions = dataclasses.replace(counted, compute=lambda t, day: (len(t["champions"]), []))
    monkeypatch.setitem(FIGURES, "country_networks", of_champions)
    with pytest.raises(UndeclaredRead, match="country_networks reads 'champions', which its declaration"):
        compute_key_figures(rows, D)


def test_a_flow_by_year_is_counted_to_the_end_of_the_last_year_ended():
    from pipeline.catalogue.model import BY_DATE, BY_YEAR, STOCK, counted_to

    assert counted_to(BY_YEAR, dt.date(2022, 1, 25)) == dt.date(2021, 12, 31)  # 2022 had barely begun
    assert counted_to(BY_YEAR, dt.date(2021, 12, 31)) == dt.date(2021, 12, 31)  # the whole year is in
    assert counted_to(STOCK, dt.date(2022, 1, 25)) == counted_to(BY_DATE, dt.date(2022, 1, 25)) == dt.date(2022, 1, 25)


def test_a_flow_by_year_compared_inside_a_year_counts_whole_years_and_at_a_year_end_the_whole_year():
    t = frames(
        contributions=[
            contribution("Germany", 2020, 5e6, 4e6),
            contribution("Germany", 2021, 1e6, 1e6),
            contribution("Norway", 2022, 9e6, 9e6),
        ],
        targets=[{"year": 2021, "capitalization_target_usd": 4e6}, {"year": 2022, "capitalization_target_usd": 5e6}],
    )
    now = dt.date(2022, 6, 30)

    def compared(day: dt.date) -> dict:
        return {r["figure"]: r for r in compute_key_figures(t, now, day).to_pylist()}

    # Compared at 30 June 2021: 2021's deposits are not in the earlier column, which counts to the end of 2020.
    inside = compared(dt.date(2021, 6, 30))
    assert inside["mptf_deposits_total_usd"]["previous_value"] == 4e6
    assert inside["mptf_deposits_total_usd"]["previous_counted_to"] == dt.date(2020, 12, 31)
    assert inside["mptf_deposits_year_usd"]["previous_value"] == 4e6  # 2020's, the last whole year then
    # The target, set ahead of its year, is that in force on the date compared with.
    assert inside["mptf_target_year_usd"]["previous_value"] == 4e6
    # Compared at 31 December 2021: the whole of 2021 is in.
    end = compared(dt.date(2021, 12, 31))
    assert end["mptf_deposits_total_usd"]["previous_value"] == 5e6
    assert end["mptf_deposits_total_usd"]["previous_counted_to"] == dt.date(2021, 12, 31)
    assert end["mptf_deposits_year_usd"]["previous_value"] == 1e6
    t["key_figures"] = compute_key_figures(t, now, dt.date(2021, 6, 30)).to_pandas(date_as_object=False)
    rows = {r["figure"]: r for r in table("figures_compared", t, as_of=now)}
    assert rows["mptf_deposits_total_usd"]["counted_to"] == dt.date(2020, 12, 31)  # the row says so
    assert rows["country_networks"]["counted_to"] is None  # a stock: as of the date itself
