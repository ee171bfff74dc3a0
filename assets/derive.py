"""Derive: the key figures and the tables the draft states, computed from the published tables as
of the reference date by the catalogue's declarations (pipeline/catalogue/). Every number, list and
share the draft states is a row of one of them; the report stage only formats.

Both are partitioned by report edition (pipeline/editions.py): one warehouse, read as of each
edition's date; the key figures also as of the previous edition's, for the comparison.
"""

import dagster as dg

from assets.validate import AUTOMATION, published_tables
from pipeline.catalogue import FIGURES, REPORT_TABLES, columns_read, compute_key_figures, derive_table
from pipeline.previews import markdown_preview
from pipeline.settings import EDITIONS, LOCKED, POOL, Settings, edition_of

GROUP = "derive"


@dg.asset(
    group_name=GROUP,
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    deps=[published_tables],
    partitions_def=EDITIONS,
    description="The key figures of a report edition, counted from the published rows as of its cut-off (or "
    "SGR_AS_OF) and as of the previous edition's, each with the tables, rows and files it was counted from. "
    "Declared in pipeline/catalogue/figures.py.",
    kinds={"pandas", "parquet"},
)
def key_figures(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings: Settings = context.resources.settings
    with settings.warehouse.published_only_if_drafted():
        dates = settings.dates(edition_of(context, settings))
        warehouse = settings.warehouse.of_edition(dates.edition.key)
        frames = warehouse.read_frames(columns_read(FIGURES.values()))
        figures = compute_key_figures(frames, dates.as_of, dates.compare_with)
        path = warehouse.write("key_figures", figures)
        settings.warehouse.write("key_figures", figures)  # the latest figures, whichever edition they are of
    shown = figures.select(["figure", "value", "previous_value", "unit", "rows_counted"])
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": figures.num_rows,
            "as_of": dates.as_of.isoformat(),
            "compared_with": dates.compare_with.isoformat() if dates.compare_with else "nothing (no earlier edition)",
            "path": dg.MetadataValue.path(str(path)),
            # The run's own figures: what it reports, whatever a later run writes to the file.
            "figures": dg.MetadataValue.json(shown.to_pylist()),
            "preview": dg.MetadataValue.md(markdown_preview(shown, rows=len(FIGURES))),
        }
    )


@dg.asset(
    group_name=GROUP,
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    deps=[published_tables, key_figures],
    partitions_def=EDITIONS,
    description="The tables and series the draft states (reviews, contributions by year, joint programmes by area "
    "and region, networks, findings by cluster, and the annexes' files, checks, freshness and changes since the "
    "previous draft), each with its provenance. Declared in pipeline/catalogue/tables.py and records.py.",
    kinds={"pandas", "parquet"},
)
def report_tables(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings: Settings = context.resources.settings
    dates = settings.dates(edition_of(context, settings))
    warehouse, as_of = settings.warehouse.of_edition(dates.edition.key), dates.as_of
    previews, rows = [], 0
    with warehouse.published_only_if_drafted():
        frames = warehouse.read_frames(columns_read(REPORT_TABLES.values()))
        with warehouse.publication():
            for table in REPORT_TABLES.values():
                derived = derive_table(table, frames, as_of)
                warehouse.write_report_table(table.name, derived)
                rows += derived.num_rows
                previews.append(f"**{table.title}** (`{table.name}`)\n\n{markdown_preview(derived, rows=12)}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "tables": len(REPORT_TABLES),
            "as_of": as_of.isoformat(),
            "preview": dg.MetadataValue.md("\n\n".join(previews)),
        }
    )
