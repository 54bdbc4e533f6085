"""Exports: orders (one row per line), comments and customers of one livestream or a date range, and any table
(a console result), as CSV, Excel or Parquet.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula, and customers write
what they like: `=HYPERLINK(...)` as a name would run on the owner's computer. In CSV and Excel such text cells are
written with a leading single quote, so they show as text; numbers stay numbers. A CSV file is also read with
other list separators than its own comma (`;` in Excel set up for Vietnamese or European numbers), which splits a
cell at every `;`: in CSV a formula start after a separator or line break inside the text gets the quote too. Parquet is read by programs,
not spreadsheets, and keeps the text exactly. Times are the shop's local time, like everywhere in the reports.

The files people open in a spreadsheet (CSV, Excel) are written for the reader: column titles in the reader's
language (Mã đơn, Khách hàng, Thành tiền ... in Vietnamese), order statuses and payments in words, the sheet
named after what it holds. Parquet keeps the column names and codes, so that programs read every export alike.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from core.base import config
from core.base.errors import InvalidInput, localize
from core.base.i18n import DEFAULT_LANGUAGE, Number, Text, table, translate
from core.db.store import Store
from core.services import orders, reports

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Inside a CSV cell: a list separator a spreadsheet may split on (`;`, `,`, tab) or a line break, then a formula
# start (spaces between allowed). Why not quote every text cell instead: Excel honours a quote only at the start
# of a field, and a reader splitting `1,"Lan;=1+2"` at `;` gets `1,"Lan` and `=1+2"`, a formula; quoting protects
# only a row's first cell. Marking the formula start itself protects the cell whatever the separator.
_INNER_FORMULA = re.compile(r"([;,\t\r\n][ ]*)([=+\-@])")
EXCEL_MAX_ROWS = 1_048_576  # the sheet's own limit, header included


@dataclass(frozen=True)
class Format:
    label: str
    extension: str
    mime: str


FORMATS: dict[str, Format] = {
    "csv": Format("CSV", "csv", "text/csv"),
    "xlsx": Format("Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": Format("Parquet", "parquet", "application/vnd.apache.parquet"),
}


@dataclass(frozen=True)
class Scope:
    """One livestream, or the livestreams held from `since` to `until` (shop-local dates, both included)."""

    livestream_id: int | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self):
        if (self.livestream_id is None) == (self.since is None or self.until is None):
            raise InvalidInput("exports.one_scope")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise InvalidInput("reports.range_backwards")

    @property
    def slug(self) -> str:
        if self.livestream_id is not None:
            return f"livestream-{self.livestream_id}"
        return f"{self.since:%Y-%m-%d}_to_{self.until:%Y-%m-%d}"

    def livestream_ids(self, store: Store) -> list[int]:
        if self.livestream_id is not None:
            return [self.livestream_id]
        return reports.livestream_ids_in_range(store, self.since, self.until)


_LOCAL = "timezone($zone, timezone('UTC', {}))"

ORDERS_SQL = f"""
WITH scope AS (SELECT unnest($livestream_ids::BIGINT[]) AS id),
totals AS (
    SELECT l.order_id, sum(l.qty * l.unit_price)::BIGINT AS subtotal
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.livestream_id IN (SELECT id FROM scope)
    GROUP BY l.order_id
)
SELECT o.code AS order_code, o.livestream_id, lv.title AS livestream, o.status,
       cu.display_name AS customer, cu.platform_user_id AS customer_platform_id, u.display_name AS staff,
       {_LOCAL.format("o.first_comment_at")} AS first_comment_at,
       o.receiver_name, o.receiver_phone, o.receiver_address, o.note, o.payment,
       coalesce(t.subtotal, 0) AS subtotal, o.shipping_fee, o.discount,
       greatest(0, coalesce(t.subtotal, 0) + o.shipping_fee - o.discount) AS total,
       o.carrier, o.tracking_number, {_LOCAL.format("o.shipped_at")} AS shipped_at,
       l.code_typed AS line_code_typed, i.code AS line_item_code, i.name AS line_item_name,
       l.size AS line_size, l.color AS line_color, l.qty AS line_qty, l.waitlisted_qty AS line_waitlisted_qty,
       l.unit_price AS line_unit_price, (l.qty * l.unit_price)::BIGINT AS line_amount,
       {_LOCAL.format("l.claimed_at")} AS line_claimed_at
FROM orders o
JOIN livestreams lv ON lv.id = o.livestream_id
JOIN customers cu ON cu.id = o.customer_id
LEFT JOIN users u ON u.id = o.staff_id
LEFT JOIN totals t ON t.order_id = o.id
LEFT JOIN order_lines l ON l.order_id = o.id
LEFT JOIN live_items i ON i.id = l.item_id
WHERE o.livestream_id IN (SELECT id FROM scope)
ORDER BY o.livestream_id, o.first_comment_at, o.id, l.claimed_at, l.id
"""

COMMENTS_SQL = f"""
SELECT c.id AS comment_id, c.livestream_id, lv.title AS livestream,
       {_LOCAL.format("c.commented_at")} AS commented_at,
       cu.display_name AS customer, cu.platform_user_id AS customer_platform_id, c.message, c.kind, c.effect,
       o.code AS order_code, c.source
FROM comments c
JOIN livestreams lv ON lv.id = c.livestream_id
JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN orders o ON o.id = c.order_id
WHERE c.livestream_id IN (SELECT unnest($livestream_ids::BIGINT[]))
ORDER BY c.livestream_id, c.commented_at, c.id
"""

CUSTOMERS_SQL = f"""
WITH scope AS (SELECT unnest($livestream_ids::BIGINT[]) AS id),
commented AS (
    SELECT customer_id, count(*) AS comments FROM comments
    WHERE livestream_id IN (SELECT id FROM scope) GROUP BY customer_id
),
line_totals AS (
    SELECT l.order_id, sum(l.qty * l.unit_price)::BIGINT AS subtotal
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.livestream_id IN (SELECT id FROM scope)
    GROUP BY l.order_id
),
ordered AS (
    SELECT o.customer_id,
           count(*) FILTER (WHERE o.status <> $cancelled) AS orders,
           count(*) FILTER (WHERE o.status = $cancelled) AS cancelled_orders,
           coalesce(sum(greatest(0, coalesce(t.subtotal, 0) + o.shipping_fee - o.discount))
                    FILTER (WHERE o.status <> $cancelled), 0)::BIGINT AS order_value
    FROM orders o LEFT JOIN line_totals t ON t.order_id = o.id
    WHERE o.livestream_id IN (SELECT id FROM scope)
    GROUP BY o.customer_id
)
SELECT cu.id AS customer_id, cu.display_name AS customer, cu.platform, cu.platform_user_id, cu.phone, cu.address,
       array_to_string(cu.tags, ', ') AS tags, cu.blacklisted, cu.blacklist_reason, u.display_name AS staff,
       cu.notes, coalesce(cm.comments, 0) AS comments, coalesce(od.orders, 0) AS orders,
       coalesce(od.cancelled_orders, 0) AS cancelled_orders, coalesce(od.order_value, 0) AS order_value,
       {_LOCAL.format("cu.created_at")} AS first_seen_at
FROM customers cu
LEFT JOIN commented cm ON cm.customer_id = cu.id
LEFT JOIN ordered od ON od.customer_id = cu.id
LEFT JOIN users u ON u.id = cu.staff_id
WHERE cm.customer_id IS NOT NULL OR od.customer_id IS NOT NULL
ORDER BY order_value DESC, customer, cu.id
"""

KINDS: dict[str, tuple[Text, str]] = {
    "orders": (Text("exports.kind.orders"), ORDERS_SQL),
    "comments": (Text("exports.kind.comments"), COMMENTS_SQL),
    "customers": (Text("exports.kind.customers"), CUSTOMERS_SQL),
}
SHEET_NAMES: dict[str, Text] = {
    "orders": Text("exports.sheet.orders"),
    "comments": Text("exports.sheet.comments"),
    "customers": Text("exports.sheet.customers"),
}
PAYMENT_LABELS: dict[str, Text] = {"cod": Text("exports.payment.cod"), "transfer": Text("exports.payment.transfer")}


def export_frame(store: Store, kind: str, scope: Scope) -> pd.DataFrame:
    sql, params = _export_query(store, kind, scope)
    return store.frame(sql, params)


def preview(store: Store, kind: str, scope: Scope, rows: int = 500) -> tuple[pd.DataFrame, int]:
    """The first rows of an export and how many rows the whole export has (without building it all)."""
    sql, params = _export_query(store, kind, scope)
    total = store.scalar(f"SELECT count(*) FROM ({sql})", params)
    return store.frame(f"SELECT * FROM ({sql}) LIMIT $preview_rows", params | {"preview_rows": rows}), total


def _export_query(store: Store, kind: str, scope: Scope) -> tuple[str, dict]:
    if kind not in KINDS:
        raise InvalidInput("exports.unknown_kind", choices=", ".join(KINDS))
    sql = KINDS[kind][1]
    params: dict = {"livestream_ids": scope.livestream_ids(store)}
    if "$zone" in sql:
        params["zone"] = config.timezone_name()
    if "$cancelled" in sql:
        params["cancelled"] = orders.CANCELLED
    return sql, params


def file_name(stem: str, fmt: str) -> str:
    return f"chotdon-{stem}.{FORMATS[fmt].extension}"


def encode(frame: pd.DataFrame, fmt: str, *, sheet_name: str = "Chotdon") -> bytes:
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "xlsx":
        return to_xlsx(frame, sheet_name=sheet_name)
    if fmt == "parquet":
        return to_parquet(frame)
    raise InvalidInput("exports.unknown_format", choices=", ".join(FORMATS))


# -- for the reader ------------------------------------------------------------------------------------------
def for_people(frame: pd.DataFrame, language: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """An export as CSV and Excel files carry it: column titles in `language` (exports.column.*), order statuses
    and payments in words. Values are otherwise unchanged; columns without a title keep their name."""
    readable = frame.copy()
    if "status" in readable.columns:
        readable["status"] = readable["status"].map(
            lambda code: localize(orders.STATUS_LABELS[code], language) if code in orders.STATUS_LABELS else code)
    if "payment" in readable.columns:
        readable["payment"] = readable["payment"].map(
            lambda code: localize(PAYMENT_LABELS[code], language) if code in PAYMENT_LABELS else code)
    titled = [column for column in readable.columns if f"exports.column.{column}" in table(DEFAULT_LANGUAGE)]
    return readable.rename(columns={column: translate(f"exports.column.{column}", language) for column in titled})


def export_file(store: Store, kind: str, scope: Scope, fmt: str, language: str = DEFAULT_LANGUAGE) -> bytes:
    """The whole export in one format: for the reader in CSV and Excel (see `for_people`), as stored in Parquet."""
    frame = export_frame(store, kind, scope)
    if fmt == "parquet":
        return encode(frame, fmt)
    return encode(for_people(frame, language), fmt, sheet_name=localize(SHEET_NAMES[kind], language))


# -- formula-safe text ---------------------------------------------------------------------------------------
def formula_safe_text(value: str) -> str:
    """A cell's text with a single quote in front when a spreadsheet would run it as a formula (Excel's cells)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_safe_text(value: str) -> str:
    """A CSV cell's text: formula-safe at its start and after every separator or line break inside it (see
    _INNER_FORMULA): `Lan;=1+2` becomes `Lan;'=1+2`."""
    return formula_safe_text(_INNER_FORMULA.sub(r"\1'\2", value))


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for CSV in which no text cell, nor any piece of one split at a list separator, nor a column title,
    is a formula."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series) \
                or pd.api.types.is_bool_dtype(series):
            continue
        safe[column] = series.map(lambda value: csv_safe_text(value) if isinstance(value, str) else value)
    return safe.rename(columns={column: csv_safe_text(column) for column in safe.columns if isinstance(column, str)})


# -- formats -------------------------------------------------------------------------------------------------
def to_csv(frame: pd.DataFrame) -> bytes:
    # The byte order mark makes Excel read the file as UTF-8 (Vietnamese names stay readable). RFC 4180 line ends:
    # with them, Python's csv quotes a field holding a lone carriage return, which would otherwise split a row.
    return formula_safe(_flat(frame)).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def to_xlsx(frame: pd.DataFrame, *, sheet_name: str = "Chotdon") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    if len(frame) >= EXCEL_MAX_ROWS:
        raise InvalidInput("exports.excel_too_many_rows", limit=Number(EXCEL_MAX_ROWS - 1), rows=Number(len(frame)))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_name))
    columns = [str(column) for column in frame.columns]
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[_column_letter(index)].width = min(40, max(10, len(column) + 2))
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=formula_safe_text(ILLEGAL_CHARACTERS_RE.sub("", column)))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    flat = _flat(frame)
    for row in flat.itertuples(index=False, name=None):
        sheet.append([_excel_value(value, ILLEGAL_CHARACTERS_RE) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(value, illegal: re.Pattern):
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, str):
        # Control characters are not allowed in the sheet's XML; customers paste them by accident.
        return formula_safe_text(illegal.sub("", value))
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists, dicts and other nested cells (sizes, tags, a console's STRUCT) as text: CSV and sheets are flat."""
    flat = frame
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object and series.map(lambda v: isinstance(v, (list, tuple, dict, np.ndarray))).any():
            if flat is frame:
                flat = frame.copy()
            flat[column] = series.map(_nested_text)
    return flat


def _nested_text(value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return ", ".join("" if v is None else str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value


def _sheet_title(name: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", name).strip() or "Chotdon"
    return title[:31]


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
