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
- The time limit holds from the copy to the last row fetched: a timer thread interrupts the connection (which stops
  DuckDB while it computes or streams rows) and the fetch loop checks the clock between batches. Results are
  read as a stream of small Arrow batches and cut at MAX_ROWS rows or MAX_BYTES bytes, whichever comes first, so
  a huge result (10,000 rows of 100 kB) is never built, and only the cut result reaches the session.
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

from core.base import config
from core.base.errors import ChotdonError, InvalidInput, NotFound
from core.base.formatting import utc_now
from core.base.i18n import Number, Seconds, Text
from core.db.store import Store
from core.domain.users import User, require_owner

MAX_ROWS = 10_000
MAX_BYTES = 32 * 2**20  # of Arrow data fetched; a page of the console's table is far less
FETCH_ROWS = 128  # rows per batch fetched: a batch of wide rows stays small next to MAX_BYTES
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
    about: Text
    columns: tuple[tuple[str, Text], ...]  # (column, meaning); the SELECT below gives exactly these columns
    sql: str  # run on the shop's database; $zone is the shop's time zone


def _local(column: str) -> str:
    return f"timezone($zone, timezone('UTC', {column}))"


def _view(name: str, columns: tuple[str, ...], sql: str) -> ConsoleView:
    """A view whose description and column meanings are in the console's tables (console.about.<view>,
    console.column.<view>.<column>)."""
    return ConsoleView(name, Text(f"console.about.{name}"),
                       tuple((column, Text(f"console.column.{name}.{column}")) for column in columns), sql)


VIEWS: tuple[ConsoleView, ...] = (
    _view(
        "livestreams",
        ("id", "title", "platform", "status", "started_at", "ended_at", "created_at"),
        f"SELECT id, title, platform, status, {_local('started_at')} AS started_at, "
        f"{_local('ended_at')} AS ended_at, {_local('created_at')} AS created_at FROM livestreams",
    ),
    _view(
        "items",
        ("id", "livestream_id", "code", "name", "sku", "price", "stock", "sizes", "colors", "position"),
        "SELECT id, livestream_id, code, name, sku, price, stock, sizes, colors, position FROM live_items",
    ),
    _view(
        "customers",
        ("id", "platform", "platform_user_id", "display_name", "phone", "address", "province_code",
         "ward_code", "street", "tags", "blacklisted", "blacklist_reason", "staff_id", "notes", "created_at"),
        "SELECT id, platform, platform_user_id, display_name, phone, address, province_code, ward_code, street, tags, "
        f"blacklisted, blacklist_reason, staff_id, notes, {_local('created_at')} AS created_at FROM customers",
    ),
    _view(
        "comments",
        ("id", "livestream_id", "customer_id", "message", "commented_at", "kind", "effect", "order_id",
         "source"),
        f"SELECT id, livestream_id, customer_id, message, {_local('commented_at')} AS commented_at, kind, effect, "
        "order_id, source FROM comments",
    ),
    _view(
        "orders",
        ("id", "code", "livestream_id", "customer_id", "status", "staff_id", "first_comment_at", "receiver_name",
         "receiver_phone", "receiver_address", "note", "subtotal", "shipping_fee", "discount", "total",
         "payment", "carrier", "tracking_number", "shipped_at", "created_at", "updated_at"),
        "WITH t AS (SELECT order_id, sum(qty * unit_price)::BIGINT AS subtotal FROM order_lines GROUP BY order_id) "
        "SELECT o.id, o.code, o.livestream_id, o.customer_id, o.status, o.staff_id, "
        f"{_local('o.first_comment_at')} AS first_comment_at, o.receiver_name, o.receiver_phone, "
        "o.receiver_address, o.note, coalesce(t.subtotal, 0) AS subtotal, o.shipping_fee, o.discount, "
        "greatest(0, coalesce(t.subtotal, 0) + o.shipping_fee - o.discount) AS total, o.payment, o.carrier, "
        f"o.tracking_number, {_local('o.shipped_at')} AS shipped_at, {_local('o.created_at')} AS created_at, "
        f"{_local('o.updated_at')} AS updated_at FROM orders o LEFT JOIN t ON t.order_id = o.id",
    ),
    _view(
        "order_lines",
        ("id", "order_id", "livestream_id", "item_id", "code_typed", "item_code", "item_name", "size", "color",
         "qty", "waitlisted_qty", "unit_price", "amount", "claimed_at", "source_comment_id"),
        "SELECT l.id, l.order_id, o.livestream_id, l.item_id, l.code_typed, i.code AS item_code, i.name AS item_name, "
        "l.size, l.color, l.qty, l.waitlisted_qty, l.unit_price, (l.qty * l.unit_price)::BIGINT AS amount, "
        f"{_local('l.claimed_at')} AS claimed_at, l.source_comment_id "
        "FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN live_items i ON i.id = l.item_id",
    ),
    _view(
        "staff",
        ("id", "username", "display_name", "role", "active", "created_at"),
        f"SELECT id, username, display_name, role, active, {_local('created_at')} AS created_at FROM users",
    ),
)
VIEWS_BY_NAME = {view.name: view for view in VIEWS}

# Example queries by a short name; EXAMPLE_TITLES are their titles as the console lists them.
EXAMPLES: dict[str, str] = {
    "orders_per_live": (
        "SELECT l.id, l.title, count(o.id) AS orders, sum(o.total) AS value\n"
        "FROM livestreams l LEFT JOIN orders o ON o.livestream_id = l.id AND o.status <> 'cancelled'\n"
        "GROUP BY ALL\nORDER BY l.id"
    ),
    "best_sellers": (
        "SELECT item_code, item_name, sum(qty) AS units, sum(amount) AS value\n"
        "FROM order_lines JOIN orders ON orders.id = order_lines.order_id\n"
        "WHERE orders.status <> 'cancelled' AND item_code IS NOT NULL\n"
        "GROUP BY ALL\nORDER BY units DESC\nLIMIT 20"
    ),
    "comments_per_hour": (
        "SELECT hour(commented_at) AS hour, count(*) AS comments,\n"
        "       count(*) FILTER (WHERE kind = 'order') AS order_comments\n"
        "FROM comments\nGROUP BY hour\nORDER BY hour"
    ),
}
EXAMPLE_TITLES: dict[str, Text] = {
    "orders_per_live": Text("console.example.orders_per_live"),
    "best_sellers": Text("console.example.best_sellers"),
    "comments_per_hour": Text("console.example.comments_per_hour"),
}


def schema() -> list[dict]:
    """The views as the console shows them beside the editor: view, column, meaning."""
    return [{"view": view.name, "column": column, "meaning": meaning}
            for view in VIEWS for column, meaning in view.columns]


# -- checking and running ------------------------------------------------------------------------------------
def check_select(sql: str) -> str:
    """The statement to run, when `sql` is exactly one SELECT-type statement; else ConsoleRefused says why."""
    return _parse(sql)[0]


def _parse(sql: str) -> tuple[str, set[str] | None]:
    """(the statement, the table names it reads or None when the parser cannot tell), checked as above."""
    text = (sql or "").strip()
    if not text:
        raise ConsoleRefused("console.type_select")
    # DuckDB's table-name lister binds table functions (it would open a file read_parquet names): locked too.
    parser = _locked_connection()
    try:
        try:
            statements = parser.extract_statements(text)
        except duckdb.Error as error:
            raise ConsoleQueryFailed("console.not_valid_sql", error=_first_line(error)) from None
        if not statements:
            raise ConsoleRefused("console.type_select")
        if len(statements) > 1:
            raise ConsoleRefused("console.one_statement", count=len(statements))
        kind = statements[0].type
        if kind != duckdb.StatementType.SELECT:
            raise ConsoleRefused("console.read_only", kind=kind.name)
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
    truncated: bool  # more rows than MAX_ROWS, or more bytes than MAX_BYTES: only the first ones are kept
    seconds: float
    row_cap: int
    byte_cap: int = MAX_BYTES
    cut_by: str | None = None  # "rows" or "bytes" when truncated: which cap cut it

    @property
    def message(self) -> Text:
        """How many rows came back, in how long, and whether some were left out (numbers as the reader writes them)."""
        rows = len(self.frame)
        if self.cut_by == "bytes":
            return Text("console.rows_cut_bytes", rows=Number(rows), megabytes=Number(self.byte_cap // 2**20),
                        seconds=Seconds(self.seconds))
        key = "console.rows_truncated" if self.truncated else "console.rows_one" if rows == 1 else "console.rows_many"
        return Text(key, rows=Number(rows), seconds=Seconds(self.seconds))


def run_query(store: Store, sql: str, *, by: User, time_limit: float = TIME_LIMIT_SECONDS,
              max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> ConsoleResult:
    """Runs one read-only query on a locked-down copy of the views it names (see the module's docstring); the
    owner's only."""
    require_owner(by, Text("console.to_use"))
    text, names = _parse(sql)
    started = time.perf_counter()
    deadline = started + time_limit
    sandbox = _sandbox(store, [view for view in VIEWS if names is None or view.name in names])
    timed_out = threading.Event()
    timer = threading.Timer(max(0.0, deadline - time.perf_counter()), _interrupt, [sandbox, timed_out])
    timer.daemon = True
    try:
        timer.start()
        reader = sandbox.sql(text).to_arrow_reader(FETCH_ROWS)
        schema = reader.schema
        batches, cut_by = _fetch(reader, max_rows, max_bytes, deadline)
    except ConsoleTimeout:
        raise ConsoleTimeout("console.timeout", limit=f"{time_limit:g}") from None
    except duckdb.InterruptException:
        raise ConsoleTimeout("console.timeout", limit=f"{time_limit:g}") from None
    except duckdb.PermissionException as error:
        raise _refused_access(error) from None
    except duckdb.Error as error:
        raise ConsoleQueryFailed("console.failed", error=_first_line(error)) from None
    except (pa.ArrowException, OSError) as error:
        # While rows stream, DuckDB's errors (an interrupt included) come through Arrow's reader, as OSError.
        if timed_out.is_set() or "INTERRUPT" in str(error):
            raise ConsoleTimeout("console.timeout", limit=f"{time_limit:g}") from None
        raise ConsoleQueryFailed("console.failed", error=_first_line(error)) from None
    finally:
        timer.cancel()
        _interrupt(sandbox)  # a result cut at a cap stops being made (closing alone would wait for it)
        sandbox.close()
    table = _plain_numbers(pa.Table.from_batches(batches, schema=schema))
    table = table.rename_columns(_unique_names(table.column_names))
    return ConsoleResult(frame=table.to_pandas(), truncated=cut_by is not None, seconds=time.perf_counter() - started,
                         row_cap=max_rows, byte_cap=max_bytes, cut_by=cut_by)


def _unique_names(names: list[str]) -> list[str]:
    """Column names made unique (`SELECT 1 AS a, 2 AS a` gives a, a (2)): a table, a chart or a file cannot show
    two columns of one name."""
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _fetch(reader: pa.RecordBatchReader, max_rows: int, max_bytes: int,
           deadline: float) -> tuple[list[pa.RecordBatch], str | None]:
    """The batches of `reader` up to the caps, and which cap cut them (None: the whole result). Stops fetching at a
    cap: the rest of the result is never made. Raises ConsoleTimeout once the deadline has passed."""
    batches: list[pa.RecordBatch] = []
    rows = size = 0
    for batch in reader:
        if time.perf_counter() > deadline:
            raise ConsoleTimeout("console.timeout")
        if rows + batch.num_rows > max_rows:
            batch = batch.slice(0, max_rows - rows)
            cut_by = "rows"
        else:
            cut_by = None
        if size + batch.nbytes > max_bytes:
            batch = _first_rows_within(batch, max_bytes - size)
            cut_by = "bytes"
        if batch.num_rows:
            batches.append(batch)
            rows += batch.num_rows
            size += batch.nbytes
        if cut_by is not None:
            return batches, cut_by
        if rows == max_rows:
            # A full result ends here; one more row means it was cut.
            for more in reader:
                if more.num_rows:
                    return batches, "rows"
            return batches, None
    return batches, None


def _first_rows_within(batch: pa.RecordBatch, budget: int) -> pa.RecordBatch:
    """The longest head of `batch` whose data fits in `budget` bytes."""
    low, high = 0, batch.num_rows  # batch.slice(0, low) fits; batch.slice(0, high + 1) does not
    while low < high:
        middle = (low + high + 1) // 2
        if batch.slice(0, middle).nbytes <= budget:
            low = middle
        else:
            high = middle - 1
    return batch.slice(0, low)


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


def _interrupt(connection: duckdb.DuckDBPyConnection, timed_out: threading.Event | None = None) -> None:
    if timed_out is not None:
        timed_out.set()
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
    return ConsoleQueryFailed("console.no_outside_access", error=_first_line(error))


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# -- saved queries -------------------------------------------------------------------------------------------
def save_query(store: Store, name: str, sql: str, *, actor: str, by: User) -> int:
    """Saves a query under a name (replacing the SQL of a query saved earlier with that name); returns its id.

    Only queries the console would run can be saved; only the owner saves them."""
    require_owner(by, Text("console.to_save"))
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("console.name_missing")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("console.name_too_long", limit=MAX_NAME_LENGTH)
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
        raise NotFound("console.not_found", name=name)
    return rows[0]


def delete_saved_query(store: Store, name: str, *, by: User) -> None:
    require_owner(by, Text("console.to_delete"))
    saved_query(store, name)
    with store.transaction() as cur:
        cur.execute("DELETE FROM saved_queries WHERE name = ?", [name])


def file_stem(name: str) -> str:
    """A file name for a query's exports: its name without characters file systems dislike."""
    stem = re.sub(r"[^\w\-]+", "-", name, flags=re.UNICODE).strip("-")
    return stem[:60] or "query"
