"""The benchmark's parts on a small scale: the generated sources are valid; the floor (the plain script every
ratio divides by) shares no code with the pipeline, and both give the same key figures, each also equal to
those counted here by hand from the CSV files (the standard library's csv), so that either can be caught
wrong."""

import csv
import datetime as dt
import json
import subprocess
import sys
from collections import Counter

import pyarrow.parquet as pq
import pytest

from bench import floor
from bench.scale import make_sources
from pipeline.catalogue import FIGURES, compute_key_figures
from pipeline.contract import TABLES
from pipeline.readers import find_sources, read_sources
from pipeline.store.files import to_frame
from pipeline.validation.rules import reference_keys
from pipeline.validation.suites import validate_table
from tests.conftest import AS_OF, SAMPLE


@pytest.fixture(scope="module")
def scale_sources(tmp_path_factory):
    return make_sources(
        tmp_path_factory.mktemp("scale") / "sources", contributions=3000, transfers=3000, programmes=300, notes=600
    )


def pipeline_frames(root):
    frames = {}
    for name, table in TABLES.items():
        reading = read_sources(find_sources(root, table), table)
        assert reading.problems == [], name
        frames[name] = to_frame(reading.rows)
    return frames


def test_scale_sources_are_valid(scale_sources):
    frames = pipeline_frames(scale_sources)
    assert len(frames["contributions"]) == 3000 and len(frames["concept_notes"]) == 600
    for name, table in TABLES.items():
        references = reference_keys(table, lambda other, column: list(frames[other][column]))
        assert validate_table(table, frames[name], [], references).errors == [], name


def by_hand(sources, as_of: dt.date) -> dict:
    """The key figures of the CSV families, counted from the files with nothing of the project's."""

    def rows(name):
        with open(sources / name, newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))

    def on(row, start, end):  # open on the day: started by then, not ended on or before it
        return row[start] <= as_of.isoformat() and not (row[end] and row[end] <= as_of.isoformat())

    year, day = as_of.year, as_of.isoformat()
    networks = [r for r in rows("country_networks/country_networks.csv") if on(r, "established_on", "closed_on")]
    with_network = {r["iso3"] for r in networks if r["level"] == "country"}
    champions = [r for r in rows("country_networks/champions.csv") if on(r, "joined_on", "left_on")]
    contributions = [r for r in rows("mptf/contributions.csv") if int(r["year"]) <= year]
    deposits_year = sum(float(r["deposit_usd"]) for r in contributions if int(r["year"]) == year)
    target = [float(r["capitalization_target_usd"]) for r in rows("mptf/targets.csv") if int(r["year"]) == year]
    programmes = [r for r in rows("mptf/joint_programmes.csv") if r["approved_on"] <= day]
    areas = Counter(int(r["thematic_area"]) for r in programmes)
    notes = [r for r in rows("mptf/concept_notes.csv") if r["submitted_on"] <= day]
    transfers = [r for r in rows("mptf/transfers.csv") if int(r["year"]) <= year]
    funded = sum(float(r["net_funded_usd"]) for r in transfers)
    spent = sum(float(r["expenditure_usd"]) for r in transfers)
    return {
        "country_networks": sum(r["level"] == "country" for r in networks),
        "regional_networks": sum(r["level"] == "regional" for r in networks),
        "champion_countries": len(champions),
        "champion_countries_with_network": sum(r["iso3"] in with_network for r in champions),
        "mptf_contributors": len({r["contributor"] for r in contributions if float(r["deposit_usd"]) > 0}),
        "mptf_deposits_total_usd": sum(float(r["deposit_usd"]) for r in contributions),
        "mptf_commitments_total_usd": sum(float(r["commitment_usd"]) for r in contributions),
        "mptf_deposits_year_usd": deposits_year,
        "mptf_target_year_usd": target[0] if target else None,
        "mptf_deposits_year_share_of_target": deposits_year / target[0] if target else None,
        "mptf_joint_programmes": len(programmes),
        "mptf_joint_programmes_budget_usd": sum(float(r["budget_usd"]) for r in programmes),
        "mptf_thematic_areas_covered": len(areas),
        "mptf_most_common_thematic_area": min(areas, key=lambda a: (-areas[a], a)) if areas else None,
        "mptf_concept_notes_received": len(notes),
        "mptf_pipeline": sum(r["status"] in ("positively assessed", "prioritized") for r in notes),
        "mptf_pipeline_prioritized": sum(r["status"] == "prioritized" for r in notes),
        "mptf_net_funded_usd": funded,
        "mptf_expenditure_usd": spent,
        "mptf_delivery_rate": spent / funded if funded else None,
    }


def agree(figures: dict, counted: dict) -> None:
    for name, value in counted.items():
        assert figures[name] == (pytest.approx(value) if value is not None else None), name


def floor_figures(sources, out, as_of: dt.date) -> dict:
    floor.main(sources, out, as_of)
    assert (out / "floor.docx").exists() and (out / "contributions.parquet").exists()
    assert set(json.loads((out / "timings.json").read_text())) == {
        "imports", "ingest", "validation", "derive", "report", "orchestration"
    }  # fmt: skip
    return json.loads((out / "key_figures.json").read_text())


def test_the_floor_imports_nothing_of_the_project():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bench.floor; print(sorted(m for m in sys.modules if m.split('.')[0] in "
         "('pipeline', 'assets', 'runtime')))"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert loaded.strip() == "[]"


@pytest.mark.parametrize("as_of", [dt.date(2026, 6, 30), dt.date(2021, 6, 24), dt.date(2019, 1, 1)])
def test_the_floor_and_the_pipeline_give_the_same_key_figures_on_small_scale_sources(scale_sources, tmp_path, as_of):
    pipeline = {r["figure"]: r["value"] for r in compute_key_figures(pipeline_frames(scale_sources), as_of).to_pylist()}
    figures = floor_figures(scale_sources, tmp_path / "floor", as_of)
    assert list(figures) == list(FIGURES)
    agree(figures, pipeline)
    counted = by_hand(scale_sources, as_of)
    agree(pipeline, counted)
    agree(figures, counted)
    if as_of.year == 2026:
        assert counted["mptf_joint_programmes"] > 0 and counted["mptf_net_funded_usd"] > 0


def test_the_floor_and_the_published_run_give_the_hand_counted_figures_of_the_sample(published, tmp_path):
    published_figures = pq.read_table(published.data / "warehouse/key_figures.parquet").to_pylist()
    figures = floor_figures(SAMPLE, tmp_path / "floor", dt.date.fromisoformat(AS_OF))
    assert list(figures) == list(FIGURES)
    published = {r["figure"]: r["value"] for r in published_figures}
    agree(figures, published)  # every figure, the reviews' too
    counted = by_hand(SAMPLE, dt.date.fromisoformat(AS_OF))
    agree(published, counted)
    agree(figures, counted)
    assert counted["country_networks"] > 0 and counted["mptf_deposits_year_usd"] > 0


def test_the_timed_draft_says_where_the_time_went(published_copy, tmp_path, capsys):
    from bench import timed_draft

    timings = tmp_path / "timings.json"
    code = timed_draft.main(
        [str(timings), "draft", "--sources", str(SAMPLE), "--data", str(published_copy / "data")]
        + ["--reports", str(published_copy / "drafts"), "--as-of", AS_OF, "--family", "calendar"]
    )
    assert code == 0, capsys.readouterr().err
    recorded = json.loads(timings.read_text())
    assert set(recorded["stages"]) == {"imports", "ingest", "validation", "derive", "report", "orchestration"}
    assert recorded["materialized"] == ["calendar", "published_tables", "key_figures", "report_tables", "draft_report"]
    assert recorded["steps"]["draft_report"] > 0


def test_figures_counted_together_equal_each_counted_alone(scale_sources):
    """compute_key_figures chooses a table's rows once for every figure that asks on a day: each figure, as of
    D and as of the day it is compared on, is what it is when it chooses its own rows."""
    import pandas as pd

    from pipeline.catalogue import figure_inputs
    from pipeline.catalogue.model import counted_to

    frames = pipeline_frames(scale_sources)

    def alone(figure, day: dt.date):
        value, counted = figure.compute(figure_inputs(figure, frames, pd.Timestamp(day)), pd.Timestamp(day))
        return (None if value is None or pd.isna(value) else float(value)), sum(len(rows) for rows in counted)

    for as_of, compare in ((dt.date(2026, 6, 24), dt.date(2024, 6, 30)), (dt.date(2025, 3, 1), None)):
        for row in compute_key_figures(frames, as_of, compare).to_pylist():
            figure = FIGURES[row["figure"]]
            assert (row["value"], row["rows_counted"]) == pytest.approx(alone(figure, as_of)), row["figure"]
            if compare is not None:
                expected = alone(figure, counted_to(figure.grain, compare))[0]
                assert row["previous_value"] == pytest.approx(expected), row["figure"]
