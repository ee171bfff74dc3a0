"""The resources every area's assets and checks require: the settings, the data folder's lock and the run's
dates, resolved once when the run starts.

`settings` is plain configuration (pipeline/config.py): each field falls back to its environment variable,
then to a default, when the run does not set it. `run_dates` is the one value every asset, check and
warning of a run reads for its dates (pipeline/editions.py): resolved from the settings and the calendar
when the run's resources are first set up, and kept in the run's tags, so that a step that sets its
resources up again in another process (Celery) reads the same dates.
"""

from __future__ import annotations

import datetime as dt
import sys

import dagster as dg
from pydantic import Field

from pipeline import calendar, editions
from pipeline.config import Config
from pipeline.contract import CALENDAR
from pipeline.store import Store
from pipeline.store.files import remove_leftovers
from pipeline.store.lock import acquire, release


class Settings(dg.ConfigurableResource):
    sources: str = Field(default="", description="Sources root (SGR_SOURCES, default ./sources).")
    data: str = Field(default="", description="Data folder (SGR_DATA, default ./data).")
    reports: str = Field(default="", description="Drafts folder (SGR_REPORTS, default ./reports/drafts).")
    template: str = Field(
        default="", description="The drafters' words and Word template (SGR_TEMPLATE, default reports/template/)."
    )
    as_of: str = Field(
        default="", description="Reference date, YYYY-MM-DD (SGR_AS_OF; default: the edition's cut-off, or today)."
    )
    compare_with: str = Field(
        default="",
        description="Date the figures are compared with, YYYY-MM-DD (SGR_COMPARE_WITH; default: the previous "
        "edition's cut-off).",
    )
    languages: str = Field(
        default="",
        description="The official languages drafted, as codes: en,fr,es,ru,zh,ar (SGR_LANGUAGES, default en). "
        "English is always drafted; each other language from its template in reports/template/<code>/.",
    )
    provenance_comments: str = Field(
        default="",
        description="yes: a Word comment with its provenance on every figure of the report (SGR_PROVENANCE_COMMENTS, "
        "default no; the provenance is in the drafters' dossier either way).",
    )
    pdf: str = Field(
        default="", description="no: no tagged PDF beside each draft (SGR_PDF, default yes where LibreOffice is)."
    )
    max_file_mb: float = Field(default=0, description="Largest source file read (SGR_MAX_FILE_MB, default 256).")
    max_line_kb: float = Field(default=0, description="Longest CSV row (SGR_MAX_LINE_KB, default 1,024).")
    max_field_kb: float = Field(default=0, description="Longest cell (SGR_MAX_FIELD_KB, default 128).")
    max_columns: int = Field(default=0, description="Most columns of a header (SGR_MAX_COLUMNS, default 1,000).")
    max_workbook_mb: float = Field(
        default=0, description="Largest workbook once unzipped (SGR_MAX_WORKBOOK_MB, default 1,024)."
    )
    max_zip_ratio: float = Field(
        default=0, description="Most a workbook's part may inflate (SGR_MAX_ZIP_RATIO, default 100)."
    )

    @property
    def config(self) -> Config:
        named = ("sources", "data", "reports", "template", "as_of", "compare_with")
        given = {name: getattr(self, name) for name in named}
        given["languages"] = self.languages
        given |= {"provenance_comments": self.provenance_comments, "pdf": self.pdf}
        limits = ("file_mb", "line_kb", "field_kb", "columns", "workbook_mb", "zip_ratio")
        return Config.of(given | {name: getattr(self, f"max_{name}") for name in limits})

    @property
    def store(self) -> Store:
        config = self.config
        return Store(config.data, config.reports)


# Every asset and check writes under the data folder: they share one concurrency pool (see dagster.yaml).
POOL = "sgr_data"
# What every asset and check requires: the settings, the data folder's lock (one run writes a data folder at
# a time) and the run's dates. (Dagster cannot mix these keys with resources as parameters.)
LOCKED = {"settings", "data_lock", "run_dates"}
# Runs that write the data carry this tag; dagster.yaml lets one of them run at a time.
RUN_TAG = {"sgr/writes": "data"}
# The run's dates as resolved (pipeline/editions.py), for the steps and `sgr draft`: hidden from the runs' pages,
# where the edition is said in words (EDITION_TAG).
DATES_TAG = ".dagster/sgr_dates"
EDITION_TAG = "sgr/edition"
# The sources a first publication read (assets/ingest/source_sensors.py): one such run for the same files. Hidden
# from the runs' pages (Dagster hides the tags under this prefix): it is the sensors' bookkeeping, not a drafter's.
FIRST_RUN_TAG = ".dagster/sgr_first_publication"


@dg.resource(
    required_resource_keys={"settings"},
    description="Holds the data folder's lock for the whole run: one writer per data folder (SGR_LOCK_TIMEOUT).",
)
def data_lock(context: dg.InitResourceContext):
    """A function resource, so that it reads the run's own `settings` (a nested resource would not). Temporary
    files a killed run left behind are removed once the lock is held, when none can be in use."""
    config: Config = context.resources.settings.config

    def say(message: str) -> None:
        context.log.warning(message)
        print(f"sgr: {message}", file=sys.stderr, flush=True)

    handle = acquire(config.data, f"Dagster run {context.run_id}", config.lock_timeout, say)
    try:
        for leftover in remove_leftovers(config.data, config.reports):
            context.log.info(f"removed {leftover}, left by a run that did not finish")
        yield config.data
    finally:
        release(handle)


@dg.resource(
    required_resource_keys={"settings", "data_lock"},
    description="The run's dates: its edition, as-of and compare-with dates and languages, resolved once.",
)
def run_dates(context: dg.InitResourceContext) -> editions.Dates:
    """The dates of the run, as resolved when it started: from its tags once they say them, else from the
    settings and the calendar (read under the data folder's lock). A run that reads the calendar's file again
    is dated by that file, the calendar it publishes; any other by the published calendar."""
    run = context.dagster_run
    if run is not None and DATES_TAG in run.tags:
        return editions.Dates.from_json(run.tags[DATES_TAG])
    config: Config = context.resources.settings.config
    selection = run.asset_selection if run is not None else None
    rereads_calendar = selection is None or dg.AssetKey(CALENDAR) in selection
    known = calendar.editions_of(Store(config.data), config.sources, sources_first=rereads_calendar)
    key = run.tags.get("dagster/partition") if run is not None else None
    today = dt.date.today()
    try:
        dates = editions.resolve(known, key, config, today)
    except editions.UnknownEdition as unknown:
        # An edition added in the UI that the calendar does not have: refused before any step runs.
        listed = "; ".join(f"{e.key}: {e.in_words(today)}" for e in known)
        raise dg.Failure(
            description=f"{unknown}. Launch the run for an edition of the calendar ({listed}), or add a row to "
            "sources/calendar.csv first.",
            allow_retries=False,
        ) from None
    if run is not None and context.instance is not None:
        context.instance.add_run_tags(
            run.run_id, {DATES_TAG: dates.to_json(), EDITION_TAG: dates.edition.in_words(today)}
        )
    return dates
