"""What a drafter sees in the Dagster UI, read through Dagster's own GraphQL API (the webserver's) against the
workspace of `make dev` served by real code servers, after runs started as the sensors start them. Needs a
whole run and the code servers: the start-up is made once for the module."""

import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql

from assets.keys import DRAFT_JOB
from assets.resources import Settings
from pipeline.contract import FAMILIES
from runtime.instance import install
from tests.conftest import ROOT, SAMPLE, write

pytestmark = pytest.mark.xdist_group("ui")  # one start-up and one pair of code servers, on one worker

CHECKS = """{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name
  executionForLatestMaterialization { runId status evaluation { description } } } } } } }"""
LATEST = """query ($path: [String!]!) { assetOrError(assetKey: {path: $path}) { ... on Asset {
  assetMaterializations(limit: 1) { runId metadataEntries { label
    ... on TableMetadataEntry { table { records schema { columns { name } } } } } } } } }"""
DESCRIBED = """{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError {
  ... on RepositoryLocation { repositories { sensors { name description } schedules { name description }
    jobs { name description isAssetJob } assetNodes { assetKey { path } groupName description } } } } } } } }"""


class StartUp:
    def __init__(self, root: Path, instance: dg.DagsterInstance, context):
        self.root, self.instance, self.context = root, instance, context

    def query(self, text: str, variables: dict | None = None) -> dict:
        result = execute_dagster_graphql(self.context, text, variables)
        assert not result.errors, result.errors
        return result.data

    def settings(self) -> Settings:
        return Settings(sources=str(self.root / "sources"), data=str(self.root / "data"), reports=str(self.root / "d"))

    def tick(self) -> list[dg.ExecuteInProcessResult]:
        """Every source sensor looks in turn, as the daemon ticks them; each run asked for is made and run."""
        from assets.definitions import defs
        from assets.ingest.source_sensors import source_sensor

        ran = []
        for family in FAMILIES:
            context = dg.build_sensor_context(instance=self.instance, resources={"settings": self.settings()})
            request = source_sensor(family)(context)
            if isinstance(request, dg.RunRequest):
                config = {"sources": str(self.root / "sources"), "data": str(self.root / "data")}
                ran.append(
                    defs.resolve_job_def(DRAFT_JOB).execute_in_process(
                        run_config={"resources": {"settings": {"config": config | {"reports": str(self.root / "d")}}}},
                        instance=self.instance,
                        asset_selection=request.asset_selection,
                        partition_key=request.partition_key,
                        tags=request.tags,
                        raise_on_error=False,
                    )
                )
        return ran


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """A new data folder, the sources' sensors looking at the sample in turn, and the workspace of make dev."""
    root = tmp_path_factory.mktemp("ui")
    shutil.copytree(SAMPLE, root / "sources")
    locations = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    for entry in locations["load_from"]:
        entry["python_module"]["working_directory"] = str(ROOT)
    workspace = write(root / "workspace.yaml", yaml.safe_dump(locations))
    install(root / "home")  # the instance of make dev (runtime/dagster.yaml)
    with dg.DagsterInstance.from_config(str(root / "home")) as instance:
        up = StartUp(root, instance, None)
        runs = up.tick()
        with define_out_of_process_context(str(workspace), None, instance) as context:
            up.context = context
            yield up, runs


def test_a_start_up_makes_one_run_and_every_check_shows_the_latest_materialization(started):
    up, runs = started
    assert len(runs) == 1 and runs[0].success  # one run for every family, whichever sensor looked first
    checks = [
        (node["assetKey"]["path"][-1], check)
        for node in up.query(CHECKS)["assetNodes"]
        for check in (node["assetChecksOrError"].get("checks") or [])
    ]
    assert len(checks) == 20  # contract rules on 14 tables, warnings on 6
    for asset, check in checks:
        latest = check["executionForLatestMaterialization"]
        assert latest is not None, f"{asset}.{check['name']}: not shown on its latest materialization"
        assert latest["runId"] == runs[0].run_id


def test_key_figures_are_a_table_in_the_reports_words(started):
    up, _ = started
    (made,) = up.query(LATEST, {"path": ["key_figures"]})["assetOrError"]["assetMaterializations"]
    table = next(e["table"] for e in made["metadataEntries"] if e["label"] == "Key figures")
    import json

    records = [json.loads(r) for r in table["records"]]
    by_name = {r["Key figure"]: r for r in records}
    assert (
        by_name["Deposits to the Fund, cumulative"]["Value"].startswith("$")
        and "million" in (by_name["Deposits to the Fund, cumulative"]["Value"])
    )
    assert by_name["Delivery rate"]["Value"].endswith(" per cent")
    assert by_name["Country networks"]["Value"].isdigit()  # a count, not 79.0
    assert by_name["Thematic area with the most joint programmes"]["Value"].startswith("2. ")
    assert {"Change", "Rows counted"} <= {c["name"] for c in table["schema"]["columns"]}


def test_a_failed_check_says_the_file_line_column_and_value_first(started):
    up, _ = started
    champions = up.root / "sources/country_networks/champions.csv"
    champions.write_text(champions.read_text() + "XYZ,2021-01-01,\n")
    then = time.time() - 60
    os.utime(champions, (then, then))  # saved a minute ago: the sensor takes it as written
    (failed,) = up.tick()  # once published, only that family
    step = next(e for e in failed.all_events if e.is_step_failure)
    said = step.step_failure_data.user_failure_data.description
    assert said.startswith("champions.iso3: not an ISO 3166-1 alpha-3 code (1 row)")
    assert "country_networks/champions.csv line 30, column iso3: value 'XYZ'" in said
    node = next(n for n in up.query(CHECKS)["assetNodes"] if n["assetKey"]["path"] == ["champions"])
    check = next(c for c in node["assetChecksOrError"]["checks"] if c["name"] == "contract_rules")
    latest = check["executionForLatestMaterialization"]
    assert latest["status"] == "FAILED" and latest["runId"] == failed.run_id
    # Each offending row on a line of its own (the UI renders the description as Markdown).
    assert "(1 row)  \n  country_networks/champions.csv line 30" in latest["evaluation"]["description"]
    champions.write_text(champions.read_text().replace("XYZ,2021-01-01,\n", ""))


def test_an_edition_the_calendar_does_not_have_is_refused_in_words_before_any_step(started):
    from assets.definitions import defs

    up, _ = started
    up.instance.add_dynamic_partitions("edition", ["made-up"])  # as "Add a partition" in the UI does
    config = {"sources": str(up.root / "sources"), "data": str(up.root / "data"), "reports": str(up.root / "d")}
    result = defs.resolve_job_def(DRAFT_JOB).execute_in_process(
        run_config={"resources": {"settings": {"config": config}}},
        instance=up.instance,
        asset_selection=[dg.AssetKey("key_figures")],
        partition_key="made-up",
        raise_on_error=False,
    )
    assert not result.success
    assert not [e for e in result.all_events if e.event_type_value == "STEP_START"]
    failure = next(e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE")
    said = str(failure.event_specific_data.error.message)
    assert "no report edition 'made-up' in the calendar" in said and "2030: Report of the Secretary-General" in said


def test_every_sensor_schedule_job_and_asset_says_what_it_does(started):
    up, _ = started
    locations = up.query(DESCRIBED)["workspaceOrError"]["locationEntries"]
    assert {entry["name"] for entry in locations} == {"sg_report", "sg_report_translations"}
    for entry in locations:
        (repository,) = entry["locationOrLoadError"]["repositories"]
        named = repository["sensors"] + repository["schedules"]
        named += [job for job in repository["jobs"] if not job["name"].startswith("__")]
        assert all(thing["description"] for thing in named), [t["name"] for t in named if not t["description"]]
        assert all(node["description"] for node in repository["assetNodes"])
        if entry["name"] == "sg_report_translations":
            assert {node["groupName"] for node in repository["assetNodes"]} == {"translations"}
            french = next(n for n in repository["assetNodes"] if n["assetKey"]["path"] == ["draft_report_fr"])
            assert "sgr draft --languages fr" in french["description"]
