"""Ingest: one asset per table of the source contract, and the list of source files read.

Each asset finds its table's files in the family folder, archives them under their SHA-256,
reads and types them by the contract and writes one Parquet table with lineage columns.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.contract import FAMILIES, TABLES, Table
from pipeline.previews import markdown_preview
from pipeline.problems import SourceError
from pipeline.readers import find_sources, read_table
from pipeline.settings import Settings
from pipeline.warehouse import Warehouse

GROUP = "ingest"


def ingest_asset(table: Table) -> dg.AssetsDefinition:
    @dg.asset(
        name=table.name,
        group_name=GROUP,
        description=f"{table.description} Read from `{table.family}/` ({table.name}.csv or sheet "
        f"'{table.name}' of any workbook).",
        kinds={"csv", "xlsx", "parquet"},
        tags={"family": table.family},
    )
    def _ingest(settings: Settings) -> dg.MaterializeResult:
        warehouse = Warehouse(settings.data_dir)
        sources = find_sources(settings.sources_dir, table)
        for source in sources:
            warehouse.archive(source.content, source.sha256, source.path.suffix)
        try:
            rows = read_table(sources, table)
        except SourceError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
        path = warehouse.write(table.name, rows)
        files = sorted(set(rows.column("source_file").to_pylist()))
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows.num_rows,
                "path": dg.MetadataValue.path(str(path)),
                "source_files": dg.MetadataValue.md("\n".join(f"- `{f}`" for f in files) or "none"),
                "preview": dg.MetadataValue.md(markdown_preview(rows.drop_columns(["source_sha256"]))),
            }
        )

    return _ingest


INGEST_ASSETS = [ingest_asset(t) for t in TABLES.values()]

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
    ]
)


def source_files_table(warehouse: Warehouse) -> pa.Table:
    """One row per file and table read, from the lineage columns of the ingested tables."""
    parts = []
    for table in TABLES.values():
        lineage = warehouse.read(table.name, columns=["source_file", "source_sheet", "source_sha256"])
        if lineage.num_rows == 0:
            continue
        counts = lineage.group_by(["source_file", "source_sheet", "source_sha256"], use_threads=False).aggregate(
            [("source_file", "count")]
        )
        for row in counts.to_pylist():
            archived = next(warehouse.raw.glob(f"{row['source_sha256']}.*"))
            parts.append(
                {
                    "path": row["source_file"],
                    "sheet": row["source_sheet"],
                    "table": table.name,
                    "family": table.family,
                    "sha256": row["source_sha256"],
                    "bytes": archived.stat().st_size,
                    # The archive is never rewritten: its file's time is when this content was first seen.
                    "first_seen": dt.datetime.fromtimestamp(int(archived.stat().st_mtime), dt.UTC),
                    "rows_read": row["source_file_count"],
                }
            )
    result = pa.Table.from_pylist(parts, schema=SOURCE_FILES_SCHEMA)
    return result.sort_by([("path", "ascending"), ("table", "ascending")])


@dg.asset(
    group_name=GROUP,
    deps=INGEST_ASSETS,
    description="Every source file read, with its SHA-256, size, family, when it was first seen and rows read.",
    kinds={"parquet"},
)
def source_files(settings: Settings) -> dg.MaterializeResult:
    warehouse = Warehouse(settings.data_dir)
    files = source_files_table(warehouse)
    path = warehouse.write("source_files", files)
    distinct = len(set(files.column("sha256").to_pylist()))
    by_family = {f: pc.sum(files.filter(pc.equal(files["family"], f))["rows_read"]).as_py() or 0 for f in FAMILIES}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": files.num_rows,
            "files": distinct,
            "rows_by_family": dg.MetadataValue.json(by_family),
            "path": dg.MetadataValue.path(str(path)),
            "preview": dg.MetadataValue.md(markdown_preview(files, rows=30)),
        }
    )
