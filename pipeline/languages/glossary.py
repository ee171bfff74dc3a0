"""The UN's own terms in each official language, as data with where each was seen (terms/<code>.toml): the
Global Compact's 23 objectives, the regional commissions' names and acronyms (ECE: CEE in French, CEPE in
Spanish), the regions of the reviews and of the M49 standard, the meeting modalities, the round tables, the
names of the Network, the Fund and the Forum. An entry says `confirmed = true` when its words were seen at its
source (UNTERM, a UN document or a UN site), false when they are a translator's best knowledge awaiting one.

The report's tables state the data's English terms (a commission, a region, a format) through the `term` filter,
which gives the draft's language's.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

TERMS_DIR = Path(__file__).with_name("terms")
# The English of the names the terms files translate (the rest is keyed by its English).
ENGLISH_NAMES = {
    "network": "United Nations Network on Migration",
    "mptf": "Migration Multi-Partner Trust Fund",
    "mptf_office": "Multi-Partner Trust Fund Office",
    "compact": "Global Compact for Safe, Orderly and Regular Migration",
    "forum": "International Migration Review Forum",
}
GROUPS = ("regions", "m49", "formats")  # keyed by the data's English term


@functools.cache
def terms(code: str) -> dict:
    """A language's terms file; English has none (its terms are the data's own)."""
    path = TERMS_DIR / f"{code}.toml"
    if code == "en" or not path.exists():
        return {}
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def term(english: str, code: str) -> str:
    """The language's term for one of the data's English terms: a commission's acronym, a region, a format;
    the English itself when the language is English or the term is not in its file."""
    found = terms(code)
    if english in found.get("commissions", {}):
        return found["commissions"][english]["acronym"]
    for group in GROUPS:
        entry = found.get(group, {}).get(english) or found.get(group, {}).get(english.lower())
        if entry:
            return entry["text"]
    return english


def objective(number: int, english: str, code: str) -> str:
    """An objective's official title in the language (the Global Compact is issued in all six)."""
    entry = terms(code).get("objectives", {}).get(str(number))
    return entry["text"] if entry else english


def named_in(text: str, code: str) -> list[str]:
    """The UN terms an English text uses, each with the language's term and whether it is confirmed: what a
    translator's catalogue entry notes beside it."""
    found = terms(code)
    text = " ".join(text.split())  # a name may run over two lines of the template
    notes = []
    for key, english in ENGLISH_NAMES.items():
        entry = found.get("names", {}).get(key)
        if entry and english in text:
            notes.append(_note(english, entry["text"], entry))
    for acronym, entry in found.get("commissions", {}).items():
        if acronym in text.split() or f"{acronym})" in text or f"({acronym}" in text:
            notes.append(_note(acronym, f"{entry['acronym']} ({entry['name']})", entry))
    return notes


def _note(english: str, theirs: str, entry: dict) -> str:
    seen = entry.get("source") if entry.get("confirmed") else "not yet confirmed from a UN source"
    return f"UN term: {english} = {theirs} ({seen})"


def unconfirmed(code: str) -> list[str]:
    """Every term of the language's file not yet confirmed from a UN source, by group and key."""
    return [
        f"{group}.{key}"
        for group, entries in terms(code).items()
        for key, entry in entries.items()
        if not entry.get("confirmed")
    ]
