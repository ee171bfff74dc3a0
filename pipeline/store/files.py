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
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.paths import TEMPORARY, is_remote, local_file, object_cache, temporary_beside


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
    with temporary_file(None if remote else folder, prefix) as temporary:
        write(temporary)
        if remote:
            _keep_copy(path, temporary, upload(path, temporary))
        else:
            publishable(temporary)
            os.replace(temporary, path)
    return path


def copy(source: Path, target: Path) -> None:
    """A copy made where the files are: a server-side copy on an object store, a hard link on disk if it can."""
    if is_remote(source):
        kept = _kept_copy(source)
        version = _copy_object(source, target)
        if kept is not None:
            _keep_copy(target, kept, version, link=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def remove_tree(folder: Path) -> None:
    if is_remote(folder):
        _forget(folder)
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


_ARROW_S3: dict[tuple, object] = {}


def _arrow_filesystem(path: Path):
    """Arrow's own S3 client for Parquet (C++, parallel ranged reads), configured as s3fs is; for other
    protocols, the fsspec file system."""
    if path.protocol not in ("s3", "s3a"):
        return path.fs
    import pyarrow.fs as pafs

    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    key = (endpoint, os.environ.get("AWS_DEFAULT_REGION"), os.getpid())  # a client is not shared across a fork
    if key not in _ARROW_S3:
        options = {"region": key[1]} if key[1] else {}
        if endpoint:
            scheme, _, host = endpoint.partition("://")
            options |= {"endpoint_override": host, "scheme": scheme}
        _ARROW_S3[key] = pafs.S3FileSystem(**options)
    return _ARROW_S3[key]


# Objects this machine wrote are kept in a local cache, named by the object and its ETag (here only a
# version: every PUT makes a new one), so that the steps that read them next, in this process or the
# validation worker, ask the store one HEAD instead of downloading them. Another machine's objects,
# or a newer version, are read from the store.
CACHE_SECONDS = 24 * 3600
SINGLE_PUT = 256 << 20  # larger files go up in parts, as s3fs sends them

# While this process holds the data folder's lock (pipeline/store/lock.py), no other writer can replace an
# object it wrote: their ETags, as the store answered the PUT, are trusted without asking again. Forgotten
# when the lock is released; a forked process inherits none (the pid is checked).
_written: tuple[int, dict[str, str]] | None = None


def trust_own_writes(held: bool) -> None:
    global _written
    _written = (os.getpid(), {}) if held else None


def _own() -> dict[str, str] | None:
    return _written[1] if _written is not None and _written[0] == os.getpid() else None


def _forget(folder: Path) -> None:
    own = _own()
    for url in [u for u in own or {} if u == str(folder) or u.startswith(str(folder).rstrip("/") + "/")]:
        del own[url]


def _s3(path: Path) -> tuple[str, str] | None:
    """Bucket and key, for the requests made here directly (one round trip where fsspec makes several)."""
    if path.protocol not in ("s3", "s3a"):
        return None
    bucket, key, _ = path.fs.split_path(path.path)
    return bucket, key


def _remember(path: Path, version: str | None) -> str | None:
    own = _own()
    if own is not None and version:
        own[str(path)] = version
    return version


def upload(path: Path, local: Path) -> str | None:
    """One PUT of a local file; the new object's ETag, as the store answered (None if it did not say)."""
    where = _s3(path)
    if where is not None and local.stat().st_size <= SINGLE_PUT:
        answer = path.fs.call_s3("put_object", Bucket=where[0], Key=where[1], Body=local.read_bytes())
        return _remember(path, answer["ETag"].strip('"'))
    path.fs.put_file(str(local), path.path)
    return _remember(path, _asked_version(path))


def _copy_object(source: Path, target: Path) -> str | None:
    where, to = _s3(source), _s3(target)
    if where is None or to is None:
        source.fs.copy(source.path, target.path)
        return _remember(target, _asked_version(target))
    copy_source = {"Bucket": where[0], "Key": where[1]}
    answer = target.fs.call_s3("copy_object", Bucket=to[0], Key=to[1], CopySource=copy_source)
    return _remember(target, answer["CopyObjectResult"]["ETag"].strip('"'))


def head(path: Path) -> dict | None:
    """An object's ETag and time (`version`, `modified`, seconds), or None if there is none: one HEAD
    (s3fs's `exists` adds a listing, for folders)."""
    where = _s3(path)
    try:
        if where is None:
            info = path.fs.info(path.path)
            if info.get("type") == "directory":
                return None
            version, modified = info.get("ETag", ""), path.stat().st_mtime
        else:
            answer = path.fs.call_s3("head_object", Bucket=where[0], Key=where[1])
            version, modified = answer["ETag"], answer["LastModified"].timestamp()
    except FileNotFoundError:
        return None
    return {"version": version.strip('"'), "modified": modified}


def exists(path: Path) -> bool:
    """Whether a file is there; for an object, one HEAD, or none if this run wrote it."""
    if not is_remote(path):
        return path.exists()
    return str(path) in (_own() or {}) or head(path) is not None


def _version(path: Path) -> str | None:
    """The object's ETag: as this run's own PUT was answered, else as the store says now."""
    return (_own() or {}).get(str(path)) or _asked_version(path)


def _asked_version(path: Path) -> str | None:
    try:
        found = head(path)
    except (OSError, KeyError):
        return None
    return found["version"] if found and found["version"] else None


def _keep_copy(path: Path, local: Path, version: str | None, link: bool = False) -> None:
    if version is None:
        return
    folder, name = object_cache(path)
    folder.mkdir(parents=True, exist_ok=True)
    for older in folder.glob(f"{name}-*"):
        older.unlink(missing_ok=True)
    for stale in folder.iterdir():
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > CACHE_SECONDS:
                stale.unlink()
    kept = local_file(folder, f"{name}-{version}")
    if link:
        with contextlib.suppress(OSError):
            os.link(local, kept)
    else:
        os.replace(local, kept)


def _kept_copy(path: Path) -> Path | None:
    """The local copy of the object's current version, if this machine wrote it."""
    folder, name = object_cache(path)
    if not any(folder.glob(f"{name}-*")):
        return None
    version = _version(path)
    if version is None:
        return None
    kept = local_file(folder, f"{name}-{version}")
    return kept if kept.exists() else None


def _arrow(path: Path) -> dict:
    if is_remote(path):
        kept = _kept_copy(path)
        if kept is not None:
            return {"source": kept}
        return {"source": path.path, "filesystem": _arrow_filesystem(path)}
    return {"source": path}


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
