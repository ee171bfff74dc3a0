"""Ingest: one asset per table of the source contract, staged for validation; one step per family.

Each table's files are found in the family folder, archived under their SHA-256, read and typed by
the contract and staged (pipeline/ingestion.py); as soon as a table is staged, its validation is asked
of the validation worker, if `sgr draft` started one, while the next table is read. Nothing is
published here: see assets/validate/.
"""

import datetime as dt

import dagster as dg

from assets.previews import markdown_preview
from assets.resources import LOCKED, POOL
from pipeline.config import Freshness
from pipeline.contract import FAMILIES, Table, tables_of
from pipeline.ingestion import keep_ahead, settled, stage_table
from pipeline.store import Store
from pipeline.validation.suites import validate_ahead
from pipeline.validation.verdicts import CONTRACT_CHECK, code_version, contract_key, saved_key

GROUP = "ingest"
# Each family must have new content within 30 days (SGR_FRESH_DAYS): 7 in a deadline's run-up
# (SGR_FRESH_DAYS_RUN_UP), which the drafts' annex says of the families it finds stale; the UI warns from
# the shorter window and fails past the longer one, without reading the calendar when the code loads.
FRESHNESS = Freshness()
FRESHNESS_POLICY = dg.FreshnessPolicy.time_window(
    fail_window=dt.timedelta(days=FRESHNESS.days), warn_window=dt.timedelta(days=FRESHNESS.run_up_days)
)


def ingest_family(family: str) -> dg.AssetsDefinition:
    """One step stages every selected table of a family: Dagster's cost per step exceeds a small table's read."""
    tables = tables_of(family)

    @dg.multi_asset(
        name=f"ingest_{family}",
        specs=[
            dg.AssetSpec(
                t.name,
                group_name=GROUP,
                description=f"{t.description} Read from `{t.family}/` ({t.name}.csv or sheet "
                f"'{t.name}' of any workbook) and staged for validation.",
                kinds={"csv", "xlsx", "parquet"},
                tags={"family": t.family},
                code_version=code_version(),
                freshness_policy=FRESHNESS_POLICY,
            )
            for t in tables
        ],
        can_subset=True,
        pool=POOL,
        required_resource_keys=LOCKED,
    )
    def _ingest(context: dg.AssetExecutionContext):
        config = context.resources.settings.config
        if not config.sources.is_dir():
            # Without this, a mistyped folder would publish empty tables and a draft of zeros.
            raise dg.Failure(description=f"the sources folder {config.sources} does not exist (SGR_SOURCES)")
        store = Store(config.data, config.reports)
        selected = [t for t in tables if dg.AssetKey(t.name) in context.selected_asset_keys]
        keep_ahead(store, config.sources, selected, config.limits)
        done: list[tuple[Table, dg.MaterializeResult]] = []
        for table in selected:
            done.append((table, stage(context, store, table)))
            key = contract_key(store, table)
            if saved_key(store, table.name, CONTRACT_CHECK) != key:
                validate_ahead(store, table.name, key)
            # A table is reported staged once it is in the store: the one before, while this one uploads.
            while len(done) > 1:
                yield _settled(store, *done.pop(0))
        for table, result in done:
            yield _settled(store, table, result)

    return _ingest


def _settled(store: Store, table: Table, result: dg.MaterializeResult) -> dg.MaterializeResult:
    settled(store, table)
    return result


def stage(context: dg.AssetExecutionContext, store: Store, table: Table) -> dg.MaterializeResult:
    config = context.resources.settings.config
    staged = stage_table(store, config.sources, table, context.run_id, config.limits)
    for path, rows in staged.gone.items():
        context.log.warning(f"{path} is no longer in the sources: its {rows} rows of {table.name} are dropped")
    reading = staged.reading
    files = [f.source.name + (f":{f.sheet}" if f.sheet else "") for f in reading.files]
    return dg.MaterializeResult(
        asset_key=table.name,
        data_version=dg.DataVersion(staged.version),
        metadata={
            "dagster/row_count": reading.rows.num_rows,
            "read_problems": len(reading.problems),
            "files_gone": dg.MetadataValue.json(staged.gone),
            "staged": dg.MetadataValue.path(str(store.staging.path(table.name))),
            "source_files": dg.MetadataValue.md("\n".join(f"- `{f}`" for f in files) or "none"),
            "preview": dg.MetadataValue.md(markdown_preview(reading.rows.drop_columns(["source_sha256"]))),
        },
    )


INGEST_ASSETS = [ingest_family(family) for family in FAMILIES]
