"""The data folder and the drafts folder: every path the pipeline reads or writes is made here.

    data/raw/<sha256>.<ext>                 every source file's bytes, kept once, never rewritten
    data/raw/register/<table>.parquet       the files each table was last read from, accepted or rejected
    data/staging/<table>.parquet            what ingest read, waiting for validation
    data/staging/<table>.problems.parquet   the problems met while reading it
    data/staging/checks/<table>.<check>.parquet  the validation results of the staged tables
    data/warehouse/<table>.parquet          published: only tables that passed every blocking check
    data/warehouse/report_tables/<name>.parquet  the tables and series the draft states
    data/drafts/key_figures-<time>.parquet  the key figures of every draft written
    data/drafts/charts/<chart>-<key>.png    each chart drawn, for the next draft of the same rows
    reports/drafts/SG-report-draft-<D>.docx the draft

Writes are atomic (a temporary file in the same folder, then a rename), so a run that fails
half-way leaves every earlier file whole.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.catalogue import KEY_FIGURES_SCHEMA, PREVIOUS_FIGURES
from pipeline.contract import TABLES
from pipeline.problems import Problem

# The register: the files a table was read from, each accepted or rejected with the reason.
REGISTER_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("sheet", pa.string()),
        ("table", pa.string()),
        ("family", pa.string()),
        ("sha256", pa.string()),
        ("bytes", pa.int64()),
        ("first_seen", pa.timestamp("s", tz="UTC")),
        ("rows_read", pa.int64()),
        ("status", pa.string()),
        ("reason", pa.string()),
    ]
)
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
    def __init__(self, data_dir: Path | str, reports_dir: Path | str | None = None):
        self.root = Path(data_dir)
        self.reports = Path(reports_dir) if reports_dir is not None else None
        self._published = self.root / "warehouse"
        self._staging = self.root / "staging"
        self._raw = self.root / "raw"
        self._history = self.root / "drafts"

    # Published tables.
    def path(self, table: str) -> Path:
        return self._published / f"{table}.parquet"

    def write(self, name: str, table: pa.Table) -> Path:
        return write_parquet(self.path(name), table)

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.path(name), columns=columns)

    def has_published(self) -> bool:
        return self.path("source_files").exists()

    def publish(self, table: str) -> Path:
        """Copy a staged table into the warehouse, atomically."""
        return write_atomically(self.path(table), lambda p: shutil.copyfile(self.staged(table), p))

    # Staging, and the results of the checks run on it.
    def staged(self, table: str) -> Path:
        return self._staging / f"{table}.parquet"

    def read_staged(self, table: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.staged(table), columns=columns)

    def stage(self, table: str, rows: pa.Table) -> Path:
        return write_parquet(self.staged(table), rows)

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
        return self._staging / f"{table}.problems.parquet"

    def check_results(self, table: str, check: str) -> Path:
        return self._staging / "checks" / f"{table}.{check}.parquet"

    # The raw archive and the register of the files each table was read from.
    def archive(self, content: bytes, sha256: str, suffix: str) -> Path:
        """Keep a source file's bytes once, under their SHA-256; never rewritten."""
        path = self.archived(sha256, suffix)
        if not path.exists():
            write_atomically(path, lambda p: p.write_bytes(content))
        return path

    def archived(self, sha256: str, suffix: str) -> Path:
        return self._raw / f"{sha256}{suffix.lower()}"

    def register(self, table: str) -> Path:
        return self._raw / "register" / f"{table}.parquet"

    def read_register(self, table: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.register(table), columns=columns)

    def write_register(self, table: str, rows: list[dict]) -> Path:
        return write_parquet(self.register(table), pa.Table.from_pylist(rows, schema=REGISTER_SCHEMA))

    # The tables the draft states.
    def report_table(self, name: str) -> Path:
        return self._published / "report_tables" / f"{name}.parquet"

    def read_report_table(self, name: str) -> pa.Table:
        return pq.read_table(self.report_table(name))

    def read_frames(self, columns: dict[str, list[str]]) -> dict[str, pd.DataFrame]:
        """Published tables as pandas frames, each with only the columns given (and, for the contract's
        tables, the file each row came from); the previous draft's key figures under PREVIOUS_FIGURES."""
        frames = {}
        for name, wanted in columns.items():
            if name == PREVIOUS_FIGURES:
                frames[name] = to_frame(self.previous_figures(wanted))
            else:
                frames[name] = to_frame(self.read(name, wanted + ["source_file"] if name in TABLES else wanted))
        return frames

    # The history of drafts, and the draft.
    def keep_figures(self, figures: pa.Table) -> Path:
        """The key figures a draft states, kept for the next draft's list of changes."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        return write_parquet(self._history / f"key_figures-{stamp}.parquet", figures)

    def previous_figures(self, columns: list[str]) -> pa.Table:
        """The key figures of the last draft written; no rows before the first draft."""
        kept = sorted(self._history.glob("key_figures-*.parquet"))
        if kept:
            return pq.read_table(kept[-1], columns=columns)
        return KEY_FIGURES_SCHEMA.empty_table().select(columns)

    def charts(self) -> Path:
        return self._history / "charts"

    def draft(self, as_of: dt.date) -> Path:
        assert self.reports is not None, "a drafts folder is needed to write the draft"
        return self.reports / f"SG-report-draft-{as_of.isoformat()}.docx"
