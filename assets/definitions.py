"""The report's Dagster definitions: each area's (ingest, comments, validate, derive, report) merged, with
what cuts across them: the resources, the executor, the automation sensor, the refresh schedule and the job
of every asset. The translations are a code location of their own (assets/translations/)."""

import dagster as dg

from assets import comments, derive, ingest, report, validate
from assets.automation import follow_changes
from assets.executor import executor
from assets.keys import DRAFT_JOB
from assets.refresh_schedule import refresh_before_deadlines
from assets.resources import Settings, data_lock, run_dates

ALL_ASSETS = DRAFT_JOB

defs = dg.Definitions.merge(
    ingest.defs,
    comments.defs,
    validate.defs,
    derive.defs,
    report.defs,
    dg.Definitions(
        sensors=[follow_changes],
        schedules=[refresh_before_deadlines],
        # Every asset as one named job: what a run whose steps go to other processes reconstructs there.
        jobs=[
            dg.define_asset_job(
                ALL_ASSETS,
                selection=dg.AssetSelection.all(),
                description="Reads the sources, validates and publishes them, counts the key figures and drafts the "
                "report, for one edition: every run the sensors and the schedule start, each with the assets it "
                "needs (a family's tables after a save, everything before the first publication).",
            )
        ],
        resources={"settings": Settings(), "data_lock": data_lock, "run_dates": run_dates},
        executor=executor(),
    ),
)


def all_assets_job() -> dg.JobDefinition:
    return defs.resolve_job_def(ALL_ASSETS)
