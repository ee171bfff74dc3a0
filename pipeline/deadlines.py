"""The deadline calendar: the next deadline, the days left, and whether a date falls in the
run-up to one (the 8 weeks before any deadline), when refreshes go daily and sources must be fresher;
and the as-of date the figures are counted at."""

import datetime as dt
import os
from dataclasses import dataclass

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


def freshness_window(day: dt.date, deadlines: list[Deadline]) -> dt.timedelta:
    """How recently each family must have been refreshed: SGR_FRESH_DAYS (30) days, or
    SGR_FRESH_DAYS_RUN_UP (7) in the run-up to a deadline."""
    days = (
        os.environ.get("SGR_FRESH_DAYS_RUN_UP", "7")
        if in_run_up(deadlines, day)
        else os.environ.get("SGR_FRESH_DAYS", "30")
    )
    return dt.timedelta(days=int(days))


def stale_families(latest_change: dict[str, dt.date], day: dt.date, deadlines: list[Deadline]) -> dict[str, int]:
    """Families whose newest content is older than the freshness window, with its age in days."""
    window = freshness_window(day, deadlines).days
    ages = {family: (day - changed).days for family, changed in latest_change.items()}
    return {family: age for family, age in sorted(ages.items()) if age > window}


def parse_as_of(text: str) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"the as-of date {text!r} is not a date in the form YYYY-MM-DD") from None
