"""The refresh schedule: at 06:00 UTC every day in the 8 weeks before a deadline of the calendar, on Mondays
otherwise, so that the draft stays current before the Forum and the report."""

import datetime as dt

import dagster as dg

from assets.keys import DRAFT_JOB
from assets.partitions import edition_to_request
from assets.resources import RUN_TAG, Settings
from pipeline import calendar
from pipeline.deadlines import Deadline, in_run_up

MONDAY = 0


def should_refresh(day: dt.date, deadlines: list[Deadline]) -> bool:
    return in_run_up(deadlines, day) or day.weekday() == MONDAY


@dg.schedule(
    name="refresh_before_deadlines",
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    job_name=DRAFT_JOB,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Re-reads every source and rebuilds the draft at 06:00 UTC: daily in the 8 weeks before any "
    "deadline of sources/calendar.csv, on Mondays otherwise.",
)
def refresh_before_deadlines(context: dg.ScheduleEvaluationContext, settings: Settings):
    day = context.scheduled_execution_time.date()
    if not should_refresh(day, calendar.deadlines_of(settings.store, settings.config.sources)):
        return dg.SkipReason(f"{day}: not a Monday and not within 8 weeks of a deadline")
    return dg.RunRequest(
        run_key=f"refresh:{day.isoformat()}",
        partition_key=edition_to_request(context, settings),
        tags={**RUN_TAG, "sgr/trigger": "schedule"},
    )
