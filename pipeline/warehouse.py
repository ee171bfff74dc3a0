"""The data folder and the drafts folder: every path the pipeline reads or writes is made here.

    data/raw/<sha256>.<ext>                 every source file's bytes, kept once, never rewritten
    data/raw/register/<table>.parquet       the files each table was last read from, accepted or rejected
    data/staging/<table>.parquet            what ingest read, waiting for validation
    data/staging/<table>.problems.parquet   the problems met while reading it
    data/staging/checks/<table>.<check>.parquet  the validation results of the staged tables
    data/warehouse/<table>.parquet          published: only tables that passed every blocking check
    data/warehouse/editions/<edition>/key_figures.parquet  an edition's key figures (and the previous edition's)
    data/warehouse/key_figures.parquet      the key figures last derived, whichever edition they are of
    data/warehouse/editions/<edition>/report_tables/<name>.parquet  the tables and series its draft states
    data/drafts/<edition>/key_figures-<time>.parquet  the key figures of every draft of the edition written
    data/drafts/charts/<chart>-<key>.png    each chart drawn, for the next draft of the same rows
    data/published.previous/                the published set a publication replaced, until a draft is made
    reports/drafts/SG-report-draft-<D>.docx the draft

Writes are atomic (a temporary file in the same folder, then a rename), so a run that fails
half-way leaves every earlier file whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
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


TEMPORARY = ".tmp"  # the ending of every file being written; one left by a killed run is removed at the next


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _umask()


def _publishable(path: Path) -> None:
    """On disk for good, and readable as any other program's output: 0666 less the umask (mkstemp makes 0600)."""
    with open(path, "rb+") as written:
        os.fsync(written.fileno())
    os.chmod(path, 0o666 & ~UMASK)


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Run `write` on a temporary path beside `path`, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY)
    os.close(handle)
    try:
        write(Path(temporary))
        _publishable(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def remove_leftovers(*folders: Path) -> list[Path]:
    """Temporary files a killed run left behind; called with the data folder locked, so none is in use."""
    removed = []
    for folder in folders:
        for path in folder.rglob(f".*{TEMPORARY}") if folder.is_dir() else []:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A table for pandas: dates as datetime64 for vectorised comparisons, lists kept in Arrow
    (no Python list per row)."""
    return table.to_pandas(
        date_as_object=False, types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_list(t) else None
    )


def write_parquet(path: Path, table: pa.Table) -> Path:
    return write_atomically(path, lambda p: pq.write_table(table, p, compression="zstd"))


# Derived for one report edition (pipeline/editions.py), kept apart for each.
DERIVED = ("key_figures",)


class Warehouse:
    def __init__(self, data_dir: Path | str, reports_dir: Path | str | None = None, edition: str | None = None):
        self.root = Path(data_dir)
        self.reports = Path(reports_dir) if reports_dir is not None else None
        self.edition = edition
        self._published = self.root / "warehouse"
        self._staging = self.root / "staging"
        self._raw = self.root / "raw"
        self._charts = self.root / "drafts" / "charts"
        self._history = self.root / "drafts" / (edition or "")
        self._derived = self._published / "editions" / edition if edition else self._published
        self._previous = self.root / "published.previous"

    def of_edition(self, edition: str) -> Warehouse:
        """The same folders, with what is derived read and written for one report edition."""
        return Warehouse(self.root, self.reports, edition)

    # Published tables.
    def path(self, table: str) -> Path:
        return (self._derived if table in DERIVED else self._published) / f"{table}.parquet"

    def write(self, name: str, table: pa.Table) -> Path:
        return write_parquet(self.path(name), table)

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.path(name), columns=columns)

    def has_published(self) -> bool:
        return self.path("source_files").exists()

    def publish(self, table: str) -> Path:
        """Copy a staged table into the warehouse, atomically."""
        return write_atomically(self.path(table), lambda p: shutil.copyfile(self.staged(table), p))

    # The published set is the last one a draft was made from: what a publication replaces is kept aside
    # (hard links, so it costs no copy) until a draft is made from the new set, and put back if none can be.
    def keep_published(self) -> None:
        """Before a publication, unless an earlier one has not yet been drafted (then that one's is kept)."""
        if self._previous.exists():
            return
        self._previous.mkdir(parents=True)
        for path in self._files(self._published):
            kept = self._previous / path.relative_to(self._published)
            kept.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, kept)
            except OSError:  # a file system without hard links
                shutil.copy2(path, kept)

    def drafted(self) -> None:
        """A draft was made from the published set: it stands."""
        shutil.rmtree(self._previous, ignore_errors=True)

    def restore_published(self) -> bool:
        """Put back the set from before the publication no draft could be made from; whether there was one."""
        if not self._previous.exists():
            return False
        for path in self._files(self._published):
            if not (self._previous / path.relative_to(self._published)).exists():
                path.unlink()
        for kept in self._files(self._previous):
            target = self._published / kept.relative_to(self._previous)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(kept, target)
        shutil.rmtree(self._previous)
        return True

    @contextlib.contextmanager
    def published_only_if_drafted(self):
        """Derive and draft inside this: if they fail, the publication they follow is undone."""
        try:
            yield
        except BaseException:
            self.restore_published()
            raise

    @staticmethod
    def _files(folder: Path) -> list[Path]:
        return (
            [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(TEMPORARY)] if folder.exists() else []
        )

    # Staging, and the results of the checks run on it.
    def staged(self, table: str) -> Path:
        return self._staging / f"{table}.parquet"

    def read_staged(self, table: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.staged(table), columns=columns)

    def staged_batches(self, table: str, columns: list[str], rows: int) -> Iterator[pa.Table]:
        """A staged table `rows` at a time, so that a large one is never held whole; at least one batch."""
        staged = pq.ParquetFile(self.staged(table))
        empty = True
        for batch in staged.iter_batches(batch_size=rows, columns=columns):
            empty = False
            yield pa.Table.from_batches([batch])
        if empty:
            yield staged.schema_arrow.empty_table().select(columns)

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
    def archive(self, source: Path) -> tuple[str, Path]:
        """Keep a source file's bytes once, under their SHA-256, never rewritten: copied and hashed in one
        pass, in bounded memory. Returns the SHA-256 and the kept copy, which is what gets read, so that
        the bytes counted are the bytes kept even if the file changes meanwhile."""
        digest = hashlib.sha256()

        def copy(temporary: Path) -> None:
            with open(source, "rb") as original, open(temporary, "wb") as kept:
                for block in iter(lambda: original.read(1 << 20), b""):
                    digest.update(block)
                    kept.write(block)

        self._raw.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self._raw, prefix=".incoming.", suffix=TEMPORARY)
        os.close(handle)
        try:
            copy(Path(temporary))
            path = self.archived(digest.hexdigest(), source.suffix)
            if path.exists():
                Path(temporary).unlink()
            else:
                _publishable(Path(temporary))
                os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest.hexdigest(), path

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
        return self._derived / "report_tables" / f"{name}.parquet"

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
        return self._charts

    def draft(self, as_of: dt.date) -> Path:
        assert self.reports is not None, "a drafts folder is needed to write the draft"
        return self.reports / f"SG-report-draft-{as_of.isoformat()}.docx"
