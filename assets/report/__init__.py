"""Report: the draft Secretary-General's report as a Word document.

Words from reports/template/ (summary.md, chapters/*.md, report.toml), look from
reports/template/report.docx, figures from the published tables.
"""

import datetime as dt
import tomllib
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from assets.derive import key_figures, report_tables
from assets.derive.tables import TABLES as DERIVED
from assets.derive.tables import read_derived
from assets.report.document import ReportInputs, build_document
from assets.report.narrative import NarrativeError
from assets.validate import AUTOMATION, published_tables
from pipeline.deadlines import deadlines_from
from pipeline.settings import POOL, TEMPLATE_DIR, Settings
from pipeline.warehouse import Warehouse, write_atomically, write_parquet

WORD_LIMIT_DEFAULT = 8500


def load_config(template_dir: Path) -> dict:
    config = tomllib.loads((template_dir / "report.toml").read_text(encoding="utf-8"))
    config.setdefault("word_limit", WORD_LIMIT_DEFAULT)
    return config


def draft_path(reports_dir: Path, as_of: dt.date) -> Path:
    return reports_dir / f"SG-report-draft-{as_of.isoformat()}.docx"


def history_dir(warehouse: Warehouse) -> Path:
    return warehouse.root / "drafts"


def previous_figures(warehouse: Warehouse) -> tuple[pa.Table, dt.date] | None:
    """The key figures of the last draft written, to say what changed since."""
    snapshots = sorted(history_dir(warehouse).glob("key_figures-*.parquet"))
    if not snapshots:
        return None
    figures = pq.read_table(snapshots[-1])
    return figures, figures.column("as_of")[0].as_py()


def gather(warehouse: Warehouse, as_of: dt.date, template_dir: Path) -> ReportInputs:
    derived = {make.__name__: read_derived(warehouse, make.__name__) for make in DERIVED}
    return ReportInputs(
        as_of=as_of,
        config=load_config(template_dir),
        figures=warehouse.read("key_figures"),
        derived=derived,
        source_files=warehouse.read("source_files"),
        validation=warehouse.read("validation_results"),
        previous=previous_figures(warehouse),
        deadlines=deadlines_from(warehouse.read("calendar").to_pylist()),
    )


@dg.asset(
    group_name="report",
    pool=POOL,
    automation_condition=AUTOMATION,
    deps=[key_figures, report_tables, published_tables],
    description="The draft Secretary-General's report on the Global Compact as a Word document: masthead, "
    "summary, numbered chapters and paragraphs, tables, charts, footnotes citing the sources, a provenance comment "
    "on every figure, and annexes on the source files, validation and changes since the previous draft.",
    kinds={"docx"},
)
def draft_report(settings: Settings) -> dg.MaterializeResult:
    as_of = settings.as_of_date
    warehouse = Warehouse(settings.data_dir)
    target = draft_path(settings.reports_dir, as_of)
    inputs = gather(warehouse, as_of, TEMPLATE_DIR)
    try:
        made = build_document(inputs, TEMPLATE_DIR, lambda d: write_atomically(target, lambda p: d.save(str(p))))
    except NarrativeError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    write_parquet(history_dir(warehouse) / f"key_figures-{stamp}.parquet", inputs.figures)
    limit = inputs.config["word_limit"]
    stated = made.figures_stated
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "as_of": as_of.isoformat(),
            "words": made.words,
            "word_limit": limit,
            "within_word_limit": made.words <= limit,
            "numbered_paragraphs": made.numbered_paragraphs,
            "footnotes": made.footnotes,
            "tables": made.tables,
            "charts": made.charts,
            "provenance_comments": made.comments,
            "figures_stated": len(stated),
            "figures_not_stated": dg.MetadataValue.json(
                sorted(set(inputs.figures.column("figure").to_pylist()) - stated)
            ),
            "preview": dg.MetadataValue.md("\n\n".join(made.text[:40])),
        }
    )
