"""The whole pipeline through Dagster on the bundled sample, and what a failed run leaves. These tests
need real runs: what is published, and what is not, is decided by Dagster's checks and step order."""

import datetime as dt
import hashlib

import dagster as dg
import pyarrow.parquet as pq

from assets.definitions import defs
from assets.ingest.ingest_assets import INGEST_ASSETS
from assets.keys import AFTER_INGEST
from pipeline.catalogue import FIGURES, columns_read, compute_key_figures, read_inputs
from pipeline.contract import TABLES
from pipeline.store import Store
from tests.conftest import SAMPLE, TEMPLATE, materialise

# Stated publicly on 24 June 2021 (the project's shared reference); the sample must reproduce them.
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


def materialization(result, asset: str):
    """The metadata of `asset`'s materialization in a run (a family's tables share one step)."""
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(asset)]
    assert len(events) == 1, asset
    return events[0].materialization.metadata


def key_figures(data) -> dict:
    return {r["figure"]: r for r in pq.read_table(data / "warehouse/key_figures.parquet").to_pylist()}


def test_the_definitions_load_with_every_stage():
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == set(TABLES) | set(AFTER_INGEST) | {"review_comments"}
    assert set(AFTER_INGEST) == {"published_tables", "key_figures", "report_tables", "draft_report"}
    assert {k.to_user_string() for a in INGEST_ASSETS for k in a.keys} == set(TABLES)
    assert defs.resolve_asset_graph().toposorted_asset_keys[-1].to_user_string() == "draft_report"
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"


def test_every_contract_table_is_published_with_its_schema_and_data_version(published):
    for table in TABLES.values():
        rows = pq.read_table(published.data / f"warehouse/{table.name}.parquet")
        assert rows.schema.equals(table.schema, check_metadata=False), table.name
        assert rows.num_rows > 0 or table.name.startswith("iati_"), table.name  # the sample has no IATI files
        materialized = published.summary["materializations"][table.name]
        assert materialized["metadata"]["dagster/row_count"] == rows.num_rows
        assert len(materialized["data_version"] or "") == 16


def test_the_sample_reproduces_the_public_figures_of_24_june_2021(published):
    figures = key_figures(published.data)
    assert {name: figures[name]["value"] for name in PUBLIC_2021} == PUBLIC_2021
    assert figures["mptf_target_year_usd"]["value"] == 30_000_000
    assert all(row["as_of"] == dt.date(2021, 6, 24) for row in figures.values())
    assert list(figures) == list(FIGURES)


def test_deposits_to_the_end_of_2020_come_to_about_17_5_million(published):
    frames = read_inputs(Store(published.data), "2022", columns_read(FIGURES.values()))
    figures = {r["figure"]: r["value"] for r in compute_key_figures(frames, dt.date(2020, 12, 31)).to_pylist()}
    assert round(figures["mptf_deposits_total_usd"] / 1e6, 1) == 17.5


def test_source_files_are_archived_by_hash_and_listed(published):
    listed = pq.read_table(published.data / "warehouse/source_files.parquet").to_pylist()
    on_disk = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.suffix in (".csv", ".xlsx")}
    assert {row["path"] for row in listed} == on_disk
    for row in listed:
        content = (SAMPLE / row["path"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(content).hexdigest()
        assert (published.data / "raw" / f"{row['sha256']}{(SAMPLE / row['path']).suffix}").read_bytes() == content
        assert row["bytes"] == len(content) and row["rows_read"] > 0


def published_files(root) -> dict:
    return {p: p.read_bytes() for p in (root / "data/warehouse").rglob("*") if p.is_file()}


def test_a_bad_file_fails_the_run_and_leaves_published_tables_untouched(published_copy, sample_copy):
    data, drafts = published_copy / "data", published_copy / "drafts"
    before = published_files(published_copy)
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
    assert published_files(published_copy) == before
    assert (drafts / "SG-report-draft-2021-06-24.docx").read_bytes() == draft_before


def test_a_later_run_of_another_family_does_not_publish_a_table_that_failed(published_copy, sample_copy):
    data, drafts = published_copy / "data", published_copy / "drafts"
    before = published_files(published_copy)
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "XXX,2021-01-01,\n")
    materialise(sample_copy, data, drafts, selection=["champions", "country_networks"])

    mptf_only = [t.name for t in TABLES.values() if t.family == "mptf"] + ["published_tables"]
    result = materialise(sample_copy, data, drafts, selection=mptf_only)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "published_tables"
    assert failure.step_failure_data.user_failure_data.description == (
        "Not published:\n  champions: blocking rules failed when it was last validated: iso3 ISO 3166-1 alpha-3"
    )
    assert published_files(published_copy) == before


def test_a_deleted_file_drops_its_rows_and_says_so(published_copy, sample_copy):
    data, drafts = published_copy / "data", published_copy / "drafts"
    (sample_copy / "mptf/targets.csv").unlink()
    mptf = [t.name for t in TABLES.values() if t.family == "mptf"]
    result = materialise(sample_copy, data, drafts, selection=[*mptf, *AFTER_INGEST])
    assert result.success
    metadata = materialization(result, "targets")
    assert metadata["files_gone"].value == {"mptf/targets.csv": 8}
    assert metadata["dagster/row_count"].value == 0
    assert pq.read_table(data / "warehouse/targets.parquet").num_rows == 0
    assert key_figures(data)["mptf_target_year_usd"]["value"] is None


def reused(result) -> dict[str, bool]:
    return {
        f"{c.asset_check_key.asset_key.path[-1]}.{c.asset_check_key.name}": c.metadata[
            "unchanged_since_last_validated"
        ].value
        for c in result.get_asset_check_evaluations()
    }


def test_checks_reuse_their_results_while_what_they_read_is_unchanged(published, published_copy, sample_copy):
    data, drafts = published_copy / "data", published_copy / "drafts"
    first = published.summary["checks"]
    assert not any(check["metadata"]["unchanged_since_last_validated"] for check in first.values())
    again = materialise(sample_copy, data, drafts)
    assert again.success and all(reused(again).values())
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "JAM,2021-06-01,\n")
    changed = reused(materialise(sample_copy, data, drafts, selection=["champions", "country_networks"]))
    assert {name for name, was_reused in changed.items() if not was_reused} == {
        "champions.contract_rules",
        "champions.warnings",
    }
    # Warnings that depend on the as-of date are checked again for another date; the contract rules are not.
    later = reused(materialise(sample_copy, data, drafts, as_of="2021-06-25", selection=["champions"]))
    assert later == {"champions.contract_rules": True, "champions.warnings": False}


def test_the_instance_configuration_queues_runs_that_write_the_data(tmp_path):
    from runtime.instance import install

    instance = dg.DagsterInstance.from_config(str(install(tmp_path).parent))
    config = instance.get_concurrency_config()
    assert config.pool_config.default_pool_limit == 1 and config.pool_config.pool_granularity.value == "run"
    assert {"key": "sgr/writes", "value": "data", "limit": 1} in config.run_queue_config.tag_concurrency_limits
    repository = defs.get_repository_def()
    assert {s.name for s in repository.sensor_defs} == {
        "regional_reviews_files",
        "mptf_files",
        "country_networks_files",
        "calendar_files",
        "report_template_files",
        "returned_drafts",
        "follow_changes",
    }
    assert [s.name for s in repository.schedule_defs] == ["refresh_before_deadlines"]


def test_a_publication_no_draft_can_be_made_from_is_undone(published_copy, sample_copy, tmp_path):
    """Validation and drafting agree on what is published: if the draft fails, nothing new is."""
    import shutil

    from runtime.cli import failure_report

    template = tmp_path / "template"
    shutil.copytree(TEMPLATE, template)
    chapter = template / "chapters/03-un-system.md"
    chapter.write_text(chapter.read_text().replace("{{country_networks}} country", "{{networks}} country"))
    before = published_files(published_copy)
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "JAM,2021-06-01,\n")

    result = materialise(
        sample_copy,
        published_copy / "data",
        published_copy / "drafts",
        selection=["champions", "country_networks", *AFTER_INGEST],
        template=template,
    )

    assert result.asset_materializations_for_node("published_tables")  # validated and published, then
    assert next(e for e in result.all_events if e.is_step_failure).step_key == "draft_report"  # the draft failed
    assert published_files(published_copy) == before  # so the publication was undone
    assert not (published_copy / "data/published.previous").exists()
    assert failure_report(result, []).startswith(
        "sgr draft failed: the tables were validated, but no draft could be made from them; nothing was\n"
        "published (the published tables are as they were before this run) and the last draft is unchanged."
    )
