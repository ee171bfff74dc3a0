"""The deadline calendar, read like any other source: the published table once there is one, else the
calendar as the sources have it (before the first publication, a run needs an edition to draft). A run
that reads the calendar's file again is dated by that file if it reads (`sources_first`)."""

from __future__ import annotations

from pathlib import Path

from pipeline.contract import CALENDAR, TABLES
from pipeline.deadlines import Deadline, deadlines_from
from pipeline.editions import Edition, editions_from
from pipeline.problems import SourceError
from pipeline.readers import find_sources, read_table
from pipeline.store import Store


def _in_sources(sources: Path) -> list[dict] | None:
    table = TABLES[CALENDAR]
    try:
        return read_table(find_sources(sources, table), table).to_pylist()
    except SourceError:
        return None


def calendar_rows(store: Store, sources: Path, sources_first: bool = False) -> list[dict]:
    """The published calendar (`sources_first`: the sources' if it reads); before anything is published,
    the calendar in the sources if it reads; else none."""
    if sources_first and (rows := _in_sources(sources)) is not None:
        return rows
    if store.published.exists(CALENDAR):
        return store.published.read(CALENDAR).to_pylist()
    return _in_sources(sources) or []


def editions_of(store: Store, sources: Path, sources_first: bool = False) -> list[Edition]:
    return editions_from(calendar_rows(store, sources, sources_first))


def deadlines_of(store: Store, sources: Path) -> list[Deadline]:
    return deadlines_from(calendar_rows(store, sources))
