"""Report: the draft Secretary-General's report as a Word document.

Words from reports/template/ (summary.md, chapters/*.md, annexes/*.md, report.toml), look from
reports/template/report.docx, every figure from key_figures and the report tables (assets/derive.py).
"""

import tomllib
from dataclasses import replace
from pathlib import Path

import dagster as dg

from assets.derive import key_figures, report_tables
from assets.report.alignment import check_aligned
from assets.report.document import ReportInputs, compose
from assets.report.languages import DEFAULT, LANGUAGES
from assets.report.narrative import NarrativeError
from assets.returned import CHANGES, COMMENTS, review_comments
from assets.validate import AUTOMATION
from pipeline.catalogue import FIGURES, REPORT_TABLES, provenance_of
from pipeline.editions import Dates, Edition
from pipeline.settings import EDITIONS, LOCKED, POOL, TEMPLATE_DIR, Settings, edition_of
from pipeline.warehouse import Warehouse, write_atomically

WORD_LIMIT_DEFAULT = 8500


def load_config(template_dir: Path, edition: Edition | None = None, language: str = DEFAULT) -> dict:
    """report.toml; the session and symbol follow the edition, unless its own table ([editions."2026"]) says.
    A translation's report.toml is read over English's: what it does not say, English's does."""
    config = _toml(template_dir, "report.toml")
    if language != DEFAULT:
        translated = _toml(template_dir, f"{language}/report.toml")
        for key, value in translated.items():
            config[key] = {**config[key], **value} if isinstance(value, dict) and key in config else value
    config.setdefault("word_limit", WORD_LIMIT_DEFAULT)
    if edition is not None:
        if edition.session:
            config["session"] = LANGUAGES[language].session(edition.session)
            config["symbol"] = f"A/{edition.session}/xxx"
        config |= config.get("editions", {}).get(edition.key, {})
    return config


def _toml(template_dir: Path, name: str) -> dict:
    try:
        return tomllib.loads((template_dir / name).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise NarrativeError(f"reports/template/{name}: {error}") from None


def gather(warehouse: Warehouse, dates: Dates, template_dir: Path) -> ReportInputs:
    as_of = dates.as_of
    figures = warehouse.read("key_figures")
    tables = {name: warehouse.read_report_table(name) for name in REPORT_TABLES}
    derived_as_of = {str(figures.column("as_of")[0]) if figures.num_rows else None}
    derived_as_of |= {provenance_of(table)["as_of"] for table in tables.values()}
    if derived_as_of != {as_of.isoformat()}:
        raise NarrativeError(
            f"the figures and tables were derived as of {', '.join(sorted(map(str, derived_as_of)))}, not "
            f"{as_of.isoformat()}: materialise key_figures and report_tables as of {as_of.isoformat()} first"
        )
    config = load_config(template_dir, dates.edition)
    comments, changes = returned(warehouse, dates.edition.key)
    return ReportInputs(as_of, config, figures, tables, warehouse.charts(), dates, comments, changes)


def in_language(inputs: ReportInputs, template_dir: Path, language: str) -> ReportInputs:
    """The English draft's inputs, with a language's report.toml and forms."""
    if language == DEFAULT:
        return inputs
    return replace(inputs, config=load_config(template_dir, inputs.dates.edition, language), language=language)


def returned(warehouse: Warehouse, edition: str) -> tuple[list[dict], list[dict]]:
    """The reviewers' comments and changes of drafts of this edition (or of a draft that does not say)."""
    found = []
    for name in (COMMENTS, CHANGES):
        path = warehouse.path(name)
        rows = warehouse.read(name).to_pylist() if path.exists() else []
        found.append([row for row in rows if row["edition"] in (None, edition)])
    return found[0], found[1]


@dg.asset(
    group_name="report",
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    deps=[key_figures, report_tables, review_comments],
    partitions_def=EDITIONS,
    description="A report edition's draft of the Secretary-General's report on the Global Compact, in Word: "
    "masthead, summary, numbered chapters and paragraphs, tables, charts, footnotes citing the sources, a provenance "
    "comment "
    "on every figure, and annexes on the source files, validation and changes since the previous draft.",
    kinds={"docx"},
)
def draft_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings: Settings = context.resources.settings
    dates = settings.dates(edition_of(context, settings))
    as_of, warehouse = dates.as_of, settings.warehouse.of_edition(dates.edition.key)
    target, languages = warehouse.draft(as_of), settings.language_codes
    try:
        for language in languages[1:]:
            check_aligned(TEMPLATE_DIR, language)  # before anything is written
        with warehouse.published_only_if_drafted():
            english = gather(warehouse, dates, TEMPLATE_DIR)
            # The same rows in every language: read once, only the words and the forms change.
            drafts = {
                language: compose(in_language(english, TEMPLATE_DIR, language), TEMPLATE_DIR) for language in languages
            }
            for language, (_, _, document) in drafts.items():
                write_atomically(warehouse.draft(as_of, language), lambda p, d=document: d.save(str(p)))
    except NarrativeError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    inputs, made, _ = drafts[DEFAULT]
    warehouse.drafted()
    warehouse.keep_figures(inputs.figures)
    metadata = described(target, dates, inputs, made)
    if len(languages) > 1:
        metadata["languages"] = dg.MetadataValue.json(
            {
                code: {
                    "path": str(warehouse.draft(as_of, code)),
                    "numbered_paragraphs": m.numbered_paragraphs,
                    "footnotes": m.footnotes,
                    "figures_stated": len(m.figures_stated),
                }
                for code, (_, m, _) in drafts.items()
            }
        )
    return dg.MaterializeResult(metadata=metadata)


def described(target: Path, dates, inputs: ReportInputs, made) -> dict:
    """What the UI shows of a draft."""
    limit = inputs.config["word_limit"]
    return {
        "path": dg.MetadataValue.path(str(target)),
        "as_of": dates.as_of.isoformat(),
        "edition": dates.edition.title,
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
