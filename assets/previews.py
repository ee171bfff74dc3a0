"""What the Dagster UI shows of the tables and drafts: Markdown previews and a draft's metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pyarrow as pa

from pipeline.catalogue import FIGURES

PREVIEW_ROWS = 10


def markdown_preview(table: pa.Table, rows: int = PREVIEW_ROWS) -> str:
    head = table.slice(0, rows).to_pylist()
    names = table.column_names
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in head:
        lines.append("| " + " | ".join(_cell(row[n]) for n in names) + " |")
    if table.num_rows > rows:
        lines.append(f"\n{table.num_rows - rows:,} more rows")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def pdf_metadata(exported) -> dict:
    """Where the tagged PDFs are, or why there are none."""
    if exported is None:
        return {"tagged_pdf": "not asked for (SGR_PDF=no)"}
    if exported.missing:
        return {"tagged_pdf": exported.missing}
    return {"tagged_pdf": dg.MetadataValue.json([str(p) for p in exported.pdfs])}


def draft_metadata(target: Path, dates, inputs, made) -> dict:
    """What the UI shows of a draft, in any language."""
    limit = inputs.config["word_limit"]
    return {
        "path": dg.MetadataValue.path(str(target)),
        "as_of": dates.as_of.isoformat(),
        "edition": dates.edition.title,
        "edition_state": dates.edition.state(dt.date.today()),
        "compared_with": dates.compare_with.isoformat() if dates.compare_with else "nothing (no earlier edition)",
        "session": inputs.config["session"],
        "symbol": inputs.config["symbol"],
        "words": made.words,
        "word_limit": limit,
        "within_word_limit": made.words <= limit,
        "numbered_paragraphs": made.numbered_paragraphs,
        "footnotes": made.footnotes,
        "tables": made.tables,
        "charts": made.charts,
        "provenance_comments": made.comments,
        "reviewers_comments_carried": made.comments_carried,
        "reviewers_comments_to_settle": made.comments_to_settle,
        "reviewers_comments_resolved": made.comments_resolved,
        "figures_stated": len(made.figures_stated),
        "figures_not_stated": dg.MetadataValue.json(sorted(set(FIGURES) - made.figures_stated)),
        "preview": dg.MetadataValue.md("\n\n".join(made.text[:40])),
    }
