"""The store: the data folder and the drafts folder as the pipeline reads and writes them. Paths are
pipeline/paths.py's; this package only reads and writes, and knows nothing of the contract or the
catalogue.

    files.py        atomic writes, copies, Parquet reads, on disk or on an object store
    archive.py      the raw archive and the register of the files each table was read from
    staging.py      staged tables, their read problems and check results
    publication.py  the published set and the publication transaction (a manifest on an object store)
    history.py      what drafts leave for the next: key figures stated, charts drawn; the drafts' paths
    lock.py         one writer per data folder
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.paths import Data, location
from pipeline.store.archive import Archive
from pipeline.store.history import History
from pipeline.store.publication import PublishedSet
from pipeline.store.staging import Staging


@dataclass
class Store:
    """Everything the pipeline keeps, for one data folder (and its drafts folder)."""

    data: Path
    reports: Path | None = None
    layout: Data = field(init=False)
    archive: Archive = field(init=False)
    staging: Staging = field(init=False)
    published: PublishedSet = field(init=False)
    history: History = field(init=False)

    def __post_init__(self) -> None:
        self.data = location(self.data)
        self.reports = location(self.reports) if self.reports is not None else None
        self.layout = Data(self.data)
        self.archive = Archive(self.layout)
        self.staging = Staging(self.layout)
        self.published = PublishedSet(self.layout)
        self.history = History(self.layout, self.reports)


__all__ = ["Store"]
