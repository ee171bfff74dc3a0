"""Report: the draft Secretary-General's report as a Word document (pipeline/document/), in English and, when
the run's settings ask, in the other official languages, from the same rows."""

import datetime as dt

import dagster as dg

from assets.automation import AUTOMATION
from assets.keys import DRAFT_REPORT, KEY_FIGURES, REPORT_TABLES, REVIEW_COMMENTS, translation_key
from assets.partitions import EDITIONS, edition_of
from assets.previews import draft_metadata, pdf_metadata
from assets.resources import LOCKED, POOL
from pipeline.document.drafting import drafts_in
from pipeline.document.narrative import NarrativeError
from pipeline.editions import ISSUED
from pipeline.languages.forms import DEFAULT
from pipeline.languages.official import NAMES


@dg.asset(
    name=DRAFT_REPORT,
    group_name="report",
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    deps=[KEY_FIGURES, REPORT_TABLES, REVIEW_COMMENTS],
    partitions_def=EDITIONS,
    description="A report edition's draft of the Secretary-General's report on the Global Compact, in Word, as "
    "DGACM receives it: masthead of its date, summary, numbered chapters and paragraphs, tables and charts naming "
    "their public sources, and the annex comparing it with the previous report; a tagged PDF beside it where "
    "LibreOffice is installed. Beside it, the drafters' dossier: source files, checks and warnings, changes since "
    "the last draft, the provenance of every figure and the reviewers' comments to settle.",
    kinds={"docx"},
)
def draft_report(context: dg.AssetExecutionContext):
    dates, settings = context.resources.run_dates, context.resources.settings
    store = settings.store
    languages, as_of = dates.languages, dates.as_of
    with store.published.only_if_drafted():
        edition_of(context)
        try:
            config = settings.config
            inputs, drafts, exported = drafts_in(
                store, dates, languages, config.template, config.provenance_comments, config.pdf
            )
        except NarrativeError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
    store.published.drafted()
    store.history.keep_figures(dates.edition.key, inputs.figures)
    metadata = draft_metadata(store.history.draft(as_of), dates, inputs, drafts[DEFAULT][1])
    metadata["Dossier"] = dg.MetadataValue.path(str(store.history.dossier(as_of)))
    metadata["Issued record"] = issued_record(store, dates.edition)
    metadata |= pdf_metadata(exported)
    if exported is not None and exported.missing:
        context.log.warning(exported.missing)
    if len(languages) > 1:
        metadata["Languages"] = dg.MetadataValue.table(
            [
                dg.TableRecord(
                    {
                        "Language": NAMES[code],
                        "Code": code,
                        "Draft": str(store.history.draft(as_of, code)),
                        "Numbered paragraphs": m.numbered_paragraphs,
                        "Figures stated": len(m.figures_stated),
                        "Translated": str(m.coverage) if m.coverage else "the original",
                    }
                )
                for code, (_, m, _) in drafts.items()
            ],
            LANGUAGES_SCHEMA,
        )
    # The edition's state as a tag of the materialization: the UI shows it beside each draft of the partition.
    state_tag = metadata["Edition state"].replace(" ", "-")  # a tag's value takes no spaces
    yield dg.MaterializeResult(metadata=metadata, tags={"sgr/edition_state": state_tag})
    # Drafted with English, a translation is its asset's materialization (the translations' code location).
    for code, (made_from, made, _) in list(drafts.items())[1:]:
        context.log_event(
            dg.AssetMaterialization(
                translation_key(code),
                partition=context.partition_key,
                metadata=draft_metadata(store.history.draft(as_of, code), dates, made_from, made),
            )
        )


LANGUAGES_SCHEMA = dg.TableSchema(
    [
        dg.TableColumn("Language", "string"),
        dg.TableColumn("Code", "string"),
        dg.TableColumn("Draft", "path"),
        dg.TableColumn("Numbered paragraphs", "int"),
        dg.TableColumn("Figures stated", "int"),
        dg.TableColumn("Translated", "string"),
    ]
)


def issued_record(store, edition) -> str:
    """Which kept figures stand as the edition issued, in words: what the next report compares with."""
    if edition.state(dt.date.today()) != ISSUED:
        return (
            f"in preparation until {edition.due.isoformat()}: every source change redrafts it"
            if edition.due
            else "in preparation (no due date in the calendar)"
        )
    record = store.history.issued_record(edition.key, edition.due, edition.cutoff)
    if record is None:
        return "issued, but never drafted here by its due date or as of its cut-off: the next report recounts it"
    return f"issued: the key figures kept at {record.name} stand as the report issued, whatever is redrafted since"
