"""An object store as this machine sees it while it holds the data folder's lock (pipeline/store/lock.py):
what it wrote, kept in a local cache and trusted without asking; what a folder held, listed once; the
uploads it left behind, in order; and the requests made to S3 directly (one round trip where fsspec
makes several). pipeline/store/files.py reads and writes through this; nothing else needs it but the
lock, the archive and the worker's tasks (pipeline/ahead.py).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pipeline.paths import local_file, object_cache

_ARROW_S3: dict[tuple, object] = {}


def arrow_filesystem(path: Path):
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
_locked: str | None = None  # the data folder whose lock is held
# Local copies of versions this process replaced while it holds the lock: a task it gave the worker before
# the replacement reads the version it was given (`on_behalf`), so they are removed when the lock is released.
_replaced: tuple[int, set[Path]] | None = None
_swept: set[Path] = set()  # cache folders cleared of stale copies since the lock was taken


def trust_own_writes(held: bool, data: Path | None = None) -> None:
    """From when this process holds the lock of the data folder `data`, until it does not."""
    global _written, _listings, _locked, _replaced
    try:
        if not held:
            settle_writes()
    finally:
        for copy in _replaced_copies() or ():
            copy.unlink(missing_ok=True)
        _written, _listings = ((os.getpid(), {}) if held else None), None
        _locked = str(data).rstrip("/") + "/" if held and data is not None else None
        _replaced = (os.getpid(), set()) if held else None
        _swept.clear()  # a long-lived process sweeps again at its next run


def _replaced_copies() -> set[Path] | None:
    return _replaced[1] if _replaced is not None and _replaced[0] == os.getpid() else None


def own_versions() -> dict[str, str] | None:
    return _written[1] if _written is not None and _written[0] == os.getpid() else None


def own_writes() -> dict[str, str] | None:
    """The ETags this process's writes were answered with while it holds the lock (None if it does not)."""
    own = own_versions()
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


def under(folder: Path, urls) -> list[str]:
    return [u for u in urls or {} if u == str(folder) or u.startswith(str(folder).rstrip("/") + "/")]


def forget(folder: Path) -> None:
    own = own_versions()
    for url in under(folder, own):
        del own[url]
    if _listings is not None:
        for inside in [f for f in _listings[1] if f.startswith(str(folder).rstrip("/") + "/")]:
            del _listings[1][inside]
        for found in _listings[1].values():
            for url in under(folder, found):
                del found[url]


# Writes left behind (`write_behind`): while this process holds the lock, the object is read from its local
# copy at once, here and by the worker on this process's behalf, and goes up in the background, one upload
# at a time in the order written. Whatever must find it in the store first waits (`settle_writes`): another
# write or copy of it, the publication's manifest, the step's end, the lock's release.
_uploads: tuple[int, ThreadPoolExecutor, dict[str, Future]] | None = None


def uploads_pending() -> dict[str, Future]:
    return _uploads[2] if _uploads is not None and _uploads[0] == os.getpid() else {}


def new_stand_in() -> str:
    """A local copy's name for the version until the store answers."""
    return f"local-{uuid.uuid4().hex}"


def leave_behind(path: Path, stand_in: str, send: Callable[[], str | None], after: Collection[Future] = ()) -> None:
    global _uploads
    own_versions()[str(path)] = stand_in
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
    own = own_versions()
    if own is not None and own.get(str(path)) == stand_in:
        own[str(path)] = version


def settle_writes(paths: Collection[Path | str] | None = None) -> None:
    """Wait until the writes left behind (of these objects, else all) are in the store; a failed upload
    fails here."""
    pending = uploads_pending()
    urls = list(pending) if paths is None else [str(p) for p in paths if str(p) in pending]
    for url in urls:
        future = pending.pop(url, None)
        if future is not None:
            future.result()


def s3_key(path: Path) -> tuple[str, str] | None:
    """Bucket and key, for the requests made here directly (one round trip where fsspec makes several)."""
    if path.protocol not in ("s3", "s3a"):
        return None
    bucket, key, _ = path.fs.split_path(path.path)
    return bucket, key


def remember(path: Path, version: str | None) -> str | None:
    own = own_versions()
    if own is not None and version:
        own[str(path)] = version
    return version


def upload(path: Path, local: Path) -> str | None:
    """One PUT of a local file; the new object's ETag, as the store answered (None if it did not say)."""
    return remember(path, put(path, local))


def put(path: Path, local: Path) -> str | None:
    where = s3_key(path)
    if where is not None and local.stat().st_size <= SINGLE_PUT:
        answer = path.fs.call_s3("put_object", Bucket=where[0], Key=where[1], Body=local.read_bytes())
        return answer["ETag"].strip('"')
    path.fs.put_file(str(local), path.path)
    return asked_version(path)


def copy_object(source: Path, target: Path) -> str | None:
    where, to = s3_key(source), s3_key(target)
    if where is None or to is None:
        source.fs.copy(source.path, target.path)
        return asked_version(target)
    copy_source = {"Bucket": where[0], "Key": where[1]}
    answer = target.fs.call_s3("copy_object", Bucket=to[0], Key=to[1], CopySource=copy_source)
    return answer["CopyObjectResult"]["ETag"].strip('"')


def head(path: Path) -> dict | None:
    """An object's ETag and time (`version`, `modified`, seconds), or None if there is none: one HEAD
    (s3fs's `exists` adds a listing, for folders)."""
    where = s3_key(path)
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


def current_version(path: Path) -> str | None:
    """The object's ETag: as this run's own PUT was answered, or its folder listed, else as the store says now."""
    version = (own_versions() or {}).get(str(path))
    if version is None and (listed := listing(path)) is not None:
        return listed.get(str(path), {}).get("version")
    return version or asked_version(path)


# While this process holds the lock, what a folder of the data folder held when first asked about is what it
# holds but for this process's own writes (above) and removals: one LIST for the folder, not a HEAD per
# object. Other folders (the sources, the drafts) have other writers: they are asked each time.
_listings: tuple[int, dict[str, dict[str, dict]]] | None = None
_listing = threading.Lock()


def head_listed(path: Path) -> dict | None:
    """`head`, answered from the folder's listing where there is one: for objects never rewritten, which
    this process asks about before it writes them (the raw archive)."""
    found = listing(path)
    return found.get(str(path)) if found is not None else head(path)


def listing(path: Path) -> dict[str, dict] | None:
    """The objects directly in `path`'s folder, listed once while this process holds the lock, by URL (None
    where it does not hold it, outside the data folder, or for a store other than S3)."""
    global _listings
    where = s3_key(path)
    if own_versions() is None or where is None or _locked is None or not str(path).startswith(_locked):
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


def asked_version(path: Path) -> str | None:
    try:
        found = head(path)
    except (OSError, KeyError):
        return None
    return found["version"] if found and found["version"] else None


def keep_copy(path: Path, local: Path, version: str | None, link: bool = False) -> Path | None:
    if version is None:
        return None
    folder, name = object_cache(path)
    folder.mkdir(parents=True, exist_ok=True)
    kept = local_file(folder, f"{name}-{version}")
    replaced = _replaced_copies()
    for older in folder.glob(f"{name}-*"):
        if older == kept:
            continue  # the same version: the same bytes
        if replaced is None:
            older.unlink(missing_ok=True)
        else:
            replaced.add(older)
    if replaced is not None:
        replaced.discard(kept)  # a version replaced earlier in this hold, written again
    if folder not in _swept:
        _swept.add(folder)
        _sweep(folder)
    if link:
        with contextlib.suppress(OSError):
            os.link(local, kept)
    else:
        os.replace(local, kept)
    return kept


def _sweep(folder: Path) -> None:
    """Remove the copies older than CACHE_SECONDS: once while the lock is held, not at each write."""
    for stale in folder.iterdir():
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > CACHE_SECONDS:
                stale.unlink()


def kept_copy(path: Path) -> Path | None:
    """The local copy of the object's current version, if this machine wrote it."""
    folder, name = object_cache(path)
    if not any(folder.glob(f"{name}-*")):
        return None
    version = current_version(path)
    if version is None:
        return None
    kept = local_file(folder, f"{name}-{version}")
    return kept if kept.exists() else None
