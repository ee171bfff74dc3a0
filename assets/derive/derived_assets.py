"""Derive: the key figures and the tables the draft states, computed from the published tables as of the
run's date by the catalogue's declarations (pipeline/catalogue/). Every number, list and share the draft
states is a row of one of them; the report only formats.

Both are partitioned by report edition (pipeline/editions.py): one warehouse, read as of each edition's
date; the key figures also as of the previous edition's, for the comparison.
"""

import dagster as dg

from assets.automation import AUTOMATION
from assets.keys import KEY_FIGURES, PUBLISHED_TABLES
from assets.partitions import EDITIONS, edition_of
from assets.previews import markdown_preview
from assets.resources import LOCKED, POOL
from pipeline.catalogue import FIGURES, REPORT_TABLES, columns_read, compute_key_figures, derive_table, read_inputs
from pipeline.catalogue.stated import stated
from pipeline.languages import un_style

GROUP = "derive"


@dg.asset(
    group_name=GROUP,
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    deps=[PUBLISHED_TABLES],
    partitions_def=EDITIONS,
    description="The key figures of a report edition, counted from the published rows as of its cut-off (or "
    "SGR_AS_OF) and as of the previous edition's, each with the tables, rows and files it was counted from. "
    "Declared in pipeline/catalogue/figures.py.",
    kinds={"pandas", "parquet"},
)
def key_figures(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    dates, store = context.resources.run_dates, context.resources.settings.store
    edition = dates.edition.key
    with store.published.only_if_drafted():
        edition_of(context)  # inside: a run without an edition undoes the publication it made
        frames = read_inputs(store, edition, columns_read(FIGURES.values()))
        previous = dates.previous  # an edition this pipeline drafted: the figures it stated, as issued
        stated = store.history.issued_figures(previous.key, previous.due, previous.cutoff) if previous else None
        figures = compute_key_figures(frames, dates.as_of, dates.compare_with, stated)
        path = store.published.write(KEY_FIGURES, figures, edition=edition)
        store.published.write(KEY_FIGURES, figures)  # the latest figures, whichever edition they are of
    return dg.MaterializeResult(
        metadata={
            "Key figures": figures_table(figures, dates),
            "As of": un_style.date(dates.as_of),
            "Compared with": un_style.date(dates.compare_with) if dates.compare_with else "nothing: no earlier edition",
            "dagster/row_count": figures.num_rows,
            "path": dg.MetadataValue.path(str(path)),
            # The run's own figures, for programs (sgr draft, the tests): what it reports, whatever a later run
            # writes to the file, with the dates each earlier value counts to.
            "figures": dg.MetadataValue.json(
                [
                    {name: row[name] for name in FIGURES_SHOWN}
                    | {name: row[name].isoformat() if row[name] else None for name in FIGURE_DATES}
                    for row in figures.to_pylist()
                ]
            ),
        }
    )


FIGURES_SHOWN = ("figure", "value", "previous_value", "unit", "rows_counted")
FIGURE_DATES = ("previous_as_of", "previous_counted_to")


def figures_table(figures, dates) -> dg.TableMetadataValue:
    """Every figure as the report states it, by its name, with the earlier value and the change."""
    compared = un_style.date(dates.compare_with) if dates.compare_with else None
    names = ["Key figure", "Value", *([f"As of {compared}", "Change"] if compared else []), "Rows counted"]
    records = []
    for row in figures.to_pylist():
        said = stated(row, dates.as_of)
        cells = [said.label, said.value, *([said.previous, said.change] if compared else []), said.rows]
        records.append(dg.TableRecord(dict(zip(names, cells, strict=True))))
    kinds = ["string"] * (len(names) - 1) + ["int"]
    return dg.MetadataValue.table(
        records, dg.TableSchema([dg.TableColumn(n, k) for n, k in zip(names, kinds, strict=True)])
    )


@dg.asset(
    group_name=GROUP,
    pool=POOL,
    required_resource_keys=LOCKED,
    automation_condition=AUTOMATION,
    deps=[PUBLISHED_TABLES, KEY_FIGURES],
    partitions_def=EDITIONS,
    description="The tables and series the draft states (reviews, contributions by year, joint programmes by area "
    "and region, networks, findings by cluster, and the annexes' files, checks, freshness and changes since the "
    "previous draft), each with its provenance. Declared in pipeline/catalogue/data_tables.py and records.py.",
    kinds={"pandas", "parquet"},
)
def report_tables(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    dates, settings = context.resources.run_dates, context.resources.settings
    store, edition, as_of = settings.store, dates.edition.key, dates.as_of
    previews, rows = [], 0
    with store.published.only_if_drafted():
        edition_of(context)
        frames = read_inputs(store, edition, columns_read(REPORT_TABLES.values()))
        with store.published.publication():
            for table in REPORT_TABLES.values():
                derived = derive_table(table, frames, as_of, settings.config.freshness)
                store.published.write_report_table(table.name, derived, edition)
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
