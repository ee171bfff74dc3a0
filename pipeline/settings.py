"""Where the pipeline reads and writes, and the date it reports as of: one Dagster resource.

Each field falls back to its environment variable, then to a default, when the run does
not set it: SGR_SOURCES (./sources), SGR_DATA (./data), SGR_REPORTS (./reports/drafts),
SGR_AS_OF (today, ISO date), SGR_COMPARE_WITH (the previous edition's cut-off); and the limits on
source files (pipeline/readers/limits.py). `dates` gives a report edition's as-of and comparison dates.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipeline import editions
from pipeline.contract import TABLES
from pipeline.deadlines import Deadline, deadlines_from, parse_as_of
from pipeline.editions import Dates
from pipeline.languages import parse_languages
from pipeline.problems import SourceError
from pipeline.readers import Limits, find_sources, limits, read_table
from pipeline.store import location
from pipeline.warehouse import Warehouse

DEFAULTS = {
    "SGR_SOURCES": "sources",
    "SGR_DATA": "data",
    "SGR_REPORTS": "reports/drafts",
    "SGR_AS_OF": "",
    "SGR_COMPARE_WITH": "",
    "SGR_LANGUAGES": "en",
}


def _from_env(name: str, value: str) -> str:
    return value or os.environ.get(name, "") or DEFAULTS[name]


class Settings(dg.ConfigurableResource):
    sources: str = Field(default="", description="Sources root (SGR_SOURCES, default ./sources).")
    data: str = Field(default="", description="Data folder (SGR_DATA, default ./data).")
    reports: str = Field(default="", description="Drafts folder (SGR_REPORTS, default ./reports/drafts).")
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
    def sources_dir(self) -> Path:
        return location(_from_env("SGR_SOURCES", self.sources))

    @property
    def data_dir(self) -> Path:
        return location(_from_env("SGR_DATA", self.data))

    @property
    def reports_dir(self) -> Path:
        return location(_from_env("SGR_REPORTS", self.reports))

    @property
    def language_codes(self) -> list[str]:
        """English first, then the other languages asked for, in the UN's order of the six."""
        return parse_languages(["en", *_from_env("SGR_LANGUAGES", self.languages).split(",")])

    @property
    def as_of_date(self) -> dt.date:
        return parse_as_of(_from_env("SGR_AS_OF", self.as_of))

    @property
    def limits(self) -> Limits:
        return limits(
            file_mb=self.max_file_mb,
            line_kb=self.max_line_kb,
            field_kb=self.max_field_kb,
            columns=self.max_columns,
            workbook_mb=self.max_workbook_mb,
            zip_ratio=self.max_zip_ratio,
        )

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.data_dir, self.reports_dir)

    def _calendar(self) -> list[dict]:
        """The published calendar; before anything is published, the calendar in the sources if it reads."""
        warehouse = self.warehouse
        if warehouse.path("calendar").exists():
            return warehouse.read("calendar").to_pylist()
        table = TABLES["calendar"]
        try:
            return read_table(find_sources(self.sources_dir, table), table).to_pylist()
        except SourceError:
            return []

    @property
    def deadlines(self) -> list[Deadline]:
        return deadlines_from(self._calendar())

    @property
    def editions(self) -> list[editions.Edition]:
        return editions.editions_from(self._calendar())

    def current_edition(self) -> str:
        """The edition a draft as of the reference date is for (today's, unless SGR_AS_OF says)."""
        return editions.edition_for(self.editions, self.as_of_date).key

    def dates(self, key: str) -> Dates:
        """An edition's dates: its figures as of its cut-off (today while it is ahead; SGR_AS_OF overrides),
        compared with the previous edition's figures as of that one's cut-off (SGR_COMPARE_WITH overrides)."""
        known = self.editions
        edition = editions.find(known, key)
        today = dt.date.today()
        given = _from_env("SGR_AS_OF", self.as_of)
        as_of = parse_as_of(given) if given else edition.as_of(today)
        compare = _from_env("SGR_COMPARE_WITH", self.compare_with)
        before = editions.previous(known, edition)
        if compare:
            compare_with = parse_as_of(compare)
        else:
            compare_with = before.as_of(today) if before is not None and before.as_of(today) < as_of else None
        return Dates(edition, as_of, compare_with, before if not compare else None)


# The drafters' prose, masthead settings and Word template (reports/template/).
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "reports" / "template"

# The report editions (pipeline/editions.py): Dagster partitions of the derive and report assets, kept in
# step with the calendar by the sensors and by `sgr draft` (dynamic: a drafter's calendar row shows without
# reloading the code).
EDITIONS = dg.DynamicPartitionsDefinition(name="edition")


def sync_editions(instance: dg.DagsterInstance, settings: Settings, also: tuple[str, ...] = ()) -> list[str]:
    """The instance's editions made those of the calendar (and `also`: `unscheduled` when a run drafts a date
    past every cut-off); returns their keys."""
    wanted = editions.keys(settings.editions) + [key for key in also if key not in editions.keys(settings.editions)]
    have = set(instance.get_dynamic_partitions(EDITIONS.name))
    added = [key for key in wanted if key not in have]
    if added:
        instance.add_dynamic_partitions(EDITIONS.name, added)
    for gone in have - set(wanted):
        instance.delete_dynamic_partition(EDITIONS.name, gone)
    return wanted


def edition_to_run(instance: dg.DagsterInstance, settings: Settings, edition: str | None = None) -> str:
    """The partition a run drafts: the edition asked for, or the one of the reference date; the instance's
    editions first made those of the calendar."""
    key = editions.find(settings.editions, edition).key if edition else settings.current_edition()
    sync_editions(instance, settings, also=(key,))
    return key


def edition_of(context, settings: Settings) -> str:
    """The run's edition, or a failure that says how to launch the run when it has none."""
    if not context.has_partition_key:
        raise dg.Failure(
            description=f"{context.asset_key.to_user_string()} is partitioned by report edition: launch the run with "
            f"an edition of calendar.csv as its partition (editions: {', '.join(e.key for e in settings.editions)}), "
            "as `sgr draft`, the sensors and the schedule do",
            allow_retries=False,
        )
    return context.partition_key


def edition_to_request(context, settings: Settings) -> str:
    """The edition a sensor's or the schedule's run drafts today, their instance's editions first made those of
    the calendar (a row added or moved by a drafter adds or moves its partition); a context built without an
    instance (a test) only names it."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:
        return settings.current_edition()
    return edition_to_run(instance, settings)


# Every asset and check writes under the data folder: they share one concurrency pool (see dagster.yaml).
POOL = "sgr_data"
# What every asset and check requires: the settings, and the data folder's lock (pipeline/lock.py), so that
# one run writes a data folder at a time. (Dagster cannot mix these keys with resources as parameters.)
LOCKED = {"settings", "data_lock"}
# Runs that write the data carry this tag; dagster.yaml lets one of them run at a time.
RUN_TAG = {"sgr/writes": "data"}
