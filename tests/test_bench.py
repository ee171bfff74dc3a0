"""The benchmark's parts on a small scale: the generated sources are valid, and the floor (the plain
script every ratio divides by) reads the same data and gives the same key figures as the pipeline."""

import datetime as dt
import json

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


def floor_figures(sources, out, as_of: dt.date) -> dict:
    floor.main(sources, out, as_of)
    assert (out / "floor.docx").exists() and (out / "contributions.parquet").exists()
    return json.loads((out / "key_figures.json").read_text())


def test_the_floor_and_the_pipeline_give_the_same_key_figures_on_small_scale_sources(scale_sources, tmp_path):
    as_of = dt.date(2026, 6, 30)
    pipeline = {r["figure"]: r["value"] for r in compute_key_figures(pipeline_frames(scale_sources), as_of).to_pylist()}
    assert floor_figures(scale_sources, tmp_path / "floor", as_of) == pytest.approx(pipeline)
    assert pipeline["mptf_joint_programmes"] > 0 and pipeline["mptf_net_funded_usd"] > 0


def test_the_floor_gives_the_published_key_figures_of_the_sample(published, tmp_path):
    published_figures = pq.read_table(published.data / "warehouse/key_figures.parquet").to_pylist()
    figures = floor_figures(SAMPLE, tmp_path / "floor", dt.date.fromisoformat(AS_OF))
    assert list(figures) == list(FIGURES)
    assert figures == pytest.approx({r["figure"]: r["value"] for r in published_figures})


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
