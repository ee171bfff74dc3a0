"""Report: the draft Secretary-General's report, a Word document built from the key figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pyarrow as pa

from assets.derive import key_figures
from assets.report import un_style
from assets.report.document import add_blocks, new_document, word_count
from assets.report.narrative import NarrativeError, Value, render
from assets.validate import published_tables
from pipeline.settings import Settings
from pipeline.warehouse import Warehouse, write_atomically

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "reports" / "template"


def placeholder_values(figures: pa.Table, as_of: dt.date) -> dict[str, Value]:
    values = {"as_of": Value(un_style.date(as_of)), "year": Value(str(as_of.year))}
    for row in figures.to_pylist():
        values[row["figure"]] = Value(un_style.figure(row["value"], row["unit"]), row["figure"])
    return values


def build_draft(figures: pa.Table, as_of: dt.date, template_dir: Path, target: Path) -> dict:
    """Write the draft to `target`; returns what the UI and the CLI show about it."""
    blocks = render(template_dir / "draft.md", placeholder_values(figures, as_of), "reports/template/draft.md")
    document = new_document(template_dir / "report.docx")
    add_blocks(document, blocks)
    write_atomically(target, lambda p: document.save(str(p)))
    stated = {run.figure for block in blocks for run in block.runs if run.figure}
    return {
        "words": word_count(document),
        "figures_stated": len(stated),
        "figures_not_stated": sorted(set(figures.column("figure").to_pylist()) - stated),
        "text": "\n\n".join(block.text for block in blocks),
    }


def draft_path(reports_dir: Path, as_of: dt.date) -> Path:
    return reports_dir / f"SG-report-draft-{as_of.isoformat()}.docx"


@dg.asset(
    group_name="report",
    deps=[key_figures, published_tables],
    description="The draft Secretary-General's report on the Global Compact as a Word document, "
    "from reports/template/ (prose and styles) and the key figures.",
    kinds={"docx"},
)
def draft_report(settings: Settings) -> dg.MaterializeResult:
    as_of = settings.as_of_date
    figures = Warehouse(settings.data_dir).read("key_figures")
    target = draft_path(settings.reports_dir, as_of)
    try:
        made = build_draft(figures, as_of, TEMPLATE_DIR, target)
    except NarrativeError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "as_of": as_of.isoformat(),
            "words": made["words"],
            "figures_stated": made["figures_stated"],
            "figures_not_stated": dg.MetadataValue.json(made["figures_not_stated"]),
            "preview": dg.MetadataValue.md(made["text"]),
        }
    )
