"""The report as the Secretary-General issues it: masthead, summary, chapters, tables, charts, footnotes,
annexes; each figure anchored so that reviewers' comments follow it, and commented with its provenance only
when the drafters ask (`provenance_comments`). What the drafters need besides (files, checks, provenance,
comments to settle) goes into the dossier beside it (dossier.py), from what the report recorded here.

Styles, page setup, numbering, header and footer come from the template (report.docx); the words
from the Markdown files and report.toml beside it; every figure from key_figures and the report
tables. Nothing is computed here: the document binds those rows to the drafters' words and lays
them out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pyarrow as pa
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm

from pipeline.catalogue import CHARTS, REPORT_TABLES, TOTAL, provenance_of
from pipeline.catalogue.figures import LABELS as FIGURE_LABELS
from pipeline.catalogue.model import STATED_UNITS
from pipeline.contract import FAMILIES, PUBLIC_SOURCES, TABLES
from pipeline.document import charts, messages
from pipeline.document import word_template as t
from pipeline.document.facts import Provenance, Row, context
from pipeline.document.facts import table_rows as table_rows_of
from pipeline.document.front_page import core_properties, front_page
from pipeline.document.messages import Coverage, Translation
from pipeline.document.narrative import Block, Narrative, NarrativeError, Run, names_in
from pipeline.document.ooxml import Footnotes, describe, english_run, right_to_left, separate_comment_ids
from pipeline.document.table_layout import Styles, grid
from pipeline.editions import Dates
from pipeline.languages.forms import DEFAULT, LANGUAGES, speaking
from pipeline.paths import Template
from pipeline.review.anchors import Anchors
from pipeline.review.carried_comments import CARRIED, RESOLVED, TO_SETTLE, Carried, carry
from pipeline.review.returned_drafts import PIPELINE_AUTHOR

AUTHOR, INITIALS = PIPELINE_AUTHOR, "SGR"  # how returned drafts tell the pipeline's comments from reviewers'
SHA_SHOWN = 12
STYLES = {"chapter": t.CHAPTER, "section": t.SECTION, "paragraph": t.PARAGRAPH, "summary": t.SUMMARY}


@dataclass
class ReportInputs:
    as_of: dt.date
    config: dict
    figures: pa.Table
    tables: dict[str, pa.Table]  # every report table, with its provenance
    charts: Path | None = None  # where charts already drawn are kept
    dates: Dates | None = None  # the edition and the date compared with
    comments: list[dict] = field(default_factory=list)  # reviewers' comments of returned drafts (pipeline/review/)
    changes: list[dict] = field(default_factory=list)  # and the changes they tracked
    language: str = "en"
    provenance_comments: bool = False  # a Word comment on every figure, for drafters who want them in the report
    translation: Translation | None = None  # a translation's catalogue (pipeline/document/messages.py)
    english_config: dict | None = None  # and English's words, for what its catalogue does not translate


@dataclass(frozen=True)
class Stated:
    """A figure as the report states it, where, and where it came from: a row of the dossier's provenance."""

    where: str  # "Summary", "paragraph 12", "Table 3"
    text: str
    provenance: Provenance


@dataclass
class Made:
    """What the UI and the CLI say about a draft."""

    words: int = 0
    footnotes: int = 0
    numbered_paragraphs: int = 0
    tables: int = 0
    charts: int = 0
    comments: int = 0
    figures_stated: set[str] = field(default_factory=set)
    text: list[str] = field(default_factory=list)
    comments_carried: int = 0
    comments_to_settle: int = 0
    comments_resolved: int = 0
    stated: list[Stated] = field(default_factory=list)
    carried: Carried | None = None  # the reviewers' comments carried, for the dossier
    pictures: list[str] = field(default_factory=list)  # each picture's description, as a screen reader says it
    coverage: Coverage | None = None  # of a translation's catalogue


class Builder:
    def __init__(self, inputs: ReportInputs, template: Template):
        self.inputs, self.config, self.template = inputs, inputs.config, template
        self.language = LANGUAGES[inputs.language]
        self.document = docx.Document(str(template.word_template(inputs.language)))
        self._check_styles()
        self.styles = Styles(self.document)
        self.add = self.styles.add
        directives = {"table": {n for n, d in REPORT_TABLES.items() if d.columns}, "chart": set(CHARTS)}
        self.narrative = Narrative(
            context(inputs.as_of, inputs.config, inputs.figures, inputs.tables, inputs.dates), directives
        )
        # A translation's untranslated words are drafted as English's, in English forms.
        self.english = self.narrative
        if inputs.translation is not None:
            with speaking(DEFAULT):
                self.english = Narrative(
                    context(inputs.as_of, inputs.english_config, inputs.figures, inputs.tables, inputs.dates),
                    directives,
                )
        files = inputs.tables["source_files_used"].to_pylist()
        self.labels = {f["path"]: f"{f['path']} (SHA-256 {f['sha256'][:SHA_SHOWN]})" for f in files}
        ids = self.styles.ids
        self.footnotes = Footnotes(self.document, ids[t.FOOTNOTE_TEXT], ids[t.FOOTNOTE_REFERENCE])
        self.made = Made()
        self.pictures: list[Callable[[], None]] = []  # the charts to put in, once the text is written
        self.numbers = {"table": 0, "figure": 0, "annex": 0}
        self.anchors = Anchors()
        self._template_lines: dict[str, list[str]] = {}
        self._english_paragraphs: list = []  # a translation's paragraphs drafted in English
        self.headings = (0, 0)  # the chapter and section counted so far
        self.chapters_begin = False

    def _check_styles(self) -> None:
        names = {s.name for s in self.document.styles}
        missing = [name for name in t.REQUIRED_STYLES if name not in names]
        if missing:
            raise NarrativeError(
                f"reports/template/report.docx lacks the styles {', '.join(missing)}: restore them in Word or "
                "rebuild the template with `python -m pipeline.document.word_template`"
            )

    def text(self, key: str, **extra) -> str:
        """A line of report.toml, filled from the data: in English words and forms where the catalogue does not
        translate it."""
        if self._untranslated(key):
            section, _, name = key.rpartition(".")
            source = self.inputs.english_config[section][name] if section else self.inputs.english_config[name]
            with speaking(DEFAULT):
                return self.english.text(source, f"reports/template/report.toml ({key})", extra)
        section, _, name = key.rpartition(".")
        source = self.config[section][name] if section else self.config[name]
        return self.narrative.text(source, f"{self._toml_shown()} ({key})", extra)

    def _untranslated(self, context: str) -> bool:
        return self.inputs.translation is not None and context in self.config.get("untranslated", ())

    def _label(self, kind: str) -> str:
        self.numbers[kind] += 1
        return self.text(f"labels.{kind}", number=self.numbers[kind])

    def build(self) -> Made:
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        front_page(self)
        # One template: every language's paragraphs are English's, translated by its catalogue.
        self._file(self.template.file(DEFAULT, "summary.md"), "summary")
        self.chapters_begin = True  # on a page of their own, after the summary
        for path in self.template.chapters(DEFAULT, "chapters"):
            self._file(path, "paragraph")
        for path in self.template.chapters(DEFAULT, "annexes"):
            self._file(path, "annex")
        for draw in self.pictures:
            draw()
        # Each draft carries the comments made on drafts in its language (ReportInputs: only those).
        if self.inputs.comments or self.inputs.changes:
            carried = self.made.carried = carry(
                self.document,
                self.anchors,
                self.inputs.comments,
                self.inputs.changes,
                {**FIGURE_LABELS, **self.config.get("figure_labels", {})},
                self.config.get("comment_words"),
            )
            self.made.comments_carried, self.made.comments_to_settle = carried.count(CARRIED), carried.count(TO_SETTLE)
            self.made.comments_resolved = carried.count(RESOLVED)
        separate_comment_ids(self.document)
        if self.language.right_to_left:
            right_to_left(self.document, tuple(self._english_paragraphs))
        if self.inputs.translation is not None:
            self.made.coverage = self.inputs.translation.coverage
        core_properties(self.document, self.config, self.inputs, self.language.code)
        self.made.footnotes = len(self.footnotes.texts)
        self.made.words += sum(len(text.split()) for text in self.footnotes.texts)
        return self.made

    def _file(self, path: Path, kind: str) -> None:
        shown = self._shown(path)
        self._template_lines[shown] = path.read_text(encoding="utf-8").splitlines()
        for block in self._blocks(path, shown, kind):
            if block.kind == "table":
                self._table(block.name)
            elif block.kind == "chart":
                self._chart(block.name)
            elif kind == "annex" and block.kind == "chapter":
                heading = self.add(self._label("annex"), t.ANNEX)
                heading.paragraph_format.page_break_before = True
                self._paragraph(block, t.ANNEX_TITLE)
            elif kind == "dossier":
                self._paragraph(block, {"chapter": t.CHAPTER, "section": t.SECTION}.get(block.kind, t.SUMMARY))
            elif kind in ("summary", "annex"):
                self._paragraph(block, t.ANNEX_TITLE if block.kind == "chapter" else t.SUMMARY)
            else:
                if block.kind in ("chapter", "section"):
                    self._number_heading(block)
                paragraph = self._paragraph(block, STYLES[block.kind])
                if self.chapters_begin:
                    # A break before the heading, not an empty paragraph: a full first page would push
                    # that paragraph, and its break, onto a page of its own.
                    paragraph.paragraph_format.page_break_before = True
                    self.chapters_begin = False

    def _number_heading(self, block: Block) -> None:
        """A chapter's or section's number as literal text, in a language whose numbers Word cannot write
        (Arabic: أولا -، ألف -); Word's numbering otherwise."""
        if block.kind == "chapter":
            self.headings = (self.headings[0] + 1, 0)
        else:
            self.headings = (self.headings[0], self.headings[1] + 1)
        level = 1 if block.kind == "chapter" else 2
        number = self.language.heading_number(level, self.headings[level - 1])
        if number and not block.english:  # an untranslated heading stays English whole
            block.runs.insert(0, Run(number))

    def _blocks(self, path: Path, shown: str, kind: str) -> list[Block]:
        """A file's blocks; in a translation, its translated paragraphs in its words and forms, the others
        English's, drafted in English forms and marked for the translator."""
        translation = self.inputs.translation
        if translation is None:
            return self.narrative.render(path, shown, kind)
        lines = self._template_lines[shown]
        units = messages.file_units(lines, shown)
        with speaking(DEFAULT):
            ours = self.english.render_text("\n".join(lines) + "\n", shown, kind)
        assembled = messages.assemble(lines, units, translation)
        theirs = self.narrative.render_text(assembled.text, shown, kind)
        return messages.interleaved(
            ours, theirs, messages.english_owners(lines, units), assembled.unit_of_line, units, translation
        )

    def _paragraph(self, block: Block, style: str):
        paragraph = self.add(style=style)
        figures = []
        if style == t.PARAGRAPH:
            self.made.numbered_paragraphs += 1
        where = f"paragraph {self.made.numbered_paragraphs}" if style == t.PARAGRAPH else "Summary"
        for run in block.runs:
            added = paragraph.add_run(run.text)
            if run.bold:
                added.bold = True
            if block.english:
                english_run(added)  # for the translator to find, and spelt as English
            if run.provenance and run.comment:
                self._stated(where, run.text, run.provenance)
                if self.inputs.provenance_comments:
                    self._comment(added, run)
            if run.provenance and run.provenance.figure:
                figures.append((run.provenance.name, added))
        if block.english:
            self._english_paragraphs.append(paragraph._p)
        anchor = self.anchors.paragraph(*self._template_line(block.source))
        self.anchors.mark(anchor, paragraph)
        for name, added in figures:
            self.anchors.mark(self.anchors.figure(anchor, name), paragraph, [added])
        self.made.words += len(block.text.split())
        self.made.text.append(block.text)
        return paragraph

    def _stated(self, where: str, text: str, provenance: Provenance) -> None:
        if provenance.figure:
            self.made.figures_stated.add(provenance.name)
        self.made.stated.append(Stated(where, text, provenance))

    def annex(self, title: str) -> None:
        """A numbered annex of the pipeline's own (Annex V: its title), on a page of its own."""
        heading = self.add(self._label("annex"), t.ANNEX)
        heading.paragraph_format.page_break_before = True
        self.add(title, t.ANNEX_TITLE)

    def _template_line(self, source: str) -> tuple[str, str]:
        """The template file and the text of the line a block starts on ("file line N")."""
        shown, _, number = source.rpartition(" line ")
        lines = self._template_lines.get(shown, [])
        index = int(number) - 1 if number.isdigit() else -1
        return shown, lines[index] if 0 <= index < len(lines) else source

    def _comment(self, run, source: Run) -> None:
        provenance: Provenance = source.provenance
        text = self.text(
            "notes.comment",
            name=provenance.name,
            text=source.text,
            definition=provenance.definition,
            rows=provenance.rows,
            tables=list(provenance.tables),
            files=[self.labels.get(f, f) for f in provenance.files],
        )
        comment = self.document.add_comment(run, text=text, author=AUTHOR, initials=INITIALS)
        # A fixed date, so that the same inputs give the same document.
        comment._comment_elm.set(qn("w:date"), f"{self.inputs.as_of.isoformat()}T00:00:00Z")
        self.made.comments += 1

    def _source_note(self, tables: list[str]) -> str:
        """Who publishes the data a table or chart shows, as UN reports name their sources."""
        families = {TABLES[name].family for name in tables if name in TABLES}
        named = self.config.get("sources", {})
        sources = list(dict.fromkeys(named.get(f, PUBLIC_SOURCES[f]) for f in FAMILIES if f in families))
        if sources:
            sources[0] = sources[0][:1].upper() + sources[0][1:]
        return self.text("notes.source", sources=sources)

    def _table(self, name: str) -> None:
        declaration, data = REPORT_TABLES[name], self.inputs.tables[name]
        words = self._translated("tables", name, declaration.title, declaration.notes)
        if declaration.states_data:
            label = self._label("table")
            self.anchors.mark(self.anchors.table(name), self.add(label, t.CAPTION))
            self._english_where(self.add(words["title"], t.CAPTION), f"tables.{name}.title")
        rows = data.to_pylist()
        cells = [[self._cell(declaration, column, row, words) for column in declaration.columns] for row in rows]
        given = words.get("headers") or [c.header for c in declaration.columns]
        if len(given) != len(declaration.columns):
            raise NarrativeError(
                f"{self._toml_shown()} [tables.{name}]: {len(given)} headers for the {len(declaration.columns)} "
                f"columns ({', '.join(c.header for c in declaration.columns)})"
            )
        headers = [
            self._words(f"tables.{name}.headers.{i}", h, declaration.columns[i].header, f"header of {name}")
            for i, h in enumerate(given)
        ]
        right = [c.right if c.right is not None else _numeric(declaration, c) for c in declaration.columns]
        widths = [c.width_cm for c in declaration.columns]
        table = grid(self.styles, headers, cells, right, widths, declaration.keep_together)
        for i, cell in enumerate(table.rows[0].cells):
            if self._untranslated(f"tables.{name}.headers.{i}"):
                self._english_where(cell.paragraphs[0], f"tables.{name}.headers.{i}")
        if declaration.states_data:
            provenance = provenance_of(data)
            self._stated(label, words["title"], _table_provenance(declaration, provenance))
            self.add(self._source_note(provenance["source_tables"]), t.TABLE_NOTE)
            for note, place in self._notes(words["notes"], name, f"tables.{name}", declaration.notes):
                self._english_where(self.add(note, t.TABLE_NOTE), place)
            self.made.tables += 1

    def _english_where(self, paragraph, context: str) -> None:
        """A caption or note the catalogue does not translate: its English marked, as an English paragraph's."""
        if self._untranslated(context):
            for run in paragraph.runs:
                english_run(run)
            self._english_paragraphs.append(paragraph._p)

    def _notes(self, notes: list[str], name: str, place: str, english: tuple[str, ...]) -> list[tuple[str, str]]:
        """A table's or chart's notes, which may ask about its rows (`{% if rows | ... %}`): a note says only what
        the rows have; one that renders empty is left out."""
        rows = table_rows_of(REPORT_TABLES[name], self.inputs.tables[name])
        rendered = [
            (self._words(f"{place}.notes.{i}", note, english[i], f"a note of {name}", {"rows": rows}).strip(), i)
            for i, note in enumerate(notes)
        ]
        return [(note, f"{place}.notes.{i}") for note, i in rendered if note]

    def _words(self, context: str, given: str, english: str, shown_as: str, extra: dict | None = None, cell=False):
        """A table's or chart's words: in the language where its catalogue translates them, else English's in
        English forms (never the language's figures inside English words)."""
        if self._untranslated(context):
            with speaking(DEFAULT):
                return self.english.text(english, shown_as, extra, cell=cell)
        return self.narrative.text(given, shown_as, extra, cell=cell)

    def _translated(self, kind: str, name: str, title: str, notes: tuple[str, ...]) -> dict:
        """A table's or chart's words in the draft's language (its report.toml), else the catalogue's English."""
        return {"title": title, "notes": list(notes), **self.config.get(kind, {}).get(name, {})}

    def _shown(self, path: Path) -> str:
        """A template file as drafters and messages name it."""
        return self.template.shown(path)

    def _toml_shown(self) -> str:
        """Where the words of report.toml come from, as an error names it: English's file, or the catalogue."""
        if self.inputs.translation is not None and self.inputs.translation.path is not None:
            return self._shown(self.inputs.translation.path)
        return self._shown(self.template.file(DEFAULT, "report.toml"))

    def _cell(self, declaration, column, values: dict, words: dict | None = None) -> str:
        """A cell of a table: its column's template over the row, the words in it translated where the catalogue
        says them."""
        row = Row(declaration, values, None)
        if values.get(TOTAL):
            if column is declaration.columns[0]:
                return (words or {}).get("total", declaration.total_label)
            if not set(names_in(column.template)) <= set(declaration.totals):
                return ""
        fields = {name: getattr(row, name) for name in values if name != TOTAL}
        index = declaration.columns.index(column)
        translated = (words or {}).get("cells", {}).get(str(index), column.template)
        context = f"tables.{declaration.name}.cells.{index}"
        return self._words(context, translated, column.template, f"a cell of {declaration.name}", fields, cell=True)

    def _chart(self, name: str) -> None:
        chart = CHARTS[name]
        data = self.inputs.tables[chart.table]
        frame = charts.rows_drawn(data)
        words = self._translated("charts", name, chart.title, chart.notes)
        label = self._label("figure")
        self.add(label, t.CAPTION)
        self._english_where(self.add(words["title"], t.CAPTION), f"charts.{name}.title")
        picture = self.add(style=t.TABLE_TEXT)
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        chart_words = self.config.get("chart_words")
        run, language = picture.add_run(), self.language.code
        description = f"{label}. {words['title']}. {charts.summary(name, frame, chart_words)}"

        def draw() -> None:
            drawn = charts.png(name, frame, self.inputs.charts, language, chart_words)
            shape = run.add_picture(io.BytesIO(drawn), width=Cm(charts.WIDTH_CM))
            describe(shape, f"{label}: {words['title']}", description)

        # Put in once the rest is written: the worker draws the charts meanwhile (pipeline/document/charts.py).
        self.pictures.append(draw)
        self.made.pictures.append(description)
        self.anchors.mark(self.anchors.chart(name), picture)
        provenance = provenance_of(data)
        self._stated(label, words["title"], _table_provenance(REPORT_TABLES[chart.table], provenance))
        self.add(self._source_note(provenance["source_tables"]), t.TABLE_NOTE)
        for note, place in self._notes(words["notes"], chart.table, f"charts.{name}", chart.notes):
            self._english_where(self.add(note, t.TABLE_NOTE), place)
        self.made.charts += 1


def _table_provenance(declaration, provenance: dict) -> Provenance:
    return Provenance(
        declaration.name,
        declaration.words,
        tuple(provenance["source_tables"]),
        tuple(provenance["source_files"]),
        provenance["rows_counted"],
    )


def _numeric(declaration, column) -> bool:
    """Counts, amounts and shares are aligned right."""
    names = names_in(column.template)
    return len(names) == 1 and declaration.field(names[0]).unit in STATED_UNITS


def compose(inputs: ReportInputs, template: Template):
    """The draft in the inputs' language, built but not yet saved: its inputs, what it holds and the document."""
    with speaking(inputs.language):
        builder = Builder(inputs, template)
        made = builder.build()
    return inputs, made, builder.document
