"""The owner's ad-hoc SQL console: read-only SELECTs over documented views of the shop's data, and saved queries.

Why it is safe (docs/REPORTS.md says the same):
- A query never runs on the shop's connection. The shop's root connection cannot be made read-only (the app
  writes through it), and a cursor of it could ATTACH, COPY or UPDATE. Instead, each run copies the views the
  query names out of the shop (one read transaction, as Arrow tables: columns are chosen here, so password hashes
  and tokens never leave) into a fresh in-memory DuckDB connection. That connection is then locked down:
  no file system or network (enable_external_access = false refuses read_csv/read_parquet/read_json, glob, ATTACH,
  COPY, httpfs and extension installs), no extension autoloading, no Python variable lookups, a memory limit, no
  spilling to disk, and lock_configuration = true so that nothing in the query can SET any of it back.
- Before that, DuckDB's own parser must find exactly one statement and it must be a SELECT (SELECT, WITH, FROM-
  first, VALUES, DESCRIBE, SUMMARIZE, SHOW): INSERT, UPDATE, DELETE, DROP, CREATE, ATTACH, COPY, PRAGMA, SET,
  CALL, EXPLAIN ... are refused by statement type, not by string matching.
- A timer thread interrupts a query that runs longer than the time limit; results are capped at MAX_ROWS rows,
  read as a stream so that a huge result is never built.
Even a statement that slipped past the type check could only change a throwaway copy.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from core import config
from core.auth import User, require_owner
from core.errors import ChotdonError, InvalidInput, NotFound
from core.formatting import utc_now
from core.store import Store

MAX_ROWS = 10_000
TIME_LIMIT_SECONDS = 10.0
SANDBOX_MEMORY_LIMIT = "1GB"
MAX_NAME_LENGTH = 80


class ConsoleRefused(InvalidInput):
    """The console does not run this statement (not a single SELECT)."""


class ConsoleQueryFailed(ChotdonError):
    """DuckDB could not run the query: a syntax error, an unknown column, a refused file or network access."""


class ConsoleTimeout(ChotdonError):
    """The query ran longer than the console's time limit and was interrupted."""


# -- the views -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsoleView:
    name: str
    about: str
    columns: tuple[tuple[str, str], ...]  # (column, meaning); the SELECT below gives exactly these columns
    sql: str  # run on the shop's database; $zone is the shop's time zone


def _local(column: str) -> str:
    return f"timezone($zone, timezone('UTC', {column}))"


VIEWS: tuple[ConsoleView, ...] = (
    ConsoleView(
        "livestreams", "One row per livestream.",
        (("id", "livestream number"), ("title", "title"), ("platform", "facebook, tiktok or other"),
         ("status", "planned, live or ended"), ("started_at", "start (shop time)"), ("ended_at", "end (shop time)"),
         ("created_at", "when it was set up (shop time)")),
        f"SELECT id, title, platform, status, {_local('started_at')} AS started_at, "
        f"{_local('ended_at')} AS ended_at, {_local('created_at')} AS created_at FROM livestreams",
    ),
    ConsoleView(
        "items", "The items of each livestream (short code, price, stock).",
        (("id", "item id"), ("livestream_id", "livestream"), ("code", "short code, as set up"),
         ("name", "item name"), ("sku", "stock keeping unit"), ("price", "price in VND"),
         ("stock", "stock for the live (NULL = unlimited)"), ("sizes", "sizes offered (list)"),
         ("colors", "colors offered (list)"), ("position", "order on the setup screen")),
        "SELECT id, livestream_id, code, name, sku, price, stock, sizes, colors, position FROM live_items",
    ),
    ConsoleView(
        "customers", "Everyone who commented, with what staff know about them.",
        (("id", "customer id"), ("platform", "facebook, tiktok or other"),
         ("platform_user_id", "the customer's id on the platform"), ("display_name", "name on the platform"),
         ("phone", "phone"), ("address", "address"), ("province_code", "province code"), ("ward_code", "ward code"),
         ("street", "street"), ("tags", "tags (list)"), ("blacklisted", "on the blacklist"),
         ("blacklist_reason", "why"), ("staff_id", "staff in charge"), ("notes", "staff notes"),
         ("created_at", "first seen (shop time)")),
        "SELECT id, platform, platform_user_id, display_name, phone, address, province_code, ward_code, street, tags, "
        f"blacklisted, blacklist_reason, staff_id, notes, {_local('created_at')} AS created_at FROM customers",
    ),
    ConsoleView(
        "comments", "Every comment of every livestream.",
        (("id", "comment id"), ("livestream_id", "livestream"), ("customer_id", "who wrote it"),
         ("message", "the text"), ("commented_at", "when it was written (shop time)"),
         ("kind", "order, cancel, contact, question, review or none"),
         ("effect", "what it did: created, added, repeat, cancelled, contact, ... or none"),
         ("order_id", "the order it touched"), ("source", "where it came from (facebook, file, hand, demo, ...)")),
        f"SELECT id, livestream_id, customer_id, message, {_local('commented_at')} AS commented_at, kind, effect, "
        "order_id, source FROM comments",
    ),
    ConsoleView(
        "orders", "One row per order, with its value.",
        (("id", "order id"), ("code", "order code, as printed on bags"), ("livestream_id", "livestream"),
         ("customer_id", "customer"), ("status", "draft, awaiting_confirmation, awaiting_shipment, sent_to_shop, "
                                                 "shipped or cancelled"),
         ("staff_id", "staff in charge"), ("first_comment_at", "the customer's first order comment (shop time)"),
         ("receiver_name", "receiver"), ("receiver_phone", "receiver's phone"),
         ("receiver_address", "receiver's address"), ("note", "note"), ("subtotal", "lines, in VND"),
         ("shipping_fee", "shipping fee, VND"), ("discount", "discount, VND"),
         ("total", "subtotal + shipping - discount, VND"), ("payment", "cod or transfer"), ("carrier", "carrier"),
         ("tracking_number", "tracking number"), ("shipped_at", "shipped (shop time)"),
         ("created_at", "created (shop time)"), ("updated_at", "last change (shop time)")),
        "WITH t AS (SELECT order_id, sum(qty * unit_price)::BIGINT AS subtotal FROM order_lines GROUP BY order_id) "
        "SELECT o.id, o.code, o.livestream_id, o.customer_id, o.status, o.staff_id, "
        f"{_local('o.first_comment_at')} AS first_comment_at, o.receiver_name, o.receiver_phone, "
        "o.receiver_address, o.note, coalesce(t.subtotal, 0) AS subtotal, o.shipping_fee, o.discount, "
        "greatest(0, coalesce(t.subtotal, 0) + o.shipping_fee - o.discount) AS total, o.payment, o.carrier, "
        f"o.tracking_number, {_local('o.shipped_at')} AS shipped_at, {_local('o.created_at')} AS created_at, "
        f"{_local('o.updated_at')} AS updated_at FROM orders o LEFT JOIN t ON t.order_id = o.id",
    ),
    ConsoleView(
        "order_lines", "The lines of each order, with the item they are for.",
        (("id", "line id"), ("order_id", "order"), ("livestream_id", "livestream of the order"),
         ("item_id", "item (NULL while the typed code is unknown)"), ("code_typed", "short code as typed"),
         ("item_code", "the item's code"), ("item_name", "the item's name"), ("size", "size"), ("color", "color"),
         ("qty", "quantity claimed"), ("waitlisted_qty", "of which waiting for stock"),
         ("unit_price", "unit price, VND"), ("amount", "qty × unit price, VND"),
         ("claimed_at", "when it was claimed (shop time)"), ("source_comment_id", "the comment it came from")),
        "SELECT l.id, l.order_id, o.livestream_id, l.item_id, l.code_typed, i.code AS item_code, i.name AS item_name, "
        "l.size, l.color, l.qty, l.waitlisted_qty, l.unit_price, (l.qty * l.unit_price)::BIGINT AS amount, "
        f"{_local('l.claimed_at')} AS claimed_at, l.source_comment_id "
        "FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN live_items i ON i.id = l.item_id",
    ),
    ConsoleView(
        "staff", "Staff and the owner (no passwords).",
        (("id", "staff id"), ("username", "username"), ("display_name", "name"), ("role", "owner or staff"),
         ("active", "still working"), ("created_at", "added (shop time)")),
        f"SELECT id, username, display_name, role, active, {_local('created_at')} AS created_at FROM users",
    ),
)
VIEWS_BY_NAME = {view.name: view for view in VIEWS}

EXAMPLES: dict[str, str] = {
    "Orders and value per livestream": (
        "SELECT l.id, l.title, count(o.id) AS orders, sum(o.total) AS value\n"
        "FROM livestreams l LEFT JOIN orders o ON o.livestream_id = l.id AND o.status <> 'cancelled'\n"
        "GROUP BY ALL\nORDER BY l.id"
    ),
    "Best-selling items": (
        "SELECT item_code, item_name, sum(qty) AS units, sum(amount) AS value\n"
        "FROM order_lines JOIN orders ON orders.id = order_lines.order_id\n"
        "WHERE orders.status <> 'cancelled' AND item_code IS NOT NULL\n"
        "GROUP BY ALL\nORDER BY units DESC\nLIMIT 20"
    ),
    "Comments per hour of the day": (
        "SELECT hour(commented_at) AS hour, count(*) AS comments,\n"
        "       count(*) FILTER (WHERE kind = 'order') AS order_comments\n"
        "FROM comments\nGROUP BY hour\nORDER BY hour"
    ),
}


def schema() -> list[dict]:
    """The views as the console shows them beside the editor: view, column, meaning."""
    return [{"view": view.name, "column": column, "meaning": meaning}
            for view in VIEWS for column, meaning in view.columns]


# -- checking and running ------------------------------------------------------------------------------------
_SELECT_WORDS = "SELECT, WITH, FROM, VALUES, DESCRIBE, SUMMARIZE or SHOW"


def check_select(sql: str) -> str:
    """The statement to run, when `sql` is exactly one SELECT-type statement; else ConsoleRefused says why."""
    return _parse(sql)[0]


def _parse(sql: str) -> tuple[str, set[str] | None]:
    """(the statement, the table names it reads or None when the parser cannot tell), checked as above."""
    text = (sql or "").strip()
    if not text:
        raise ConsoleRefused("Type a SELECT query first.")
    # DuckDB's table-name lister binds table functions (it would open a file read_parquet names): locked too.
    parser = _locked_connection()
    try:
        try:
            statements = parser.extract_statements(text)
        except duckdb.Error as error:
            raise ConsoleQueryFailed(f"The query is not valid SQL: {_first_line(error)}") from None
        if not statements:
            raise ConsoleRefused("Type a SELECT query first.")
        if len(statements) > 1:
            raise ConsoleRefused(f"Run one statement at a time: this text has {len(statements)}.")
        kind = statements[0].type
        if kind != duckdb.StatementType.SELECT:
            raise ConsoleRefused(
                f"The console only runs read-only queries ({_SELECT_WORDS}): {kind.name} statements are refused, "
                "so nothing here can change the shop's data or settings."
            )
        try:
            names = {name.lower() for name in parser.get_table_names(text)}
        except duckdb.PermissionException as error:
            raise _refused_access(error) from None
        except duckdb.Error:
            names = None
        return text, names
    finally:
        parser.close()


@dataclass
class ConsoleResult:
    frame: pd.DataFrame
    truncated: bool  # more rows than MAX_ROWS: only the first ones are kept
    seconds: float
    row_cap: int

    @property
    def message(self) -> str:
        rows = len(self.frame)
        if self.truncated:
            return (f"Showing the first {rows:,} rows only: the result has more. Add a LIMIT, a WHERE or a GROUP BY "
                    f"to see what you need. ({self.seconds:.2f} s)")
        return f"{rows:,} row{'s' if rows != 1 else ''} in {self.seconds:.2f} s"


def run_query(store: Store, sql: str, *, by: User, time_limit: float = TIME_LIMIT_SECONDS,
              max_rows: int = MAX_ROWS) -> ConsoleResult:
    """Runs one read-only query on a locked-down copy of the views it names (see the module's docstring); the
    owner's only."""
    require_owner(by, "use the SQL console")
    text, names = _parse(sql)
    started = time.perf_counter()
    sandbox = _sandbox(store, [view for view in VIEWS if names is None or view.name in names])
    timer = threading.Timer(time_limit, _interrupt, [sandbox])
    timer.daemon = True
    try:
        timer.start()
        batches: list[pa.RecordBatch] = []
        rows = 0
        truncated = False
        reader = sandbox.sql(text).to_arrow_reader(2048)
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            if rows > max_rows:
                truncated = True
                break
        schema = reader.schema
    except duckdb.InterruptException:
        raise ConsoleTimeout(
            f"The query ran longer than {time_limit:g} s and was stopped. Narrow it with WHERE, LIMIT or fewer "
            "joins."
        ) from None
    except duckdb.PermissionException as error:
        raise _refused_access(error) from None
    except duckdb.Error as error:
        raise ConsoleQueryFailed(_first_line(error)) from None
    finally:
        timer.cancel()
        sandbox.close()
    table = _plain_numbers(pa.Table.from_batches(batches, schema=schema).slice(0, max_rows))
    return ConsoleResult(frame=table.to_pandas(), truncated=truncated, seconds=time.perf_counter() - started,
                         row_cap=max_rows)


def _sandbox(store: Store, views: list[ConsoleView]) -> duckdb.DuckDBPyConnection:
    """A fresh, locked-down in-memory connection holding a snapshot of `views`."""
    tables: dict[str, pa.Table] = {}
    cur = store.cursor()
    try:
        cur.begin()  # one snapshot for every view
        for view in views:
            params = {"zone": config.timezone_name()} if "$zone" in view.sql else None
            tables[view.name] = cur.sql(view.sql, params=params).to_arrow_table()
        cur.rollback()
    finally:
        cur.close()
    sandbox = _locked_connection()
    for name, table in tables.items():
        sandbox.register(name, table)  # an Arrow table in this process's memory: no file access needed
    return sandbox


def _plain_numbers(table: pa.Table) -> pa.Table:
    """DuckDB's sums are 128-bit (HUGEINT) and arrive as decimals, which tables sort and charts draw as text:
    whole numbers become int64 where they fit, other decimals float64."""
    for index, column in enumerate(table.schema):
        if not pa.types.is_decimal(column.type):
            continue
        values = table.column(index)
        try:
            converted = values.cast(pa.int64()) if column.type.scale == 0 else values.cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            converted = values.cast(pa.float64(), safe=False)
        table = table.set_column(index, column.name, converted)
    return table


def _interrupt(connection: duckdb.DuckDBPyConnection) -> None:
    try:
        connection.interrupt()
    except duckdb.Error:
        pass  # the query ended and its connection closed just as the time ran out


_LOCKDOWN = (
    "SET python_enable_replacements = false",  # no reading Python variables by name
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    f"SET memory_limit = '{SANDBOX_MEMORY_LIMIT}'",
    "SET max_temp_directory_size = '0KB'",  # never spill to disk
    "SET enable_external_access = false",  # no files, no network, no ATTACH, COPY or extensions
    "SET lock_configuration = true",  # and nothing in the query can SET any of it back
)


def _locked_connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    try:
        for setting in _LOCKDOWN:
            connection.execute(setting)
    except BaseException:
        connection.close()
        raise
    return connection


def _refused_access(error: Exception) -> ConsoleQueryFailed:
    return ConsoleQueryFailed(
        "The console cannot read files, reach the network or change settings; query the views listed beside "
        f"the editor. (DuckDB: {_first_line(error)})"
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# -- saved queries -------------------------------------------------------------------------------------------
def save_query(store: Store, name: str, sql: str, *, actor: str, by: User) -> int:
    """Saves a query under a name (replacing the SQL of a query saved earlier with that name); returns its id.

    Only queries the console would run can be saved; only the owner saves them."""
    require_owner(by, "save console queries")
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Give the query a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A query name has at most {MAX_NAME_LENGTH} characters.")
    text = check_select(sql)
    now = utc_now()
    with store.transaction() as cur:
        existing = cur.execute("SELECT id FROM saved_queries WHERE name = ?", [name]).fetchone()
        if existing:
            cur.execute("UPDATE saved_queries SET sql = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                        [text, actor, now, existing[0]])
            return existing[0]
        return cur.execute(
            "INSERT INTO saved_queries (name, sql, created_by, created_at, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [name, text, actor, now, actor, now],
        ).fetchone()[0]


def saved_queries(store: Store) -> list[dict]:
    return store.query("SELECT id, name, sql, created_by, created_at, updated_by, updated_at FROM saved_queries "
                       "ORDER BY lower(name), id")


def saved_query(store: Store, name: str) -> dict:
    rows = store.query("SELECT id, name, sql FROM saved_queries WHERE name = ?", [name])
    if not rows:
        raise NotFound(f"There is no saved query named {name}.")
    return rows[0]


def delete_saved_query(store: Store, name: str, *, by: User) -> None:
    require_owner(by, "delete console queries")
    saved_query(store, name)
    with store.transaction() as cur:
        cur.execute("DELETE FROM saved_queries WHERE name = ?", [name])


def file_stem(name: str) -> str:
    """A file name for a query's exports: its name without characters file systems dislike."""
    stem = re.sub(r"[^\w\-]+", "-", name, flags=re.UNICODE).strip("-")
    return stem[:60] or "query"
