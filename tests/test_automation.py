"""Declarative automation downstream of the ingest assets: follows a change, stops at a failed blocking check."""

import dagster as dg
import pytest

from pipeline.definitions import defs

DOWNSTREAM = {"published_tables", "key_figures", "report_tables", "draft_report"}


def run(instance, sources, data, drafts, selection=None):
    config = {"sources": str(sources), "data": str(data), "reports": str(drafts), "as_of": "2021-06-24"}
    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        run_config={"resources": {"settings": {"config": config}}},
        instance=instance,
        asset_selection=[dg.AssetKey(k) for k in selection] if selection else None,
        raise_on_error=False,
    )


def requested(result) -> set[str]:
    return {r.key.path[-1] for r in result.results if r.true_subset.size}


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def test_downstream_follows_a_change_and_stops_at_a_failed_blocking_check(instance, sample_copy, tmp_path):
    data, drafts = tmp_path / "data", tmp_path / "drafts"
    assert run(instance, sample_copy, data, drafts).success
    selection = dg.AssetSelection.keys(*DOWNSTREAM)
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=selection)
    assert requested(first) == set()

    # A drafter re-materialises one ingest asset in the UI: what derives from it follows.
    run(instance, sample_copy, data, drafts, ["champions"])
    after_change = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=selection, cursor=first.cursor
    )
    assert requested(after_change) == DOWNSTREAM

    # A run that already rebuilt everything leaves nothing for automation to repeat.
    run(instance, sample_copy, data, drafts, ["champions", *DOWNSTREAM])
    after_full_run = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=selection, cursor=after_change.cursor
    )
    assert requested(after_full_run) == set()

    # A file that breaks a blocking rule: nothing downstream is requested.
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "XXX,2021-01-01,\n")
    failed = run(instance, sample_copy, data, drafts, ["champions"])
    assert not all(c.passed for c in failed.get_asset_check_evaluations())
    after_failure = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=selection, cursor=after_full_run.cursor
    )
    assert requested(after_failure) == set()
