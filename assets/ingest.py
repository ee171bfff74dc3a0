"""Ingest: one asset per table of the source contract, staged for validation; one step per family.

Each table's files are found in the family folder, archived under their SHA-256, read and
typed by the contract and staged as one Parquet table with lineage columns, the problems met
while reading and the register of the files read. Nothing is published here: see
assets/validate.py.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.contract import FAMILIES, Table, tables_of
from pipeline.deadlines import freshness_window
from pipeline.previews import markdown_preview
from pipeline.readers import FileRead, find_sources, read_sources
from pipeline.schedules import calendar
from pipeline.settings import POOL, Settings
from pipeline.warehouse import Warehouse, write_parquet

GROUP = "ingest"
STAGED_BY = b"staged_by_run"

SOURCE_FILES_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("sheet", pa.string()),
        ("table", pa.string()),
        ("family", pa.string()),
        ("sha256", pa.string()),
        ("bytes", pa.int64()),
        ("first_seen", pa.timestamp("s", tz="UTC")),
        ("rows_read", pa.int64()),
        ("status", pa.string()),
        ("reason", pa.string()),
    ]
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
                freshness_policy=dg.FreshnessPolicy.time_window(fail_window=FRESHNESS_WINDOW),
            )
            for t in tables
        ],
        can_subset=True,
        pool=POOL,
    )
    def _ingest(context: dg.AssetExecutionContext, settings: Settings):
        if not settings.sources_dir.is_dir():
            # Without this, a mistyped folder would publish empty tables and a draft of zeros.
            raise dg.Failure(description=f"the sources folder {settings.sources_dir} does not exist (SGR_SOURCES)")
        warehouse = Warehouse(settings.data_dir)
        for table in tables:
            if dg.AssetKey(table.name) in context.selected_asset_keys:
                yield stage(context, warehouse, settings.sources_dir, table)

    return _ingest


def stage(context: dg.AssetExecutionContext, warehouse: Warehouse, root: Path, table: Table) -> dg.MaterializeResult:
    sources = find_sources(root, table)
    gone = files_gone(warehouse, table, sources)
    for path, rows in gone.items():
        context.log.warning(f"{path} is no longer in the sources: its {rows} rows of {table.name} are dropped")
    for source in sources:
        warehouse.archive(source.content, source.sha256, source.path.suffix)
    reading = read_sources(sources, table)
    stamped = reading.rows.replace_schema_metadata(
        {**(reading.rows.schema.metadata or {}), STAGED_BY: context.run_id.encode()}
    )
    write_parquet(warehouse.staged(table.name), stamped)
    warehouse.stage_problems(table.name, reading.problems)
    write_parquet(warehouse.register / f"{table.name}.parquet", register(warehouse, table, reading.files))
    files = [f.source.name + (f":{f.sheet}" if f.sheet else "") for f in reading.files]
    return dg.MaterializeResult(
        asset_key=table.name,
        metadata={
            "dagster/row_count": reading.rows.num_rows,
            "read_problems": len(reading.problems),
            "files_gone": dg.MetadataValue.json(gone),
            "staged": dg.MetadataValue.path(str(warehouse.staged(table.name))),
            "source_files": dg.MetadataValue.md("\n".join(f"- `{f}`" for f in files) or "none"),
            "preview": dg.MetadataValue.md(markdown_preview(reading.rows.drop_columns(["source_sha256"]))),
        },
    )


def files_gone(warehouse: Warehouse, table: Table, sources) -> dict[str, int]:
    """Files read last time that are no longer there, with the rows they gave."""
    register = warehouse.register / f"{table.name}.parquet"
    if not register.exists():
        return {}
    present = {source.name for source in sources}
    return {r["path"]: r["rows_read"] for r in pq.read_table(register).to_pylist() if r["path"] not in present}


# Freshness is set when the definitions load (dagster dev reloads them): 30 days, 7 in a deadline's run-up.
FRESHNESS_WINDOW = freshness_window(dt.date.today(), calendar(Settings()))
INGEST_ASSETS = [ingest_family(family) for family in FAMILIES]


def register(warehouse: Warehouse, table: Table, files: list[FileRead]) -> pa.Table:
    """The files a table was read from; one with read problems is rejected with the first as reason."""
    rows = []
    for f in files:
        archived = warehouse.raw / f"{f.source.sha256}{f.source.path.suffix.lower()}"
        rows.append(
            {
                "path": f.source.name,
                "sheet": f.sheet,
                "table": table.name,
                "family": table.family,
                "sha256": f.source.sha256,
                "bytes": len(f.source.content),
                # The archive is never rewritten: its file's time is when this content was first seen.
                "first_seen": dt.datetime.fromtimestamp(int(archived.stat().st_mtime), dt.UTC),
                "rows_read": f.rows,
                "status": "rejected" if f.problems else "accepted",
                "reason": str(f.problems[0]) if f.problems else None,
            }
        )
    return pa.Table.from_pylist(rows, schema=SOURCE_FILES_SCHEMA)
