"""The pipeline's configuration: plain values, read once from what a run was given, else from the
environment, else the defaults. Nothing here reads a file or a clock; the run's dates are resolved from
it and the calendar at the start of each run (pipeline/editions.py).

    SGR_SOURCES          sources root (./sources)
    SGR_DATA             data folder (./data)
    SGR_REPORTS          drafts folder (./reports/drafts)
    SGR_TEMPLATE         the drafters' words and Word template (the project's reports/template/)
    SGR_AS_OF            the date the figures are counted as of (default: the edition's cut-off, or today)
    SGR_COMPARE_WITH     the date they are compared with (default: the previous edition's cut-off)
    SGR_LANGUAGES        the official languages drafted besides English (en)
    SGR_MAX_*            the limits on source files (pipeline/limits.py)
    SGR_FRESH_DAYS       how new each family's content must be (30 days; SGR_FRESH_DAYS_RUN_UP, 7, in
                         the 8 weeks before a deadline)
    SGR_LOCK_TIMEOUT     how long a run waits for the data folder (900 s)
    SGR_PROVENANCE_COMMENTS  yes: a Word comment with its provenance on every figure of the report (no; the
                         provenance is in the dossier either way)
    SGR_PDF              no: no tagged PDF beside each draft (yes, where LibreOffice is installed)
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.languages.official import parse_languages
from pipeline.limits import Limits, limits
from pipeline.paths import TEMPLATE_DIR, Template, location

DEFAULTS = {
    "SGR_SOURCES": "sources",
    "SGR_DATA": "data",
    "SGR_REPORTS": "reports/drafts",
    "SGR_TEMPLATE": str(TEMPLATE_DIR),
    "SGR_AS_OF": "",
    "SGR_COMPARE_WITH": "",
    "SGR_LANGUAGES": "en",
    "SGR_FRESH_DAYS": "30",
    "SGR_FRESH_DAYS_RUN_UP": "7",
    "SGR_LOCK_TIMEOUT": "900",
    "SGR_PROVENANCE_COMMENTS": "no",
    "SGR_PDF": "yes",
}
YES, NO = ("yes", "true", "1", "on"), ("no", "false", "0", "off")


def parse_yes(text: str, variable: str) -> bool:
    said = text.strip().lower()
    if said not in YES + NO:
        raise ValueError(f"{variable}={text!r}: say yes or no")
    return said in YES


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"the as-of date {text!r} is not a date in the form YYYY-MM-DD") from None


@dataclass(frozen=True)
class Freshness:
    """How recently each family must have new content: `days`, or `run_up_days` before a deadline."""

    days: int = 30
    run_up_days: int = 7


@dataclass(frozen=True)
class Config:
    sources: Path
    data: Path
    reports: Path
    template: Template
    as_of: dt.date | None  # None: the edition's cut-off, or today while it is ahead
    compare_with: dt.date | None  # None: the previous edition's cut-off
    languages: tuple[str, ...]  # English first
    limits: Limits
    freshness: Freshness
    lock_timeout: float
    provenance_comments: bool = False
    pdf: bool = True

    @classmethod
    def of(cls, given: Mapping[str, object] | None = None, env: Mapping[str, str] = os.environ) -> Config:
        """The configuration from `given` values (a run's settings, the CLI's options; empty ones do not
        count), else the environment's SGR_* variables, else the defaults."""
        given = {k: v for k, v in (given or {}).items() if v not in (None, "", 0)}

        def value(name: str, variable: str) -> str:
            return str(given.get(name) or env.get(variable, "") or DEFAULTS[variable])

        as_of, compare_with = value("as_of", "SGR_AS_OF"), value("compare_with", "SGR_COMPARE_WITH")
        return cls(
            sources=location(value("sources", "SGR_SOURCES")),
            data=location(value("data", "SGR_DATA")),
            reports=location(value("reports", "SGR_REPORTS")),
            template=Template(Path(value("template", "SGR_TEMPLATE")).resolve()),
            as_of=parse_date(as_of) if as_of else None,
            compare_with=parse_date(compare_with) if compare_with else None,
            languages=tuple(parse_languages(["en", *value("languages", "SGR_LANGUAGES").split(",")])),
            limits=limits(env, **{k: v for k, v in given.items() if k in Limits.__dataclass_fields__}),
            freshness=Freshness(
                int(value("fresh_days", "SGR_FRESH_DAYS")), int(value("fresh_days_run_up", "SGR_FRESH_DAYS_RUN_UP"))
            ),
            lock_timeout=float(value("lock_timeout", "SGR_LOCK_TIMEOUT")),
            provenance_comments=parse_yes(
                value("provenance_comments", "SGR_PROVENANCE_COMMENTS"), "SGR_PROVENANCE_COMMENTS"
            ),
            pdf=parse_yes(value("pdf", "SGR_PDF"), "SGR_PDF"),
        )
