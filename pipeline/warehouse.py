"""The data folder: staged and published Parquet tables, and the archive of raw source files.

    data/raw/<sha256>.<ext>          every source file's bytes, kept once, never rewritten
    data/raw/register/<table>.parquet  the files each table was last read from, accepted or rejected
    data/staging/<table>.parquet     what ingest read, waiting for validation
    data/staging/checks/...          the validation results of the staged tables
    data/warehouse/<table>.parquet   published: only tables that passed every blocking check

Writes are atomic (a temporary file in the same folder, then a rename), so a run that
fails half-way leaves every earlier file whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.problems import Problem

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


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Run `write` on a temporary path beside `path`, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A table for pandas: dates as datetime64 for vectorised comparisons, lists kept in Arrow
    (no Python list per row)."""
    return table.to_pandas(
        date_as_object=False, types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_list(t) else None
    )


def write_parquet(path: Path, table: pa.Table) -> Path:
    return write_atomically(path, lambda p: pq.write_table(table, p, compression="zstd"))


class Warehouse:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir)
        self.tables = self.root / "warehouse"
        self.staging = self.root / "staging"
        self.checks = self.staging / "checks"
        self.raw = self.root / "raw"
        self.register = self.raw / "register"

    def path(self, table: str) -> Path:
        return self.tables / f"{table}.parquet"

    def write(self, name: str, table: pa.Table) -> Path:
        return write_parquet(self.path(name), table)

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.path(name), columns=columns)

    def staged(self, table: str) -> Path:
        return self.staging / f"{table}.parquet"

    def read_staged(self, table: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.staged(table), columns=columns)

    def stage_problems(self, table: str, problems: list[Problem]) -> Path:
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
        return write_parquet(self._problems(table), pa.Table.from_pylist(rows, schema=PROBLEMS_SCHEMA))

    def read_problems(self, table: str) -> list[Problem]:
        rows = pq.read_table(self._problems(table)).to_pylist()
        return [Problem(r["file"], r["rule"], r["sheet"], r["line"], r["column"], r["value"]) for r in rows]

    def _problems(self, table: str) -> Path:
        return self.staging / f"{table}.problems.parquet"

    def publish(self, table: str) -> Path:
        """Copy a staged table into the warehouse, atomically."""
        return write_atomically(self.path(table), lambda p: shutil.copyfile(self.staged(table), p))

    def archive(self, content: bytes, sha256: str, suffix: str) -> Path:
        """Keep a source file's bytes once, under their SHA-256; never rewritten."""
        path = self.raw / f"{sha256}{suffix.lower()}"
        if not path.exists():
            write_atomically(path, lambda p: p.write_bytes(content))
        return path
