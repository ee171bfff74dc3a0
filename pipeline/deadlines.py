"""The deadline calendar: the next deadline, the days left, and whether a date falls in the
run-up to one (the 8 weeks before any deadline), when refreshes go daily and sources must be fresher."""

import datetime as dt
from dataclasses import dataclass

from pipeline.config import Freshness

RUN_UP = dt.timedelta(weeks=8)


@dataclass(frozen=True, order=True)
class Deadline:
    date: dt.date
    kind: str
    title: str
    tentative: bool


def deadlines_from(rows: list[dict]) -> list[Deadline]:
    return sorted(
        Deadline(r["date"], r["kind"], r["title"], r["tentative"] == "yes") for r in rows if r.get("date") is not None
    )


def next_deadline(deadlines: list[Deadline], day: dt.date) -> Deadline | None:
    return next((d for d in deadlines if d.date >= day), None)


def in_run_up(deadlines: list[Deadline], day: dt.date) -> bool:
    """Whether `day` falls within the 8 weeks before a deadline (the deadline's own day included)."""
    return any(d.date - RUN_UP <= day <= d.date for d in deadlines)


def freshness_window(day: dt.date, deadlines: list[Deadline], freshness: Freshness) -> dt.timedelta:
    """How recently each family must have been refreshed: `freshness.days` (SGR_FRESH_DAYS, 30), or
    `run_up_days` (SGR_FRESH_DAYS_RUN_UP, 7) in the run-up to a deadline."""
    return dt.timedelta(days=freshness.run_up_days if in_run_up(deadlines, day) else freshness.days)


def stale_families(
    latest_change: dict[str, dt.date], day: dt.date, deadlines: list[Deadline], freshness: Freshness
) -> dict[str, int]:
    """Families whose newest content is older than the freshness window, with its age in days."""
    window = freshness_window(day, deadlines, freshness).days
    ages = {family: (day - changed).days for family, changed in latest_change.items()}
    return {family: age for family, age in sorted(ages.items()) if age > window}
