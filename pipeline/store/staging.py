"""Staging: the tables as ingest last read them, the problems met while reading each, and the results of
the checks run on them, waiting for publication (pipeline/publishing.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from concurrent.futures import Future
from pathlib import Path

import pyarrow as pa

from pipeline.paths import Data
from pipeline.problems import Problem
from pipeline.store.files import parquet_file, read_table, write_parquet_behind

PROBLEMS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("sheet", pa.string()),
        ("line", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("rule", pa.string()),
    ]
)


class Staging:
    def __init__(self, layout: Data):
        self.layout = layout

    def path(self, table: str) -> Path:
        return self.layout.staged(table)

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        return read_table(self.path(table), columns=columns)

    def rows(self, table: str) -> int:
        """How many rows a staged table has, from its file's footer."""
        return parquet_file(self.path(table)).metadata.num_rows

    def batches(self, table: str, columns: list[str], rows: int) -> Iterator[pa.Table]:
        """A staged table `rows` at a time, so that a large one is never held whole; at least one batch."""
        staged = parquet_file(self.path(table))
        empty = True
        for batch in staged.iter_batches(batch_size=rows, columns=columns):
            empty = False
            yield pa.Table.from_batches([batch])
        if empty:
            yield staged.schema_arrow.empty_table().select(columns)

    def stage(self, table: str, rows: pa.Table, after: Collection[Future] = ()) -> Path:
        """Staged once `after` is done (on an object store, the upload may go on: files.write_behind)."""
        return write_parquet_behind(self.path(table), rows, after)

    def stage_problems(self, table: str, problems: list[Problem], after: Collection[Future] = ()) -> Path:
        """The problems met while reading a table, staged beside it for its validation."""
        rows = [
            {
                "file": p.file,
                "sheet": p.sheet,
                "line": p.line,
                "column": p.column,
                "value": None if p.value is None else str(p.value),
                "rule": p.rule,
            }
            for p in problems
        ]
        problems_table = pa.Table.from_pylist(rows, schema=PROBLEMS_SCHEMA)
        return write_parquet_behind(self.layout.problems(table), problems_table, after)

    def read_problems(self, table: str) -> list[Problem]:
        rows = read_table(self.layout.problems(table)).to_pylist()
        return [Problem(r["file"], r["rule"], r["sheet"], r["line"], r["column"], r["value"]) for r in rows]

    def check_results(self, table: str, check: str) -> Path:
        return self.layout.check_results(table, check)
