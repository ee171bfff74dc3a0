"""The catalogue: every key figure, report table and chart the draft states, declared once.

    model.py     what a declaration is, and the units figures are stated in
    figures.py   the key figures
    tables.py    the tables and charts about the data
    records.py   the tables about the pipeline's own records (annexes, the next deadline)

This module gathers them and computes them. `compute_key_figures` and `derive_table` are what the
derive stage runs (assets/derive/derived_assets.py); they are plain functions, so that tests and the benchmark's
floor call them without Dagster.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from pipeline.catalogue import data_tables, figures, records
from pipeline.catalogue.model import (
    COUNT,
    DATE,
    FLAG,
    NUMBER,
    PERCENT,
    ROW_UNIT,
    TEXT,
    USD,
    YEAR,
    Chart,
    Field,
    Figure,
    Frames,
    ReportTable,
    TableColumn,
    counted_to,
)
from pipeline.catalogue.records import PREVIOUS_FIGURES
from pipeline.config import Freshness
from pipeline.contract import TABLES, iati
from pipeline.contract.as_of import DATED
from pipeline.store import Store
from pipeline.store.files import to_frame

FIGURES: dict[str, Figure] = {f.name: f for f in figures.FIGURES}
REPORT_TABLES: dict[str, ReportTable] = {t.name: t for t in [*data_tables.DATA_TABLES, *records.RECORD_TABLES]}
CHARTS: dict[str, Chart] = {c.name: c for c in data_tables.CHARTS}
assert len(FIGURES) == len(figures.FIGURES) and len(REPORT_TABLES) == len(data_tables.DATA_TABLES) + len(
    records.RECORD_TABLES
), "a name is declared twice"
assert not FIGURES.keys() & REPORT_TABLES.keys(), "the template reads figures and tables by name: one name, one thing"
assert all(chart.table in REPORT_TABLES for chart in CHARTS.values())

STATED, RECOUNTED = "stated", "recounted"  # where a previous value comes from
KEY_FIGURES_SCHEMA = pa.schema(
    [
        ("figure", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("as_of", pa.date32()),
        ("source_tables", pa.list_(pa.string())),
        ("rows_counted", pa.int64()),
        ("source_files", pa.list_(pa.string())),
        # The same figure as of the date compared with (the previous edition's cut-off); null when there
        # is none, or when the figure had no value then.
        ("previous_value", pa.float64()),
        ("previous_as_of", pa.date32()),
        # The day the previous value counts to: the date compared with, or for a flow by year the end of the
        # last year ended by then (model.counted_to); and whether it is what the previous report stated or a
        # count made now ("stated", "recounted").
        ("previous_counted_to", pa.date32()),
        ("previous_source", pa.string()),
    ]
)
FIELD_TYPES = {
    COUNT: pa.int64(),
    NUMBER: pa.int64(),
    YEAR: pa.int64(),
    USD: pa.float64(),
    PERCENT: pa.float64(),
    ROW_UNIT: pa.float64(),
    TEXT: pa.string(),
    DATE: pa.date32(),
    FLAG: pa.bool_(),
}
TOTAL = "is_total"  # the flag of a table's last row when its declaration asks for totals
KEY_FIGURES = "key_figures"
LINEAGE_READ = "source_file"  # the lineage every input row keeps: the file it came from, for provenance
TRANSFERS = "transfers"
IATI_READ = ["iati_identifier", "organization", "transaction_type", "value_date", "value_usd", "from_fund"]


def columns_read(declarations: Iterable[Figure | ReportTable]) -> dict[str, list[str]]:
    """The columns each table is read with: all the declarations need, and no more."""
    columns: dict[str, list[str]] = {}
    for declaration in declarations:
        for table, names in declaration.reads.items():
            known = columns.setdefault(table, [])
            known += [name for name in names if name not in known]
    return columns


def read_inputs(store: Store, edition: str, columns: dict[str, list[str]]) -> Frames:
    """The tables the declarations read, from the published set of `store` (pipeline/store/): each with only
    the columns given and, for the contract's tables, the file each row came from; an edition's own key
    figures, and those of its last draft under PREVIOUS_FIGURES (none before the first draft)."""
    frames = {}
    for name, wanted in columns.items():
        if name == PREVIOUS_FIGURES:
            kept = store.history.last_figures(edition, wanted)
            frames[name] = to_frame(KEY_FIGURES_SCHEMA.empty_table().select(wanted) if kept is None else kept)
        elif name == KEY_FIGURES:
            frames[name] = to_frame(store.published.read(name, wanted, edition=edition))
        elif name == TRANSFERS:
            frames[name] = with_iati_transfers(store, wanted)
        else:
            frames[name] = to_frame(store.published.read(name, wanted + [LINEAGE_READ] if name in TABLES else wanted))
    return frames


def with_iati_transfers(store: Store, wanted: list[str]) -> pd.DataFrame:
    """The transfers as their own files give them, and those of the IATI activities mapped to a joint programme,
    each with the day its money moved (pipeline/contract/iati.py)."""
    given = to_frame(store.published.read(TRANSFERS, [*wanted, LINEAGE_READ]))
    transactions = to_frame(store.published.read("iati_transactions", [*IATI_READ, LINEAGE_READ]))
    if transactions.empty:
        return given
    mapping = to_frame(store.published.read("iati_activities", ["iati_identifier", "programme_id"]))
    published = iati.iati_transfers(transactions, mapping)
    return pd.concat([given, published[[*wanted, DATED, LINEAGE_READ]]], ignore_index=True)


class UndeclaredRead(KeyError):
    """A compute or derivation that read a table or column its declaration does not name."""


class Declared(dict):
    """A declaration's inputs: the tables it names, each with the columns it names (and the rows' files)."""

    def __init__(self, declaration: Figure | ReportTable, frames: Frames):
        self.name = declaration.name
        super().__init__(
            {
                table: frames[table][
                    [*names, *(c for c in (LINEAGE_READ, DATED) if c in frames[table] and c not in names)]
                ]
                for table, names in declaration.reads.items()
            }
        )

    def __missing__(self, table: str):
        raise UndeclaredRead(f"{self.name} reads {table!r}, which its declaration does not name")


def figure_inputs(figure: Figure, frames: Frames, day: pd.Timestamp, chosen: dict | None = None) -> Declared:
    """What a figure's compute is given: its declared tables and columns, each table that has the columns of
    the figure's as-of predicate with the predicate applied on D. A table's rows chosen by a predicate on a day
    are kept in `chosen` for the next figure that asks (rows chosen, then columns: the same rows)."""
    declared, chosen = Declared(figure, frames), {} if chosen is None else chosen
    for table in _chosen_by(figure, declared):
        key = _choice(table, figure, day)
        if key not in chosen:
            chosen[key] = figure.as_of(frames[table], day)
        declared[table] = chosen[key][list(declared[table].columns)]
    return declared


def _chosen_by(figure: Figure, declared: Declared) -> list[str]:
    """The tables a figure's as-of predicate applies to: those given the predicate's columns."""
    return [table for table, rows in declared.items() if set(figure.as_of.columns) <= set(rows.columns)]


def _undeclared(declaration: Figure | ReportTable, frames: Frames, missing: KeyError) -> KeyError:
    """A column missing from a declaration's inputs that the tables have: read without being declared."""
    column = missing.args[0] if missing.args else None
    if isinstance(missing, UndeclaredRead) or not any(column in frame.columns for frame in frames.values()):
        return missing
    return UndeclaredRead(f"{declaration.name} reads column {column!r}, which its declaration does not name")


def _compute(figure: Figure, frames: Frames, day: pd.Timestamp, chosen: dict | None = None):
    try:
        return figure.compute(figure_inputs(figure, frames, day, chosen), day)
    except KeyError as missing:
        raise _undeclared(figure, frames, missing) from None


def source_files(counted: list[pd.DataFrame]) -> list[str]:
    return sorted({f for rows in counted if "source_file" in rows for f in rows["source_file"].unique()})


def _value(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def compute_key_figures(
    frames: Frames, as_of: dt.date, compare_with: dt.date | None = None, stated: pa.Table | None = None
) -> pa.Table:
    """Each key figure as of D, with its rows, and as of the date compared with when there is one: as the
    previous report `stated` it when it was drafted here, else counted now to the day its grain allows."""
    said = {} if stated is None else {r["figure"]: r for r in stated.to_pylist()}
    now = _each(frames, {figure.name: pd.Timestamp(as_of) for figure in FIGURES.values()})
    counted_on = {} if compare_with is None else {f.name: counted_to(f.grain, compare_with) for f in FIGURES.values()}
    then = _each(frames, {name: pd.Timestamp(to) for name, to in counted_on.items()})
    records = []
    for figure in FIGURES.values():
        value, rows_counted, files = now[figure.name]
        to = counted_on.get(figure.name)
        previous = None if to is None else then[figure.name][0]
        source = None if to is None else RECOUNTED
        stated_on = said[figure.name]["as_of"] if figure.name in said else None
        # A yearly flow the previous report stated inside a year held part of that year: counted again instead.
        if to is not None and stated_on is not None and counted_to(figure.grain, stated_on) == stated_on:
            previous, to, source = said[figure.name]["value"], stated_on, STATED
        records.append(
            {
                "figure": figure.name,
                "value": value,
                "unit": figure.unit,
                "as_of": as_of,
                "source_tables": list(figure.reads),
                "rows_counted": rows_counted,
                "source_files": files,
                "previous_value": previous,
                "previous_as_of": compare_with,
                "previous_counted_to": to,
                "previous_source": source,
            }
        )
    return pa.Table.from_pylist(records, schema=KEY_FIGURES_SCHEMA)


def _each(frames: Frames, days: dict[str, pd.Timestamp]) -> dict[str, tuple[float | None, int, list[str]]]:
    """Each named figure counted on its day: its value, how many rows it counted and from which files. A
    table's rows chosen on a day are chosen once for all the figures that ask, and let go after the last of
    them (at 3,000,000 rows, each figure choosing its own took 0.55 s of the comparison's 0.7 s)."""
    asks = {name: _asks(FIGURES[name], frames, day) for name, day in days.items()}
    uses = Counter(key for keys in asks.values() for key in keys)
    chosen: dict = {}
    counted = {}
    for name, day in days.items():
        value, rows = _compute(FIGURES[name], frames, day, chosen)
        counted[name] = (_value(value), sum(len(r) for r in rows), source_files(rows))
        for key in asks[name]:
            uses[key] -= 1
            if not uses[key]:
                del chosen[key]
    return counted


def _asks(figure: Figure, frames: Frames, day: pd.Timestamp) -> list[tuple]:
    return [_choice(table, figure, day) for table in _chosen_by(figure, Declared(figure, frames))]


def _choice(table: str, figure: Figure, day: pd.Timestamp) -> tuple:
    """What makes a choice of rows the same for two figures: the table, the predicate and the day."""
    return (table, figure.as_of, day)


def derive_table(table: ReportTable, frames: Frames, as_of: dt.date, freshness: Freshness | None = None) -> pa.Table:
    """A report table's rows as of D, typed by its fields, with its provenance in the file's metadata; its
    derivation given its declared inputs and the run's parameters it declares."""
    given = {"freshness": freshness or Freshness()}
    try:
        frame, counted = table.derive(
            Declared(table, frames), pd.Timestamp(as_of), **{name: given[name] for name in table.parameters}
        )
    except KeyError as missing:
        raise _undeclared(table, frames, missing) from None
    names = [f.name for f in table.fields]
    assert list(frame.columns) == names, f"{table.name} derives {list(frame.columns)}, declares {names}"
    arrays = [_array(frame[f.name], f) for f in table.fields]
    schema = pa.schema([pa.field(f.name, a.type) for f, a in zip(table.fields, arrays, strict=True)])
    result = pa.Table.from_arrays(arrays, schema=schema)
    if table.totals:
        result = _with_total(result, table)
    provenance = {
        "title": table.title,
        "as_of": as_of.isoformat(),
        "source_tables": sorted(table.reads),
        "source_files": source_files(counted),
        "rows_counted": sum(len(rows) for rows in counted),
    }
    return result.replace_schema_metadata({b"provenance": json.dumps(provenance).encode()})


def _array(values: pd.Series, field: Field) -> pa.Array:
    """A field's values typed by its unit; a list field's type is read from its values."""
    wanted = FIELD_TYPES.get(field.unit)
    if field.unit == DATE and pd.api.types.is_datetime64_any_dtype(values):
        return pa.array(values.dt.date, pa.date32())
    if wanted == pa.int64():
        # A count of a column with gaps comes as floats (160.0, NaN): whole numbers, and nulls.
        return pa.array(values.astype("Float64").round().astype("Int64"), wanted, from_pandas=True)
    return pa.array(values.tolist(), wanted, from_pandas=True)


def _with_total(rows: pa.Table, table: ReportTable) -> pa.Table:
    """The rows and a last row of the declared totals, each row flagged."""
    total = {name: None for name in rows.column_names}
    for name in table.totals:
        total[name] = sum(v for v in rows.column(name).to_pylist() if v is not None)
    combined = pa.Table.from_pylist([*rows.to_pylist(), total], schema=rows.schema)
    return combined.append_column(TOTAL, pa.array([False] * rows.num_rows + [True]))


def provenance_of(table: pa.Table) -> dict:
    return json.loads(table.schema.metadata[b"provenance"])


__all__ = [
    "CHARTS",
    "FIGURES",
    "KEY_FIGURES",
    "KEY_FIGURES_SCHEMA",
    "PREVIOUS_FIGURES",
    "REPORT_TABLES",
    "TOTAL",
    "Chart",
    "Field",
    "Figure",
    "ReportTable",
    "TableColumn",
    "UndeclaredRead",
    "columns_read",
    "compute_key_figures",
    "derive_table",
    "figure_inputs",
    "provenance_of",
    "read_inputs",
]
