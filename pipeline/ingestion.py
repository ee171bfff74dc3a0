"""Ingest without Dagster: a table's files found in its family folder, archived under their SHA-256, read
and typed by the contract, and staged as one Parquet table with lineage columns, with the problems met
while reading and the register of the files read. Nothing is published here (pipeline/publishing.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipeline.contract import Table
from pipeline.readers import FileRead, Limits, Reading, SourceFile, find_sources, read_sources, refusal
from pipeline.store import Store
from pipeline.store.objects import settle_writes
from pipeline.validation.verdicts import STAGED_BY, data_version


@dataclass
class Staged:
    reading: Reading
    gone: dict[str, int]  # files read last time and gone since, with the rows they gave
    version: str  # the table's data version: its files by SHA-256, and the code


def stage_table(store: Store, root: Path, table: Table, run_id: str, limit: Limits | None = None) -> Staged:
    """Read a table's files and stage its rows, its read problems and its register."""
    found, limit = find_sources(root, table), limit or Limits()
    gone = files_gone(store, table, found)
    # A file refused before reading (outside the root, too large) is neither read nor archived.
    sources = [s if refusal(s, limit) else s.archived(*store.archive.keep(s.path)) for s in found]
    reading = read_sources(sources, table, limit)
    kept = [s.kept for s in sources if s.kept is not None]
    # The files are in the store before anything that names them (files.write_behind); their uploads and
    # the staged table's go on while the next table is read, until `settled`.
    after = store.archive.uploads(kept)
    metadata = {**(reading.rows.schema.metadata or {}), STAGED_BY: run_id.encode()}
    store.staging.stage(table.name, reading.rows.replace_schema_metadata(metadata), after)
    store.staging.stage_problems(table.name, reading.problems, after)
    store.archive.settle(kept)  # the register dates each file as the store does: when it was first seen
    files = register(table, reading.files)
    store.archive.write_register(table.name, files)
    return Staged(reading, gone, data_version(files))


def settled(store: Store, table: Table) -> None:
    """Wait until what `stage_table` wrote of a table is in the store (it is read at once, here and by the
    validation worker, from this machine's copies)."""
    layout = store.layout
    settle_writes([layout.staged(table.name), layout.problems(table.name), layout.register(table.name)])


def keep_ahead(store: Store, root: Path, tables: list[Table], limit: Limits | None = None) -> None:
    """Start archiving the files of the tables about to be staged, in the order they will be read: the next
    file is copied and hashed while this one is read (stage_table's `keep` then waits for its own)."""
    limit = limit or Limits()
    files = [s.path for table in tables for s in find_sources(root, table) if not refusal(s, limit)]
    store.archive.keep_ahead(files)


def files_gone(store: Store, table: Table, sources: list[SourceFile]) -> dict[str, int]:
    """Files read last time that are no longer there, with the rows they gave."""
    if not store.archive.has_register(table.name):
        return {}
    present = {source.name for source in sources}
    earlier = store.archive.read_register(table.name, ["path", "rows_read"]).to_pylist()
    return {r["path"]: r["rows_read"] for r in earlier if r["path"] not in present}


def register(table: Table, files: list[FileRead]) -> list[dict]:
    """The files a table was read from; one with read problems is rejected with the first as reason."""
    rows = []
    for f in files:
        kept = f.source.kept
        rows.append(
            {
                "path": f.source.name,
                "sheet": f.sheet,
                "table": table.name,
                "family": table.family,
                # A refused file is not read: no digest, no copy kept.
                "sha256": f.source.sha256 if kept else None,
                "bytes": f.source.path.stat().st_size if f.source.path.exists() else None,
                # The archive is never rewritten: its file's time is when this content was first seen.
                "first_seen": dt.datetime.fromtimestamp(int(kept.stat().st_mtime), dt.UTC) if kept else None,
                "rows_read": f.rows,
                "status": "rejected" if f.problems else "accepted",
                "reason": str(f.problems[0]) if f.problems else None,
                "note": f.note,
            }
        )
    return rows
