"""The Word document: the template's styles and page setup, filled with the rendered prose."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.document import Document

from assets.report.narrative import Block

STYLES = {"title": "Title", "heading": "Heading 1", "paragraph": "Normal"}


def new_document(template: Path) -> Document:
    """The template with its body emptied; styles, headers, footers and page setup stay."""
    document = docx.Document(str(template))
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    return document


def add_blocks(document: Document, blocks: list[Block]) -> None:
    for block in blocks:
        paragraph = document.add_paragraph(style=STYLES[block.style])
        for run in block.runs:
            paragraph.add_run(run.text)


def word_count(document: Document) -> int:
    return sum(len(p.text.split()) for p in document.paragraphs)
