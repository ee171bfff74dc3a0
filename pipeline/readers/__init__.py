"""Readers for the source families: CSV files, `.xlsx` sheets and IATI activity files, typed by the contract.

    sources.py    which files feed a table, and what is refused before anything is read
    limits.py     how large a file may be (SGR_MAX_FILE_MB and the others)
    csvs.py       CSV files, in bounded memory
    workbooks.py  .xlsx workbooks: the zip inspected before it is opened, formulas by their saved values
    iati_xml.py   IATI activity files (XML): the transactions of activities funded by the Fund
    cells.py      text cells typed by the contract

Every row keeps its origin (file, sheet, line as a person sees it, the file's SHA-256). A file
that cannot be read, or a cell that is not of its column's type, becomes a `Problem` naming the
file, the line, the column and the value, in the drafter's words.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa

from pipeline.contract import Table
from pipeline.limits import Limits, limits
from pipeline.problems import EXAMPLES_SHOWN, Failure, Problem, SourceError
from pipeline.readers import cells, csvs, iati_xml, workbooks
from pipeline.readers.sources import Sheet, SourceFile, find_sources, refusal
from pipeline.store.files import local_copy


@dataclass
class FileRead:
    """What one file gave for one table: rows taken, problems found."""

    source: SourceFile
    sheet: str | None
    rows: int
    problems: list[Problem]
    note: str | None = None


@dataclass
class Reading:
    rows: pa.Table
    problems: list[Problem]
    files: list[FileRead]


def read_sources(sources: list[SourceFile], table: Table, limit: Limits | None = None) -> Reading:
    """Every readable row of `table`, typed to the contract's schema with lineage, and every problem met on
    the way. A file that is refused, cannot be read, or lacks a required column gives no rows."""
    limit = limit or Limits()
    problems: list[Problem] = []
    parts, files = [], []
    for source in sources:
        before = len(problems)
        refused = refusal(source, limit)
        if refused:
            problems.append(refused)
            sheet = None
        elif source.path.suffix.lower() == ".csv":
            sheet = csvs.read(source, limit, problems)
        elif source.path.suffix.lower() == ".xml":
            sheet = iati_xml.read(source, limit, problems)
        else:
            sheet = workbooks.read(source, table, limit, problems)
        typed = cells.typed(sheet, table, problems) if sheet is not None else None
        if typed is not None:
            parts.append(typed)
        if sheet is not None or len(problems) > before:
            rows = typed.num_rows if typed is not None else 0
            files.append(
                FileRead(source, sheet.sheet if sheet else None, rows, problems[before:], sheet and sheet.note)
            )
    rows = pa.concat_tables(parts) if parts else table.schema.empty_table()
    return Reading(rows, problems, files)


def read_table(sources: list[SourceFile], table: Table, limit: Limits | None = None) -> pa.Table:
    """Like `read_sources`, but any problem is an error."""
    with contextlib.ExitStack() as copies:
        # Read from local copies: the readers open files by path (ingest reads its archived copies).
        local = [s if s.kept else s.archived(None, copies.enter_context(local_copy(s.path))) for s in sources]
        reading = read_sources(local, table, limit)
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


__all__ = [
    "FileRead",
    "Limits",
    "Reading",
    "Sheet",
    "SourceFile",
    "find_sources",
    "group_problems",
    "limits",
    "read_sources",
    "read_table",
    "refusal",
]
