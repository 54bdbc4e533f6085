"""The read-only reporting copy: the shop's data, without secrets, in a folder beside the database, for the DuckDB
CLI, a notebook or a spreadsheet while the app runs (DuckDB lets one process open the shop's own file).

`data/chotdon.duckdb` gets `data/chotdon.reporting/` holding `chotdon.duckdb` (a table per shop table, plus
`about_this_copy`) and one `<table>.parquet` per table. core.runtime.reporting refreshes it every few minutes;
the owner refreshes it from Reports too.

What goes in is decided per table (TABLES); a table of the shop that is not listed there is left out, so a new
table needs a decision before it appears (tests/integration/test_reporting_copy.py fails until it has one). Left
out: password hashes, sessions, the session signing key, login throttling, Facebook Page tokens, and the outbox's
stored requests and answers (a target may echo credentials). Times are as stored: naive UTC.

Every file is written under a temporary name in the folder and then renamed over the old one, so a reader opens
either the previous whole file or the new whole file, never half of one.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.base import config
from core.base.errors import InvalidInput
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain.users import User, require_owner

COPY_FILE = "chotdon.duckdb"
ABOUT_TABLE = "about_this_copy"
EVERY_COLUMN = None

# The shop's tables, and which of their columns go into the copy (EVERY_COLUMN: all but any whose name says it
# holds a secret, SECRET_NAME). Tables not listed here stay out; LEFT_OUT says why for the ones known to.
TABLES: dict[str, tuple[str, ...] | None] = {
    "livestreams": EVERY_COLUMN,
    "live_items": EVERY_COLUMN,
    "code_aliases": EVERY_COLUMN,
    "users": ("id", "username", "display_name", "role", "active"),  # no password hash, no language setting
    "customers": EVERY_COLUMN,
    "comments": EVERY_COLUMN,
    "orders": EVERY_COLUMN,
    "order_lines": EVERY_COLUMN,
    "order_events": EVERY_COLUMN,
    # What was pushed where and how it went; not the payload, the stored answers and problems (a server may echo
    # an Authorization header), the idempotency key or the delivery lease.
    "outbox": ("id", "order_id", "target", "action", "state", "tries", "tries_at_last_retry", "in_doubt",
               "remote_ref", "caused_by", "next_try_at", "created_at", "updated_at", "delivered_at", "comment_id"),
    "outbox_attempts": ("id", "outbox_id", "happened_at", "status_code", "duration_ms"),
    "facebook_sources": ("livestream_id", "polled_through", "updated_at"),  # not the Page token
    "carriers": EVERY_COLUMN,
    "shipments": EVERY_COLUMN,
    "saved_queries": EVERY_COLUMN,
    "livestream_on_duty": EVERY_COLUMN,
    "staff_rotation": EVERY_COLUMN,
    "answer_settings": EVERY_COLUMN,  # which answers each livestream sends on Facebook, and their templates
    "shop_settings": EVERY_COLUMN,  # named shop-wide settings (answers per minute): no secret is kept there
}
LEFT_OUT: dict[str, str] = {
    "app_secrets": "the session cookie's signing key",
    "sessions": "who is logged in, and their session ids' hashes",
    "login_limits": "wrong-password counts and locks, by user name and by address",
    "schema_migrations": "the app's own bookkeeping",
}
SECRET_NAME = re.compile(r"password|token|secret|hash|signature|credential|session", re.IGNORECASE)

_refreshing = threading.Lock()  # one refresh at a time in this process (the worker and the Reports button)


@dataclass(frozen=True)
class CopyRefreshed:
    folder: Path
    tables: tuple[str, ...]
    refreshed_at: datetime  # UTC
    seconds: float


def folder_for(store: Store) -> Path:
    """`data/chotdon.duckdb` -> `data/chotdon.reporting`."""
    if store.path == ":memory:":
        raise InvalidInput("reporting.no_file")
    path = Path(store.path)
    return path.with_name(f"{path.stem}.reporting")


def last_refreshed(store: Store) -> datetime | None:
    """When the copy beside this database was last written (UTC), or None when there is none yet."""
    try:
        moment = (folder_for(store) / COPY_FILE).stat().st_mtime
    except (OSError, InvalidInput):
        return None
    return datetime.fromtimestamp(moment, UTC).replace(tzinfo=None)


def refresh(store: Store, *, by: User) -> CopyRefreshed:
    """Writes the reporting copy anew from one snapshot of the shop (the owner's, or the app's own worker's)."""
    require_owner(by, Text("reporting.to_refresh"))
    folder = folder_for(store)
    with _refreshing:
        started = time.perf_counter()
        folder.mkdir(parents=True, exist_ok=True)
        for leftover in folder.glob(".*.tmp"):  # from a refresh cut off midway
            leftover.unlink(missing_ok=True)
        stamp = uuid.uuid4().hex[:12]
        temporary_copy = folder / f".{COPY_FILE}.{stamp}.tmp"
        alias = f"chotdon_reporting_{stamp}"
        now = utc_now()
        cur = store.cursor()
        try:
            selects = _selects(cur)
            cur.execute(f"ATTACH '{_sql_path(temporary_copy)}' AS {alias}")
            try:
                # One read snapshot of the shop for every table; the only database written is the copy.
                cur.begin()
                for table, select in selects.items():
                    cur.execute(f'CREATE TABLE {alias}."{table}" AS {select}')
                cur.execute(f"CREATE TABLE {alias}.{ABOUT_TABLE} AS SELECT ?::TIMESTAMP AS refreshed_at_utc, "
                            "?::VARCHAR AS shop_time_zone, ?::VARCHAR[] AS tables_copied",
                            [now, config.timezone_name(), list(selects)])
                cur.commit()
                parquet = {}
                for table in selects:
                    parquet[table] = folder / f".{table}.parquet.{stamp}.tmp"
                    cur.execute(f"COPY {alias}.\"{table}\" TO '{_sql_path(parquet[table])}' "
                                "(FORMAT parquet, COMPRESSION zstd)")
                cur.execute(f"CHECKPOINT {alias}")
            finally:
                cur.execute(f"DETACH DATABASE IF EXISTS {alias}")
        finally:
            cur.close()
        for table, written in parquet.items():
            os.replace(written, folder / f"{table}.parquet")
        os.replace(temporary_copy, folder / COPY_FILE)
        # A log left by someone who wrote to the previous copy would be replayed into this one: it goes.
        (folder / f"{COPY_FILE}.wal").unlink(missing_ok=True)
        for stale in folder.glob("*.parquet"):  # a table no longer copied
            if stale.stem not in selects:
                stale.unlink(missing_ok=True)
        return CopyRefreshed(folder, tuple(selects), now, time.perf_counter() - started)


def fingerprint(store: Store) -> tuple:
    """What the copy would hold, in a few numbers: each copied table's row count and the sum of its rows' hashes.
    Equal fingerprints mean an equal copy, so the worker skips a refresh that would write the same files (a
    refresh of a shop with a million comments costs seconds of CPU; this costs a fraction of one)."""
    with store.reading() as cur:
        selects = _selects(cur)
        parts = [f"(SELECT [count(*)::HUGEINT, coalesce(sum(hash(t)), 0)::HUGEINT] FROM ({select}) t)"
                 for select in selects.values()]
        return tuple(selects), tuple(cur.execute("SELECT " + ", ".join(parts)).fetchone()) if parts else ()


def _selects(cur) -> dict[str, str]:
    """The SELECT of every table that goes into the copy, over the columns it keeps."""
    columns: dict[str, list[str]] = {}
    for table, column in cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = 'main' "
            "ORDER BY table_name, ordinal_position").fetchall():
        columns.setdefault(table, []).append(column)
    selects = {}
    for table, kept in TABLES.items():
        if table not in columns:
            continue
        chosen = [c for c in columns[table] if not SECRET_NAME.search(c)] if kept is EVERY_COLUMN \
            else [c for c in kept if c in columns[table]]
        selects[table] = "SELECT " + ", ".join(f'"{c}"' for c in chosen) + f' FROM "{table}"'
    return selects


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
