"""Figures and dates as a UN document writes them: `$17.5 million`, `$850,000`, `52`, `10.5 per cent`,
`24 June 2021`."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def _round(value: float, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def usd(value: float) -> str:
    """US dollars: one decimal and the word million or billion from a million up
    (a whole number drops the `.0`: `$30 million`), whole dollars below."""
    if value < 0:
        raise ValueError(f"an amount cannot be negative: {value}")
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        scaled = _round(value / scale, "0.1")
        if scaled >= 1:
            text = f"{scaled:f}".removesuffix(".0")
            return f"${text} {word}"
    return f"${_round(value, '1'):,}"


def as_shown(value: float | None, unit: str) -> Decimal | float | None:
    """The value as a report prints it ($3.2 million is 3,200,000; 74.9 per cent is 0.749), so that a change
    agrees with the two figures a reader sees: 74.9 to 73.4 per cent is down 1.5 points, not the 1.4 between
    the unrounded shares."""
    if value is None:
        return None
    if unit == "usd":
        for scale in (1e9, 1e6):
            scaled = _round(value / scale, "0.1")
            if scaled >= 1:
                return scaled * Decimal(int(scale))
        return _round(value, "1")
    if unit == "percent":
        return _round(100 * value, "0.1") / 100
    return value


def count(value: float) -> str:
    if value != int(value):
        raise ValueError(f"a count must be a whole number: {value}")
    return f"{int(value):,}"


def date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def number(value: float) -> str:
    """A number that names something (thematic area 2): digits, no separator."""
    return str(int(value)) if float(value).is_integer() else str(value)


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "no figure recorded"
    formats = {"usd": usd, "count": count, "percent": share, "number": number}
    return formats[unit](value)


def date_range(start: dt.date, end: dt.date) -> str:
    """`12–13 November 2020`, `31 August–1 September 2021`, `30 December 2020–2 January 2021`."""
    if start == end:
        return date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{date(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%B}–{date(end)}"
    return f"{date(start)}–{date(end)}"


def share(value: float) -> str:
    """A share as UN documents state it: 0.105 is `10.5 per cent`; a whole number drops the `.0`."""
    text = f"{_round(100 * value, '0.1'):f}".removesuffix(".0")
    return f"{text} per cent"


def series(items: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


def roman(number: int) -> str:
    """Figure and annex numbers: I, II, ... (a report has fewer than 16 of either)."""
    return ROMAN[number - 1]


def change(now: float | None, before: float | None, unit: str) -> str:
    """How a figure moved since the report compared with: `up $12.3 million`, `down 2`, `up 3.5 percentage
    points`, `unchanged`; a figure with no earlier value says so instead of counting from zero."""
    if before is None and now is None:
        return "not stated in either"
    if before is None:
        return "not stated in the previous report"
    if now is None:
        return "no longer stated"
    now, before = as_shown(now, unit), as_shown(before, unit)
    if now == before:
        return "unchanged"
    direction = "up" if now > before else "down"
    moved = float(abs(now - before))
    if unit == "usd":
        return f"{direction} {usd(moved)}"
    if unit == "percent":
        points = f"{_round(100 * moved, '0.1'):f}".removesuffix(".0")
        return f"{direction} {points} percentage {'point' if points == '1' else 'points'}"
    if unit == "number":
        return f"was {number(before)}"
    return f"{direction} {count(moved)}"


ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINAL_ENDINGS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                   "nine": "ninth", "twelve": "twelfth"}  # fmt: skip


def _cardinal(n: int) -> str:
    if n >= 100:
        rest = n % 100
        return f"one hundred{' and ' + _cardinal(rest) if rest else ''}"
    if n < 20:
        return ONES[n]
    return TENS[n // 10] + (f"-{ONES[n % 10]}" if n % 10 else "")


def ordinal(n: int) -> str:
    """`Eightieth`, `Eighty-first`: a General Assembly session as the masthead names it (1 to 199)."""
    words = _cardinal(n)
    cut = max(words.rfind("-"), words.rfind(" ")) + 1
    head, last = words[:cut], words[cut:]
    if last in ORDINAL_ENDINGS:
        last = ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return (head + last).capitalize()
