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
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.catalogue import KEY_FIGURES_SCHEMA, PREVIOUS_FIGURES
from pipeline.contract import TABLES
from pipeline.problems import Problem
from pipeline.store import (
    TEMPORARY,
    UMASK,  # noqa: F401  (imported from here by earlier code)
    copy,
    is_remote,
    local_stand_in,
    location,
    parquet_file,
    publishable,
    read_table,
    remove_tree,
    temporary_file,
    write_atomically,
)

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


def remove_leftovers(*folders: Path) -> list[Path]:
    """Temporary files a killed run left behind; called with the data folder locked, so none is in use."""
    removed = []
    for folder in folders:
        # An object store has none: its temporary files are this machine's.
        for path in folder.rglob(f".*{TEMPORARY}") if not is_remote(folder) and folder.is_dir() else []:
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new_set() -> str:
    """A name for a set of objects written together: in time order, and unique across machines."""
    return f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}"


def _copied(manifest: dict) -> dict:
    return {"objects": dict(manifest["objects"]), "sha256": dict(manifest["sha256"])}


def _set_of(key: str) -> str:
    return key.split("/")[2]  # warehouse/objects/<set>/...


# Derived for one report edition (pipeline/editions.py), kept apart for each.
DERIVED = ("key_figures",)


MANIFEST = "manifest.json"
# On an object store, the objects an earlier manifest named stay for readers still reading them: those of
# the last RECENT_SETS manifests, and of every manifest replaced less than KEPT_FOR ago.
RECENT_SETS = 3
KEPT_FOR = dt.timedelta(hours=1)


class Warehouse:
    def __init__(self, data_dir: Path | str, reports_dir: Path | str | None = None, edition: str | None = None):
        self.root = location(data_dir)
        self.reports = location(reports_dir) if reports_dir is not None else None
        self.edition = edition
        self.remote = is_remote(self.root)
        self._published = self.root / "warehouse"
        self._staging = self.root / "staging"
        self._raw = self.root / "raw"
        self._charts = local_stand_in(self.root, "charts") if self.remote else self.root / "drafts" / "charts"
        self._history = self.root / "drafts" / (edition or "")
        self._derived = f"editions/{edition}/" if edition else ""
        self._previous = self.root / "published.previous"
        self._set: dict | None = None  # the manifest read, on an object store
        self._pending: dict | None = None  # the objects of a publication under way
        self._scratch: tempfile.TemporaryDirectory | None = None

    def of_edition(self, edition: str) -> Warehouse:
        """The same folders, with what is derived read and written for one report edition."""
        return Warehouse(self.root, self.reports, edition)

    # Published tables.
    def path(self, table: str) -> Path:
        return self._resolve(f"{self._derived if table in DERIVED else ''}{table}.parquet")

    def write(self, name: str, table: pa.Table) -> Path:
        return self._put(f"{self._derived if name in DERIVED else ''}{name}.parquet", table)

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        return read_table(self.path(name), columns=columns)

    def has_published(self) -> bool:
        return self.path("source_files").exists()

    def publish(self, table: str) -> Path:
        """Copy a staged table into the warehouse, atomically."""
        if self.remote:
            return self._place(f"{table}.parquet", lambda target: copy(self.staged(table), target))
        return write_atomically(self.path(table), lambda p: shutil.copyfile(self.staged(table), p))

    # On disk, each file of warehouse/ is replaced by a rename. On an object store, where a set of
    # objects cannot be replaced at once, warehouse/manifest.json names the object that stands for each
    # file; objects are written under a new prefix, never over one a reader may be reading, and the
    # manifest, one object replaced whole by one PUT, is written last: a reader who reads the manifest
    # first reads the old set or the new one, never a mix. Objects no manifest kept names are removed.
    def _resolve(self, relative: str) -> Path:
        if not self.remote:
            return self._published / relative
        key = (self._pending or self._manifest())["objects"].get(relative)
        return self.root / key if key else self._published / "unpublished" / relative

    def _put(self, relative: str, table: pa.Table) -> Path:
        if not self.remote:
            return write_parquet(self._published / relative, table)
        with tempfile.TemporaryDirectory(prefix="sgr-put-") as folder:
            local = Path(folder) / "table.parquet"
            pq.write_table(table, local, compression="zstd")
            with open(local, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            if (self._pending or self._manifest())["sha256"].get(relative) == digest:
                return self._resolve(relative)  # these bytes are published already: the set is unchanged
            # Through write_atomically, which keeps a local copy for the steps that read it next.
            upload = lambda target: write_atomically(target, lambda p: os.replace(local, p))  # noqa: E731
            return self._place(relative, upload, digest)

    def _place(self, relative: str, write, digest: str | None = None) -> Path:
        pending = self._pending or {"set": _new_set(), **_copied(self._manifest())}
        key = f"warehouse/objects/{pending['set']}/{relative}"
        write(self.root / key)
        pending["objects"][relative] = key
        pending["sha256"].pop(relative, None)
        pending["sha256"] |= {relative: digest} if digest else {}
        if self._pending is None:
            self._commit(pending)
        return self.root / key

    def _manifest(self) -> dict:
        if self._set is None:
            path = self._published / MANIFEST
            self._set = json.loads(path.read_text()) if path.exists() else {}
            self._set = {"objects": {}, "sha256": {}, "recent": [], **self._set}
        return self._set

    def _commit(self, published: dict, recent: list | None = None) -> None:
        objects = published["objects"]
        now = dt.datetime.now(dt.UTC)
        entry = {"replaced": None, "sets": sorted({_set_of(key) for key in objects.values()})}
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
        write_atomically(self._published / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=1)))
        self._set = manifest

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

    # The published set is the last one a draft was made from: what a publication replaces is kept aside
    # (hard links, so it costs no copy; on an object store, its manifest) until a draft is made from the
    # new set, and put back if none can be.
    def keep_published(self) -> None:
        """Before a publication, unless an earlier one has not yet been drafted (then that one's is kept)."""
        if self.remote:
            kept = self.root / "published.previous.json"
            if not kept.exists():
                write_atomically(kept, lambda p: p.write_text(json.dumps(self._manifest())))
            return
        if self._previous.exists():
            return
        self._previous.mkdir(parents=True)
        for path in self._files(self._published):
            copy(path, self._previous / path.relative_to(self._published))

    def drafted(self) -> None:
        """A draft was made from the published set: it stands."""
        if not self.remote:
            remove_tree(self._previous)
            return
        (self.root / "published.previous.json").unlink(missing_ok=True)
        self._collect()

    def restore_published(self) -> bool:
        """Put back the set from before the publication no draft could be made from; whether there was one."""
        if self.remote:
            kept = self.root / "published.previous.json"
            if not kept.exists():
                return False
            self._set = None
            self._commit({"sha256": {}, **json.loads(kept.read_text())}, self._manifest()["recent"])
            kept.unlink()
            return True
        if not self._previous.exists():
            return False
        for path in self._files(self._published):
            if not (self._previous / path.relative_to(self._published)).exists():
                path.unlink()
        for kept in self._files(self._previous):
            target = self._published / kept.relative_to(self._previous)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(kept, target)
        remove_tree(self._previous)
        return True

    def _collect(self) -> None:
        """Remove the objects no manifest kept in `recent` names (RECENT_SETS, KEPT_FOR)."""
        self._set = None
        kept = {s for entry in self._manifest()["recent"] for s in entry["sets"]}
        folder = self._published / "objects"
        for path in folder.iterdir() if folder.exists() else []:
            if path.name not in kept:
                remove_tree(path)

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
        return read_table(self.staged(table), columns=columns)

    def staged_batches(self, table: str, columns: list[str], rows: int) -> Iterator[pa.Table]:
        """A staged table `rows` at a time, so that a large one is never held whole; at least one batch."""
        staged = parquet_file(self.staged(table))
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
        rows = read_table(self._problems(table)).to_pylist()
        return [Problem(r["file"], r["rule"], r["sheet"], r["line"], r["column"], r["value"]) for r in rows]

    def _problems(self, table: str) -> Path:
        return self._staging / f"{table}.problems.parquet"

    def check_results(self, table: str, check: str) -> Path:
        return self._staging / "checks" / f"{table}.{check}.parquet"

    # The raw archive and the register of the files each table was read from.
    def archive(self, source: Path) -> tuple[str, Path]:
        """Keep a source file's bytes once, under their SHA-256, never rewritten: copied and hashed in one
        pass, in bounded memory. Returns the SHA-256 and the kept copy, which is what gets read, so that
        the bytes counted are the bytes kept even if the file changes meanwhile. With the data on an object
        store, the copy read is a local one of the object kept, dated as that object."""
        digest = hashlib.sha256()
        folder = Path(self._scratch_dir()) if self.remote else self._raw
        folder.mkdir(parents=True, exist_ok=True)
        with temporary_file(folder, ".incoming.") as temporary:
            with source.open("rb") as original, open(temporary, "wb") as kept:
                for block in iter(lambda: original.read(1 << 20), b""):
                    digest.update(block)
                    kept.write(block)
            path = self.archived(digest.hexdigest(), source.suffix)
            if self.remote:
                if not path.exists():
                    path.fs.put_file(str(temporary), path.path)
                local = folder / path.name
                os.replace(temporary, local)
                first_seen = path.stat().st_mtime
                os.utime(local, (first_seen, first_seen))
                return digest.hexdigest(), local
            if not path.exists():
                publishable(temporary)
                os.replace(temporary, path)
        return digest.hexdigest(), path

    def _scratch_dir(self) -> str:
        """This machine's copies of archived objects, removed with the warehouse that made them."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="sgr-scratch-")
        return self._scratch.name

    def archived(self, sha256: str, suffix: str) -> Path:
        return self._raw / f"{sha256}{suffix.lower()}"

    def register(self, table: str) -> Path:
        return self._raw / "register" / f"{table}.parquet"

    def read_register(self, table: str, columns: list[str] | None = None) -> pa.Table:
        return read_table(self.register(table), columns=columns)

    def write_register(self, table: str, rows: list[dict]) -> Path:
        return write_parquet(self.register(table), pa.Table.from_pylist(rows, schema=REGISTER_SCHEMA))

    # The tables the draft states.
    def report_table(self, name: str) -> Path:
        return self._resolve(f"{self._derived}report_tables/{name}.parquet")

    def write_report_table(self, name: str, table: pa.Table) -> Path:
        return self._put(f"{self._derived}report_tables/{name}.parquet", table)

    def read_report_table(self, name: str) -> pa.Table:
        return read_table(self.report_table(name))

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
            return read_table(kept[-1], columns=columns)
        return KEY_FIGURES_SCHEMA.empty_table().select(columns)

    def charts(self) -> Path:
        return self._charts

    def draft(self, as_of: dt.date, language: str = "en") -> Path:
        """The draft in English, or in another official language (SG-report-draft-<D>-fr.docx)."""
        assert self.reports is not None, "a drafts folder is needed to write the draft"
        return self.reports / f"SG-report-draft-{as_of.isoformat()}{'' if language == 'en' else '-' + language}.docx"
