"""Dagster's SQLite event log, each database's connection kept open between events.

Dagster's own opens a new SQLAlchemy engine and connection for each event it stores, and most events
are stored in two databases (the run's and the index): about 750 connections for one `sgr draft`, a
second of its time on two cores (in write-ahead-log mode, opening a connection costs four times
what an event's commit does). This one keeps one connection per database, for the last few
databases used, and changes nothing else: the same files, tables, transactions and journal.

Dagster serialises this storage's connections under one lock, so a connection is never shared by two
threads at once. A connection is never used across a fork (runs forked by runtime/launcher.py):
a forked process drops its parent's without closing them and opens its own.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from dagster._config import StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool, QueuePool

TIMEOUT = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}  # Dagster's wait for a locked database

# Databases whose connection is kept: the index, the run under way and a few the UI reads.
KEPT = 8


class KeptConnectionsEventLogStorage(SqliteEventLogStorage):
    """The event log under `$DAGSTER_HOME/history/runs`, as Dagster's default SQLite one."""

    def __init__(self, home: str, inst_data=None):
        self._engines: dict[str, object] = {}  # by database, the least recently used first
        self._pid = os.getpid()
        super().__init__(os.path.join(home, "history", "runs", ""), inst_data)

    @classmethod
    def config_type(cls):
        return {"home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str):
        with self._db_lock:
            if shard not in self._initialized_dbs:
                # Dagster's first connection to a database creates it, with connections of its own.
                created = create_engine(self.conn_string_for_shard(shard), poolclass=NullPool, connect_args=TIMEOUT)
                self._initdb(created)
                created.dispose()
                self._initialized_dbs.add(shard)
            with self._engine(shard).connect() as connection, connection.begin():
                yield connection

    def _engine(self, shard: str):
        if os.getpid() != self._pid:
            for engine in self._engines.values():
                engine.dispose(close=False)  # the parent's: closing them here would close them there
            self._engines.clear()
            self._pid = os.getpid()
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=0,
                connect_args={**TIMEOUT, "check_same_thread": False},
            )
        self._engines[shard] = engine
        while len(self._engines) > KEPT:
            self._engines.pop(next(iter(self._engines))).dispose()
        return engine

    def _close_all(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_all()  # no open connection to a file being deleted
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()
