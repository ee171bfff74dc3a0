"""File-arrival sensors: a run when a source family's files really change, and for the report's
own prose and template.

A run is requested only for new, changed or deleted content (SHA-256, kept in the cursor):
a file touched or saved again unchanged starts nothing, a file still being written is waited
for, and a deleted file starts a run that drops its rows. Each sensor asks for one run a tick.
"""

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets import AFTER_INGEST, AFTER_RETURNED, AFTER_TEMPLATE
from assets.report import NAMES, TRANSLATED, translation_key
from assets.report.alignment import words_dir
from assets.returned import RETURNED, returned_files
from pipeline.contract import CALENDAR, FAMILIES, TABLES, tables_of
from pipeline.readers import family_folder, find_sources
from pipeline.settings import RUN_TAG, TEMPLATE_DIR, Settings, edition_to_request

# Dagster's sensor daemon looks at most every 5 s; a file is taken as written once seen unchanged on two
# ticks, or at the first when untouched SETTLE_SECONDS (a save takes less; a long copy keeps touching it).
INTERVAL_SECONDS = 1  # every look of the daemon: an interval of 5 would miss every other look
SETTLE_SECONDS = 2
FOLLOW_SECONDS = 5  # a translation follows its English draft within seconds: the event log is read, not files
MAX_FILES_HASHED_PER_TICK = 100
# A drafter who saved a file is waiting for the draft: the run queue takes it before the automation's runs
# for other editions, which no one is waiting for.
SAVED = {"dagster/priority": "1"}
EVERYTHING = [*TABLES, "review_comments", *AFTER_INGEST]
TEMPLATE_SUFFIXES = (".md", ".toml", ".docx")


@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # "new", "changed" or "deleted"
    sha256: str | None


def stats_of(folder: Path, paths) -> dict[str, list]:
    """Size and modification time of each file, by path relative to `folder`."""
    found = {}
    for path in paths:
        stat = path.stat()
        found[path.relative_to(folder).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return found


def family_files(root: Path, family: str) -> set[Path]:
    """The files the family's ingest assets read: the readers decide, not the sensor."""
    return {source.path for table in tables_of(family) for source in find_sources(root, table)}


def template_files(folder: Path | None = None) -> list[Path]:
    """The template's files (English's: without the translations' folders), or those of one folder."""
    folder = folder or TEMPLATE_DIR
    return [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not p.name.startswith(("~$", "."))
        and p.suffix.lower() in TEMPLATE_SUFFIXES
        and (folder != TEMPLATE_DIR or p.relative_to(folder).parts[0] not in TRANSLATED)
    ]


def detect_changes(
    cursor: dict, stats: dict[str, list], sha256_of: Callable[[str], str], now: float
) -> tuple[list[Change], dict]:
    """Compare the files now with the cursor; returns the real changes and the next cursor.

    cursor = {"files": {path: {"sha256", "stat"}}, "pending": {path: stat}}
    """
    files = {k: dict(v) for k, v in cursor.get("files", {}).items()}
    pending = dict(cursor.get("pending", {}))
    changes, hashed = [], 0
    for path, stat in sorted(stats.items()):
        known = files.get(path)
        if known and known["stat"] == stat:
            pending.pop(path, None)
            continue
        settled = pending.get(path) == stat or now - stat[1] / 1e9 >= SETTLE_SECONDS
        if not settled or hashed >= MAX_FILES_HASHED_PER_TICK:
            pending[path] = stat  # still being written, or left for the next tick
            continue
        pending.pop(path, None)
        digest = sha256_of(path)
        hashed += 1
        if known and known["sha256"] == digest:
            known["stat"] = stat  # touched or saved again with the same content
            continue
        files[path] = {"sha256": digest, "stat": stat}
        changes.append(Change(path, "changed" if known else "new", digest))
    for path in sorted(set(files) - set(stats)):
        del files[path]
        pending.pop(path, None)
        changes.append(Change(path, "deleted", None))
    for path in set(pending) - set(stats):
        del pending[path]
    return changes, {"files": files, "pending": pending}


def state_of(cursor: dict) -> str:
    """A digest of the whole watched content, for run keys."""
    content = sorted((path, f["sha256"]) for path, f in cursor.get("files", {}).items())
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


def describe(changes: list[Change]) -> str:
    text = "; ".join(f"{c.kind} {c.path}" for c in changes)
    return text if len(text) <= 200 else text[:197] + "..."


def _sha256_in(folder: Path) -> Callable[[str], str]:
    def sha256_of(relative: str) -> str:
        path = folder / relative
        real = path.resolve()
        if not real.is_relative_to(folder.resolve()):
            # Nothing outside the sources is read, not even to hash it: the link's target stands for it,
            # and the run it starts refuses the file by name.
            return hashlib.sha256(f"outside the sources: {real}".encode()).hexdigest()
        # By content, also on an object store, whose ETag is no content hash for a multipart upload.
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()

    return sha256_of


def nothing_published(settings: Settings) -> bool:
    return not settings.warehouse.has_published()


# What the sensors that only redraw say before the first publication.
FIRST_RUN_PENDING = "nothing published yet: the first run of the source sensors drafts the report"


def run_request(
    context: dg.SensorEvaluationContext,
    name: str,
    folder: Path,
    stats: dict,
    selection: list[str],
    settings: Settings,
) -> dg.RunRequest | dg.SkipReason:
    cursor = json.loads(context.cursor) if context.cursor else {}
    before = state_of(cursor)
    changes, cursor = detect_changes(cursor, stats, _sha256_in(folder), time.time())
    context.update_cursor(json.dumps(cursor))
    if not changes:
        waiting = len(cursor["pending"])
        return dg.SkipReason(f"no change{f'; waiting for {waiting} file(s) still being written' if waiting else ''}")
    # The key names the content before and after, so returning to earlier content still runs.
    return dg.RunRequest(
        run_key=f"{name}:{before}->{state_of(cursor)}",
        asset_selection=[dg.AssetKey(k) for k in selection],
        partition_key=edition_to_request(context, settings),
        tags={**RUN_TAG, **SAVED, "sgr/trigger": name, "sgr/changes": describe(changes)},
    )


def family_selection(family: str) -> list[str]:
    return [t.name for t in tables_of(family)] + AFTER_INGEST


def source_sensor(family: str) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{family}_files",
        minimum_interval_seconds=INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        # Everything: before the first publication a family's run takes the whole graph.
        asset_selection=EVERYTHING,
        description=f"Re-ingests the {family} tables and rebuilds the draft when a file of "
        f"{'calendar.csv' if family == CALENDAR else family + '/'} is added, changed or deleted.",
    )
    def _sensor(context: dg.SensorEvaluationContext, settings: Settings):
        folder = family_folder(settings.sources_dir, family)
        stats = stats_of(folder, family_files(settings.sources_dir, family))
        # Before anything is published a family alone cannot be: the first run takes everything.
        selection = EVERYTHING if nothing_published(settings) else family_selection(family)
        return run_request(context, f"{family}_files", folder, stats, selection, settings)

    return _sensor


@dg.sensor(
    name="report_template_files",
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=AFTER_TEMPLATE,
    description="Rebuilds the draft when the prose, report.toml or the Word template in reports/template/ change.",
)
def report_template_files(context: dg.SensorEvaluationContext, settings: Settings):
    if nothing_published(settings):
        return dg.SkipReason(FIRST_RUN_PENDING)
    stats = stats_of(TEMPLATE_DIR, template_files())
    if not context.cursor and drafted_after(context.instance, stats):
        # First look, every file older than the last draft: that draft was made from them.
        return watch_from_now(
            context, TEMPLATE_DIR, stats, "watching the template from now on: the last draft was made from it"
        )
    return run_request(context, "report_template_files", TEMPLATE_DIR, stats, AFTER_TEMPLATE, settings)


def watch_from_now(context: dg.SensorEvaluationContext, folder: Path, stats: dict, why: str) -> dg.SkipReason:
    """The files as they are taken as seen: only later changes start a run."""
    context.update_cursor(json.dumps(detect_changes({}, stats, _sha256_in(folder), float("inf"))[1]))
    return dg.SkipReason(why)


def drafted_after(instance: dg.DagsterInstance, stats: dict[str, list], draft: str = "draft_report") -> bool:
    """Whether a draft was written after every one of these files was last changed."""
    drafts = instance.fetch_materializations(dg.AssetKey(draft), limit=1).records
    return bool(drafts) and all(stat[1] / 1e9 < drafts[0].timestamp for stat in stats.values())


def translation_template_sensor(language: str) -> dg.SensorDefinition:
    """A translator's words saved: that language's draft again, by itself (the English one is as it was). Only
    for a translation drafted before: one never asked for is not drafted for an edit of its words."""
    key, name = translation_key(language), f"report_template_files_{language}"

    @dg.sensor(
        name=name,
        minimum_interval_seconds=INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        asset_selection=[key],
        description=f"Redrafts the {NAMES[language]} draft when its words in reports/template/{language}/ change.",
    )
    def _sensor(context: dg.SensorEvaluationContext, settings: Settings):
        if nothing_published(settings):
            return dg.SkipReason(FIRST_RUN_PENDING)
        folder = words_dir(TEMPLATE_DIR, language)
        stats = stats_of(folder, template_files(folder))
        drafted = context.instance.fetch_materializations(dg.AssetKey(key), limit=1).records
        if not drafted or (not context.cursor and drafted_after(context.instance, stats, key)):
            # Never drafted (nothing to redraft), or drafted from these very files.
            said = "has not been drafted yet" if not drafted else "was drafted from these files"
            return watch_from_now(context, folder, stats, f"{key} {said}")
        return run_request(context, name, folder, stats, [key], settings)

    return _sensor


@dg.sensor(
    name="returned_drafts",
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=AFTER_RETURNED,
    description="Reads the reviewers' comments and redrafts when a draft is saved into sources/returned/.",
)
def returned_drafts(context: dg.SensorEvaluationContext, settings: Settings):
    if nothing_published(settings):
        return dg.SkipReason(FIRST_RUN_PENDING)
    folder = settings.sources_dir / RETURNED
    stats = stats_of(folder, returned_files(settings.sources_dir))
    return run_request(context, "returned_drafts", folder, stats, AFTER_RETURNED, settings)


SENSORS = [source_sensor(family) for family in FAMILIES] + [report_template_files, returned_drafts]


@dg.sensor(
    name="translations_follow_english",
    minimum_interval_seconds=FOLLOW_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=[translation_key(language) for language in TRANSLATED],
    description="Redrafts each translation that was drafted before the latest English draft of its edition; a "
    "translation never drafted is left alone (the default stays English only).",
)
def translations_follow_english(context: dg.SensorEvaluationContext):
    # By the event log's storage ids, which only grow: a translation drafted in the same tick window as the
    # English, before or after it, is told apart (a condition on what changed since the last tick is not).
    latest = {
        key: context.instance.get_latest_storage_id_by_partition(
            dg.AssetKey(key), dg.DagsterEventType.ASSET_MATERIALIZATION
        )
        for key in ["draft_report", *(translation_key(language) for language in TRANSLATED)]
    }
    english, behind = latest.pop("draft_report"), {}
    for key, drafted in latest.items():
        for edition, storage_id in drafted.items():
            if english.get(edition, 0) > storage_id:
                behind.setdefault(edition, []).append(key)
    if not behind:
        return dg.SkipReason("every translation drafted is as recent as the English draft of its edition")
    return [
        dg.RunRequest(
            # Once per English draft: a failed translation waits for the next one, or for a drafter.
            run_key=f"follow:{edition}:{english[edition]}:{','.join(keys)}",
            asset_selection=[dg.AssetKey(key) for key in keys],
            partition_key=edition,
            tags={**RUN_TAG, "sgr/trigger": "translations_follow_english", "sgr/changes": "a new English draft"},
        )
        for edition, keys in sorted(behind.items())
    ]


# Served with the translations (pipeline/translations.py).
TRANSLATION_SENSORS = [translation_template_sensor(language) for language in TRANSLATED] + [translations_follow_english]
