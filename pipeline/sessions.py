"""The General Assembly session in course on a date, as a masthead names it.

Rule 1 of the Assembly's rules of procedure: a regular session opens on the Tuesday of the third week of
September, counting from the first week with at least one working day; from the seventy-eighth session
(2023), of the second week. That gives the days the sessions opened: 18 September 2018 (seventy-third),
13 September 2022 (seventy-seventh), 5 September 2023 (seventy-eighth), 10 September 2024 (seventy-ninth),
9 September 2025 (eightieth). The first session opened in 1946: the nth opens in 1945 + n.
"""

from __future__ import annotations

import datetime as dt

FIRST_SESSION_YEAR = 1945
TUESDAY = 1
SECOND_WEEK_FROM = 2023


def opening(year: int) -> dt.date:
    """The day the regular session of `year` opens."""
    first = dt.date(year, 9, 1)
    # The week (Monday to Sunday) holding 1 September counts only if one of its weekdays is in September.
    monday = first - dt.timedelta(days=first.weekday())
    if first.weekday() >= 5:
        monday += dt.timedelta(weeks=1)
    weeks = 1 if year >= SECOND_WEEK_FROM else 2
    return monday + dt.timedelta(weeks=weeks, days=TUESDAY)


def session_on(day: dt.date) -> int:
    """The number of the regular session in course on `day` (a session lasts until the next opens)."""
    year = day.year if day >= opening(day.year) else day.year - 1
    return year - FIRST_SESSION_YEAR
