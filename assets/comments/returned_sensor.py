"""A draft saved into sources/returned/: its comments read, and the draft redrafted with them."""

import dagster as dg

from assets.file_sensors import (
    FIRST_RUN_PENDING,
    INTERVAL_SECONDS,
    nothing_published,
    read_by_the_last_draft,
    run_request,
    stats_of,
)
from assets.keys import AFTER_RETURNED, DRAFT_JOB
from assets.resources import Settings
from pipeline.paths import Sources
from pipeline.review.returned_drafts import returned_files


@dg.sensor(
    name="returned_drafts",
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    job_name=DRAFT_JOB,  # review_comments and draft_report
    description="Reads the reviewers' comments and redrafts when a draft is saved into sources/returned/.",
)
def returned_drafts(context: dg.SensorEvaluationContext, settings: Settings):
    if nothing_published(settings):
        return dg.SkipReason(FIRST_RUN_PENDING)
    sources = settings.config.sources
    stats = stats_of(Sources(sources).returned, returned_files(sources))
    waiting = read_by_the_last_draft(context, Sources(sources).returned, stats, "the last draft read these drafts")
    if waiting:
        return waiting
    return run_request(context, "returned_drafts", Sources(sources).returned, stats, AFTER_RETURNED, settings)
