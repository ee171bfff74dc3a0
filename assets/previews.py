"""What the Dagster UI shows of the tables and drafts: Markdown previews and a draft's metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pyarrow as pa

from pipeline.catalogue import FIGURES
from pipeline.catalogue.figures import LABELS
from pipeline.languages import un_style

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
        return {"Tagged PDF": "not asked for (SGR_PDF=no)"}
    if exported.missing:
        return {"Tagged PDF": exported.missing}
    return {"Tagged PDF": dg.MetadataValue.json([str(p) for p in exported.pdfs])}


def draft_metadata(target: Path, dates, inputs, made) -> dict:
    """What the UI shows of a draft, in any language, in words."""
    limit = inputs.config["word_limit"]
    not_stated = [LABELS[name] for name in FIGURES if name not in made.figures_stated]
    return {
        "Draft": dg.MetadataValue.path(str(target)),
        "Edition": dates.edition.title,
        "Edition state": dates.edition.state(dt.date.today()),
        "As of": un_style.date(dates.as_of),
        "Compared with": un_style.date(dates.compare_with) if dates.compare_with else "nothing: no earlier edition",
        "Session": inputs.config["session"],
        "Symbol": inputs.config["symbol"],
        "Words": made.words,
        "Word limit": limit,
        "Within the word limit": made.words <= limit,
        "Numbered paragraphs": made.numbered_paragraphs,
        "Footnotes": made.footnotes,
        "Tables": made.tables,
        "Charts": made.charts,
        "Provenance comments": made.comments,
        "Reviewers' comments carried": made.comments_carried,
        "Reviewers' comments to settle": made.comments_to_settle,
        "Reviewers' comments resolved": made.comments_resolved,
        "Figures stated": len(made.figures_stated),
        "Figures not stated": "; ".join(not_stated) or "none",
        "Preview": dg.MetadataValue.md("\n\n".join(made.text[:40])),
    } | ({"Translated": str(made.coverage)} if made.coverage else {})
