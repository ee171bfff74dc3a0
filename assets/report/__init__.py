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
    """The drafts' inputs for one language: its report.toml and forms, and the reviewers' comments and changes
    made on drafts in that language (a returned draft that does not say is English)."""
    config = inputs.config if language == DEFAULT else load_config(template_dir, inputs.dates.edition, language)
    comments, changes = (
        [row for row in rows if (row.get("language") or DEFAULT) == language]
        for rows in (inputs.comments, inputs.changes)
    )
    return replace(inputs, config=config, language=language, comments=comments, changes=changes)


def returned(warehouse: Warehouse, edition: str) -> tuple[list[dict], list[dict]]:
    """The reviewers' comments and changes of drafts of this edition (or of a draft that does not say)."""
    found = []
    for name in (COMMENTS, CHANGES):
        path = warehouse.path(name)
        rows = warehouse.read(name).to_pylist() if path.exists() else []
        found.append([row for row in rows if row["edition"] in (None, edition)])
    return found[0], found[1]


# The other official languages, and what their drafts are called in messages and descriptions.
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]
NAMES = {"fr": "French", "es": "Spanish", "ru": "Russian", "zh": "Chinese", "ar": "Arabic"}


def translation_key(language: str) -> str:
    """The asset of a translation (assets/report/translations.py): draft_report_fr, …"""
    return f"draft_report_{language}"


def drafts_in(warehouse: Warehouse, dates: Dates, languages: list[str]) -> tuple[ReportInputs, dict]:
    """The drafts in these languages, from the same rows (read once: only the words and the forms change),
    each checked and built in memory, then saved together; none is saved if one cannot be made."""
    try:
        for language in languages:
            if language != DEFAULT:
                check_aligned(TEMPLATE_DIR, language)  # before anything is read or written
        inputs = gather(warehouse, dates, TEMPLATE_DIR)
        drafts = {
            language: compose(in_language(inputs, TEMPLATE_DIR, language), TEMPLATE_DIR) for language in languages
        }
    except NarrativeError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    for language, (_, _, document) in drafts.items():
        write_atomically(warehouse.draft(inputs.as_of, language), lambda p, d=document: d.save(str(p)))
    return inputs, drafts


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
def draft_report(context: dg.AssetExecutionContext):
    settings: Settings = context.resources.settings
    dates = settings.dates(edition_of(context, settings))
    as_of, warehouse = dates.as_of, settings.warehouse.of_edition(dates.edition.key)
    languages = settings.language_codes
    with warehouse.published_only_if_drafted():
        inputs, drafts = drafts_in(warehouse, dates, languages)
    warehouse.drafted()
    warehouse.keep_figures(inputs.figures)
    metadata = described(warehouse.draft(as_of), dates, inputs, drafts[DEFAULT][1])
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
    yield dg.MaterializeResult(metadata=metadata)
    # Drafted with English, a translation is its asset's materialization (the translations' code location).
    for code, (made_from, made, _) in list(drafts.items())[1:]:
        context.log_event(
            dg.AssetMaterialization(
                translation_key(code),
                partition=context.partition_key,
                metadata=described(warehouse.draft(as_of, code), dates, made_from, made),
            )
        )


def published_dates(warehouse: Warehouse, dates: Dates) -> Dates:
    """A translation drafted by itself states what the English draft states: the published figures, as of the
    date and compared with the date they were derived for."""
    if not warehouse.path("key_figures").exists():
        raise dg.Failure(
            description=f"nothing of edition {dates.edition.key} is published yet: materialise draft_report (the "
            "English draft) first",
            allow_retries=False,
        )
    figures = warehouse.read("key_figures", columns=["as_of", "previous_as_of"])
    if not figures.num_rows:
        return dates
    as_of, compare_with = figures.column("as_of")[0].as_py(), figures.column("previous_as_of")[0].as_py()
    previous = dates.previous if compare_with == dates.compare_with else None
    return replace(dates, as_of=as_of, compare_with=compare_with, previous=previous)


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
