"""Stable anchors: every paragraph, figure, table and chart of a draft carries a bookmark whose name
comes from what made it, not from where it falls, so that a reviewer's comment finds its place in
the next draft (pipeline/review/carried_comments.py).

    sgr_p_<hash>    a paragraph: its template file, the text of the template line it starts on, and
                    how many paragraphs that line made before it (a loop's rows)
    sgr_f_<hash>    a figure in it: the paragraph's anchor, the figure's name and its occurrence
    sgr_t_<name>    a table, on its caption (or its first cell)
    sgr_c_<name>    a chart, on the paragraph that holds the picture

A paragraph added to the template before another leaves the other's anchor as it was; a paragraph
whose first template line is rewritten gets a new one. Bookmarks are what Word and LibreOffice keep
on save (names of at most 40 characters, starting with a letter).
"""

from __future__ import annotations

import hashlib
from collections import Counter

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

PREFIX = "sgr_"
PARAGRAPH, FIGURE, TABLE, CHART = "p", "f", "t", "c"
KINDS = {PARAGRAPH: "paragraph", FIGURE: "figure", TABLE: "table", CHART: "chart"}
NAME_LIMIT = 40  # Word's


def _hashed(kind: str, identity: str) -> str:
    return f"{PREFIX}{kind}_{hashlib.sha256(identity.encode()).hexdigest()[:16]}"


def paragraph_anchor(source_file: str, source_line: str, occurrence: int = 1) -> str:
    """The anchor of the `occurrence`-th paragraph made from this line of this template file: what a comment on
    it, and the translators' catalogue entry of its words, hang on (pipeline/document/messages.py)."""
    return _hashed(PARAGRAPH, f"{source_file}\n{source_line.strip()}\n{occurrence}")


def kind_of(name: str) -> str | None:
    """`paragraph`, `figure`, `table` or `chart` for an anchor's bookmark name; None for any other bookmark."""
    if not name.startswith(PREFIX) or name[len(PREFIX) + 1 : len(PREFIX) + 2] != "_":
        return None
    return KINDS.get(name[len(PREFIX)])


class Anchors:
    """Names the anchors of one draft and writes them as bookmarks; remembers where each one went."""

    def __init__(self):
        self._made: Counter[str] = Counter()
        self._next_id = 0
        self.placed: dict[str, list] = {}  # anchor -> the runs it spans (for comments put back on it)
        self.text: dict[str, str] = {}  # anchor -> its text in this draft
        self.figures: dict[str, str] = {}  # a figure's anchor -> the key figure it states

    def paragraph(self, source_file: str, source_line: str) -> str:
        identity = f"{source_file}\n{source_line.strip()}"
        self._made[identity] += 1
        return paragraph_anchor(source_file, source_line, self._made[identity])

    def figure(self, paragraph: str, figure: str) -> str:
        identity = f"{paragraph}\n{figure}"
        self._made[identity] += 1
        name = _hashed(FIGURE, f"{identity}\n{self._made[identity]}")
        self.figures[name] = figure
        return name

    @staticmethod
    def table(name: str) -> str:
        return f"{PREFIX}{TABLE}_{name}"[:NAME_LIMIT]

    @staticmethod
    def chart(name: str) -> str:
        return f"{PREFIX}{CHART}_{name}"[:NAME_LIMIT]

    def mark(self, name: str, paragraph, runs: list | None = None) -> None:
        """A bookmark around `runs` of `paragraph` (all of its content when none are given)."""
        self._next_id += 1
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(self._next_id))
        start.set(qn("w:name"), name)
        end.set(qn("w:id"), str(self._next_id))
        element = paragraph._p
        if runs:
            runs[0]._r.addprevious(start)
            runs[-1]._r.addnext(end)
        else:
            properties = element.find(qn("w:pPr"))
            if properties is not None:
                properties.addnext(start)
            else:
                element.insert(0, start)
            element.append(end)
        self.placed[name] = runs or list(paragraph.runs)
        self.text[name] = "".join(run.text for run in runs) if runs else paragraph.text
