"""The file-arrival sensors against a temporary sources root, through Dagster's sensor context."""

import json
import os
import time

import dagster as dg
import pytest

from assets.file_sensors import SETTLE_SECONDS, detect_changes
from assets.ingest.source_sensors import source_sensor
from assets.resources import Settings
from tests.conftest import write


@pytest.fixture
def root(tmp_path):
    return tmp_path / "sources"


def age(path, seconds):
    """Pretend the file was last written `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


INSTANCE = dg.DagsterInstance.ephemeral()  # the sensors keep their state in the cursor, not the instance


def tick(root, cursor=None, family="mptf"):
    sensor = source_sensor(family)
    published = root.parent / "data/warehouse/source_files.parquet"
    published.parent.mkdir(parents=True, exist_ok=True)
    published.touch()  # something was published: a change re-runs only its family
    settings = Settings(sources=str(root), data=str(root.parent / "data"))
    context = dg.build_sensor_context(instance=INSTANCE, cursor=cursor, resources={"settings": settings})
    result = sensor(context)
    return result, context.cursor


def requested(result) -> list[str]:
    return [] if isinstance(result, dg.SkipReason) else [result.tags["sgr/changes"]]


def test_a_new_file_starts_a_run_of_its_family_and_what_follows(root):
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    result, cursor = tick(root)
    assert requested(result) == ["new contributions.csv"]
    selected = {key.path[-1] for key in result.asset_selection}
    assert selected == {
        "contributions",
        "joint_programmes",
        "transfers",
        "iati_activities",
        "iati_transactions",
        "concept_notes",
        "targets",
        "published_tables",
        "key_figures",
        "report_tables",
        "draft_report",
    }
    assert result.run_key.startswith("mptf_files:")
    assert json.loads(cursor)["files"]["contributions.csv"]["sha256"]


def test_changed_touched_and_identical_content(root):
    path = write(root / "mptf/contributions.csv", "a\n")
    age(path, 60)
    _, cursor = tick(root)
    age(path, 30)  # touched: a new time, the same bytes
    result, cursor = tick(root, cursor)
    assert requested(result) == []
    path.write_text("a\n")  # saved again with identical content
    age(path, 20)
    result, cursor = tick(root, cursor)
    assert requested(result) == []
    path.write_text("b\n")
    age(path, 15)
    result, cursor = tick(root, cursor)
    assert requested(result) == ["changed contributions.csv"]


def test_a_second_file_for_the_same_table(root):
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    _, cursor = tick(root)
    age(write(root / "mptf/contributions-2025.csv", "b\n"), 60)
    result, _ = tick(root, cursor)
    assert requested(result) == ["new contributions-2025.csv"]


def test_a_deleted_file_starts_a_run_that_drops_its_rows(root):
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    age(write(root / "mptf/targets.csv", "t\n"), 60)
    first, cursor = tick(root)
    (root / "mptf/targets.csv").unlink()
    result, _ = tick(root, cursor)
    assert requested(result) == ["deleted targets.csv"]
    assert result.run_key != first.run_key


def test_returning_to_earlier_content_still_runs(root):
    path = write(root / "mptf/contributions.csv", "a\n")
    age(path, 60)
    first, cursor = tick(root)
    path.write_text("b\n")
    age(path, 50)
    _, cursor = tick(root, cursor)
    path.write_text("a\n")
    age(path, 40)
    back, _ = tick(root, cursor)
    assert requested(back) == ["changed contributions.csv"] and back.run_key != first.run_key


def test_a_file_still_being_written_is_waited_for(root):
    path = write(root / "mptf/contributions.csv", "a\n")
    result, cursor = tick(root)  # just written: wait
    assert requested(result) == [] and "waiting for 1 file" in result.skip_message
    path.write_text("a\nb\n")  # still growing
    result, cursor = tick(root, cursor)
    assert requested(result) == []
    result, cursor = tick(root, cursor)  # the same size and time as at the last tick: written
    assert requested(result) == ["new contributions.csv"]


def test_the_cursor_survives_a_restart(root):
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    _, cursor = tick(root)
    saved = json.loads(cursor)
    result, _ = tick(root, json.dumps(saved))  # a new sensor process, the cursor read back from storage
    assert requested(result) == []


def test_the_calendar_is_watched_at_the_root(root):
    age(write(root / "calendar.csv", "date\n"), 60)
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    result, _ = tick(root, family="calendar")
    assert requested(result) == ["new calendar.csv"]
    assert {k.path[-1] for k in result.asset_selection} >= {"calendar", "draft_report"}


def test_hashing_is_capped_per_tick():
    stats = {f"f{i}.csv": [1, 0] for i in range(150)}
    changes, cursor = detect_changes({}, stats, lambda path: path, now=SETTLE_SECONDS + 1.0)
    assert len(changes) == 100 and len(cursor["pending"]) == 50
    changes, cursor = detect_changes(cursor, stats, lambda path: path, now=SETTLE_SECONDS + 1.0)
    assert len(changes) == 50 and cursor["pending"] == {}


def test_before_anything_is_published_the_first_run_takes_everything(tmp_path):
    root = tmp_path / "sources"
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    settings = Settings(sources=str(root), data=str(tmp_path / "empty"))
    context = dg.build_sensor_context(instance=INSTANCE, resources={"settings": settings})
    result = source_sensor("mptf")(context)
    from assets.definitions import defs

    everything = defs.resolve_asset_graph().get_all_asset_keys()
    assert set(result.asset_selection) == everything


def test_a_template_change_rederives_the_tables_and_redraws(tmp_path):
    """The changes since the previous draft are derived: a redraft for new words derives them again."""
    from assets.report.template_sensor import report_template_files

    template = tmp_path / "template"
    age(write(template / "chapters/01.md", "# Introduction\n"), 60)
    data = tmp_path / "data"
    (data / "warehouse").mkdir(parents=True)
    (data / "warehouse/source_files.parquet").touch()
    settings = Settings(sources=str(tmp_path / "sources"), data=str(data), template=str(template))
    context = dg.build_sensor_context(instance=INSTANCE, resources={"settings": settings})
    result = report_template_files(context)
    assert {k.path[-1] for k in result.asset_selection} == {"report_tables", "draft_report"}
    assert result.tags["sgr/changes"] == "new chapters/01.md"


def test_a_returned_draft_reads_the_comments_and_redraws(root):
    from assets.comments.returned_sensor import returned_drafts

    published = root.parent / "data/warehouse/source_files.parquet"
    published.parent.mkdir(parents=True, exist_ok=True)
    published.touch()
    write(root / "calendar.csv", "date,kind,title,tentative\n2030-02-12,sg_report,Report,no\n")
    age(write(root / "returned/jane.docx", b"PK"), 60)
    age(write(root / "returned/~$jane.docx", b"lock"), 60)  # Word's lock file: not a draft
    settings = Settings(sources=str(root), data=str(root.parent / "data"), as_of="2026-11-23")
    context = dg.build_sensor_context(instance=INSTANCE, resources={"settings": settings})
    result = returned_drafts(context)
    assert result.tags["sgr/changes"] == "new jane.docx"
    assert {key.path[-1] for key in result.asset_selection} == {"review_comments", "draft_report"}
    assert result.partition_key == "2030"  # the edition drafted as of the day
    assert isinstance(
        returned_drafts(
            dg.build_sensor_context(instance=INSTANCE, cursor=context.cursor, resources={"settings": settings})
        ),
        dg.SkipReason,
    )


def test_a_translators_words_saved_redraft_that_language_alone_once_it_was_drafted(tmp_path):
    from assets.report.template_sensor import report_template_files
    from assets.translations.translation_sensors import TRANSLATION_SENSORS

    template = tmp_path / "template"
    age(write(template / "chapters/01.md", "# Introduction\n"), 60)
    age(write(template / "fr/chapters/01.md", "# Introduction\n"), 60)
    data = tmp_path / "data"
    (data / "warehouse").mkdir(parents=True)
    (data / "warehouse/source_files.parquet").touch()
    write(tmp_path / "sources/calendar.csv", "date,kind,title,tentative\n2030-02-12,sg_report,Report,no\n")
    settings = Settings(sources=str(tmp_path / "sources"), data=str(data), as_of="2026-11-23", template=str(template))
    instance = dg.DagsterInstance.ephemeral()
    french = next(s for s in TRANSLATION_SENSORS if s.name == "report_template_files_fr")

    def look(cursor=None):
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"settings": settings})
        return french(context), context.cursor

    # Never drafted in French: an edit of its words drafts nothing (the default stays English only).
    result, cursor = look()
    assert isinstance(result, dg.SkipReason) and "has not been drafted yet" in result.skip_message
    age(write(template / "fr/chapters/01.md", "# Introduction générale\n"), 60)
    result, cursor = look(cursor)
    assert isinstance(result, dg.SkipReason)
    # Drafted once: the next edit redrafts French, and French alone.
    instance.report_runless_asset_event(dg.AssetMaterialization("draft_report_fr", partition="2030"))
    age(write(template / "fr/summary.md", "Résumé\n"), 60)
    result, cursor = look(cursor)
    assert [k.to_user_string() for k in result.asset_selection] == ["draft_report_fr"]
    assert result.tags["sgr/changes"] == "new summary.md" and result.partition_key == "2030"
    assert isinstance(look(cursor)[0], dg.SkipReason)
    # English's sensor does not see the translations' folders.
    context = dg.build_sensor_context(instance=INSTANCE, resources={"settings": settings})
    assert report_template_files(context).tags["sgr/changes"] == "new chapters/01.md"


def test_one_first_run_for_every_family_whichever_sensor_looks_first(tmp_path):
    """Before anything is published the first sensor to look asks for everything; the others, ticking after it
    (the daemon ticks them in turn), see that run and wait, so that every check's latest result is that of its
    table's latest materialization. A failed first run is not repeated until a file changes."""
    from dagster._core.storage.dagster_run import DagsterRun

    from assets.resources import FIRST_RUN_TAG

    root, instance = tmp_path / "sources", dg.DagsterInstance.ephemeral()
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    age(write(root / "country_networks/champions.csv", "iso3\n"), 60)
    settings = Settings(sources=str(root), data=str(tmp_path / "data"), template=str(tmp_path / "template"))

    def look(family):
        context = dg.build_sensor_context(instance=instance, resources={"settings": settings})
        return source_sensor(family)(context)

    first = look("mptf")
    assert isinstance(first, dg.RunRequest) and FIRST_RUN_TAG in first.tags
    run = DagsterRun(job_name="draft_the_report", tags=first.tags, status=dg.DagsterRunStatus.STARTED)
    instance.add_run(run)  # as the daemon makes it, before the next sensor looks
    for family in ("country_networks", "regional_reviews", "calendar"):
        assert "the first run for these files is under way" in look(family).skip_message
    instance.report_run_failed(run)  # the first run fails
    assert isinstance(look("country_networks"), dg.SkipReason)  # the same files: not again
    age(write(root / "country_networks/champions.csv", "iso3\nKEN\n"), 30)  # a correction
    again = look("country_networks")
    assert isinstance(again, dg.RunRequest) and again.tags[FIRST_RUN_TAG] != first.tags[FIRST_RUN_TAG]


def test_once_published_a_sensor_takes_the_published_content_as_read(tmp_path):
    """A sensor that had not looked before the first publication (it waited for the first run) does not read its
    family again: the files whose content was published are taken as seen; a file changed since is not."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path / "sources"
    age(write(root / "mptf/contributions.csv", "a\n"), 60)
    age(write(root / "mptf/targets.csv", "t\n"), 60)
    published = tmp_path / "data/warehouse/source_files.parquet"
    published.parent.mkdir(parents=True)
    digests = {"mptf/contributions.csv": hashlib.sha256(b"a\n").hexdigest(), "mptf/targets.csv": "0" * 64}
    pq.write_table(pa.Table.from_pylist([{"path": p, "sha256": d} for p, d in digests.items()]), published)
    settings = Settings(sources=str(root), data=str(tmp_path / "data"))
    context = dg.build_sensor_context(instance=INSTANCE, resources={"settings": settings})
    result = source_sensor("mptf")(context)
    assert requested(result) == ["changed targets.csv"]
