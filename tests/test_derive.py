"""Each key figure on small hand-made tables, dates at the edges included."""

import datetime as dt

import pyarrow as pa
import pytest

from assets.derive.key_figures import TABLES_USED, compute_key_figures
from pipeline.contract import TABLES

D = dt.date(2021, 6, 24)
DAY_BEFORE, DAY_AFTER = dt.date(2021, 6, 23), dt.date(2021, 6, 25)


def frame(name: str, rows: list[dict]):
    table = TABLES[name]
    full = [
        {c: r.get(c) for c in table.column_names}
        | {
            "source_file": r.get("file", f"{name}.csv"),
            "source_sheet": None,
            "source_line": i + 2,
            "source_sha256": "0" * 64,
        }
        for i, r in enumerate(rows)
    ]
    return pa.Table.from_pylist(full, schema=table.schema).to_pandas(date_as_object=False)


def figures(**rows) -> dict:
    tables = {name: frame(name, rows.get(name, [])) for name in TABLES_USED}
    result = compute_key_figures(tables, D).to_pylist()
    return {r["figure"]: r for r in result}


def value(name: str, **rows):
    return figures(**rows)[name]["value"]


def network(nid, level="country", iso3="KEN", established=dt.date(2020, 1, 1), closed=None):
    return {
        "network_id": nid,
        "level": level,
        "iso3": iso3,
        "name": nid,
        "established_on": established,
        "closed_on": closed,
    }


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


def champion(iso3, joined=dt.date(2020, 10, 15), left=None):
    return {"iso3": iso3, "joined_on": joined, "left_on": left}


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


def review(rid, end):
    return {
        "review_id": rid,
        "cycle": "2020-2021",
        "region": "Africa",
        "commission": "ECA",
        "start_date": end,
        "end_date": end,
        "venue": "virtual",
        "format": "virtual",
        "member_states_participating": 1,
    }


def test_reviews_held_and_their_member_states():
    reviews = [review("A", D), review("B", DAY_BEFORE), review("C", DAY_AFTER)]
    participants = [
        {"review_id": "A", "iso3": "KEN"},
        {"review_id": "B", "iso3": "KEN"},
        {"review_id": "B", "iso3": "EGY"},
        {"review_id": "C", "iso3": "MAR"},
    ]
    result = figures(reviews=reviews, review_participants=participants)
    assert result["regional_reviews_held"]["value"] == 2
    assert result["member_states_in_reviews"]["value"] == 2


def contribution(who, year, commitment, deposit):
    return {"contributor": who, "year": year, "commitment_usd": commitment, "deposit_usd": deposit}


def test_contributions_up_to_and_in_the_year():
    rows = [
        contribution("Germany", 2020, 5e6, 4e6),
        contribution("Germany", 2021, 1e6, 1e6),
        contribution("Spain", 2021, 2e6, 0),
        contribution("Norway", 2022, 9e6, 9e6),
    ]
    result = figures(contributions=rows, targets=[{"year": 2021, "capitalization_target_usd": 30e6}])
    assert result["mptf_contributors"]["value"] == 1  # Spain deposited nothing yet; Norway only in 2022
    assert result["mptf_deposits_total_usd"]["value"] == 5e6
    assert result["mptf_commitments_total_usd"]["value"] == 8e6
    assert result["mptf_deposits_year_usd"]["value"] == 1e6
    assert result["mptf_target_year_usd"]["value"] == 30e6


def test_a_year_without_a_target_has_no_figure():
    assert value("mptf_target_year_usd", targets=[{"year": 2020, "capitalization_target_usd": 1.0}]) is None


def programme(pid, approved, area, budget):
    return {
        "programme_id": pid,
        "title": pid,
        "countries": ["KEN"],
        "thematic_area": area,
        "participating_organizations": ["IOM"],
        "approved_on": approved,
        "budget_usd": budget,
        "status": "ongoing",
    }


def test_joint_programmes_approved_by_the_day():
    rows = [programme("P1", D, 1, 2e6), programme("P2", DAY_BEFORE, 1, 1e6), programme("P3", DAY_AFTER, 3, 5e6)]
    result = figures(joint_programmes=rows)
    assert result["mptf_joint_programmes"]["value"] == 2
    assert result["mptf_joint_programmes_budget_usd"]["value"] == 3e6
    assert result["mptf_thematic_areas_covered"]["value"] == 1


def note(nid, submitted, status):
    return {"note_id": nid, "submitted_on": submitted, "countries": ["KEN"], "thematic_area": 1, "status": status}


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


def test_transfers_up_to_the_year():
    rows = [
        {"programme_id": "P1", "organization": "IOM", "year": y, "net_funded_usd": 1e6, "expenditure_usd": 5e5}
        for y in (2020, 2021, 2022)
    ]
    result = figures(transfers=rows)
    assert result["mptf_net_funded_usd"]["value"] == 2e6
    assert result["mptf_expenditure_usd"]["value"] == 1e6


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
