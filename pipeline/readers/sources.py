"""The files that feed a table, and what is refused before anything is read: a file outside the sources
root (a link, a linked folder), a name the draft could not cite, a file over the size limit."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import pyarrow as pa

from pipeline.contract import CALENDAR, Table
from pipeline.limits import Limits, over
from pipeline.paths import Sources
from pipeline.problems import Problem

CONTROL = re.compile("[\x00-\x1f\x7f]")  # in a file's name, which the draft cites


@dataclass(frozen=True)
class SourceFile:
    """A file in a family folder; once archived, read from its archived copy (`kept`), so that the bytes
    counted are the bytes kept under their SHA-256."""

    path: Path
    root: Path
    digest: str | None = None
    kept: Path | None = None

    @property
    def name(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def readable(self) -> Path:
        return self.kept or self.path

    @cached_property
    def size(self) -> int:
        return self.readable.stat().st_size

    @cached_property
    def sha256(self) -> str:
        if self.digest:
            return self.digest
        with self.readable.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()

    def archived(self, sha256: str, copy: Path) -> SourceFile:
        return replace(self, digest=sha256, kept=copy)


def refusal(source: SourceFile, limit: Limits) -> Problem | None:
    """Why a file is not read at all: it lies outside the sources root, its name cannot be cited, or it is
    too large. Such a file is neither read nor archived."""
    real, root = source.path.resolve(), source.root.resolve()
    if not real.is_relative_to(root):
        return Problem(source.name, f"a link to {real}, outside the sources root: copy the file into the sources")
    if CONTROL.search(source.name):
        return Problem(repr(source.name)[1:-1], "a control character in the file's name: rename the file")
    if source.size > limit.file_bytes:
        return Problem(source.name, over("too large", source.size / 2**20, limit.file_mb, "MB", "file_mb"))
    return None


def find_sources(root: Path, table: Table) -> list[SourceFile]:
    """CSV files named after the table (`contributions.csv`, `contributions-2024.csv`) and every workbook of
    the table's family folder, or every XML file for a table read from them (IATI activity files); the file
    named exactly for the table first. A file whose real place is outside
    the root (a link, a linked folder) is found, to be refused by name (`refusal`)."""
    at_root = table.family == CALENDAR
    folder = Sources(root).family(table.family)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*") if at_root else folder.rglob("*")):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue
        suffix, stem = path.suffix.lower(), path.stem
        named_for_table = stem == table.name or stem.startswith(table.name + "-")
        if (
            (suffix == ".csv" and named_for_table and "csv" in table.formats)
            or (suffix == ".xlsx" and not at_root and "xlsx" in table.formats)
            or (suffix == ".xml" and "xml" in table.formats)
        ):
            found.append(SourceFile(path, root))
    return sorted(found, key=lambda f: (f.path.stem != table.name, f.name))


@dataclass
class Sheet:
    """Cells of one table from one file, as text, before typing."""

    source: SourceFile
    sheet: str | None
    header: list[str]
    cells: pa.Table
    lines: pa.Array
    note: str | None = None  # what the file held beside the table's rows ("12 activities: 1 funded by the Fund")
