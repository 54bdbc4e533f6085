"""The one object that owns a shop's DuckDB file.

One root connection per process and file; a cursor per unit of work. Writes go through `transaction()`, which
holds a process-wide lock: DuckDB would otherwise abort one of two concurrent writers of the same row, while
logical conflicts (two staff editing one order) are caught by the orders' version numbers instead.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.schema import MIGRATIONS

_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()
# Called with a store as it closes: what other modules keep in memory for an open database (core.services.comments) goes
# with it.
_closing_hooks: list[Callable[[Store], None]] = []


def when_closed(hook: Callable[[Store], None]) -> None:
    if hook not in _closing_hooks:
        _closing_hooks.append(hook)


def close_all() -> None:
    """Closes every store this process opened (a command ends: DuckDB checkpoints, memory kept for them goes)."""
    with _stores_lock:
        stores = list(_stores.values())
    for store in stores:
        store.close()


class Store:
    def __init__(self, path: str):
        self.path = str(path)
        # Names this open database in process-wide caches (core.services.comments): a file closed and opened again, or made
        # anew at the same path, starts with empty caches.
        self.cache_key = f"{self.path}#{uuid.uuid4().hex}"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._root = duckdb.connect(self.path)
        # Checkpoint less often than DuckDB's 16 MB default: a busy live or a large file would otherwise rewrite
        # the growing file every few batches. The WAL replays on restart, so nothing committed is lost.
        self._root.execute("SET checkpoint_threshold = '256MB'")
        self._write_lock = threading.RLock()
        self.migrate()

    # -- units of work -------------------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._root.cursor()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads outside any transaction of the caller's, closed afterwards."""
        cur = self._root.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._write_lock:
            cur = self._root.cursor()
            try:
                cur.begin()
                yield cur
                cur.commit()
            except BaseException:
                try:
                    cur.rollback()
                except duckdb.Error:
                    pass  # the transaction was already aborted by DuckDB
                raise
            finally:
                cur.close()

    def query(self, sql: str, params: Any = None) -> list[dict]:
        """Rows as dicts, from a short-lived cursor (reads see committed data)."""
        cur = self.cursor()
        try:
            result = cur.execute(sql, params or [])
            columns = [d[0] for d in result.description]
            return [dict(zip(columns, row)) for row in result.fetchall()]
        finally:
            cur.close()

    def frame(self, sql: str, params: Any = None):
        cur = self.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: Any = None):
        cur = self.cursor()
        try:
            row = cur.execute(sql, params or []).fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    # -- schema ----------------------------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; returns the versions applied now."""
        applied_now: list[int] = []
        with self._write_lock:
            cur = self._root.cursor()
            try:
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
                )
                done = {row[0] for row in cur.execute("SELECT version FROM schema_migrations").fetchall()}
                for version, name, sql in MIGRATIONS:
                    if version in done:
                        continue
                    cur.begin()
                    try:
                        cur.execute(sql)
                        cur.execute(
                            "INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utc_now()]
                        )
                        cur.commit()
                    except BaseException:
                        cur.rollback()
                        raise
                    applied_now.append(version)
            finally:
                cur.close()
        return applied_now

    def close(self) -> None:
        with _stores_lock:
            if _stores.get(self.path) is self:
                del _stores[self.path]
        for hook in _closing_hooks:
            hook(self)
        self._root.close()


def register(cur, name: str, table) -> None:
    """Registers an Arrow table or DataFrame on a cursor for INSERT ... SELECT.

    DuckDB refuses to register while an earlier statement's result is still open (a fetchone() leaves it so):
    run that result to its end first.
    """
    cur.complete()
    cur.register(name, table)


def open_store(path: str) -> Store:
    """The process's one Store for this file (created, and migrated, on first use)."""
    key = str(Path(path).resolve()) if path != ":memory:" else path
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = Store(key)
            _stores[key] = store
        return store


# -- when the file cannot be used ------------------------------------------------------------------------------
# DuckDB says what is wrong only in its message (an IOException for all of these); the words it uses, by problem.
# Most specific first: a lock held elsewhere also reads as an I/O error.
_OPEN_FAILURES = (
    ("held", ("could not set lock", "conflicting lock")),
    ("full", ("no space left", "disk is full", "disk full", "out of disk space", "quota exceeded")),
    ("read_only", ("read-only file system", "permission denied", "read only", "read-only")),
    ("truncated", ("could not read enough bytes", "unexpected end of file")),
    ("corrupt", ("not a valid duckdb database", "checksum", "corrupt", "failure while replaying wal",
                 "serialization error", "invalid block", "malformed")),
)


def describe_open_failure(error: BaseException, path: str = "") -> Text:
    """What is wrong with the shop's database file, and what to do, from the error opening (or writing) it gave:
    held by another process, disk full, read-only, truncated, corrupt, or else the error's own first line. The
    app's page and the command line say the same sentence."""
    message = str(error)
    lowered = message.lower()
    where = path or _path_in(message)
    for problem, words in _OPEN_FAILURES:
        if any(word in lowered for word in words):
            return Text(f"database.{problem}", path=where)
    first_line = (message.strip().splitlines() or [type(error).__name__])[0][:300]
    return Text("database.cannot_open", path=where, detail=first_line)


def file_problem(error: BaseException) -> Text | None:
    """The sentence of describe_open_failure when `error` is the database file's own trouble (held, full,
    read-only, truncated, corrupt) met while the app runs; None for any other error."""
    if not isinstance(error, (duckdb.Error, OSError)):
        return None
    described = describe_open_failure(error)
    return None if described.key == "database.cannot_open" else described


def _path_in(message: str) -> str:
    start = message.find('"')
    end = message.find('"', start + 1)
    return message[start + 1:end] if 0 <= start < end else "?"
