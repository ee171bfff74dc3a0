"""The raw archive and its register: every source file's bytes, kept once under their SHA-256 and never
rewritten, and for each table the files it was last read from, accepted or rejected with the reason."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from pipeline.paths import Data, local_file
from pipeline.store.files import exists, publishable, read_table, temporary_file, write_parquet_behind
from pipeline.store.objects import head, head_listed, upload

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
        ("note", pa.string()),  # what the file held beside its rows ("12 activities: 1 funded by the Fund, ...")
    ]
)


def _upload(path: Path, local: Path) -> None:
    """Upload an archived file unless the store has it (it is never rewritten); date the local copy as it."""
    kept = head_listed(path)
    if kept is None:
        upload(path, local)
        kept = head(path)
    os.utime(local, (kept["modified"], kept["modified"]))


class Archive:
    def __init__(self, layout: Data):
        self.layout = layout
        self._scratch: Path | None = None
        self._uploads: dict[str, Future] = {}
        self._local: dict[Path, Future] = {}  # each local copy's upload
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: dict[Path, deque[Future]] = defaultdict(deque)
        self._keeper: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def keep_ahead(self, sources: list[Path]) -> None:
        """Start keeping, one after another in the background, the files `keep` will be asked for in this
        order: a file is copied and hashed while the one before it is read."""
        self._keeper = self._keeper or ThreadPoolExecutor(1, thread_name_prefix="sgr-keep")
        for source in sources:
            self._ahead[source].append(self._keeper.submit(self._keep, source))

    def keep(self, source: Path) -> tuple[str, Path]:
        """Keep a source file's bytes once, under their SHA-256, never rewritten: copied and hashed in one
        pass, in bounded memory. Returns the SHA-256 and the kept copy, which is what gets read, so that
        the bytes counted are the bytes kept even if the file changes meanwhile. With the data on an object
        store, the copy read is a local one, uploaded meanwhile and dated as the object kept once `settle`
        has returned."""
        ahead = self._ahead.get(source)
        return ahead.popleft().result() if ahead else self._keep(source)

    def _keep(self, source: Path) -> tuple[str, Path]:
        digest = hashlib.sha256()
        remote = self.layout.remote
        folder = self._scratch_dir() if remote else self.layout.raw
        folder.mkdir(parents=True, exist_ok=True)
        with temporary_file(folder, ".incoming.") as temporary:
            with source.open("rb") as original, open(temporary, "wb") as kept:
                for block in iter(lambda: original.read(1 << 20), b""):
                    digest.update(block)
                    kept.write(block)
            path = self.layout.archived(digest.hexdigest(), source.suffix)
            if remote:
                local = local_file(folder, path.name)
                with self._lock:
                    if str(path) not in self._uploads:
                        os.replace(temporary, local)
                        # One at a time, in the order the files are read: the file read now goes up at the
                        # store's full speed instead of sharing it with those read later (paired runs at 1M on
                        # S3: 0.18 s less a run than four at a time).
                        self._pool = self._pool or ThreadPoolExecutor(1, thread_name_prefix="sgr-archive")
                        self._uploads[str(path)] = self._pool.submit(_upload, path, local)
                    self._local[local] = self._uploads[str(path)]
                return digest.hexdigest(), local
            if not path.exists():
                publishable(temporary)
                os.replace(temporary, path)
        return digest.hexdigest(), path

    def uploads(self, kept: list[Path]) -> list[Future]:
        """The uploads of these copies `keep` returned (none on disk, where `keep` kept them)."""
        with self._lock:  # the keeper thread may be adding the next table's
            return [self._local[path] for path in kept if path in self._local]

    def settle(self, kept: list[Path]) -> None:
        """Wait for the uploads of these copies (not for those of the tables kept ahead): after this, each is
        in the store and its local copy dated."""
        for future in self.uploads(kept):
            future.result()

    def _scratch_dir(self) -> Path:
        """This machine's copies of archived objects, removed with the archive that made them."""
        with self._lock:
            if self._scratch is None:
                self._scratch = self.layout.scratch()
            return self._scratch

    def __del__(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def has_register(self, table: str) -> bool:
        return exists(self.layout.register(table))

    def read_register(self, table: str, columns: list[str] | None = None) -> pa.Table:
        register = read_table(self.layout.register(table))
        for field in REGISTER_SCHEMA:  # a register written before a column was added: empty in it
            if field.name not in register.column_names:
                register = register.append_column(field, pa.nulls(register.num_rows, field.type))
        return register.select(columns or REGISTER_SCHEMA.names)

    def write_register(self, table: str, rows: list[dict]) -> Path:
        return write_parquet_behind(self.layout.register(table), pa.Table.from_pylist(rows, schema=REGISTER_SCHEMA))
