"""Readers for the source families: CSV files and `.xlsx` sheets, typed by the contract.

Every row keeps its origin (file, sheet, line as a person sees it, the file's SHA-256).
A file that cannot be read, or a cell that is not of its column's type, becomes a
`Problem` naming the file, the line, the column and the value. Both formats and their typing
live in this one module, longer than most, because a cell must become the same value whichever
format it came in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.contract import (
    CALENDAR,
    DATE,
    DECIMAL,
    INTEGER,
    LINEAGE_COLUMNS,
    Column,
    Table,
)
from pipeline.problems import EXAMPLES_SHOWN, Failure, Problem, SourceError

BOM = b"\xef\xbb\xbf"
LIST_SEPARATOR = ";"
INTEGER_PATTERN = r"^[+-]?\d+$"
DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TYPE_RULES = {
    INTEGER: "not a whole number",
    DECIMAL: "not a number (use '.' as the decimal mark and no thousands separator)",
    DATE: "not a date in the form YYYY-MM-DD",
}


@dataclass(frozen=True)
class SourceFile:
    """A file in a family folder, read once: its bytes, hash and name relative to the root."""

    path: Path
    root: Path

    @property
    def name(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @cached_property
    def content(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Sheet:
    """Cells of one table from one file, as text, before typing."""

    source: SourceFile
    sheet: str | None
    header: list[str]
    cells: pa.Table
    lines: pa.Array


def family_folder(root: Path, family: str) -> Path:
    """Where a family's files land: its own folder; the calendar sits at the sources root."""
    return root if family == CALENDAR else root / family


def find_sources(root: Path, table: Table) -> list[SourceFile]:
    """CSV files named after the table (`contributions.csv`, `contributions-2024.csv`) and
    every workbook of the table's family folder; the file named exactly for the table first."""
    at_root = table.family == CALENDAR
    folder = family_folder(root, table.family)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*") if at_root else folder.rglob("*")):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        stem = path.stem
        named_for_table = stem == table.name or stem.startswith(table.name + "-")
        if (suffix == ".csv" and named_for_table) or (suffix == ".xlsx" and not at_root):
            found.append(SourceFile(path, root))
    return sorted(found, key=lambda f: (f.path.stem != table.name, f.name))


@dataclass
class FileRead:
    """What one file gave for one table: rows taken, problems found."""

    source: SourceFile
    sheet: str | None
    rows: int
    problems: list[Problem]


@dataclass
class Reading:
    rows: pa.Table
    problems: list[Problem]
    files: list[FileRead]


def read_sources(sources: list[SourceFile], table: Table) -> Reading:
    """Every readable row of `table`, typed to the contract's schema with lineage, and every
    problem met on the way. A file that cannot be read, or lacks a required column, gives no rows."""
    problems: list[Problem] = []
    parts, files = [], []
    for source in sources:
        before = len(problems)
        sheet = _read_source(source, table, problems)
        typed = _typed(sheet, table, problems) if sheet is not None else None
        if typed is not None:
            parts.append(typed)
        if sheet is not None or len(problems) > before:
            rows = typed.num_rows if typed is not None else 0
            files.append(FileRead(source, sheet.sheet if sheet else None, rows, problems[before:]))
    rows = pa.concat_tables(parts) if parts else table.schema.empty_table()
    return Reading(rows, problems, files)


def read_table(sources: list[SourceFile], table: Table) -> pa.Table:
    """Like `read_sources`, but any problem is an error."""
    reading = read_sources(sources, table)
    if reading.problems:
        raise SourceError(table.name, group_problems(table.name, reading.problems))
    return reading.rows


def group_problems(table: str, problems: list[Problem]) -> list[Failure]:
    by_rule: dict[tuple, list[Problem]] = defaultdict(list)
    for p in problems:
        by_rule[(p.column, p.rule)].append(p)
    return [
        Failure(table, rule, len(ps), ps[:EXAMPLES_SHOWN], column, files=tuple(sorted({p.file for p in ps})))
        for (column, rule), ps in by_rule.items()
    ]


def _read_source(source: SourceFile, table: Table, problems: list[Problem]) -> Sheet | None:
    if source.path.suffix.lower() == ".csv":
        return _read_csv(source, problems)
    return _read_xlsx(source, table, problems)


def _read_csv(source: SourceFile, problems: list[Problem]) -> Sheet | None:
    content = source.content.removeprefix(BOM)
    if not content.strip():
        problems.append(Problem(source.name, "the file is empty: it needs at least a header row"))
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        problems.append(Problem(source.name, "the file is not UTF-8 text: save it as 'CSV UTF-8'", line=line))
        return None
    header = [name.strip() for name in next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or None])))]
    del text  # only the header was needed as text; the bytes go to pyarrow
    cells = _parse_csv(content, header, use_threads=True)
    if cells is None:
        # A row has too many or too few fields: read again on one thread, which numbers the lines.
        ragged: list[Problem] = []
        _parse_csv(content, header, use_threads=False, source=source, ragged=ragged)
        problems.extend(ragged)
        return None
    return Sheet(source, None, header, cells, _csv_lines(content, cells.num_rows))


def _parse_csv(
    content: bytes,
    header: list[str],
    use_threads: bool,
    source: SourceFile | None = None,
    ragged: list[Problem] | None = None,
) -> pa.Table | None:
    invalid = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        if ragged is not None and source is not None:
            rule = f"the row has {row.actual_columns} fields where the header has {row.expected_columns}"
            ragged.append(Problem(source.name, rule, line=row.number, value=row.text))
        return "skip"

    cells = pacsv.read_csv(
        pa.BufferReader(content),
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=use_threads),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return None if invalid else cells


def _csv_lines(content: bytes, rows: int) -> pa.Array:
    """The line each record starts on (header = line 1), as a person sees it in an editor."""
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    if lines == rows + 1 and b"\n\n" not in content and b"\n\r\n" not in content:
        return pa.array(np.arange(2, rows + 2, dtype=np.int64))
    # Quoted line breaks or blank lines: count the lines records really start on.
    starts, reader = [], csv.reader(io.StringIO(content.decode("utf-8")))
    previous_end = reader.line_num
    for record in reader:
        if record and any(cell.strip() for cell in record) and reader.line_num > 1:
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    return pa.array(starts[1:] if len(starts) > rows else starts, pa.int64())


def _read_xlsx(source: SourceFile, table: Table, problems: list[Problem]) -> Sheet | None:
    import openpyxl

    try:
        # Read-only and no evaluation: a formula is kept as its text.
        workbook = openpyxl.load_workbook(io.BytesIO(source.content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises zip, XML and key errors for damaged files
        rule = f"not a readable .xlsx workbook ({type(error).__name__}): open and save it again in Excel"
        problems.append(Problem(source.name, rule))
        return None
    try:
        name = next((n for n in workbook.sheetnames if n.strip().lower() == table.name), None)
        if name is None:
            return None
        rows = workbook[name].iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            problems.append(Problem(source.name, "the sheet is empty: it needs at least a header row", sheet=name))
            return None
        header = [str(v).strip() if v is not None else "" for v in header_row]
        while header and header[-1] == "":
            header.pop()
        columns: list[list[str | None]] = [[] for _ in header]
        lines = []
        for line, row in enumerate(rows, start=2):
            values = [_cell_text(v) for v in row]
            if all(v is None for v in values):
                continue
            extra = [v for v in values[len(header) :] if v is not None]
            if extra:
                rule = f"a value beyond the header's {len(header)} columns"
                problems.append(Problem(source.name, rule, sheet=name, line=line, value=extra[0]))
            for i in range(len(header)):
                columns[i].append(values[i] if i < len(values) else None)
            lines.append(line)
    finally:
        workbook.close()
    cells = pa.table({h: pa.array(col, pa.string()) for h, col in zip(header, columns, strict=True)})
    return Sheet(source, name, header, cells, pa.array(lines, pa.int64()))


def _cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV would hold, so both formats type the same way."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _typed(sheet: Sheet, table: Table, problems: list[Problem]) -> pa.Table | None:
    present = {name: i for i, name in enumerate(sheet.header)}
    missing = [c.name for c in table.columns if c.required and c.required_when is None and c.name not in present]
    for name in missing:
        problems.append(Problem(sheet.source.name, "a required column is missing", sheet.sheet, 1, name))
    if missing:
        return None
    n = sheet.cells.num_rows
    arrays = []
    for column in table.columns:
        if column.name in present:
            text = _clean(sheet.cells.column(present[column.name]))
            arrays.append(_convert(text, column, sheet, problems))
        else:
            arrays.append(pa.nulls(n, table.schema.field(column.name).type))
    arrays += [
        pa.array([sheet.source.name] * n, pa.string()),
        pa.array([sheet.sheet] * n, pa.string()),
        sheet.lines,
        pa.array([sheet.source.sha256] * n, pa.string()),
    ]
    assert LINEAGE_COLUMNS == table.schema.names[-len(LINEAGE_COLUMNS) :]
    return pa.Table.from_arrays(arrays, schema=table.schema)


def _clean(text: pa.ChunkedArray) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(text.combine_chunks())
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _convert(text: pa.Array, column: Column, sheet: Sheet, problems: list[Problem]) -> pa.Array:
    if column.is_list:
        return _convert_list(text, column, sheet, problems)
    base = column.type
    if base not in TYPE_RULES:
        return text
    matches = pc.match_substring_regex(
        text, {INTEGER: INTEGER_PATTERN, DECIMAL: DECIMAL_PATTERN, DATE: DATE_PATTERN}[base]
    )
    typed = _cast(pc.if_else(matches, text, pa.scalar(None, pa.string())), base)
    bad = pc.and_(pc.is_valid(text), pc.is_null(typed))
    _report(bad, text, sheet.lines, column, TYPE_RULES[base], sheet, problems)
    return typed


def _cast(text: pa.Array, base: str) -> pa.Array:
    if base == DATE:
        stamps = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2021-02-30 over to 2 March: only a date that prints back as written is real.
        real = pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), text)
        return pc.cast(pc.if_else(real, stamps, pa.scalar(None, stamps.type)), pa.date32())
    return pc.cast(text, pa.int64() if base == INTEGER else pa.float64())


def _convert_list(text: pa.Array, column: Column, sheet: Sheet, problems: list[Problem]) -> pa.Array:
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
