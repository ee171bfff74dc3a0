"""What every file-arrival sensor shares: a run only for new, changed or deleted content (SHA-256, kept in
the cursor). A file touched or saved again unchanged starts nothing, a file still being written is waited
for, and a deleted file starts a run that drops its rows. Each sensor asks for one run a tick.

The sensors themselves are their areas': the sources' in assets/ingest/, the template's in assets/report/,
the returned drafts' in assets/comments/, the translators' in assets/translations/.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets.keys import DRAFT_REPORT, TRANSLATED
from assets.partitions import edition_to_request
from assets.resources import FIRST_RUN_TAG, RUN_TAG, Settings
from pipeline.paths import ENGLISH, Template, relative_name, within

UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
# Dagster's sensor daemon looks at most every 5 s; a file is taken as written once seen unchanged on two
# ticks, or at the first when untouched SETTLE_SECONDS (a save takes less; a long copy keeps touching it).
INTERVAL_SECONDS = 1  # every look of the daemon: an interval of 5 would miss every other look
SETTLE_SECONDS = 1  # a save takes milliseconds; the longer, the more saves wait a whole look more
MAX_FILES_HASHED_PER_TICK = 100
# A drafter who saved a file is waiting for the draft: the run queue takes it before the automation's runs
# for other editions, which no one is waiting for.
SAVED = {"dagster/priority": "1"}
TEMPLATE_SUFFIXES = (".md", ".toml", ".docx", ".po")  # a translation's words are its catalogue, messages.po
# What the sensors that only redraw say before the first publication.
FIRST_RUN_PENDING = "nothing published yet: the first run of the source sensors drafts the report"


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
        found[relative_name(path, folder)] = [stat.st_size, stat.st_mtime_ns]
    return found


def template_files(template: Template, language: str = ENGLISH) -> list[Path]:
    """A language's template files (English's: without the translations' folders)."""
    folder = template.words(language)
    others = {template.words(code).name for code in TRANSLATED} if language == ENGLISH else set()
    return [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not p.name.startswith(("~$", "."))
        and p.suffix.lower() in TEMPLATE_SUFFIXES
        and p.relative_to(folder).parts[0] not in others
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


def shown(cursor: dict) -> str:
    """The cursor as the sensor's page shows it: a file a line, in order, with its SHA-256 and [size, mtime]."""
    return json.dumps(cursor, indent=1, sort_keys=True)


def state_of(cursor: dict) -> str:
    """A digest of the whole watched content, for run keys."""
    content = sorted((path, f["sha256"]) for path, f in cursor.get("files", {}).items())
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


def describe(changes: list[Change]) -> str:
    text = "; ".join(f"{c.kind} {c.path}" for c in changes)
    return text if len(text) <= 200 else text[:197] + "..."


def _sha256_in(folder: Path) -> Callable[[str], str]:
    def sha256_of(relative: str) -> str:
        path = within(folder, relative)
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
    return not settings.store.published.has_published()


def run_request(
    context: dg.SensorEvaluationContext,
    name: str,
    folder: Path,
    stats: dict,
    selection: list[str],
    settings: Settings,
    seen: dict[str, str] | None = None,
    first: str | None = None,
) -> dg.RunRequest | dg.SkipReason:
    """A run of `selection` for the real changes since the cursor. A sensor with no cursor yet takes the files
    `seen` (path: SHA-256, what is already published) as seen when their content is the same. `first`: the
    state of the sources a first publication reads, kept in its tags."""
    cursor = json.loads(context.cursor) if context.cursor else adopted(seen or {}, stats)
    before = state_of(cursor)
    changes, cursor = detect_changes(cursor, stats, _sha256_in(folder), time.time())
    context.update_cursor(shown(cursor))
    if not changes:
        waiting = len(cursor["pending"])
        return dg.SkipReason(f"no change{f'; waiting for {waiting} file(s) still being written' if waiting else ''}")
    # The key names the content before and after, so returning to earlier content still runs.
    return dg.RunRequest(
        run_key=f"{name}:{before}->{state_of(cursor)}",
        asset_selection=[dg.AssetKey(k) for k in selection],
        partition_key=edition_to_request(context, settings),
        tags={
            **RUN_TAG,
            **SAVED,
            "sgr/trigger": name,
            "sgr/changes": describe(changes),
            **({FIRST_RUN_TAG: first} if first else {}),
        },
    )


def adopted(seen: dict[str, str], stats: dict[str, list]) -> dict:
    """A first cursor that knows the content of the files `seen` that are there now, but not their times: each
    is hashed once, and taken as seen if it is the same."""
    files = {path: {"sha256": digest, "stat": None} for path, digest in seen.items() if path in stats}
    return {"files": files, "pending": {}}


def watch_from_now(context: dg.SensorEvaluationContext, folder: Path, stats: dict, why: str) -> dg.SkipReason:
    """The files as they are taken as seen: only later changes start a run."""
    context.update_cursor(shown(detect_changes({}, stats, _sha256_in(folder), float("inf"))[1]))
    return dg.SkipReason(why)


def read_by_the_last_draft(
    context: dg.SensorEvaluationContext, folder: Path, stats: dict, why: str
) -> dg.SkipReason | None:
    """A first look of a sensor whose files the first draft reads too (the template, the returned drafts): while
    that draft's run is under way, wait; if the last draft was made after every file changed, take them as seen.
    None: look as usual."""
    if context.cursor:
        return None
    if first_run_under_way(context.instance):
        return dg.SkipReason(FIRST_RUN_PENDING)
    if drafted_after(context.instance, stats, DRAFT_REPORT):
        return watch_from_now(context, folder, stats, why)
    return None


def first_run_under_way(instance: dg.DagsterInstance) -> bool:
    """Whether the first publication's run (assets/ingest/source_sensors.py) is queued or running: it reads the
    template and the returned drafts too."""
    unfinished = instance.get_run_records(dg.RunsFilter(statuses=UNFINISHED), limit=50)
    return any(FIRST_RUN_TAG in record.dagster_run.tags for record in unfinished)


def drafted_after(instance: dg.DagsterInstance, stats: dict[str, list], draft: str) -> bool:
    """Whether a draft was written after every one of these files was last changed."""
    drafts = instance.fetch_materializations(dg.AssetKey(draft), limit=1).records
    return bool(drafts) and all(stat[1] / 1e9 < drafts[0].timestamp for stat in stats.values())
