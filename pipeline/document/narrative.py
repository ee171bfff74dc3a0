"""The report's prose: Markdown files under reports/template/, filled by Jinja2 from the derived rows.

    # Chapter title          a chapter (numbered I., II., ... by the Word template); in an annex, its title
    ## Section title         a section (A., B., ...)
    A paragraph.             numbered 1., 2., ...; unnumbered in summary.md and the annexes; a blank line ends it
    **words**                bold: the Secretary-General's recommendations, nothing else
    {{ name }}               a key figure, or a field of a one-row table ({{ next_deadline.title }})
    {% for r in table %}     loops and conditions over the report tables' rows; a tag opens and closes on its line
    {{table:name}}           on a line of its own: a table; {{chart:name}} a chart

Every placeholder a template names must exist: an unknown one, anywhere in the file, is an error
naming the file and the line, never a silent blank (StrictUndefined and a check before rendering).
Each line of the template is marked before rendering, so that a paragraph made in a loop still
says which file and line it came from; figures are marked so that each keeps its provenance.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import meta

from pipeline.document.facts import FILTERS, TESTS, Fact, Provenance, Text
from pipeline.languages.forms import running_text, style

# Private-use characters mark lines, figures and directives in the rendered text.
LINE, LINE_END, FACT, FACT_TEXT, FACT_END, DIRECTIVE_MARK = (chr(0xE000 + i) for i in range(6))
MARKED_LINE = re.compile(f"^{LINE}(\\d+){LINE_END}")
MARKED_FACT = re.compile(f"{FACT}(\\d+){FACT_TEXT}(.*?){FACT_END}", re.S)
MARKS = re.compile("[\ue000-\ue00f]")
DIRECTIVE = re.compile(r"^\{\{\s*(table|chart):([a-z0-9_]+)\s*\}\}$")
TAGS_ONLY = re.compile(r"^(\s*(\{%((?!%\}).)*%\}|\{#((?!#\}).)*#\}))+\s*$")
NO_VALUE = "–"  # an empty cell of a table
YEARS = re.compile(r"\b(\d{4})-(\d{4})\b")
QUOTED = re.compile(r'"([^"]*)"')


@dataclass
class Run:
    text: str
    bold: bool = False
    provenance: Provenance | None = None
    comment: bool = True  # a figure gets a comment; a table's text only cites the table in the footnote


@dataclass
class Block:
    kind: str  # "chapter", "section", "paragraph", "summary", "annex" or "table", "chart"
    runs: list[Run] = field(default_factory=list)
    name: str = ""  # of a table or chart
    source: str = ""  # "file line N", for messages
    english: bool = False  # a paragraph of a translation drafted in English: its message is not translated

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def provenances(self) -> list[Provenance]:
        return [run.provenance for run in self.runs if run.provenance]


class NarrativeError(ValueError):
    pass


def _plain(value: object) -> str:
    if isinstance(value, Fact):
        return MARKS.sub("", value.text)
    if value is None:
        raise ValueError("a placeholder has no value")
    if isinstance(value, dt.date):
        return style().date(value if not isinstance(value, dt.datetime) else value.date())
    return YEARS.sub("\\1–\\2", MARKS.sub("", str(value)))  # a cycle "2024-2025" of the data: 2024–2025


def typographic(text: str) -> str:
    """Apostrophes and quotation marks as printed: ’ and “ ”, not the typewriter's ' and ". (The other
    languages' quotation marks, « », are written as such in their templates.)"""
    return QUOTED.sub("“\\1”", text.replace("'", "’"))


def _cell(value: object) -> str:
    if value is None or (isinstance(value, Fact) and value.value is None and value.phrase is None):
        return NO_VALUE
    return _plain(value)


def _environment(finalize=None, loader=None) -> jinja2.Environment:
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=finalize,
        loader=loader,
    )
    environment.filters.update(FILTERS)
    environment.tests.update(TESTS)
    return environment


@functools.cache
def names_in(template: str) -> tuple[str, ...]:
    """The names a one-line template reads: the fields of a table cell."""
    return tuple(sorted(meta.find_undeclared_variables(_environment().parse(template))))


class Narrative:
    """Renders the drafters' templates against one context: paragraphs with their figures' provenance,
    and plain text for the masthead, labels, notes and table cells."""

    def __init__(self, context: dict, directives: dict[str, set[str]]):
        self.context, self.directives = context, directives
        self.facts: list[Fact | Text] = []
        self.sources: dict[str, str] = {}
        self.compiled: dict[tuple[bool, str], jinja2.Template] = {}
        self.prose = _environment(self._mark, jinja2.FunctionLoader(self._source))
        self.plain = _environment(_plain)
        self.cells = _environment(_cell)

    def _source(self, name: str):
        return self.sources[name], name, lambda: True

    def _mark(self, value: object) -> str:
        if isinstance(value, Fact | Text) and value.provenance is not None:
            self.facts.append(value)
            return f"{FACT}{len(self.facts) - 1}{FACT_TEXT}{_plain(value)}{FACT_END}"
        return _plain(value)

    def render(self, path: Path, shown_as: str, paragraph_kind: str = "paragraph") -> list[Block]:
        return self.render_text(path.read_text(encoding="utf-8"), shown_as, paragraph_kind)

    def render_text(self, source: str, shown_as: str, paragraph_kind: str = "paragraph") -> list[Block]:
        """A template's text (a file's, or a file with its translated paragraphs) as blocks."""
        self.sources[shown_as] = self._prepare(source, shown_as)
        try:
            template = self.prose.get_template(shown_as)
        except jinja2.TemplateSyntaxError as error:
            raise NarrativeError(f"{shown_as} line {error.lineno}: {error.message}") from None
        self._check_names(shown_as)
        with running_text():
            text = _rendered(lambda: template.render(self.context), shown_as)
        return self._blocks(style().finish(typographic(text)), shown_as, paragraph_kind)

    def text(self, source: str, shown_as: str, extra: dict | None = None, cell: bool = False) -> str:
        """A one-line template (a masthead line, a label, a note, a table cell) as plain text."""
        if (cell, source) not in self.compiled:
            try:
                self.compiled[cell, source] = (self.cells if cell else self.plain).from_string(source)
            except jinja2.TemplateSyntaxError as error:
                raise NarrativeError(f"{shown_as}: {error.message}") from None
        template = self.compiled[cell, source]
        rendered = _rendered(lambda: template.render({**self.context, **(extra or {})}), shown_as, lines=False)
        return style().finish(typographic(rendered))

    def _prepare(self, source: str, shown_as: str) -> str:
        lines = []
        for number, line in enumerate(source.splitlines(), start=1):
            stripped, where = line.strip(), f"{shown_as} line {number}"
            if stripped.count("{{") != stripped.count("}}") or stripped.count("{%") != stripped.count("%}"):
                raise NarrativeError(f"{where}: a placeholder is not closed on its line: {stripped!r}")
            directive = DIRECTIVE.match(stripped)
            if directive:
                kind, name = directive.groups()
                if name not in self.directives.get(kind, set()):
                    known = ", ".join(sorted(self.directives.get(kind, set()))) or "none"
                    raise NarrativeError(f"{where}: unknown {kind} {{{{{kind}:{name}}}}}; known: {known}")
                lines.append(f"{LINE}{number}{LINE_END}{DIRECTIVE_MARK}{kind}:{name}")
            elif not stripped or TAGS_ONLY.match(stripped):
                lines.append(stripped)
            else:
                # Jinja's trim_blocks eats the newline after a line's closing tag, which would run the next
                # line (and its mark) into this one: a space after the tag keeps the line's end.
                tail = " " if stripped.endswith("%}") else ""
                lines.append(f"{LINE}{number}{LINE_END}{stripped}{tail}")
        return "\n".join(lines) + "\n"

    def _check_names(self, shown_as: str) -> None:
        """Every name the file uses, in every branch, must be known before anything renders."""
        tree = self.prose.parse(self.sources[shown_as])
        assigned = {n.name for n in tree.find_all(jinja2.nodes.Name) if n.ctx in ("store", "param")}
        unknown = meta.find_undeclared_variables(tree) - set(self.context) - set(self.prose.globals) - assigned
        if unknown:
            used = [n for n in tree.find_all(jinja2.nodes.Name) if n.name in unknown and n.ctx == "load"]
            first = min(used, key=lambda n: n.lineno)
            names = ", ".join(sorted(self.context))
            raise NarrativeError(
                f"{shown_as} line {first.lineno}: unknown placeholder {{{{{first.name}}}}}; known names: {names}"
            )

    def _blocks(self, text: str, shown_as: str, paragraph_kind: str) -> list[Block]:
        blocks: list[Block] = []
        pending: list[str] = []
        where, pending_from = shown_as, ""

        def flush() -> None:
            if pending:
                blocks.append(Block(paragraph_kind, self._runs(" ".join(pending), pending_from), source=pending_from))
                pending.clear()

        for raw in text.split("\n"):
            marked = MARKED_LINE.match(raw)
            if marked is None and not raw.strip():
                flush()  # a blank line of the template ends a paragraph
                continue
            if marked:
                where, raw = f"{shown_as} line {marked.group(1)}", raw[marked.end() :]
            content = raw.strip()
            if not content:
                continue  # a line whose placeholders and conditions gave nothing
            if content.startswith(DIRECTIVE_MARK):
                flush()
                kind, name = content[1:].split(":")
                blocks.append(Block(kind, name=name, source=where))
            elif content.startswith("#"):
                flush()
                level = len(content) - len(content.lstrip("#"))
                if level > 2:
                    raise NarrativeError(f"{where}: only # (chapter) and ## (section) headings are used")
                kind = "chapter" if level == 1 else "section"
                blocks.append(Block(kind, self._runs(content.lstrip("#").strip(), where), source=where))
            else:
                pending_from = pending_from if pending else where
                pending.append(content)
        flush()
        return blocks

    def _runs(self, text: str, where: str) -> list[Run]:
        if text.count("**") % 2:
            raise NarrativeError(f"{where}: bold is not closed (** without its pair)")
        runs = []
        for i, part in enumerate(text.split("**")):
            bold, position = i % 2 == 1, 0
            for match in MARKED_FACT.finditer(part):
                if match.start() > position:
                    runs.append(Run(part[position : match.start()], bold))
                fact = self.facts[int(match.group(1))]
                runs.append(Run(match.group(2), bold, fact.provenance, comment=isinstance(fact, Fact)))
                position = match.end()
            if position < len(part):
                runs.append(Run(part[position:], bold))
        return runs


def _rendered(render, shown_as: str, lines: bool = True) -> str:
    """Render, naming the file and line of any error as the drafter sees them."""
    try:
        return render()
    except NarrativeError:
        raise
    except Exception as error:  # Jinja's errors, and a filter's given a value it cannot state
        message = getattr(error, "message", None) or str(error)
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == shown_as]
        where = f"{shown_as} line {frames[-1].lineno}" if lines and frames else shown_as
        raise NarrativeError(f"{where}: {message}") from None
