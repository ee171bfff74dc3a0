"""The Word document: masthead, summary, chapters, tables, charts, footnotes, comments, annexes.

Styles, page setup, numbering, header and footer come from the template; the words from the
Markdown files beside it; every figure from the published tables.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pandas as pd
import pyarrow as pa
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

from assets.report import charts, un_style
from assets.report import template as t
from assets.report.facts import derived_values, file_labels, findings_paragraphs, key_figure_values, plain_values
from assets.report.narrative import Block, NarrativeError, Run, render
from assets.report.ooxml import Footnotes, separate_comment_ids
from pipeline.contract import KEY_FIGURES
from pipeline.deadlines import Deadline, freshness_window, next_deadline, stale_families
from pipeline.reference import THEMATIC_AREAS

AUTHOR, INITIALS = "SG report pipeline", "SGR"
THEMATIC_NOTE = "The names of the thematic areas are unverified and must be checked before publication."


@dataclass
class ReportInputs:
    as_of: dt.date
    config: dict
    figures: pa.Table
    derived: dict[str, tuple[pd.DataFrame, dict]]
    source_files: pa.Table
    validation: pa.Table
    previous: tuple[pa.Table, dt.date] | None = None
    deadlines: list[Deadline] = field(default_factory=list)


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


def _money(value) -> str:
    return "–" if value is None or pd.isna(value) else un_style.usd(float(value))


def _count(value) -> str:
    return "–" if value is None or pd.isna(value) else un_style.count(float(value))


def _reviews_rows(frame: pd.DataFrame) -> list[list[str]]:
    return [
        [
            f"{r.commission} ({r.region})",
            un_style.date_range(r.start_date.date(), r.end_date.date()) + ("" if r.held else " (scheduled)"),
            r.venue.capitalize() if r.venue == "virtual" else r.venue,
            r.format.capitalize(),
            _count(r.member_states),
            _count(r.stakeholders),
        ]
        for r in frame.itertuples()
    ]


def _contribution_rows(frame: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in frame.itertuples():
        share = un_style.percent(r.deposits_usd, r.target_usd) if pd.notna(r.target_usd) and r.target_usd else "–"
        rows.append([str(r.year), _money(r.commitments_usd), _money(r.deposits_usd), _money(r.target_usd), share])
    total = ["Total", _money(frame["commitments_usd"].sum()), _money(frame["deposits_usd"].sum()), "", ""]
    return rows + [total]


def _area_rows(frame: pd.DataFrame) -> list[list[str]]:
    rows = [
        [f"{int(r.thematic_area)}. {THEMATIC_AREAS[int(r.thematic_area)]}", _count(r.programmes), _money(r.budget_usd)]
        for r in frame.itertuples()
    ]
    return rows + [["Total", _count(frame["programmes"].sum()), _money(frame["budget_usd"].sum())]]


def _region_rows(frame: pd.DataFrame) -> list[list[str]]:
    rows = [[r.region, _count(r.programmes), _money(r.budget_usd)] for r in frame.itertuples() if r.programmes]
    return rows + [["Total", _count(frame["programmes"].sum()), _money(frame["budget_usd"].sum())]]


def _network_rows(frame: pd.DataFrame) -> list[list[str]]:
    rows = [
        [r.region, _count(r.country_networks), _count(r.champion_countries), _count(r.champions_with_network)]
        for r in frame.itertuples()
    ]
    totals = frame[["country_networks", "champion_countries", "champions_with_network"]].sum()
    return rows + [["Total", *(_count(v) for v in totals)]]


@dataclass(frozen=True)
class TableSpec:
    derived: str
    title: str
    headers: list[str]
    rows: object  # frame -> list of rows of text
    notes: list[str]
    widths_cm: tuple[float, ...] | None = None
    numeric_from: int = 1


TABLES = {
    "regional_reviews": TableSpec(
        "regional_reviews",
        "Regional reviews of the Global Compact",
        ["Regional review", "Dates", "Venue", "Format", "Member States", "Stakeholders"],
        _reviews_rows,
        ["Member States and stakeholders as reported by each review."],
        (4.2, 3.6, 2.4, 2.0, 2.2, 2.2),
        numeric_from=4,
    ),
    "contributions_by_year": TableSpec(
        "contributions_by_year",
        "Contributions to the Migration Multi-Partner Trust Fund by year against the capitalization target",
        ["Year", "Commitments", "Deposits", "Target", "Deposits as share of target"],
        _contribution_rows,
        ["Amounts in United States dollars."],
    ),
    "programmes_by_area": TableSpec(
        "programmes_by_area",
        "Joint programmes by thematic area",
        ["Thematic area", "Joint programmes", "Budget"],
        _area_rows,
        [THEMATIC_NOTE, "Joint programmes approved by the reference date."],
        (10.0, 3.3, 3.3),
    ),
    "programmes_by_region": TableSpec(
        "programmes_by_region",
        "Joint programmes by region",
        ["Region", "Joint programmes", "Budget"],
        _region_rows,
        [
            "Regions of the United Nations M49 standard; a programme in countries of more than "
            "one region is counted under Several regions."
        ],
    ),
    "networks_by_region": TableSpec(
        "networks_by_region",
        "Country networks and Champion countries by region",
        ["Region", "Country networks", "Champion countries", "Champions with a country network"],
        _network_rows,
        ["Regions of the United Nations M49 standard."],
    ),
}
DIRECTIVES = {"table": set(TABLES), "chart": set(charts.CHARTS), "text": {"findings_by_cluster"}}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


class Builder:
    def __init__(self, inputs: ReportInputs, template_dir: Path):
        self.inputs = inputs
        self.template_dir = template_dir
        self.document = docx.Document(str(template_dir / "report.docx"))
        self._check_styles()
        self.labels = file_labels(inputs.source_files)
        self.values = (
            plain_values(inputs.as_of, inputs.config)
            | key_figure_values(inputs.figures)
            | derived_values(inputs.derived, inputs.figures, inputs.as_of)
        )
        self.footnotes = Footnotes(self.document, self._style_id(t.FOOTNOTE_TEXT), self._style_id(t.FOOTNOTE_REFERENCE))
        self.made = Made()
        self.table_number = 0
        self.figure_number = 0
        self.as_of_text = un_style.date(inputs.as_of)

    def _check_styles(self) -> None:
        names = {s.name for s in self.document.styles}
        missing = [name for name in t.REQUIRED_STYLES if name not in names]
        if missing:
            raise NarrativeError(
                f"reports/template/report.docx lacks the styles {', '.join(missing)}: restore them in Word or "
                "rebuild the template with `python -m assets.report.template`"
            )

    def _style_id(self, name: str) -> str:
        return next(s.style_id for s in self.document.styles if s.name == name)

    def build(self) -> Made:
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self._header()
        self._masthead()
        summary = render(
            self.template_dir / "summary.md",
            self.values,
            DIRECTIVES,
            "reports/template/summary.md",
            paragraph_kind="summary",
        )
        self._heading("Summary", t.ANNEX_TITLE)
        for block in summary:
            self._block(block)
        self._page_break()
        for path in sorted((self.template_dir / "chapters").glob("*.md")):
            shown = f"reports/template/chapters/{path.name}"
            for block in render(path, self.values, DIRECTIVES, shown):
                self._block(block)
        self._annexes()
        separate_comment_ids(self.document)
        self._core_properties()
        self.made.footnotes = len(self.footnotes.texts)
        self.made.words += sum(len(text.split()) for text in self.footnotes.texts)
        return self.made

    def _header(self) -> None:
        for section in self.document.sections:
            # Reading a header python-docx does not find would create it: touch only those the template has.
            headers = [section.header, section.first_page_header, section.even_page_header]
            for part in (h for h in headers if not h.is_linked_to_previous):
                for paragraph in part.paragraphs:
                    for run in paragraph.runs:
                        run.text = run.text.replace("{{symbol}}", self.inputs.config["symbol"])

    def _masthead(self) -> None:
        config = self.inputs.config
        table = self.document.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        cells = table.rows[0].cells
        cells[0].paragraphs[0].text, cells[0].paragraphs[0].style = "United Nations", t.MASTHEAD_ORG
        cells[1].paragraphs[0].text, cells[1].paragraphs[0].style = config["symbol"], t.MASTHEAD_SYMBOL
        cells = table.rows[1].cells
        cells[0].paragraphs[0].text, cells[0].paragraphs[0].style = "General Assembly", t.MASTHEAD_BODY
        issued = un_style.date(dt.date.fromisoformat(config["date"])) if config.get("date") else self.as_of_text
        details = [f"Distr.: {config['distribution']}", issued, "", f"Original: {config['original']}"]
        cells[1].paragraphs[0].text, cells[1].paragraphs[0].style = details[0], t.MASTHEAD_DETAIL
        for line in details[1:]:
            cells[1].add_paragraph(line, t.MASTHEAD_DETAIL)
        rule = 'w:val="single" w:sz="12" w:space="0" w:color="000000"'
        for row in table.rows:
            for cell in row.cells:
                cell._tc.get_or_add_tcPr().append(
                    parse_xml(f"<w:tcBorders {nsdecls('w')}><w:bottom {rule}/></w:tcBorders>")
                )
        for line in (config["session"], config["agenda_item"], config["agenda_title"]):
            paragraph = self.document.add_paragraph(line, t.MASTHEAD_DETAIL)
            paragraph.paragraph_format.space_before = Cm(0.1)
        self.document.paragraphs[-3].runs[0].bold = True
        self.document.add_paragraph(config["title"], t.TITLE)
        self.document.add_paragraph(config["subtitle"], t.SUBTITLE)
        status = self.document.add_paragraph(self._deadline_line(), t.MASTHEAD_DETAIL)
        status.runs[0].italic = True
        status.paragraph_format.space_after = Cm(0.4)

    def _deadline_line(self) -> str:
        upcoming = next_deadline(self.inputs.deadlines, self.inputs.as_of)
        line = f"Draft for review, data as of {self.as_of_text}."
        if upcoming is None:
            return line + " No deadline ahead in the calendar."
        days = (upcoming.date - self.inputs.as_of).days
        when = "today" if days == 0 else f"in {un_style.count(days)} day{'s' if days != 1 else ''}"
        tentative = " (tentative)" if upcoming.tentative else ""
        return f"{line} Next deadline: {upcoming.title}, {un_style.date(upcoming.date)}{tentative}, {when}."

    def _heading(self, text: str, style: str):
        return self.document.add_paragraph(text, style)

    def _page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _block(self, block: Block) -> None:
        if block.kind == "table":
            self._table(block.name)
        elif block.kind == "chart":
            self._chart(block.name)
        elif block.kind == "text":
            for generated in findings_paragraphs(self.inputs.derived):
                self._paragraph(generated, t.PARAGRAPH)
        elif block.kind in ("chapter", "section"):
            self._paragraph(block, t.CHAPTER if block.kind == "chapter" else t.SECTION)
        else:
            self._paragraph(block, t.SUMMARY if block.kind == "summary" else t.PARAGRAPH)

    def _paragraph(self, block: Block, style: str):
        paragraph = self.document.add_paragraph(style=style)
        for run in block.runs:
            added = paragraph.add_run(run.text)
            if run.bold:
                added.bold = True
            if run.provenance:
                self._comment(added, run)
        self.made.words += len(block.text.split())
        self.made.text.append(block.text)
        if style == t.PARAGRAPH:
            self.made.numbered_paragraphs += 1
        if block.provenances and style == t.PARAGRAPH:
            tables = sorted({name for p in block.provenances for name in p.tables})
            files = sorted({f for p in block.provenances for f in p.files})
            self.footnotes.add(paragraph, self._source_note(tables, files))
        return paragraph

    def _comment(self, run, source: Run) -> None:
        provenance = source.provenance
        if provenance.name in KEY_FIGURES:
            self.made.figures_stated.add(provenance.name)
        rows = f"{un_style.count(provenance.rows)} row{'s' if provenance.rows != 1 else ''}"
        text = (
            f"{provenance.name} = {source.text}, as of {self.as_of_text}. Definition: {provenance.definition}. "
            f"Counted from {rows} of {', '.join(provenance.tables)}. "
            f"Source files: {'; '.join(self.labels.get(f, f) for f in provenance.files) or 'none'}."
        )
        comment = self.document.add_comment(run, text=text, author=AUTHOR, initials=INITIALS)
        # A fixed date, so that the same inputs give the same document.
        comment._comment_elm.set(qn("w:date"), f"{self.inputs.as_of.isoformat()}T00:00:00Z")
        self.made.comments += 1

    def _source_note(self, tables: list[str], files: list[str]) -> str:
        """`Source: ... tables (files), data as of D.`, under a paragraph, a table or a chart."""
        return (
            f"Source: {un_style.series(tables)} table{'s' if len(tables) > 1 else ''} "
            f"({'; '.join(files) or 'no rows'}), data as of {self.as_of_text}."
        )

    def _grid(
        self,
        headers: list[str],
        rows: list[list[str]],
        numeric_from: int = 1,
        widths_cm=None,
        keep_together: bool = True,
    ):
        table = self.document.add_table(rows=1, cols=len(headers), style=t.TABLE_STYLE)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.paragraphs[0].text, cell.paragraphs[0].style = header, t.TABLE_TEXT
        header_properties = table.rows[0]._tr.get_or_add_trPr()
        header_properties.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
        for values in rows:
            row = table.add_row()
            row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
            for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                paragraph = cell.paragraphs[0]
                paragraph.text, paragraph.style = value, t.TABLE_TEXT
                if i >= numeric_from:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for i in range(numeric_from, len(headers)):
            table.rows[0].cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if widths_cm:
            table.autofit = False
            for row in table.rows:
                for cell, width in zip(row.cells, widths_cm, strict=True):
                    cell.width = Cm(width)
        if keep_together:
            # Each row kept with the next: a short table is not split across two pages.
            for row in table.rows[:-1]:
                for cell in row.cells:
                    cell.paragraphs[0].paragraph_format.keep_with_next = True
        return table

    def _table(self, name: str) -> None:
        spec = TABLES[name]
        frame, provenance = self.inputs.derived[spec.derived]
        self.table_number += 1
        self.document.add_paragraph(f"Table {self.table_number}", t.CAPTION)
        self.document.add_paragraph(spec.title, t.CAPTION)
        self._grid(spec.headers, spec.rows(frame), numeric_from=spec.numeric_from, widths_cm=spec.widths_cm)
        for note in [self._source_note(provenance["source_tables"], provenance["source_files"]), *spec.notes]:
            self.document.add_paragraph(note, t.TABLE_NOTE)
        self.made.tables += 1

    def _chart(self, name: str) -> None:
        derived_name, draw, title = charts.CHARTS[name]
        frame, provenance = self.inputs.derived[derived_name]
        self.figure_number += 1
        self.document.add_paragraph(f"Figure {ROMAN[self.figure_number - 1]}", t.CAPTION)
        self.document.add_paragraph(title, t.CAPTION)
        picture = self.document.add_paragraph(style=t.TABLE_TEXT)
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.add_run().add_picture(io.BytesIO(draw(frame)), width=Cm(charts.WIDTH_CM))
        notes = [self._source_note(provenance["source_tables"], provenance["source_files"])]
        if name == "programmes_by_area":
            notes.append(THEMATIC_NOTE)
        for note in notes:
            self.document.add_paragraph(note, t.TABLE_NOTE)
        self.made.charts += 1

    def _annex(self, number: int, title: str) -> None:
        paragraph = self.document.add_paragraph(f"Annex {ROMAN[number - 1]}", t.ANNEX)
        paragraph.paragraph_format.page_break_before = True
        self.document.add_paragraph(title, t.ANNEX_TITLE)

    def _annexes(self) -> None:
        by_file: dict[str, dict] = {}
        for row in self.inputs.source_files.to_pylist():
            entry = by_file.setdefault(row["path"], {**row, "tables": [], "rows": 0})
            entry["tables"].append(row["table"])
            entry["rows"] += row["rows_read"]
        self._annex(1, "Source files used")
        self.document.add_paragraph(
            f"The figures in the present report were counted from the following files, as read on publication; "
            f"each is kept unchanged under its SHA-256 digest. Data as of {self.as_of_text}.",
            t.SUMMARY,
        )
        self._grid(
            ["File", "SHA-256 (first 12)", "Tables", "Rows", "First seen"],
            [
                [
                    f["path"],
                    f["sha256"][:12],
                    ", ".join(f["tables"]),
                    un_style.count(f["rows"]),
                    f["first_seen"].date().isoformat(),
                ]
                for f in by_file.values()
            ],
            numeric_from=3,
            widths_cm=[5.2, 2.6, 5.0, 1.4, 2.0],
            keep_together=False,
        )
        self._validation_annex()
        self._changes_annex()

    def _validation_annex(self) -> None:
        results = self.inputs.validation.to_pylist()
        errors = [r for r in results if r["severity"] == "error"]
        warnings = [r for r in results if r["severity"] == "warning" and not r["passed"]]
        self._annex(2, "Data validation")
        tables = len({r["table"] for r in results})
        self.document.add_paragraph(
            f"{un_style.count(len(errors))} blocking rules of the source contract were checked on {tables} tables; "
            f"all passed, or the figures would not have been published. "
            f"{un_style.count(len(warnings))} warning{'s' if len(warnings) != 1 else ''} "
            f"{'remain' if len(warnings) != 1 else 'remains'} outstanding" + (":" if warnings else "."),
            t.SUMMARY,
        )
        self._freshness()
        if warnings:
            self._grid(
                ["Table", "Warning", "Rows", "First example"],
                [[w["table"], w["rule"], un_style.count(w["offending"]), (w["examples"] or [""])[0]] for w in warnings],
                numeric_from=2,
            )

    def _freshness(self) -> None:
        latest: dict[str, dt.date] = {}
        for row in self.inputs.source_files.to_pylist():
            seen = row["first_seen"].date()
            latest[row["family"]] = max(latest.get(row["family"], seen), seen)
        window = freshness_window(self.inputs.as_of, self.inputs.deadlines).days
        stale = stale_families(latest, self.inputs.as_of, self.inputs.deadlines)
        rule = f"Each family of sources is expected to have new content within {window} days."
        if not stale:
            text = f"{rule} All families met it as of {self.as_of_text}."
        else:
            listed = un_style.series([f"{family} ({un_style.count(age)} days)" for family, age in stale.items()])
            text = f"{rule} Stale as of {self.as_of_text}, with the age of their newest file: {listed}."
        self.document.add_paragraph(text, t.SUMMARY)

    def _changes_annex(self) -> None:
        self._annex(3, "Changes since the previous draft")
        if self.inputs.previous is None:
            self.document.add_paragraph("This is the first draft: there is no earlier draft to compare.", t.SUMMARY)
            return
        previous, previous_as_of = self.inputs.previous
        before = {r["figure"]: r for r in previous.to_pylist()}
        changed = []
        for row in self.inputs.figures.to_pylist():
            old = before.get(row["figure"])
            if old is None or old["value"] != row["value"]:
                old_text = un_style.figure(old["value"], old["unit"]) if old else "not stated"
                changed.append([row["figure"], old_text, un_style.figure(row["value"], row["unit"])])
        old_date, new_date = un_style.date(previous_as_of), self.as_of_text
        if not changed:
            self.document.add_paragraph(
                f"No key figure changed since the previous draft (data as of {old_date}).", t.SUMMARY
            )
            return
        self.document.add_paragraph(
            f"{un_style.count(len(changed))} key figure{'s' if len(changed) != 1 else ''} changed since the previous "
            f"draft.",
            t.SUMMARY,
        )
        self._grid(["Key figure", f"Previous draft (as of {old_date})", f"This draft (as of {new_date})"], changed)

    def _core_properties(self) -> None:
        properties = self.document.core_properties
        stamp = dt.datetime.combine(self.inputs.as_of, dt.time())
        properties.created = properties.modified = stamp
        properties.revision = 1
        properties.title = f"{self.inputs.config['title']}: {self.inputs.config['subtitle']}"
        properties.subject = f"{self.inputs.config['symbol']}, data as of {self.as_of_text}"


def build_document(inputs: ReportInputs, template_dir: Path, save) -> Made:
    builder = Builder(inputs, template_dir)
    made = builder.build()
    save(builder.document)
    return made
