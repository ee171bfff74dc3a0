"""The published set: the tables of warehouse/ that passed every blocking check, read and written as one
set, and the publication transaction that replaces it.

On disk, each file of warehouse/ is replaced by a rename. On an object store, where a set of objects
cannot be replaced at once, warehouse/manifest.json names the object that stands for each file;
objects are written under a new prefix, never over one a reader may be reading, and the manifest, one
object replaced whole by one PUT, is written last: a reader who reads the manifest first reads the old
set or the new one, never a mix. Objects no kept manifest names are removed.

The published set is the last one a draft was made from: what a publication replaces is kept aside
(hard links, so it costs no copy; on an object store, its manifest) until a draft is made from the new
set, and put back if none can be.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.paths import Data, local_file, rebased
from pipeline.store.files import (
    copy,
    exists,
    files_in,
    read_table,
    read_text,
    remove_tree,
    write_atomically,
    write_behind,
    write_parquet,
)
from pipeline.store.objects import settle_writes

# On an object store, the objects an earlier manifest named stay for readers still reading them: those of
# the last RECENT_SETS manifests, and of every manifest replaced less than KEPT_FOR ago.
RECENT_SETS = 3
KEPT_FOR = dt.timedelta(hours=1)
SOURCE_FILES = "source_files"  # written last by every publication: there is a published set once it exists


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new_set() -> str:
    """A name for a set of objects written together: in time order, and unique across machines."""
    return f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}"


def _copied(manifest: dict) -> dict:
    return {"objects": dict(manifest["objects"]), "sha256": dict(manifest["sha256"])}


class PublishedSet:
    def __init__(self, layout: Data):
        self.layout = layout
        self.remote = layout.remote
        self._set: dict | None = None  # the manifest read, on an object store
        self._pending: dict | None = None  # the objects of a publication under way

    # Reads and writes, by a table's name (and an edition's, for what is derived for one).
    def path(self, name: str, edition: str | None = None) -> Path:
        return self._resolve(Data.table_file(name, edition))

    def exists(self, name: str, edition: str | None = None) -> bool:
        if self.remote and Data.table_file(name, edition) not in (self._pending or self._manifest())["objects"]:
            return False  # the manifest does not name it: not published
        return exists(self.path(name, edition))

    def read(self, name: str, columns: list[str] | None = None, edition: str | None = None) -> pa.Table:
        return read_table(self.path(name, edition), columns=columns)

    def write(self, name: str, table: pa.Table, edition: str | None = None) -> Path:
        return self._put(Data.table_file(name, edition), table)

    def report_table(self, name: str, edition: str | None) -> Path:
        return self._resolve(Data.report_table_file(name, edition))

    def read_report_table(self, name: str, edition: str | None) -> pa.Table:
        return read_table(self.report_table(name, edition))

    def write_report_table(self, name: str, table: pa.Table, edition: str | None) -> Path:
        return self._put(Data.report_table_file(name, edition), table)

    def has_published(self) -> bool:
        return self.exists(SOURCE_FILES)

    def publish_staged(self, name: str, staged: Path) -> Path:
        """Copy a staged table into the set, atomically."""
        if self.remote:
            return self._place(Data.table_file(name), lambda target: copy(staged, target))
        return write_atomically(self.path(name), lambda p: shutil.copyfile(staged, p))

    def _resolve(self, relative: str) -> Path:
        if not self.remote:
            return self.layout.published(relative)
        key = (self._pending or self._manifest())["objects"].get(relative)
        return self.layout.at(key) if key else self.layout.unpublished(relative)

    def _put(self, relative: str, table: pa.Table) -> Path:
        if not self.remote:
            return write_parquet(self.layout.published(relative), table)
        with tempfile.TemporaryDirectory(prefix="sgr-put-") as folder:
            local = local_file(folder, "table.parquet")
            pq.write_table(table, local, compression="zstd")
            with open(local, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            if (self._pending or self._manifest())["sha256"].get(relative) == digest:
                return self._resolve(relative)  # these bytes are published already: the set is unchanged
            # Kept as a local copy for the steps that read it next, and uploaded meanwhile: the manifest waits.
            upload = lambda target: write_behind(target, lambda p: os.replace(local, p))  # noqa: E731
            return self._place(relative, upload, digest)

    def _place(self, relative: str, write: Callable[[Path], object], digest: str | None = None) -> Path:
        pending = self._pending or {"set": _new_set(), **_copied(self._manifest())}
        key = self.layout.object_key(pending["set"], relative)
        write(self.layout.at(key))
        pending["objects"][relative] = key
        pending["sha256"].pop(relative, None)
        pending["sha256"] |= {relative: digest} if digest else {}
        if self._pending is None:
            self._commit(pending)
        return self.layout.at(key)

    def _manifest(self) -> dict:
        if self._set is None:
            path = self.layout.manifest
            self._set = json.loads(read_text(path)) if exists(path) else {}
            self._set = {"objects": {}, "sha256": {}, "recent": [], **self._set}
        return self._set

    def _commit(self, published: dict, recent: list | None = None) -> None:
        objects = published["objects"]
        now = dt.datetime.now(dt.UTC)
        entry = {"replaced": None, "sets": sorted({Data.set_of(key) for key in objects.values()})}
        earlier = [
            dict(e, replaced=e["replaced"] or now.isoformat())
            for e in (self._manifest()["recent"] if recent is None else recent)
        ]
        recent = [entry] + [
            e
            for n, e in enumerate(earlier)
            if n < RECENT_SETS - 1 or now - dt.datetime.fromisoformat(e["replaced"]) < KEPT_FOR
        ]
        manifest = {"published_at": _now(), "objects": objects, "sha256": published["sha256"], "recent": recent}
        settle_writes()  # every object the manifest names is in the store before it
        write_atomically(self.layout.manifest, lambda p: p.write_text(json.dumps(manifest, indent=1)))
        self._set = manifest

    # The transaction.
    @contextlib.contextmanager
    def publication(self):
        """Publish the tables written inside this together: on an object store, by one manifest at the end."""
        if not self.remote:
            yield
            return
        self._pending = {"set": _new_set(), **_copied(self._manifest())}
        try:
            yield
            if self._pending["objects"] != self._manifest()["objects"]:
                self._commit(self._pending)
        finally:
            self._pending = None

    def keep(self) -> None:
        """Before a publication, unless an earlier one has not yet been drafted (then that one's is kept)."""
        if self.remote:
            kept = self.layout.previous_manifest
            if not kept.exists():
                write_atomically(kept, lambda p: p.write_text(json.dumps(self._manifest())))
            return
        previous, published = self.layout.previous, self.layout.warehouse
        if previous.exists():
            return
        previous.mkdir(parents=True)
        for path in files_in(published):
            copy(path, rebased(path, published, previous))

    def drafted(self) -> None:
        """A draft was made from the published set: it stands."""
        if not self.remote:
            remove_tree(self.layout.previous)
            return
        self.layout.previous_manifest.unlink(missing_ok=True)
        self._collect()

    def restore(self) -> bool:
        """Put back the set from before the publication no draft could be made from; whether there was one."""
        if self.remote:
            kept = self.layout.previous_manifest
            if not kept.exists():
                return False
            self._set = None
            self._commit({"sha256": {}, **json.loads(kept.read_text())}, self._manifest()["recent"])
            kept.unlink()
            return True
        previous, published = self.layout.previous, self.layout.warehouse
        if not previous.exists():
            return False
        for path in files_in(published):
            if not rebased(path, published, previous).exists():
                path.unlink()
        for kept in files_in(previous):
            target = rebased(kept, previous, published)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(kept, target)
        remove_tree(previous)
        return True

    def _collect(self) -> None:
        """Remove the objects no manifest kept in `recent` names (RECENT_SETS, KEPT_FOR)."""
        self._set = None
        kept = {s for entry in self._manifest()["recent"] for s in entry["sets"]}
        folder = self.layout.objects
        for path in folder.iterdir() if folder.exists() else []:
            if path.name not in kept:
                remove_tree(path)

    @contextlib.contextmanager
    def only_if_drafted(self):
        """Derive and draft inside this: if they fail, the publication they follow is undone."""
        try:
            yield
        except BaseException:
            self.restore()
            raise
