"""Publication of the whole staged set once every blocking check has passed (pipeline/publishing.py); then,
if the run drafts the report, its charts asked ahead of the worker (pipeline/document/drafting.py)."""

import dagster as dg

from assets.automation import AUTOMATION
from assets.keys import DRAFT_REPORT, REVIEW_COMMENTS, SOURCE_TABLES
from assets.previews import markdown_preview
from assets.resources import LOCKED, POOL
from assets.validate.contract_checks import results_markdown
from pipeline.contract import TABLES
from pipeline.document.drafting import draw_charts_ahead
from pipeline.publishing import NotPublishable, publish
from pipeline.store.files import read_metadata
from pipeline.validation.rules import WARNING
from pipeline.validation.verdicts import failed_rules


@dg.asset(
    group_name="validate",
    # After the returned drafts are read: a returned draft that cannot be read publishes nothing, so that the
    # published tables never run ahead of the last draft.
    deps=[*SOURCE_TABLES, REVIEW_COMMENTS],
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    description="Publishes the staged tables into warehouse/, with validation_results and source_files, "
    "only when every table passed every blocking check.",
    kinds={"parquet"},
)
def published_tables(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    store = context.resources.settings.store
    try:
        files, results = publish(store)
    except NotPublishable as refusal:
        raise dg.Failure(description=str(refusal), allow_retries=False) from None
    if _drafts(context):
        dates, config = context.resources.run_dates, context.resources.settings.config
        draw_charts_ahead(store, dates, dates.languages, config.template, config.freshness)
    warnings = failed_rules(results, WARNING)
    rows = {name: read_metadata(store.published.path(name)).num_rows for name in TABLES}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(rows.values()),
            "rows_by_table": dg.MetadataValue.json(rows),
            "rules_run": results.num_rows,
            "warnings_outstanding": len(warnings),
            "source_files": dg.MetadataValue.md(markdown_preview(files.drop_columns(["sha256"]), rows=50)),
            "validation_summary": dg.MetadataValue.md(results_markdown(results)),
        }
    )


def _drafts(context: dg.AssetExecutionContext) -> bool:
    """Whether this run drafts the report after publishing (a run of every asset, or one that selects it)."""
    selected = context.dagster_run.asset_selection  # none or empty: every asset (sgr draft's runs say none)
    return not selected or dg.AssetKey(DRAFT_REPORT) in selected
