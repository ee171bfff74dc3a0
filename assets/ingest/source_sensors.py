"""A sensor per family of sources: a run when its files really change (assets/file_sensors.py), which
re-ingests only that family, then validates, publishes and redrafts.

Before anything is published a family alone cannot be: the first run reads every family, and only one such
run is made for the same files, whichever sensor looks first (the daemon ticks the sensors one after another,
runtime/dagster.yaml), so that each check's latest result is that of its table's latest materialization. Once
published, a sensor that has not yet seen a file takes the content published as seen.
"""

import hashlib
import json

import dagster as dg
import pyarrow as pa

from assets.file_sensors import INTERVAL_SECONDS, nothing_published, run_request, stats_of, template_files
from assets.keys import AFTER_INGEST, DRAFT_JOB, EVERYTHING
from assets.resources import FIRST_RUN_TAG, Settings
from pipeline.contract import CALENDAR, FAMILIES, tables_of
from pipeline.paths import Sources, relative_name
from pipeline.readers import find_sources
from pipeline.store.publication import SOURCE_FILES


def family_files(root, family: str) -> set:
    """The files the family's ingest assets read: the readers decide, not the sensor."""
    return {source.path for table in tables_of(family) for source in find_sources(root, table)}


def family_selection(family: str) -> list[str]:
    return [t.name for t in tables_of(family)] + AFTER_INGEST


def sources_state(settings: Settings) -> str:
    """What a first run reads as it stands (every family's files and the template's, their sizes and times): a
    correction to either starts another after a failed one."""
    config = settings.config
    root, template = Sources(config.sources).root, config.template
    stats = stats_of(root, set().union(*(family_files(root, family) for family in FAMILIES)))
    stats |= {f"template/{path}": stat for path, stat in stats_of(template.root, template_files(template)).items()}
    return hashlib.sha256(json.dumps(sorted(stats.items())).encode()).hexdigest()[:16]


def first_run_made(instance: dg.DagsterInstance, state: str) -> bool:
    """Whether a first run was made for these sources: under way, or failed (then a saved correction makes
    another)."""
    return bool(instance.get_run_records(dg.RunsFilter(tags={FIRST_RUN_TAG: state}), limit=1))


def published_digests(settings: Settings, folder) -> dict[str, str]:
    """The content of the published source files under `folder`, by path relative to it: what a sensor with no
    cursor yet takes as read."""
    root = Sources(settings.config.sources).root
    try:
        published = settings.store.published.read(SOURCE_FILES, ["path", "sha256"]).to_pylist()
    except (OSError, pa.ArrowInvalid):
        return {}  # no readable set: every file is new
    digests = {}
    for row in published:
        path = root / row["path"]
        if folder in path.parents:
            digests[relative_name(path, folder)] = row["sha256"]
    return digests


def source_sensor(family: str) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{family}_files",
        minimum_interval_seconds=INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        job_name=DRAFT_JOB,  # a run of the family's tables and what follows; of everything before publication
        description=f"Re-ingests the {family} tables, validates, publishes and redrafts when a file of "
        f"{'calendar.csv' if family == CALENDAR else family + '/'} is added, changed or deleted. Before anything is "
        "published, the first sensor to look reads every family in one run.",
    )
    def _sensor(context: dg.SensorEvaluationContext, settings: Settings):
        sources = settings.config.sources
        folder = Sources(sources).family(family)
        stats = stats_of(folder, family_files(sources, family))
        if nothing_published(settings):
            state = sources_state(settings)
            if first_run_made(context.instance, state):
                return dg.SkipReason(
                    "nothing published yet: the first run for these files is under way, or failed (a saved "
                    "correction starts another)"
                )
            return run_request(context, f"{family}_files", folder, stats, EVERYTHING, settings, first=state)
        seen = published_digests(settings, folder)
        return run_request(context, f"{family}_files", folder, stats, family_selection(family), settings, seen)

    return _sensor


SOURCE_SENSORS = [source_sensor(family) for family in FAMILIES]
