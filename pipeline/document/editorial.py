"""The editorial check: what a DGACM editor would send back, read from the English report as it was built.

The rules are the UN Editorial Manual's that the pipeline's own words can break ("Numbers, dates and time",
"Instructions for the preparation of documents") and the house rule that the drafters' working material
stays in the dossier: no identifier, file path, digest or ISO date in the report; the session and symbol of
the masthead's date; numbers under 10 in words in running text; en dashes in year ranges; a date range that
names its month once; typographic apostrophes and quotation marks; every picture described; no running head
on page 1; no more words than the limit. The dossier lists what it finds; the tests require that it finds
nothing in the report of any valid sources.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from docx.oxml.ns import qn

from pipeline.document import word_template as t
from pipeline.languages.forms import LANGUAGES
from pipeline.sessions import session_on

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
WORKING_MATERIAL = {
    "identifier": re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),
    "file path": re.compile(r"[\w-]+/[\w./-]*\.(?:csv|xlsx|xml|parquet|docx)\b|\b[\w-]+\.(?:csv|xlsx|parquet)\b"),
    "digest": re.compile(r"\b[0-9a-f]{12,}\b"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
}
LEAKED = re.compile("[\ue000-\uf8ff]")  # private-use characters: the narrative's marks, never text
YEAR_RANGE = re.compile(r"\b(?:19|20)\d{2}-(?:(?:19|20)\d{2}|\d{2})\b(?!-)")
REPEATED_MONTH = re.compile(rf"\b\d{{1,2}} ({MONTHS}) (\d{{4}})–\d{{1,2}} \1 \2\b")
STRAIGHT = re.compile(r"['\"]")
# References, amounts, shares and dates keep their figures; what remains under 10 should be a word.
REFERENCES = re.compile(
    r"\b(?:objectives?|paragraphs?|chapters?|resolutions?|(?:thematic )?areas?|items?|Table|Figure|Annex|A/\d+)"
    r"(?:\s*(?:\d+|[IVX]+)(?:\s*(?:,|and|–)\s*)?)+"
)
SMALL_FIGURE = re.compile(rf"(?<![\w.,/$–-])[0-9](?![\w.,/%–-])(?!\s+(?:{MONTHS}|per cent)\b)")
RUNNING_TEXT = (t.PARAGRAPH, t.SUMMARY)


@dataclass(frozen=True)
class Finding:
    rule: str
    where: str  # "paragraph 12", "the masthead", "Table 3"
    text: str  # what breaks it, quoted


def check(document, word_limit: int) -> list[Finding]:
    """What breaks the rules in an English report (a python-docx Document)."""
    found: list[Finding] = []
    numbered = 0
    for paragraph in document.paragraphs:
        style = paragraph.style.name
        numbered += style == t.PARAGRAPH
        where = f"paragraph {numbered}" if style == t.PARAGRAPH else f"a {style.removeprefix('SG ').lower()}"
        found += _text_rules(paragraph.text, where)
        if style in RUNNING_TEXT:
            found += _numbers_in_words(paragraph.text, where)
    for number, table in enumerate(document.tables[1:], start=1):  # the first is the masthead
        for row in table.rows:
            for cell in row.cells:
                found += _text_rules(cell.text, f"table {number}")
    found += _masthead(document)
    found += _pictures(document)
    found += _running_head(document)
    words = sum(len(p.text.split()) for p in document.paragraphs)
    if words > word_limit:
        found.append(Finding("at most the word limit", "the report", f"{words:,} words of {word_limit:,}"))
    return found


def _text_rules(text: str, where: str) -> list[Finding]:
    found = [
        Finding(f"no {kind} (the drafters' working material belongs in the dossier)", where, match.group(0))
        for kind, pattern in WORKING_MATERIAL.items()
        for match in pattern.finditer(text)
    ]
    found += [
        Finding("no pipeline mark left in the text", where, _around(text, m.start())) for m in LEAKED.finditer(text)
    ]
    found += [Finding("an en dash in a range of years", where, m.group(0)) for m in YEAR_RANGE.finditer(text)]
    found += [Finding("a date range names its month once", where, m.group(0)) for m in REPEATED_MONTH.finditer(text)]
    found += [
        Finding("typographic apostrophes and quotation marks", where, _around(text, m.start()))
        for m in STRAIGHT.finditer(text)
    ]
    return found


def _numbers_in_words(text: str, where: str) -> list[Finding]:
    plain = REFERENCES.sub(" ", text)
    return [
        Finding("numbers under 10 in words in running text", where, _around(plain, m.start()))
        for m in SMALL_FIGURE.finditer(plain)
    ]


def _around(text: str, at: int, width: int = 30) -> str:
    return text[max(0, at - width) : at + width].strip()


def _masthead(document) -> list[Finding]:
    masthead = document.tables[0]
    symbol = masthead.rows[0].cells[1].text
    details = masthead.rows[1].cells[1].text.split("\n")
    try:
        day = dt.datetime.strptime(details[1], "%d %B %Y").date()
    except (IndexError, ValueError):
        return [Finding("the masthead is dated", "the masthead", " / ".join(details))]
    session = session_on(day)
    found = []
    if not symbol.startswith(f"A/{session}/"):
        found.append(Finding(f"the symbol of the session in course on {details[1]}", "the masthead", symbol))
    said = LANGUAGES["en"].session(session)
    if not any(p.text == said for p in document.paragraphs[:6]):
        found.append(Finding(f"the session in course on {details[1]}: {said}", "the masthead", symbol))
    return found


def _pictures(document) -> list[Finding]:
    return [
        Finding("every picture described for screen readers", "a picture", properties.get("name", ""))
        for properties in document.element.body.iter(qn("wp:docPr"))
        if not (properties.get("descr") or "").strip()
    ]


def _running_head(document) -> list[Finding]:
    section = document.sections[0]
    first = (
        "".join(p.text for p in section.first_page_header.paragraphs)
        if section.different_first_page_header_footer
        else None
    )
    if first is None or first.strip():
        return [Finding("no running head on page 1", "the header of page 1", first or "the symbol")]
    return []
