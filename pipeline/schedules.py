"""The refresh schedule: at 06:00 UTC every day in the 8 weeks before a deadline of the
calendar, on Mondays otherwise, so that the draft stays current before the Forum and the report."""

import datetime as dt

import dagster as dg
import pyarrow.parquet as pq

from pipeline.contract import TABLES
from pipeline.deadlines import Deadline, deadlines_from, in_run_up
from pipeline.problems import SourceError
from pipeline.readers import find_sources, read_table
from pipeline.sensors import RUN_TAG
from pipeline.settings import Settings
from pipeline.warehouse import Warehouse

MONDAY = 0


def calendar(settings: Settings) -> list[Deadline]:
    """The published calendar; before anything is published, the calendar in the sources if it reads."""
    published = Warehouse(settings.data_dir).path("calendar")
    if published.exists():
        return deadlines_from(pq.read_table(published).to_pylist())
    table = TABLES["calendar"]
    try:
        return deadlines_from(read_table(find_sources(settings.sources_dir, table), table).to_pylist())
    except SourceError:
        return []


def should_refresh(day: dt.date, deadlines: list[Deadline]) -> bool:
    return in_run_up(deadlines, day) or day.weekday() == MONDAY


@dg.schedule(
    name="refresh_before_deadlines",
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Re-reads every source and rebuilds the draft at 06:00 UTC: daily in the 8 weeks before any "
    "deadline of sources/calendar.csv, on Mondays otherwise.",
)
def refresh_before_deadlines(context: dg.ScheduleEvaluationContext):
    day = context.scheduled_execution_time.date()
    deadlines = calendar(Settings())
    if not should_refresh(day, deadlines):
        return dg.SkipReason(f"{day}: not a Monday and not within 8 weeks of a deadline")
    return dg.RunRequest(run_key=f"refresh:{day.isoformat()}", tags={**RUN_TAG, "sgr/trigger": "schedule"})
