"""Text cells typed by the contract: whole numbers, decimals, dates and lists, each cell that is not of
its column's type a problem naming the file, sheet, line, column and value. Both formats type here,
so that a cell becomes the same value whichever format it came in.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.contract import DATE, DECIMAL, INTEGER, LINEAGE_COLUMNS, NAMED, Column, Table
from pipeline.problems import Problem
from pipeline.readers import cell_bytes
from pipeline.readers.sources import Sheet

LIST_SEPARATOR = ";"
INTEGER_PATTERN = r"^[+-]?\d+$"
DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
PATTERNS = {INTEGER: INTEGER_PATTERN, DECIMAL: DECIMAL_PATTERN, DATE: DATE_PATTERN}
TYPES = {INTEGER: pa.int64(), DECIMAL: pa.float64(), DATE: pa.date32()}
TYPE_RULES = {
    INTEGER: "not a whole number",
    DECIMAL: "not a number (use '.' as the decimal mark and no thousands separator)",
    DATE: "not a date in the form YYYY-MM-DD",
}
OUT_OF_RANGE = {INTEGER: "a whole number too large (at most 18 digits)"}


def _repeated(value: str | None, n: int) -> pa.Array:
    """One value on every row, dictionary-encoded: n indices and one string."""
    if value is None:
        return pa.nulls(n, NAMED)
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], pa.string()))


def typed(sheet: Sheet, table: Table, problems: list[Problem]) -> pa.Table | None:
    """The sheet's cells as the contract's columns, with each row's lineage; None if a required column is
    missing. The sheet's cells are consumed: each text column is let go once typed, so that a large
    file's text and its typed values are never both held whole."""
    twice = sorted({name for name in sheet.header if name and sheet.header.count(name) > 1})
    if twice:
        problems.append(
            Problem(sheet.source.name, f"the header names a column twice: {', '.join(twice)}", sheet.sheet, 1)
        )
        return None
    present = {name: i for i, name in enumerate(sheet.header)}
    missing = [c.name for c in table.columns if c.required and c.required_when is None and c.name not in present]
    for name in missing:
        problems.append(Problem(sheet.source.name, "a required column is missing", sheet.sheet, 1, name))
    if missing:
        return None
    n = sheet.cells.num_rows
    text = {name: sheet.cells.column(i) for name, i in present.items() if name in table.column_names}
    sheet.cells = None
    arrays = []
    for column in table.columns:
        if column.name in text:
            arrays.append(_convert(_clean(text.pop(column.name)), column, sheet, problems))
        else:
            arrays.append(pa.nulls(n, table.schema.field(column.name).type))
    arrays += [
        _repeated(sheet.source.name, n),
        _repeated(sheet.sheet, n),
        sheet.lines,
        _repeated(sheet.source.sha256, n),
    ]
    assert LINEAGE_COLUMNS == table.schema.names[-len(LINEAGE_COLUMNS) :]
    return pa.Table.from_arrays(arrays, schema=table.schema)


def _clean(text: pa.ChunkedArray) -> pa.ChunkedArray:
    if not cell_bytes.needs_trim(text):
        return text
    trimmed = pc.utf8_trim_whitespace(text)
    empty = pc.equal(trimmed, "")
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed) if pc.any(empty).as_py() else trimmed


def _convert(text: pa.Array, column: Column, sheet: Sheet, problems: list[Problem]) -> pa.Array:
    """The column typed. Most columns are written as the contract asks: each cell's form is checked at once and
    Arrow types them all together; only a column with a cell out of form or out of range is typed cell by
    cell, so that each such cell is named."""
    if column.is_list:
        return _convert_list(text, column, sheet, problems)
    base = column.type
    if base not in TYPE_RULES:
        return text
    if cell_bytes.all_in_form(text, base):
        typed = _cast(text, base)
        if typed is not None:
            return typed
    formed = pc.match_substring_regex(text, PATTERNS[base])
    if pc.all(formed).as_py() is not False:  # every cell given is in form (or none is given)
        typed = _cast(text, base)
        if typed is not None:
            return typed
    in_form = pc.if_else(formed, text, pa.scalar(None, pa.string()))
    typed = _cast(in_form, base)
    if typed is None:
        typed = _cast_each(in_form, base)
    out_of_form = pc.invert(pc.fill_null(formed, True))
    _report(out_of_form, text, sheet.lines, column, TYPE_RULES[base], sheet, problems)
    # In form, but no value Arrow can hold: a date that does not exist, a whole number too large.
    out_of_range = pc.and_(pc.is_valid(in_form), pc.is_null(typed))
    _report(out_of_range, text, sheet.lines, column, OUT_OF_RANGE.get(base, TYPE_RULES[base]), sheet, problems)
    return typed


def _cast(text: pa.Array, base: str) -> pa.Array | None:
    """Cells in form typed by Arrow, which reads no '+' before a whole number; None if a cell has no value
    of the type (2021-02-30, a whole number of 20 digits)."""
    if base == INTEGER and pc.any(pc.starts_with(text, "+")).as_py():
        text = pc.utf8_ltrim(text, characters="+")
    try:
        return pc.cast(text, TYPES[base])
    except (pa.ArrowInvalid, OverflowError):
        return None


def _cast_each(text: pa.Array, base: str) -> pa.Array:
    """Cells in form typed one by one in Python, those without a value of the type left empty."""
    read = {INTEGER: int, DECIMAL: float, DATE: dt.date.fromisoformat}[base]
    values = []
    for cell in text.to_pylist():
        try:
            value = None if cell is None else read(cell)
        except ValueError:
            value = None
        if base == INTEGER and value is not None and not -(2**63) <= value < 2**63:
            value = None
        if base == DECIMAL and value is not None and not math.isfinite(value):
            value = None
        values.append(value)
    return pa.array(values, TYPES[base])


def _convert_list(text: pa.ChunkedArray, column: Column, sheet: Sheet, problems: list[Problem]) -> pa.Array:
    text = text.combine_chunks()  # a list's items are located by their row in one array
    # Tidy separators first ("A ; B;;C;" -> "A;B;C") so splitting leaves no empty items.
    tidy = pc.replace_substring_regex(text, r"\s*;\s*", LIST_SEPARATOR)
    tidy = pc.replace_substring_regex(tidy, r";{2,}", LIST_SEPARATOR)
    tidy = pc.replace_substring_regex(tidy, r"^;|;$", "")
    lists = pc.split_pattern(pc.if_else(pc.equal(tidy, ""), pa.scalar(None, pa.string()), tidy), LIST_SEPARATOR)
    if not column.type.endswith("integers"):
        return lists
    items = pc.list_flatten(lists)
    bad = pc.invert(pc.match_substring_regex(items, INTEGER_PATTERN))
    if pc.any(bad).as_py():
        rows = pc.take(pc.list_parent_indices(lists), pc.indices_nonzero(bad)).to_pylist()
        for row, value in zip(rows, items.filter(bad).to_pylist(), strict=True):
            problems.append(
                Problem(
                    sheet.source.name,
                    "a list item is not a whole number",
                    sheet.sheet,
                    sheet.lines[row].as_py(),
                    column.name,
                    value,
                )
            )
        return pa.nulls(len(text), pa.list_(pa.int64()))
    return lists.cast(pa.list_(pa.int64()))


def _report(bad, text, lines, column: Column, rule: str, sheet: Sheet, problems: list[Problem]) -> None:
    if not pc.any(bad).as_py():
        return
    rows = pc.indices_nonzero(bad)
    for line, value in zip(pc.take(lines, rows).to_pylist(), pc.take(text, rows).to_pylist(), strict=True):
        problems.append(Problem(sheet.source.name, rule, sheet.sheet, line, column.name, value))
