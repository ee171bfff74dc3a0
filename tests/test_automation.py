"""Declarative automation downstream of the ingest assets: follows a change, stops at a failed blocking
check. Needs Dagster's instance and real runs: the conditions read the instance's event history."""

import dagster as dg
import pytest

from assets.definitions import defs
from assets.keys import AFTER_INGEST
from tests.conftest import materialise

SELECTION = dg.AssetSelection.assets(*AFTER_INGEST)


def requested(result) -> set[str]:
    return {r.key.path[-1] for r in result.results if r.true_subset.size}


@pytest.fixture
def instance():
    return dg.DagsterInstance.ephemeral()


def record_published_state(instance) -> None:
    """The history of the published copy: every asset materialised and every check passed, in order."""
    graph = defs.resolve_asset_graph()
    for key in graph.toposorted_asset_keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
        for check in graph.get(key).check_keys:
            instance.report_runless_asset_event(
                dg.AssetCheckEvaluation(asset_key=key, check_name=check.name, passed=True)
            )


def test_downstream_follows_a_change_and_stops_at_a_failed_blocking_check(instance, published_copy, sample_copy):
    data, drafts = published_copy / "data", published_copy / "drafts"
    record_published_state(instance)
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=SELECTION)
    assert requested(first) == set()

    # A drafter re-materialises one ingest asset in the UI: what derives from it follows.
    materialise(sample_copy, data, drafts, selection=["champions"], instance=instance)
    after_change = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=SELECTION, cursor=first.cursor
    )
    assert requested(after_change) == set(AFTER_INGEST)

    # A run that already rebuilt everything leaves nothing for automation to repeat.
    materialise(sample_copy, data, drafts, selection=["champions", *AFTER_INGEST], instance=instance)
    after_full_run = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=SELECTION, cursor=after_change.cursor
    )
    assert requested(after_full_run) == set()

    # A file that breaks a blocking rule: nothing downstream is requested.
    champions = sample_copy / "country_networks/champions.csv"
    champions.write_text(champions.read_text() + "XXX,2021-01-01,\n")
    failed = materialise(sample_copy, data, drafts, selection=["champions"], instance=instance)
    assert not all(c.passed for c in failed.get_asset_check_evaluations())
    after_failure = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=SELECTION, cursor=after_full_run.cursor
    )
    assert requested(after_failure) == set()


def partitions_requested(result, asset: str) -> set[str]:
    return {
        key
        for r in result.results
        if r.key.path[-1] == asset
        for key in r.true_subset.expensively_compute_partition_keys()
    }


def test_every_edition_in_preparation_follows_a_change_and_no_issued_one(
    instance, published_copy, sample_copy, monkeypatch
):
    """Two editions in preparation (2030 and a 2034 added to the calendar) both follow a change to the sources;
    the issued ones (2022, 2026: their due dates have passed) are left as they were issued."""
    data, drafts = published_copy / "data", published_copy / "drafts"
    calendar = sample_copy / "calendar.csv"
    calendar.write_text(calendar.read_text() + "2034-02-14,sg_report,Report for the fourth Forum (illustrative),yes,\n")
    monkeypatch.setenv("SGR_SOURCES", str(sample_copy))  # what the condition reads the calendar from
    monkeypatch.setenv("SGR_DATA", str(data))
    materialise(sample_copy, data, drafts, selection=["calendar", "published_tables"], instance=instance)
    record_published_state(instance)
    for edition in ("2030", "2034"):  # each edition in preparation drafted once, in turn
        drafted = materialise(sample_copy, data, drafts, "", AFTER_INGEST[1:], instance=instance, edition=edition)
        assert drafted.success
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=SELECTION)
    materialise(sample_copy, data, drafts, selection=["champions"], instance=instance)
    changed = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=SELECTION, cursor=first.cursor
    )
    assert "published_tables" in requested(changed)  # not an edition's: it follows as before
    materialise(sample_copy, data, drafts, selection=["published_tables"], instance=instance)  # that run
    after = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=SELECTION, cursor=changed.cursor
    )
    assert set(instance.get_dynamic_partitions("edition")) >= {"2022", "2026", "2030", "2034"}
    assert partitions_requested(after, "key_figures") == {"2030", "2034"}  # each in preparation; no issued one
