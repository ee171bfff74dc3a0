"""Ingest: one asset per table of the source contract, staged for validation; one step per family.

Each table's files are found in the family folder, archived under their SHA-256, read and
typed by the contract and staged as one Parquet table with lineage columns, the problems met
while reading and the register of the files read. Nothing is published here: see
assets/validate.py.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipeline.contract import FAMILIES, Table, tables_of
from pipeline.deadlines import freshness_window
from pipeline.previews import markdown_preview
from pipeline.readers import FileRead, Limits, Reading, SourceFile, find_sources, limits, read_sources, refusal
from pipeline.settings import LOCKED, POOL, Settings
from pipeline.validation.run import validate_ahead
from pipeline.validation.verdicts import CODE_VERSION, CONTRACT_CHECK, STAGED_BY, contract_key, data_version, saved_key
from pipeline.warehouse import Warehouse

GROUP = "ingest"
# Freshness is set when the definitions load (dagster dev reloads them): 30 days, 7 in a deadline's run-up.
FRESHNESS_WINDOW = freshness_window(dt.date.today(), Settings().deadlines)


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
                code_version=CODE_VERSION,
                freshness_policy=dg.FreshnessPolicy.time_window(fail_window=FRESHNESS_WINDOW),
            )
            for t in tables
        ],
        can_subset=True,
        pool=POOL,
        required_resource_keys=LOCKED,
    )
    def _ingest(context: dg.AssetExecutionContext):
        settings: Settings = context.resources.settings
        if not settings.sources_dir.is_dir():
            # Without this, a mistyped folder would publish empty tables and a draft of zeros.
            raise dg.Failure(description=f"the sources folder {settings.sources_dir} does not exist (SGR_SOURCES)")
        warehouse = settings.warehouse
        for table in tables:
            if dg.AssetKey(table.name) in context.selected_asset_keys:
                staged = stage(context, warehouse, settings.sources_dir, table, settings.limits)
                key = contract_key(warehouse, table)
                if saved_key(warehouse, table.name, CONTRACT_CHECK) != key:
                    validate_ahead(warehouse, table.name, key)
                yield staged

    return _ingest


def stage(
    context: dg.AssetExecutionContext, warehouse: Warehouse, root: Path, table: Table, limit: Limits
) -> dg.MaterializeResult:
    staged = stage_table(warehouse, root, table, context.run_id, limit)
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
            "staged": dg.MetadataValue.path(str(warehouse.staged(table.name))),
            "source_files": dg.MetadataValue.md("\n".join(f"- `{f}`" for f in files) or "none"),
            "preview": dg.MetadataValue.md(markdown_preview(reading.rows.drop_columns(["source_sha256"]))),
        },
    )


@dataclass
class Staged:
    reading: Reading
    gone: dict[str, int]  # files read last time and gone since, with the rows they gave
    version: str  # the table's data version: its files by SHA-256, and the code


def stage_table(warehouse: Warehouse, root: Path, table: Table, run_id: str, limit: Limits | None = None) -> Staged:
    """Read a table's files and stage its rows, its read problems and its register: the ingest step
    without Dagster, which tests call directly."""
    found, limit = find_sources(root, table), limit or limits()
    gone = files_gone(warehouse, table, found)
    # A file refused before reading (outside the root, too large) is neither read nor archived.
    sources = [s if refusal(s, limit) else s.archived(*warehouse.archive(s.path)) for s in found]
    reading = read_sources(sources, table, limit)
    metadata = {**(reading.rows.schema.metadata or {}), STAGED_BY: run_id.encode()}
    warehouse.stage(table.name, reading.rows.replace_schema_metadata(metadata))
    warehouse.stage_problems(table.name, reading.problems)
    files = register(warehouse, table, reading.files)
    warehouse.write_register(table.name, files)
    return Staged(reading, gone, data_version(files))


def files_gone(warehouse: Warehouse, table: Table, sources: list[SourceFile]) -> dict[str, int]:
    """Files read last time that are no longer there, with the rows they gave."""
    if not warehouse.register(table.name).exists():
        return {}
    present = {source.name for source in sources}
    earlier = warehouse.read_register(table.name, ["path", "rows_read"]).to_pylist()
    return {r["path"]: r["rows_read"] for r in earlier if r["path"] not in present}


def register(warehouse: Warehouse, table: Table, files: list[FileRead]) -> list[dict]:
    """The files a table was read from; one with read problems is rejected with the first as reason."""
    rows = []
    for f in files:
        kept = f.source.kept
        rows.append(
            {
                "path": f.source.name,
                "sheet": f.sheet,
                "table": table.name,
                "family": table.family,
                # A refused file is not read: no digest, no copy kept.
                "sha256": f.source.sha256 if kept else None,
                "bytes": f.source.path.stat().st_size if f.source.path.exists() else None,
                # The archive is never rewritten: its file's time is when this content was first seen.
                "first_seen": dt.datetime.fromtimestamp(int(kept.stat().st_mtime), dt.UTC) if kept else None,
                "rows_read": f.rows,
                "status": "rejected" if f.problems else "accepted",
                "reason": str(f.problems[0]) if f.problems else None,
            }
        )
    return rows


INGEST_ASSETS = [ingest_family(family) for family in FAMILIES]
