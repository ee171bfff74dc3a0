"""Report editions: each `sg_report` row of the calendar is one edition of the Secretary-General's
report, the Dagster partition its figures, tables and draft are made for.

An edition's key is the year its report is due ("2026"; the date when two fall in one year), its
data cut-off the calendar's `data_cutoff` or, when empty, 4 weeks before the due date. Its figures
are counted as of the cut-off, or as of today while the cut-off is ahead; the previous edition's
as of that edition's cut-off. The masthead's session is that of its date (pipeline/sessions.py).

A run's dates (`Dates`: the edition, the date its figures are counted as of, the date they are compared
with, the languages drafted) are resolved once, at the start of the run (`resolve`), and every asset,
check and warning of the run reads that one value.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

from pipeline.config import Config
from pipeline.contract import SG_REPORT

CUTOFF_BEFORE_DUE = dt.timedelta(weeks=4)
UNSCHEDULED = "unscheduled"  # a date after the last edition's cut-off: the next report, not yet in the calendar


IN_PREPARATION, ISSUED = "in preparation", "issued"


class UnknownEdition(ValueError):
    pass


@dataclass(frozen=True)
class Edition:
    key: str
    title: str
    due: dt.date | None
    cutoff: dt.date | None
    tentative: bool = False

    def state(self, today: dt.date) -> str:
        """`in preparation` until its due date, `issued` after it (an edition with no due date: in preparation)."""
        return ISSUED if self.due is not None and today > self.due else IN_PREPARATION

    def in_words(self, today: dt.date) -> str:
        """`Report of the Secretary-General for the third Forum (in preparation, due 2030-02-12)`."""
        due = f", due {self.due.isoformat()}" if self.due else ""
        return f"{self.title} ({self.state(today)}{due})"

    def as_of(self, today: dt.date) -> dt.date:
        """The date its figures are counted as of: the cut-off, or today while the cut-off is ahead."""
        return today if self.cutoff is None or self.cutoff > today else self.cutoff


@dataclass(frozen=True)
class Dates:
    """What a run's figures, warnings, tables and drafts are counted as of, and compared with."""

    edition: Edition
    as_of: dt.date
    compare_with: dt.date | None  # None: nothing to compare with (the first edition)
    previous: Edition | None  # the edition compared with, unless a date was given
    languages: tuple[str, ...] = ("en",)

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str) -> Dates:
        given = json.loads(text)
        day = lambda value: dt.date.fromisoformat(value) if value else None  # noqa: E731
        edition = lambda e: Edition(e["key"], e["title"], day(e["due"]), day(e["cutoff"]), e["tentative"])  # noqa: E731
        return cls(
            edition(given["edition"]),
            day(given["as_of"]),
            day(given["compare_with"]),
            edition(given["previous"]) if given["previous"] else None,
            tuple(given["languages"]),
        )


def resolve(editions: list[Edition], key: str | None, config: Config, today: dt.date) -> Dates:
    """A run's dates: the edition `key` (else the one `config.as_of`, or today, falls in), its figures as of
    its cut-off (today while that is ahead; `config.as_of` overrides), compared with the previous edition's
    figures as of that one's cut-off (`config.compare_with` overrides)."""
    edition = find(editions, key) if key else edition_for(editions, config.as_of or today)
    as_of = config.as_of or edition.as_of(today)
    before = previous(editions, edition)
    if config.compare_with:
        compare_with = config.compare_with
    else:
        compare_with = before.as_of(today) if before is not None and before.as_of(today) < as_of else None
    return Dates(edition, as_of, compare_with, before if not config.compare_with else None, config.languages)


def editions_from(rows: list[dict]) -> list[Edition]:
    """The editions of a calendar's rows (as published: dates as dates), in the order they are due."""
    reports = sorted((r for r in rows if r.get("kind") == SG_REPORT and r.get("date")), key=lambda r: r["date"])
    years = [r["date"].year for r in reports]
    editions = []
    for row in reports:
        due = row["date"]
        key = str(due.year) if years.count(due.year) == 1 else due.isoformat()
        cutoff = row.get("data_cutoff") or due - CUTOFF_BEFORE_DUE
        editions.append(Edition(key, row["title"], due, cutoff, row.get("tentative") == "yes"))
    return editions


def find(editions: list[Edition], key: str) -> Edition:
    for edition in editions:
        if edition.key == key:
            return edition
    if key == UNSCHEDULED:
        return Edition(UNSCHEDULED, "The next report (not yet in the calendar)", None, None)
    known = ", ".join(e.key for e in editions) or "none: the calendar has no sg_report row"
    raise UnknownEdition(f"no report edition {key!r} in the calendar (sources/calendar.csv); editions: {known}")


def edition_for(editions: list[Edition], day: dt.date) -> Edition:
    """The edition a draft as of `day` is for: the first whose cut-off is on or after it."""
    for edition in editions:
        if edition.cutoff >= day:
            return edition
    return find(editions, UNSCHEDULED)


def previous(editions: list[Edition], edition: Edition) -> Edition | None:
    """The edition before it; for an unscheduled one, the last in the calendar."""
    earlier = [e for e in editions if edition.due is None or e.due < edition.due]
    return earlier[-1] if earlier else None


def keys(editions: list[Edition]) -> list[str]:
    return [e.key for e in editions]
