"""A sensor per family of sources: a run when its files really change (assets/file_sensors.py), which
re-ingests only that family, then validates, publishes and redrafts."""

import dagster as dg

from assets.file_sensors import INTERVAL_SECONDS, nothing_published, run_request, stats_of
from assets.keys import AFTER_INGEST, EVERYTHING
from assets.resources import Settings
from pipeline.contract import CALENDAR, FAMILIES, tables_of
from pipeline.paths import Sources
from pipeline.readers import find_sources


def family_files(root, family: str) -> set:
    """The files the family's ingest assets read: the readers decide, not the sensor."""
    return {source.path for table in tables_of(family) for source in find_sources(root, table)}


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
        sources = settings.config.sources
        folder = Sources(sources).family(family)
        stats = stats_of(folder, family_files(sources, family))
        # Before anything is published a family alone cannot be: the first run takes everything.
        selection = EVERYTHING if nothing_published(settings) else family_selection(family)
        return run_request(context, f"{family}_files", folder, stats, selection, settings)

    return _sensor


SOURCE_SENSORS = [source_sensor(family) for family in FAMILIES]
