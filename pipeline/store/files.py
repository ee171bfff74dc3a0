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
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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
    else:
        settle_writes([path])  # an upload left behind would land after this one
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
        settle_writes([target])
        kept = _kept_copy(source)
        stand_in = _stand_in()
        if _own() is not None and kept is not None and _keep_copy(target, kept, stand_in, link=True).exists():
            # Left behind (below), after the source's own upload if it is under way: one queue, in order.
            _leave_behind(target, stand_in, lambda: _copy_object(source, target))
            return
        settle_writes([source])
        version = _remember(target, _copy_object(source, target))
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
        settle_writes(_under(folder, _behind()))
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
# when the lock is released; a forked process inherits none (the pid is checked), but the validation worker
# is handed them with each task it does for the holder (`own_writes`, `on_behalf`).
_written: tuple[int, dict[str, str]] | None = None


def trust_own_writes(held: bool) -> None:
    global _written, _listings
    try:
        if not held:
            settle_writes()
    finally:
        _written, _listings = ((os.getpid(), {}) if held else None), None


def _own() -> dict[str, str] | None:
    return _written[1] if _written is not None and _written[0] == os.getpid() else None


def own_writes() -> dict[str, str] | None:
    """The ETags this process's writes were answered with while it holds the lock (None if it does not)."""
    own = _own()
    return dict(own) if own is not None else None


@contextlib.contextmanager
def on_behalf(writes: dict[str, str] | None) -> Iterator[None]:
    """Work for the lock's holder, which is waiting for the answer: trust the versions it wrote, as it
    does (on an object store, a HEAD fewer for each staged table read)."""
    global _written
    before = _written
    if writes is not None:
        _written = (os.getpid(), dict(writes))
    try:
        yield
    finally:
        _written = before


def _under(folder: Path, urls) -> list[str]:
    return [u for u in urls or {} if u == str(folder) or u.startswith(str(folder).rstrip("/") + "/")]


def _forget(folder: Path) -> None:
    own = _own()
    for url in _under(folder, own):
        del own[url]
    if _listings is not None:
        for listing in [f for f in _listings[1] if f.startswith(str(folder).rstrip("/") + "/")]:
            del _listings[1][listing]
        for found in _listings[1].values():
            for url in _under(folder, found):
                del found[url]


# Writes left behind (`write_behind`): while this process holds the lock, the object is read from its local
# copy at once, here and by the worker on this process's behalf, and goes up in the background, one upload
# at a time in the order written. Whatever must find it in the store first waits (`settle_writes`): another
# write or copy of it, the publication's manifest, the step's end, the lock's release.
_uploads: tuple[int, ThreadPoolExecutor, dict[str, Future]] | None = None


def _behind() -> dict[str, Future]:
    return _uploads[2] if _uploads is not None and _uploads[0] == os.getpid() else {}


def write_behind(path: Path, write: Callable[[Path], None], after: Collection[Future] = ()) -> Path:
    """`write_atomically`, the upload left behind (above) once the futures `after` are done (the objects
    this one names); where this process does not hold the lock, or on disk, written at once as it is."""
    if _own() is None or not is_remote(path):
        for future in after:
            future.result()
        return write_atomically(path, write)
    settle_writes([path])
    folder, prefix = temporary_beside(path)
    with temporary_file(None, prefix) as temporary:
        write(temporary)
        stand_in = _stand_in()
        kept = _keep_copy(path, temporary, stand_in)
    _leave_behind(path, stand_in, lambda: _put(path, kept), after)
    return path


def _stand_in() -> str:
    """A local copy's name for the version until the store answers."""
    return f"local-{uuid.uuid4().hex}"


def _leave_behind(path: Path, stand_in: str, send: Callable[[], str | None], after: Collection[Future] = ()) -> None:
    global _uploads
    _own()[str(path)] = stand_in
    if _uploads is None or _uploads[0] != os.getpid():
        _uploads = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="sgr-upload"), {})
    _uploads[2][str(path)] = _uploads[1].submit(_send_behind, path, stand_in, send, list(after))


def _send_behind(path: Path, stand_in: str, send: Callable[[], str | None], after: list[Future]) -> None:
    for future in after:
        future.result()
    version = send()
    if version is None:
        return  # the store did not say: this process goes on reading its copy by the stand-in
    folder, name = object_cache(path)
    with contextlib.suppress(OSError):  # the same bytes, known to other processes by the store's version
        os.link(local_file(folder, f"{name}-{stand_in}"), local_file(folder, f"{name}-{version}"))
    own = _own()
    if own is not None and own.get(str(path)) == stand_in:
        own[str(path)] = version


def settle_writes(paths: Collection[Path | str] | None = None) -> None:
    """Wait until the writes left behind (of these objects, else all) are in the store; a failed upload
    fails here."""
    pending = _behind()
    urls = list(pending) if paths is None else [str(p) for p in paths if str(p) in pending]
    for url in urls:
        future = pending.pop(url, None)
        if future is not None:
            future.result()


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
    return _remember(path, _put(path, local))


def _put(path: Path, local: Path) -> str | None:
    where = _s3(path)
    if where is not None and local.stat().st_size <= SINGLE_PUT:
        answer = path.fs.call_s3("put_object", Bucket=where[0], Key=where[1], Body=local.read_bytes())
        return answer["ETag"].strip('"')
    path.fs.put_file(str(local), path.path)
    return _asked_version(path)


def _copy_object(source: Path, target: Path) -> str | None:
    where, to = _s3(source), _s3(target)
    if where is None or to is None:
        source.fs.copy(source.path, target.path)
        return _asked_version(target)
    copy_source = {"Bucket": where[0], "Key": where[1]}
    answer = target.fs.call_s3("copy_object", Bucket=to[0], Key=to[1], CopySource=copy_source)
    return answer["CopyObjectResult"]["ETag"].strip('"')


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
    """Whether a file is there; for an object, none asked if this run wrote it or listed its folder, else
    one HEAD."""
    if not is_remote(path):
        return path.exists()
    if str(path) in (_own() or {}):
        return True
    listed = _listed(path)
    return str(path) in listed if listed is not None else head(path) is not None


def _version(path: Path) -> str | None:
    """The object's ETag: as this run's own PUT was answered, or its folder listed, else as the store says now."""
    version = (_own() or {}).get(str(path))
    if version is None and (listed := _listed(path)) is not None:
        return listed.get(str(path), {}).get("version")
    return version or _asked_version(path)


# While this process holds the lock, what a folder of the store held when first asked about is what it holds
# but for this process's own writes (above) and removals: one LIST for the folder, not a HEAD per object.
_listings: tuple[int, dict[str, dict[str, dict]]] | None = None
_listing = threading.Lock()


def head_listed(path: Path) -> dict | None:
    """`head`, answered from the folder's listing where there is one: for objects never rewritten, which
    this process asks about before it writes them (the raw archive)."""
    found = _listed(path)
    return found.get(str(path)) if found is not None else head(path)


def _listed(path: Path) -> dict[str, dict] | None:
    """The objects directly in `path`'s folder, listed once while this process holds the lock, by URL (None
    where it does not hold it, or for a store other than S3)."""
    global _listings
    where = _s3(path)
    if _own() is None or where is None:
        return None
    folder = str(path).rpartition("/")[0] + "/"
    with _listing:  # the archive's upload threads ask too
        if _listings is None or _listings[0] != os.getpid():
            _listings = (os.getpid(), {})
        if folder not in _listings[1]:
            _listings[1][folder] = _list(path, where, folder)
        return _listings[1][folder]


def _list(path: Path, where: tuple[str, str], folder: str) -> dict[str, dict]:
    prefix, found, more = where[1].rpartition("/")[0] + "/", {}, {}
    while True:
        answer = path.fs.call_s3("list_objects_v2", Bucket=where[0], Prefix=prefix, Delimiter="/", **more)
        for item in answer.get("Contents", []):
            version, modified = item["ETag"].strip('"'), item["LastModified"].timestamp()
            found[folder + item["Key"][len(prefix) :]] = {"version": version, "modified": modified}
        if not answer.get("IsTruncated"):
            return found
        more = {"ContinuationToken": answer["NextContinuationToken"]}


def _asked_version(path: Path) -> str | None:
    try:
        found = head(path)
    except (OSError, KeyError):
        return None
    return found["version"] if found and found["version"] else None


def _keep_copy(path: Path, local: Path, version: str | None, link: bool = False) -> Path | None:
    if version is None:
        return None
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
    return kept


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


def read_text(path: Path) -> str:
    """A small file's text; an object's from this machine's copy if it is the current version, else one GET."""
    where = _s3(path)
    if where is None:
        return path.read_text()
    kept = _kept_copy(path)
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
