"""Figures and dates as a UN document writes them: `$17.5 million`, `$850,000`, `52`, `24 June 2021`."""

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


def count(value: float) -> str:
    if value != int(value):
        raise ValueError(f"a count must be a whole number: {value}")
    return f"{int(value):,}"


def date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "no figure recorded"
    return usd(value) if unit == "usd" else count(value)
