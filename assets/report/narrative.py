"""The report's prose: Markdown files under reports/template/ with placeholders for figures.

    # Chapter title          a chapter (numbered I., II., ... by the Word template)
    ## Section title         a section (A., B., ...)
    A paragraph.             numbered 1., 2., ...; unnumbered in summary.md; a blank line ends it
    **words**                bold: the Secretary-General's recommendations, nothing else
    {{name}}                 a key figure or fact, formatted in UN style
    {{table:name}}           on a line of its own: a table, {{chart:name}} a chart,
    {{text:name}}            paragraphs written from the data

An unknown name is an error naming the file and the line, never a silent blank.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")
DIRECTIVE = re.compile(r"^\{\{\s*(table|chart|text):([a-z0-9_]+)\s*\}\}$")


@dataclass(frozen=True)
class Provenance:
    """Where a figure in the text comes from: shown in its Word comment and its footnote."""

    name: str
    definition: str
    tables: tuple[str, ...]
    files: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class Value:
    """What a placeholder stands for: its text in the document and, for data, its provenance."""

    text: str
    provenance: Provenance | None = None


@dataclass
class Run:
    text: str
    bold: bool = False
    provenance: Provenance | None = None


@dataclass
class Block:
    kind: str  # "chapter", "section", "paragraph", "summary" or "table", "chart", "text"
    runs: list[Run] = field(default_factory=list)
    name: str = ""  # for a table, chart or text directive
    source: str = ""  # "file line N", for messages

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def provenances(self) -> list[Provenance]:
        return [run.provenance for run in self.runs if run.provenance]


class NarrativeError(ValueError):
    pass


def render(
    path: Path,
    values: dict[str, Value],
    directives: dict[str, set[str]] | None = None,
    shown_as: str | None = None,
    paragraph_kind: str = "paragraph",
) -> list[Block]:
    directives = directives or {}
    blocks: list[Block] = []
    pending: list[str] = []  # the lines of the paragraph being read
    pending_from = ""
    name = shown_as or path.name

    def flush() -> None:
        if pending:
            blocks.append(Block(paragraph_kind, _runs(" ".join(pending), values, pending_from), source=pending_from))
            pending.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        where = f"{name} line {number}"
        directive = DIRECTIVE.match(stripped)
        if not stripped or directive or stripped.startswith("#"):
            flush()
        if not stripped:
            continue
        if directive:
            kind, key = directive.groups()
            if key not in directives.get(kind, set()):
                known = ", ".join(sorted(directives.get(kind, set()))) or "none"
                raise NarrativeError(f"{where}: unknown {kind} {{{{{kind}:{key}}}}}; known: {known}")
            blocks.append(Block(kind, name=key, source=where))
        elif stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            if level > 2:
                raise NarrativeError(f"{where}: only # (chapter) and ## (section) headings are used")
            text = stripped.lstrip("#").strip()
            blocks.append(Block("chapter" if level == 1 else "section", _runs(text, values, where), source=where))
        else:
            _check_names(stripped, values, where)  # so that an error names the very line
            if not pending:
                pending_from = where
            pending.append(stripped)
    flush()
    return blocks


def _check_names(text: str, values: dict[str, Value], where: str) -> None:
    leftover = PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise NarrativeError(f"{where}: a placeholder is not closed or not a plain name: {text!r}")
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in values:
            known = ", ".join(sorted(values))
            raise NarrativeError(f"{where}: unknown placeholder {{{{{match.group(1)}}}}}; known names: {known}")


def _runs(text: str, values: dict[str, Value], where: str) -> list[Run]:
    _check_names(text, values, where)
    if text.count("**") % 2:
        raise NarrativeError(f"{where}: bold is not closed (** without its pair)")
    runs = []
    for i, part in enumerate(text.split("**")):
        bold = i % 2 == 1
        position = 0
        for match in PLACEHOLDER.finditer(part):
            key = match.group(1)
            if match.start() > position:
                runs.append(Run(part[position : match.start()], bold))
            runs.append(Run(values[key].text, bold, values[key].provenance))
            position = match.end()
        if position < len(part):
            runs.append(Run(part[position:], bold))
    return runs
