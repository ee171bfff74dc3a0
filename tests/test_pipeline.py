"""The whole pipeline through Dagster on the bundled sample, and what a failed run leaves."""

import datetime as dt
import hashlib

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.contract import TABLES
from pipeline.definitions import defs
from tests.conftest import SAMPLE

# Stated publicly on 24 June 2021 (shared/reference/gcm.md); the sample must reproduce them.
PUBLIC_2021 = {
    "country_networks": 52,
    "champion_countries": 23,
    "champion_countries_with_network": 14,
    "mptf_joint_programmes": 9,
    "mptf_thematic_areas_covered": 5,
    "mptf_concept_notes_received": 97,
    "mptf_pipeline": 32,
    "mptf_pipeline_prioritized": 10,
    "regional_reviews_held": 4,
}


def materialise(sources, data, reports, as_of="2021-06-24"):
    config = {"sources": str(sources), "data": str(data), "reports": str(reports), "as_of": as_of}
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        run_config={"resources": {"settings": {"config": config}}},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("run")
    result = materialise(SAMPLE, root / "data", root / "drafts")
    return result, root


def materialization(result, asset: str):
    """The metadata of `asset`'s materialization in a run (a family's tables share one step)."""
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(asset)]
    assert len(events) == 1, asset
    return events[0].materialization.metadata


def key_figures(data) -> dict:
    return {r["figure"]: r for r in pq.read_table(data / "warehouse/key_figures.parquet").to_pylist()}


def test_the_definitions_load():
    repository = defs.get_repository_def()
    assert len(repository.asset_graph.get_all_asset_keys()) == len(TABLES) + 4
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"


def test_every_contract_table_is_published_with_its_schema(sample_run):
    result, root = sample_run
    assert result.success
    for table in TABLES.values():
        published = pq.read_table(root / f"data/warehouse/{table.name}.parquet")
        assert published.schema.equals(table.schema, check_metadata=False), table.name
        assert published.num_rows > 0, table.name
        assert materialization(result, table.name)["dagster/row_count"].value == (published.num_rows)


def test_the_sample_reproduces_the_public_figures_of_24_june_2021(sample_run):
    _result, root = sample_run
    figures = key_figures(root / "data")
    assert {name: figures[name]["value"] for name in PUBLIC_2021} == PUBLIC_2021
    assert figures["mptf_target_year_usd"]["value"] == 30_000_000
    assert all(row["as_of"] == dt.date(2021, 6, 24) for row in figures.values())


def test_deposits_to_the_end_of_2020_come_to_about_17_5_million(tmp_path):
    result = materialise(SAMPLE, tmp_path / "data", tmp_path / "drafts", as_of="2020-12-31")
    assert result.success
    assert round(key_figures(tmp_path / "data")["mptf_deposits_total_usd"]["value"] / 1e6, 1) == 17.5


def test_source_files_are_archived_by_hash_and_listed(sample_run):
    _result, root = sample_run
    listed = pq.read_table(root / "data/warehouse/source_files.parquet").to_pylist()
    on_disk = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.suffix in (".csv", ".xlsx")}
    assert {row["path"] for row in listed} == on_disk
    for row in listed:
        content = (SAMPLE / row["path"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(content).hexdigest()
        assert (root / "data/raw" / f"{row['sha256']}{(SAMPLE / row['path']).suffix}").read_bytes() == content
        assert row["bytes"] == len(content) and row["rows_read"] > 0


def test_a_bad_file_fails_the_run_and_leaves_published_tables_untouched(sample_copy, tmp_path):
    data, drafts = tmp_path / "data", tmp_path / "drafts"
    assert materialise(sample_copy, data, drafts).success
    before = {p: p.read_bytes() for p in (data / "warehouse").rglob("*") if p.is_file()}
    draft_before = (drafts / "SG-report-draft-2021-06-24.docx").read_bytes()
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "KEN,8 June 2021,\n")

    result = materialise(sample_copy, data, drafts)

    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert [(c.asset_check_key.asset_key.path[-1], c.asset_check_key.name) for c in failed] == [
        ("champions", "contract_rules"),
        ("champions", "warnings"),
    ]
    assert "country_networks/champions.csv line 30, column joined_on: value '8 June 2021'" in failed[0].description
    assert not result.asset_materializations_for_node("published_tables")
    assert {p: p.read_bytes() for p in (data / "warehouse").rglob("*") if p.is_file()} == before
    assert (drafts / "SG-report-draft-2021-06-24.docx").read_bytes() == draft_before


def test_a_later_run_of_another_family_does_not_publish_a_table_that_failed(sample_copy, tmp_path):
    data, drafts = tmp_path / "data", tmp_path / "drafts"
    assert materialise(sample_copy, data, drafts).success
    before = {p: p.read_bytes() for p in (data / "warehouse").rglob("*") if p.is_file()}
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "XXX,2021-01-01,\n")
    materialise(sample_copy, data, drafts)

    config = {"sources": str(sample_copy), "data": str(data), "reports": str(drafts), "as_of": "2021-06-24"}
    mptf_only = [dg.AssetKey(t.name) for t in TABLES.values() if t.family == "mptf"] + [dg.AssetKey("published_tables")]
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        run_config={"resources": {"settings": {"config": config}}},
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=mptf_only,
        raise_on_error=False,
    )
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "published_tables"
    assert failure.step_failure_data.user_failure_data.description == (
        "Not published:\n  champions: blocking rules failed when it was last validated: iso3 ISO 3166-1 alpha-3"
    )
    assert {p: p.read_bytes() for p in (data / "warehouse").rglob("*") if p.is_file()} == before


def test_the_instance_configuration_queues_runs_that_write_the_data(tmp_path):
    (tmp_path / "dagster.yaml").write_text((SAMPLE.parent / "pipeline/dagster.yaml").read_text())
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    config = instance.get_concurrency_config()
    assert config.pool_config.default_pool_limit == 1 and config.pool_config.pool_granularity.value == "run"
    assert {"key": "sgr/writes", "value": "data", "limit": 1} in config.run_queue_config.tag_concurrency_limits
    repository = defs.get_repository_def()
    assert {s.name for s in repository.sensor_defs} >= {
        "regional_reviews_files",
        "mptf_files",
        "country_networks_files",
        "calendar_files",
        "report_template_files",
        "follow_changes",
    }
    assert [s.name for s in repository.schedule_defs] == ["refresh_before_deadlines"]


def test_a_deleted_file_drops_its_rows_and_says_so(sample_copy, tmp_path):
    data, drafts = tmp_path / "data", tmp_path / "drafts"
    assert materialise(sample_copy, data, drafts).success
    (sample_copy / "mptf/targets.csv").unlink()
    result = materialise(sample_copy, data, drafts)
    assert result.success
    metadata = materialization(result, "targets")
    assert metadata["files_gone"].value == {"mptf/targets.csv": 8}
    assert metadata["dagster/row_count"].value == 0
    assert pq.read_table(data / "warehouse/targets.parquet").num_rows == 0
    assert key_figures(data)["mptf_target_year_usd"]["value"] is None


def test_checks_reuse_their_results_while_what_they_read_is_unchanged(sample_copy, tmp_path):
    data, drafts = tmp_path / "data", tmp_path / "drafts"

    def reused(result) -> dict[str, bool]:
        return {
            f"{c.asset_check_key.asset_key.path[-1]}.{c.asset_check_key.name}": c.metadata[
                "unchanged_since_last_validated"
            ].value
            for c in result.get_asset_check_evaluations()
        }

    first = materialise(sample_copy, data, drafts)
    assert not any(reused(first).values())
    again = materialise(sample_copy, data, drafts)
    assert all(reused(again).values()) and again.success
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "JAM,2021-06-01,\n")
    changed = reused(materialise(sample_copy, data, drafts))
    assert {name for name, was_reused in changed.items() if not was_reused} == {
        "champions.contract_rules",
        "champions.warnings",
    }
