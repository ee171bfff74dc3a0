"""What the drafts leave for the next draft: the key figures each draft stated (for its list of changes)
and the charts drawn (reused while their rows are unchanged), and where the drafts are written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from pipeline.paths import Data, dossier_file, draft_file
from pipeline.store.files import read_table, write_parquet

KEPT = ["figure", "value", "as_of"]


def _drafted_on(kept: Path) -> dt.date:
    """The day a kept set of figures was drafted, from its name (key_figures-<UTC stamp>.parquet)."""
    return dt.datetime.strptime(kept.stem.removeprefix("key_figures-")[:8], "%Y%m%d").date()


class History:
    def __init__(self, layout: Data, reports: Path | None = None):
        self.layout, self.reports = layout, reports

    def keep_figures(self, edition: str, figures: pa.Table) -> Path:
        """The key figures a draft states, kept for the next draft's list of changes."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        return write_parquet(self.layout.kept_figures(edition, stamp), figures)

    def last_figures(self, edition: str, columns: list[str]) -> pa.Table | None:
        """The key figures of the edition's last draft; None before its first draft."""
        kept = sorted(self.layout.history(edition).glob("key_figures-*.parquet"))
        return read_table(kept[-1], columns=columns) if kept else None

    def issued_record(self, edition: str, due: dt.date | None, cutoff: dt.date | None) -> Path | None:
        """The kept key figures that stand as the edition issued: those of its last draft made on or before its
        due date; or, drafted only later (a backfill), of its first draft counted as of its cut-off. A redraft
        after that leaves them be. None when it was never drafted so here."""
        kept = sorted(self.layout.history(edition).glob("key_figures-*.parquet"))
        by_then = [p for p in kept if due is None or _drafted_on(p) <= due]
        if by_then:
            return by_then[-1]
        for path in kept:
            figures = read_table(path, columns=["as_of"])
            if figures.num_rows and figures.column("as_of")[0].as_py() == cutoff:
                return path
        return None

    def issued_figures(self, edition: str, due: dt.date | None, cutoff: dt.date | None) -> pa.Table | None:
        """The key figures of the edition as issued (issued_record)."""
        record = self.issued_record(edition, due, cutoff)
        return read_table(record, columns=KEPT) if record is not None else None

    @property
    def charts(self) -> Path:
        return self.layout.charts

    def dossier(self, as_of: dt.date) -> Path:
        assert self.reports is not None, "a drafts folder is needed to write the dossier"
        return dossier_file(self.reports, as_of)

    def draft(self, as_of: dt.date, language: str = "en") -> Path:
        """The draft in English, or in another official language (SG-report-draft-<D>-fr.docx)."""
        assert self.reports is not None, "a drafts folder is needed to write the draft"
        return draft_file(self.reports, as_of, language)
