"""The data folder: published Parquet tables and the immutable archive of raw source files.

Writes are atomic (a temporary file in the same folder, then a rename), so a run that
fails half-way leaves every earlier file whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


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


class Warehouse:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir)
        self.tables = self.root / "warehouse"
        self.raw = self.root / "raw"

    def path(self, table: str) -> Path:
        return self.tables / f"{table}.parquet"

    def write(self, name: str, table: pa.Table) -> Path:
        return write_atomically(self.path(name), lambda p: pq.write_table(table, p, compression="zstd"))

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.path(name), columns=columns)

    def archive(self, content: bytes, sha256: str, suffix: str) -> Path:
        """Keep a source file's bytes once, under their SHA-256; never rewritten."""
        path = self.raw / f"{sha256}{suffix.lower()}"
        if not path.exists():
            write_atomically(path, lambda p: p.write_bytes(content))
        return path
