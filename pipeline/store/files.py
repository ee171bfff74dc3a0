"""Files written and read where the data lives: a local folder, or any URL fsspec reaches (pipeline/paths.py).

`SGR_DATA=s3://bucket/prefix` (and SGR_REPORTS, SGR_SOURCES) is opened through universal-pathlib
and s3fs, configured by the standard AWS variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION), so any S3-compatible store works.

An object store has no rename: an object is written whole by one PUT (a reader sees the old object or
the new one), which is what `write_atomically` relies on; a set of objects is made all-or-nothing by
a manifest written last (pipeline/store/publication.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.paths import TEMPORARY, is_remote, local_file, temporary_beside
from pipeline.store import objects


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _umask()


def publishable(path: Path) -> None:
    """On disk for good, and readable as any other program's output: 0666 less the umask (mkstemp makes 0600)."""
    with open(path, "rb+") as written:
        os.fsync(written.fileno())
    os.chmod(path, 0o666 & ~UMASK)


@contextlib.contextmanager
def temporary_file(folder: Path | None, prefix: str) -> Iterator[Path]:
    """A new empty file, in `folder` (else the system's temporary folder), gone afterwards unless moved away."""
    handle, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=TEMPORARY)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Run `write` on a temporary local file, then move it into place: by a rename beside `path` on disk,
    by one upload to an object store (an object is replaced whole)."""
    remote = is_remote(path)
    folder, prefix = temporary_beside(path)
    if not remote:
        folder.mkdir(parents=True, exist_ok=True)
    else:
        objects.settle_writes([path])  # an upload left behind would land after this one
    with temporary_file(None if remote else folder, prefix) as temporary:
        write(temporary)
        if remote:
            objects.keep_copy(path, temporary, objects.upload(path, temporary))
        else:
            publishable(temporary)
            os.replace(temporary, path)
    return path


def copy(source: Path, target: Path) -> None:
    """A copy made where the files are: a server-side copy on an object store, a hard link on disk if it can."""
    if is_remote(source):
        objects.settle_writes([target])
        kept = objects.kept_copy(source)
        stand_in = objects.new_stand_in()
        if (
            objects.own_versions() is not None
            and kept is not None
            and objects.keep_copy(target, kept, stand_in, link=True).exists()
        ):
            # Left behind (below), after the source's own upload if it is under way: one queue, in order.
            objects.leave_behind(target, stand_in, lambda: objects.copy_object(source, target))
            return
        objects.settle_writes([source])
        version = objects.remember(target, objects.copy_object(source, target))
        if kept is not None:
            objects.keep_copy(target, kept, version, link=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def remove_tree(folder: Path) -> None:
    if is_remote(folder):
        objects.settle_writes(objects.under(folder, objects.uploads_pending()))
        objects.forget(folder)
        if folder.exists():
            folder.fs.rm(folder.path, recursive=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def local_copy(path: Path) -> Iterator[Path]:
    """A file as a local path, for the readers that need one: itself on disk, a copy of an object."""
    if not is_remote(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="sgr-copy-") as folder:
        copied = local_file(folder, path.name)
        path.fs.get_file(path.path, str(copied))
        yield copied


def write_behind(path: Path, write: Callable[[Path], None], after: Collection[Future] = ()) -> Path:
    """`write_atomically`, the upload left behind (above) once the futures `after` are done (the objects
    this one names); where this process does not hold the lock, or on disk, written at once as it is."""
    if objects.own_versions() is None or not is_remote(path):
        for future in after:
            future.result()
        return write_atomically(path, write)
    objects.settle_writes([path])
    folder, prefix = temporary_beside(path)
    with temporary_file(None, prefix) as temporary:
        write(temporary)
        stand_in = objects.new_stand_in()
        kept = objects.keep_copy(path, temporary, stand_in)
    objects.leave_behind(path, stand_in, lambda: objects.put(path, kept), after)
    return path


def exists(path: Path) -> bool:
    """Whether a file is there; for an object, none asked if this run wrote it or listed its folder, else
    one HEAD."""
    if not is_remote(path):
        return path.exists()
    if str(path) in (objects.own_versions() or {}):
        return True
    listed = objects.listing(path)
    return str(path) in listed if listed is not None else objects.head(path) is not None


def _arrow(path: Path) -> dict:
    if is_remote(path):
        kept = objects.kept_copy(path)
        if kept is not None:
            return {"source": kept}
        return {"source": path.path, "filesystem": objects.arrow_filesystem(path)}
    return {"source": path}


def read_text(path: Path) -> str:
    """A small file's text; an object's from this machine's copy if it is the current version, else one GET."""
    where = objects.s3_key(path)
    if where is None:
        return path.read_text()
    kept = objects.kept_copy(path)
    if kept is not None:
        return kept.read_text()
    return path.fs.cat_file(path.path).decode()  # one GET: s3fs's open asks a HEAD first


def read_table(path: Path, columns: list[str] | None = None) -> pa.Table:
    return pq.read_table(**_arrow(path), columns=columns)


def read_schema(path: Path) -> pa.Schema:
    arrow = _arrow(path)
    return pq.read_schema(arrow["source"], filesystem=arrow.get("filesystem"))


def read_metadata(path: Path) -> pq.FileMetaData:
    arrow = _arrow(path)
    return pq.read_metadata(arrow["source"], filesystem=arrow.get("filesystem"))


def parquet_file(path: Path) -> pq.ParquetFile:
    arrow = _arrow(path)
    return pq.ParquetFile(arrow["source"], filesystem=arrow.get("filesystem"))


def write_parquet(path: Path, table: pa.Table) -> Path:
    return write_atomically(path, lambda p: pq.write_table(table, p, compression="zstd"))


def write_parquet_behind(path: Path, table: pa.Table, after: Collection[Future] = ()) -> Path:
    return write_behind(path, lambda p: pq.write_table(table, p, compression="zstd"), after)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A table for pandas: dates as datetime64 for vectorised comparisons, lists kept in Arrow
    (no Python list per row)."""
    return table.to_pandas(
        date_as_object=False, types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_list(t) else None
    )


def files_in(folder: Path) -> list[Path]:
    """Every file under `folder` but those being written."""
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(TEMPORARY)] if folder.exists() else []


def remove_leftovers(*folders: Path) -> list[Path]:
    """Temporary files a killed run left behind; called with the data folder locked, so none is in use."""
    removed = []
    for folder in folders:
        # An object store has none: its temporary files are this machine's.
        for path in folder.rglob(f".*{TEMPORARY}") if not is_remote(folder) and folder.is_dir() else []:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
