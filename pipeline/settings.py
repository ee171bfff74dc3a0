"""Where the pipeline reads and writes, and the date it reports as of: one Dagster resource.

Each field falls back to its environment variable, then to a default, when the run does
not set it: SGR_SOURCES (./sources), SGR_DATA (./data), SGR_REPORTS (./reports/drafts),
SGR_AS_OF (today, ISO date); and the limits on source files (pipeline/readers/limits.py).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipeline.contract import TABLES
from pipeline.deadlines import Deadline, deadlines_from, parse_as_of
from pipeline.problems import SourceError
from pipeline.readers import Limits, find_sources, limits, read_table
from pipeline.warehouse import Warehouse

DEFAULTS = {"SGR_SOURCES": "sources", "SGR_DATA": "data", "SGR_REPORTS": "reports/drafts", "SGR_AS_OF": ""}


def _from_env(name: str, value: str) -> str:
    return value or os.environ.get(name, "") or DEFAULTS[name]


class Settings(dg.ConfigurableResource):
    sources: str = Field(default="", description="Sources root (SGR_SOURCES, default ./sources).")
    data: str = Field(default="", description="Data folder (SGR_DATA, default ./data).")
    reports: str = Field(default="", description="Drafts folder (SGR_REPORTS, default ./reports/drafts).")
    as_of: str = Field(default="", description="Reference date, YYYY-MM-DD (SGR_AS_OF, default today).")
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
        return Path(_from_env("SGR_SOURCES", self.sources)).resolve()

    @property
    def data_dir(self) -> Path:
        return Path(_from_env("SGR_DATA", self.data)).resolve()

    @property
    def reports_dir(self) -> Path:
        return Path(_from_env("SGR_REPORTS", self.reports)).resolve()

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

    @property
    def deadlines(self) -> list[Deadline]:
        """The published calendar; before anything is published, the calendar in the sources if it reads."""
        warehouse = self.warehouse
        if warehouse.path("calendar").exists():
            return deadlines_from(warehouse.read("calendar").to_pylist())
        table = TABLES["calendar"]
        try:
            return deadlines_from(read_table(find_sources(self.sources_dir, table), table).to_pylist())
        except SourceError:
            return []


# The drafters' prose, masthead settings and Word template (reports/template/).
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "reports" / "template"

# Every asset and check writes under the data folder: they share one concurrency pool (see dagster.yaml).
POOL = "sgr_data"
# What every asset and check requires: the settings, and the data folder's lock (pipeline/lock.py), so that
# one run writes a data folder at a time. (Dagster cannot mix these keys with resources as parameters.)
LOCKED = {"settings", "data_lock"}
# Runs that write the data carry this tag; dagster.yaml lets one of them run at a time.
RUN_TAG = {"sgr/writes": "data"}
