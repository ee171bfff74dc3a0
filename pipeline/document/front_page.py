"""The front page of a draft: the masthead (organization, symbol, organ, distribution, date, session, agenda
item with the provisional agenda's symbol in an asterisk footnote, title), the symbol in the running header
of the pages after the first, and the document's own properties (which edition and language a returned draft
is of). What the drafters need about the draft (its data date, the next deadline) is in the dossier."""

from __future__ import annotations

import datetime as dt

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm

from pipeline.document import word_template as t
from pipeline.languages import un_style
from pipeline.languages.forms import style


def front_page(builder) -> None:
    """The symbol in the header of every page, and the masthead."""
    running_head(builder.document, builder.config["symbol"])
    _masthead(builder)


def running_head(document, symbol: str) -> None:
    for section in document.sections:
        # Reading a header python-docx does not find would create it: touch only those the template has.
        headers = [section.header, section.first_page_header, section.even_page_header]
        for part in (h for h in headers if not h.is_linked_to_previous):
            for paragraph in part.paragraphs:
                for run in paragraph.runs:
                    run.text = run.text.replace("{{symbol}}", symbol)


def _masthead(builder) -> None:
    config, document = builder.config, builder.document
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    issued = config.get("issued") or builder.inputs.as_of
    details = [config["distribution"], style().date(issued), "", config["original"]]
    cells = [*table.rows[0].cells, *table.rows[1].cells]
    for cell, text, style_name in zip(
        cells,
        [config["organization"], config["symbol"], config["organ"], details[0]],
        [t.MASTHEAD_ORG, t.MASTHEAD_SYMBOL, t.MASTHEAD_BODY, t.MASTHEAD_DETAIL],
        strict=True,
    ):
        cell.paragraphs[0].text = text
        builder.styles.apply(cell.paragraphs[0], style_name)
    for line in details[1:]:
        builder.add(line, t.MASTHEAD_DETAIL, cells[3])
    rule = 'w:val="single" w:sz="12" w:space="0" w:color="000000"'
    for row in table.rows:
        for cell in row.cells:
            cell._tc.get_or_add_tcPr().append(
                parse_xml(f"<w:tcBorders {nsdecls('w')}><w:bottom {rule}/></w:tcBorders>")
            )
    session, item, title = (
        builder.add(line, t.MASTHEAD_DETAIL)
        for line in (
            config["session"],
            builder.text("agenda_item", agenda_number=config["agenda_number"]),
            config["agenda_title"],
        )
    )
    for paragraph in (session, item, title):
        paragraph.paragraph_format.space_before = Cm(0.1)
    session.runs[0].bold = True
    if config.get("provisional_agenda"):
        builder.footnotes.add(item, f"{config['provisional_agenda']}.", mark="*")
    builder.add(config["title"], t.TITLE)
    builder.add(config["subtitle"], t.SUBTITLE).paragraph_format.space_after = Cm(0.4)


def core_properties(document, config: dict, inputs, language: str) -> None:
    """Fixed dates, so that the same inputs give the same document; the edition and language in the keywords."""
    properties = document.core_properties
    stamp = dt.datetime.combine(inputs.as_of, dt.time())
    properties.created = properties.modified = stamp
    properties.revision = 1
    properties.title = f"{config['title']}: {config['subtitle']}"
    properties.subject = f"{config['symbol']}, data as of {un_style.date(inputs.as_of)}"
    properties.language = language
    if inputs.dates is not None:  # read back from a returned draft: which edition, which language
        in_language = "" if language == "en" else f" sgr-language:{language}"
        properties.keywords = f"sgr-edition:{inputs.dates.edition.key}{in_language}"
