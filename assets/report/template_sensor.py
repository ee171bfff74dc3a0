"""The drafters' words saved (reports/template/): the report tables and the draft made again."""

import dagster as dg

from assets.file_sensors import (
    FIRST_RUN_PENDING,
    INTERVAL_SECONDS,
    nothing_published,
    read_by_the_last_draft,
    run_request,
    stats_of,
    template_files,
)
from assets.keys import AFTER_TEMPLATE, DRAFT_JOB
from assets.resources import Settings


@dg.sensor(
    name="report_template_files",
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    job_name=DRAFT_JOB,  # report_tables and draft_report
    description="Rebuilds the draft when the prose, report.toml or the Word template in reports/template/ change.",
)
def report_template_files(context: dg.SensorEvaluationContext, settings: Settings):
    if nothing_published(settings):
        return dg.SkipReason(FIRST_RUN_PENDING)
    template = settings.config.template
    stats = stats_of(template.root, template_files(template))
    waiting = read_by_the_last_draft(
        context, template.root, stats, "watching the template from now on: the last draft was made from it"
    )
    if waiting:
        return waiting
    return run_request(context, "report_template_files", template.root, stats, AFTER_TEMPLATE, settings)
