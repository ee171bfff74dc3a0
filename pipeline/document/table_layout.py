"""Tables in the UN layout: a header row repeated on each page, rows that do not split, numbers aligned
right, a short table kept on one page."""

from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm

from pipeline.document import word_template as t


class Styles:
    """The template's paragraph styles by name, each id looked up once: python-docx scans every style
    on each assignment by name, which made styling a table's cells most of the report's time."""

    def __init__(self, document):
        self.document = document
        self.ids = {style.name: style.style_id for style in document.styles}

    def apply(self, paragraph, style: str):
        paragraph._p.style = self.ids[style]
        return paragraph

    def add(self, text: str = "", style: str | None = None, container=None):
        paragraph = (container or self.document).add_paragraph(text)
        return self.apply(paragraph, style) if style else paragraph


def grid(
    styles: Styles,
    headers: list[str],
    rows: list[list[str]],
    right: list[bool],
    widths_cm: list[float | None],
    keep_together: bool = True,
):
    table = styles.document.add_table(rows=1, cols=len(headers), style=t.TABLE_STYLE)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].text = header
        styles.apply(cell.paragraphs[0], t.TABLE_TEXT)
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    for values in rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
        for cell, value in zip(row.cells, values, strict=True):
            cell.paragraphs[0].text = value
            styles.apply(cell.paragraphs[0], t.TABLE_TEXT)
    for i, aligned in enumerate(right):
        if aligned:
            for row in table.rows:
                row.cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if all(widths_cm):
        table.autofit = False
        # The grid's columns as well as the cells': LibreOffice lays a table out by its grid alone.
        for column, width in zip(table.columns, widths_cm, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)
    if keep_together:
        # Each row kept with the next: a short table is not split across two pages.
        for row in table.rows[:-1]:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    return table
