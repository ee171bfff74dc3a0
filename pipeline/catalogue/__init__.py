"""The catalogue: every key figure, report table and chart the draft states, declared once.

    model.py     what a declaration is, and the units figures are stated in
    figures.py   the key figures
    tables.py    the tables and charts about the data
    records.py   the tables about the pipeline's own records (annexes, the next deadline)

This module gathers them and computes them. `compute_key_figures` and `derive_table` are what the
derive stage runs (assets/derive.py); they are plain functions, so that tests and the benchmark's
floor call them without Dagster.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from pipeline.catalogue import figures, records, tables
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
    Column,
    Field,
    Figure,
    Frames,
    ReportTable,
)
from pipeline.catalogue.records import PREVIOUS_FIGURES

FIGURES: dict[str, Figure] = {f.name: f for f in figures.FIGURES}
REPORT_TABLES: dict[str, ReportTable] = {t.name: t for t in [*tables.DATA_TABLES, *records.RECORD_TABLES]}
CHARTS: dict[str, Chart] = {c.name: c for c in tables.CHARTS}
assert len(FIGURES) == len(figures.FIGURES) and len(REPORT_TABLES) == len(tables.DATA_TABLES) + len(
    records.RECORD_TABLES
), "a name is declared twice"
assert not FIGURES.keys() & REPORT_TABLES.keys(), "the template reads figures and tables by name: one name, one thing"
assert all(chart.table in REPORT_TABLES for chart in CHARTS.values())

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
    ]
)
ARROW_TYPES = {
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


def columns_read(declarations: Iterable[Figure | ReportTable]) -> dict[str, list[str]]:
    """The columns each table is read with: all the declarations need, and no more."""
    columns: dict[str, list[str]] = {}
    for declaration in declarations:
        for table, names in declaration.reads.items():
            known = columns.setdefault(table, [])
            known += [name for name in names if name not in known]
    return columns


def source_files(counted: list[pd.DataFrame]) -> list[str]:
    return sorted({f for rows in counted if "source_file" in rows for f in rows["source_file"].unique()})


def _value(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def compute_key_figures(frames: Frames, as_of: dt.date, compare_with: dt.date | None = None) -> pa.Table:
    """Each key figure as of D, with its rows, and as of the date compared with when there is one."""
    day = pd.Timestamp(as_of)
    records = []
    for figure in FIGURES.values():
        value, counted = figure.compute(frames, day)
        previous = None if compare_with is None else _value(figure.compute(frames, pd.Timestamp(compare_with))[0])
        records.append(
            {
                "figure": figure.name,
                "value": _value(value),
                "unit": figure.unit,
                "as_of": as_of,
                "source_tables": list(figure.reads),
                "rows_counted": sum(len(rows) for rows in counted),
                "source_files": source_files(counted),
                "previous_value": previous,
                "previous_as_of": compare_with,
            }
        )
    return pa.Table.from_pylist(records, schema=KEY_FIGURES_SCHEMA)


def derive_table(table: ReportTable, frames: Frames, as_of: dt.date) -> pa.Table:
    """A report table's rows as of D, typed by its fields, with its provenance in the file's metadata."""
    frame, counted = table.derive(frames, pd.Timestamp(as_of))
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
    wanted = ARROW_TYPES.get(field.unit)
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
    "KEY_FIGURES_SCHEMA",
    "PREVIOUS_FIGURES",
    "REPORT_TABLES",
    "TOTAL",
    "Chart",
    "Column",
    "Field",
    "Figure",
    "ReportTable",
    "columns_read",
    "compute_key_figures",
    "derive_table",
    "provenance_of",
]
