"""Where everything is: the one module that names folders and files and joins their parts.

    sources/<family>/...                         the drafters' files (the calendar at the root)
    sources/returned/*.docx                      drafts returned by reviewers
    reports/template/[<language>/]               the drafters' words and Word template
    <data>/raw/<sha256>.<ext>                    every source file's bytes, kept once, never rewritten
    <data>/raw/register/<table>.parquet          the files each table was last read from, accepted or rejected
    <data>/staging/<table>.parquet               what ingest read, waiting for validation
    <data>/staging/<table>.problems.parquet      the problems met while reading it
    <data>/staging/checks/<table>.<check>.parquet  the validation results of the staged tables
    <data>/warehouse/<table>.parquet             published: only tables that passed every blocking check
    <data>/warehouse/editions/<edition>/key_figures.parquet  an edition's key figures
    <data>/warehouse/editions/<edition>/report_tables/<name>.parquet  the tables and series its draft states
    <data>/warehouse/manifest.json, objects/<set>/  the published set on an object store
    <data>/published.previous/                   the published set a publication replaced, until a draft is made
    <data>/drafts/<edition>/key_figures-<time>.parquet  the key figures of every draft of the edition
    <data>/drafts/charts/<chart>-<key>.png       each chart drawn, for the next draft of the same rows
    <reports>/SG-report-draft-<D>[-<language>].docx  the drafts
    <reports>/SG-report-draft-<D>-dossier.docx       the drafters' dossier beside them
    <reports>/SG-report-draft-<D>[-<language>].pdf   each draft as a tagged PDF, where LibreOffice is installed
    $DAGSTER_HOME (default ./.dagster_home)      run history, dagster.yaml, the run server's socket
    <temporary folder>/sgr-<kind>/               this machine's locks and caches for folders on an object store

A folder may be a local path or any URL fsspec reaches (`s3://bucket/prefix`), opened through
universal-pathlib; a local folder stays a plain `pathlib.Path`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = ROOT / "reports" / "template"
BUNDLED_SOURCES = ROOT / "sources"  # the illustrative sample (python -m pipeline.sample)
DEPLOY_DIR = ROOT / "deploy"
RUNTIME_DIR = ROOT / "runtime"
RETURNED = "returned"  # the folder of returned drafts, under the sources root
CALENDAR_FAMILY = "calendar"  # its one file sits at the sources root
TEMPORARY = ".tmp"  # the ending of every file being written; one left by a killed run is removed at the next
ENGLISH = "en"  # the template's own language: its words are at the template's root


def location(text: str | Path) -> Path:
    """A folder named in the settings: a URL (`s3://…`) as a universal path, anything else as a local one."""
    if isinstance(text, Path) or "://" not in str(text):
        return Path(text).resolve()
    from upath import UPath  # only where a URL is used: it imports fsspec

    # No listings cache: a sensor in a long-lived process would never see an object change.
    return UPath(str(text), use_listings_cache=False)


def is_remote(path: Path) -> bool:
    return type(path).__module__.startswith("upath.implementations")


def local_stand_in(path: Path, kind: str) -> Path:
    """A local folder standing for a remote one, for what only this machine needs (locks, caches)."""
    if not is_remote(path):
        return path
    name = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"sgr-{kind}" / name


def temporary_beside(path: Path) -> tuple[Path, str]:
    """The folder and name prefix of a temporary file that becomes `path` by a rename."""
    return path.parent, f".{path.name}."


def object_cache(path: Path) -> tuple[Path, str]:
    """Where this machine keeps its copies of an object it wrote: the folder, and the object's name there."""
    return local_stand_in(path, "objects").parent, hashlib.sha256(str(path).encode()).hexdigest()[:32]


def dagster_home() -> Path:
    """$DAGSTER_HOME; by default .dagster_home in the current folder."""
    return Path(os.environ.get("DAGSTER_HOME") or ".dagster_home").resolve()


def instance_file(home: Path, name: str = "dagster.yaml") -> Path:
    """A file of the Dagster home: dagster.yaml, its lock, the run server's socket and key."""
    return home / name


def package(name: str) -> Path:
    return ROOT / name


@dataclass(frozen=True)
class Sources:
    """The sources root: a folder per family, the calendar at the root, returned drafts in returned/."""

    root: Path

    def family(self, family: str) -> Path:
        return self.root if family == CALENDAR_FAMILY else self.root / family

    @property
    def returned(self) -> Path:
        return self.root / RETURNED

    def shown(self, path: Path) -> str:
        """A file as drafters and messages name it: relative to the sources root."""
        return path.relative_to(self.root).as_posix()

    def csv(self, family: str, table: str) -> Path:
        """The CSV file named after a table, in its family's folder: where a drafter puts it."""
        return self.family(family) / f"{table}.csv"

    def workbook(self, family: str, name: str) -> Path:
        return self.family(family) / f"{name}.xlsx"


WORD_FILES = ("summary.md", "chapters/*.md", "annexes/*.md")


@dataclass(frozen=True)
class Template:
    """The drafters' words, report.toml and Word template: English's at the root, each translation's in
    a folder named by its code."""

    root: Path = TEMPLATE_DIR

    def words(self, language: str = ENGLISH) -> Path:
        return self.root if language == ENGLISH else self.root / language

    def file(self, language: str, relative: str | Path) -> Path:
        return self.words(language) / relative

    def word_files(self, language: str = ENGLISH) -> list[Path]:
        """summary.md, chapters/*.md and annexes/*.md, relative to the language's folder."""
        folder = self.words(language)
        return sorted(path.relative_to(folder) for pattern in WORD_FILES for path in folder.glob(pattern))

    def chapters(self, language: str, kind: str) -> list[Path]:
        """The Markdown files of `chapters` or `annexes`, in order."""
        return sorted((self.words(language) / kind).glob("*.md"))

    def dossier_files(self) -> list[Path]:
        """The Markdown files of the drafters' dossier (dossier/*.md), in order: English only, the drafters'
        working language."""
        return sorted((self.root / "dossier").glob("*.md"))

    def word_template(self, language: str = ENGLISH) -> Path:
        """The language's report.docx; English's where it has none."""
        own = self.file(language, "report.docx")
        return own if own.exists() else self.file(ENGLISH, "report.docx")

    def shown(self, path: Path) -> str:
        """A template file as drafters and messages name it: `reports/template/fr/summary.md`."""
        return f"reports/template/{path.relative_to(self.root).as_posix()}" if path != self.root else "reports/template"


@dataclass(frozen=True)
class Data:
    """The data folder: raw archive, staging, the published set, the drafts' history and caches."""

    root: Path

    @property
    def remote(self) -> bool:
        return is_remote(self.root)

    # The raw archive and its register.
    @property
    def raw(self) -> Path:
        return self.root / "raw"

    def archived(self, sha256: str, suffix: str) -> Path:
        return self.raw / f"{sha256}{suffix.lower()}"

    def register(self, table: str) -> Path:
        return self.raw / "register" / f"{table}.parquet"

    # Staging.
    @property
    def staging(self) -> Path:
        return self.root / "staging"

    def staged(self, table: str) -> Path:
        return self.staging / f"{table}.parquet"

    def problems(self, table: str) -> Path:
        return self.staging / f"{table}.problems.parquet"

    def check_results(self, table: str, check: str) -> Path:
        return self.staging / "checks" / f"{table}.{check}.parquet"

    # The published set.
    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    def published(self, relative: str) -> Path:
        return self.warehouse / relative

    @staticmethod
    def table_file(name: str, edition: str | None = None) -> str:
        """A published table's name within the set: `<name>.parquet`, or an edition's own."""
        return f"editions/{edition}/{name}.parquet" if edition else f"{name}.parquet"

    @staticmethod
    def report_table_file(name: str, edition: str | None) -> str:
        return f"editions/{edition}/report_tables/{name}.parquet" if edition else f"report_tables/{name}.parquet"

    @property
    def manifest(self) -> Path:
        return self.warehouse / "manifest.json"

    def object_key(self, set_name: str, relative: str) -> str:
        return f"warehouse/objects/{set_name}/{relative}"

    @staticmethod
    def set_of(key: str) -> str:
        return key.split("/")[2]  # warehouse/objects/<set>/...

    @property
    def objects(self) -> Path:
        return self.warehouse / "objects"

    def unpublished(self, relative: str) -> Path:
        """What a name not yet in the manifest stands for: a path that does not exist."""
        return self.warehouse / "unpublished" / relative

    def at(self, key: str) -> Path:
        return self.root / key

    @property
    def previous(self) -> Path:
        """The published set a publication replaced, kept until a draft is made from the new one."""
        return self.root / "published.previous"

    @property
    def previous_manifest(self) -> Path:
        return self.root / "published.previous.json"

    # The drafts' history and the charts drawn.
    def history(self, edition: str) -> Path:
        return self.root / "drafts" / edition

    def kept_figures(self, edition: str, stamp: str) -> Path:
        return self.history(edition) / f"key_figures-{stamp}.parquet"

    @property
    def charts(self) -> Path:
        return local_stand_in(self.root, "charts") if self.remote else self.root / "drafts" / "charts"

    # This machine's own.
    @property
    def lock(self) -> Path:
        # A folder on an object store cannot be locked: its lock is this machine's.
        return local_stand_in(self.root, "locks") / ".lock"

    def scratch(self) -> Path:
        """This machine's folder for the local copies of archived objects."""
        return Path(tempfile.mkdtemp(prefix="sgr-scratch-"))


def chart_file(folder: Path, chart: str, key: str) -> Path:
    return folder / f"{chart}-{key[:32]}.png"


def chart_files(folder: Path, chart: str) -> list[Path]:
    return list(folder.glob(f"{chart}-*.png"))


def draft_file(reports: Path, as_of, language: str = ENGLISH) -> Path:
    """The draft in English, or in another official language (SG-report-draft-<D>-fr.docx)."""
    return reports / f"SG-report-draft-{as_of.isoformat()}{'' if language == ENGLISH else '-' + language}.docx"


def dossier_file(reports: Path, as_of) -> Path:
    """The drafters' dossier beside the draft of the same date."""
    return reports / f"SG-report-draft-{as_of.isoformat()}-dossier.docx"


def pdf_file(draft: Path) -> Path:
    """A draft as a tagged PDF, beside it."""
    return draft.with_suffix(".pdf")


def local_file(folder: Path | str, name: str) -> Path:
    """A file in a temporary folder of this machine's."""
    return Path(folder) / name


def rebased(path: Path, old_root: Path, new_root: Path) -> Path:
    """`path`'s place under `new_root` that it has under `old_root`: a tree copied or restored."""
    return new_root / path.relative_to(old_root)


def within(folder: Path, relative: str) -> Path:
    """A file named by its path relative to a watched folder (a sensor's cursor keeps those)."""
    return folder / relative


def relative_name(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()
