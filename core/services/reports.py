"""Reports for the owner: how one livestream sold, how lives compare, and the dates lives are counted in.

Every figure comes from one of the SQL texts below, run on one cursor inside one read transaction, so that all
numbers on a screen come from the same moment of the shop. The texts are module constants, and `live_queries()` /
`across_lives_queries()` name the exact (sql, parameters) a report runs, so that bench/reports.py can time DuckDB
alone on the same SQL.

What the figures mean (docs/REPORTS.md says the same for the owner):
- an order's value is what the list of livestream orders shows: its lines (qty × unit price, waitlisted units
  included) plus shipping, minus discount, never below 0;
- revenue confirmed: orders in the shipping book, sent to the shop or shipped (orders.COMMITTED); revenue
  pending: drafts and orders awaiting the customer's confirmation (orders.OPEN_FOR_COMMENTS);
- orders, customers who ordered, items claimed and waitlisted count orders that are not cancelled;
- average order value: (confirmed + pending) / orders;
- comments that became orders: comments whose effect was to create or add to an order, over all comments;
- a livestream's date is when it started, else its first comment, else when it was created (shop time).
Times are stored as naive UTC; reports show the shop's local time (CHOTDON_TIMEZONE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd

from core.base import config
from core.base.errors import InvalidInput, NotFound
from core.base.formatting import shop_zone, to_utc_naive
from core.base.i18n import Text
from core.db.store import Store
from core.domain.comment_rules import LINES_TAKEN
from core.services import orders

CONFIRMED = sorted(orders.COMMITTED)
PENDING = sorted(orders.OPEN_FOR_COMMENTS)
# The effects of a comment that made an order or put lines into one (core/services/comments.py).
INTO_ORDER_EFFECTS = sorted(LINES_TAKEN)
ITEM_GROUPINGS = ("code", "name")
LARGEST_CUSTOMERS = 10

# A naive UTC column as naive shop-local time (ICU's time zones, built into DuckDB).
_LOCAL = "timezone($zone, timezone('UTC', {}))"

_SCOPE = "scope AS (SELECT unnest($livestream_ids::BIGINT[]) AS id)"

# Per order of the scope: its value, units and waitlisted units.
_ORDER_VALUES = """
line_totals AS (
    SELECT l.order_id, sum(l.qty * l.unit_price)::BIGINT AS subtotal, sum(l.qty)::BIGINT AS qty,
           sum(l.waitlisted_qty)::BIGINT AS waitlisted
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.livestream_id IN (SELECT id FROM scope)
    GROUP BY l.order_id
),
order_values AS (
    SELECT o.id, o.code, o.livestream_id, o.customer_id, o.staff_id, o.status, o.first_comment_at,
           greatest(0, coalesce(t.subtotal, 0) + o.shipping_fee - o.discount) AS total,
           coalesce(t.qty, 0) AS qty, coalesce(t.waitlisted, 0) AS waitlisted
    FROM orders o LEFT JOIN line_totals t ON t.order_id = o.id
    WHERE o.livestream_id IN (SELECT id FROM scope)
)"""

FIGURES_SQL = f"""
WITH {_SCOPE},
comment_figures AS (
    SELECT c.livestream_id,
           count(*) AS comments,
           count(*) FILTER (WHERE c.kind = 'order') AS order_comments,
           count(*) FILTER (WHERE list_contains($into_order_effects, c.effect)) AS comments_into_orders,
           count(*) FILTER (WHERE c.kind = 'cancel') AS cancel_comments,
           count(DISTINCT c.customer_id) AS commenters,
           min(c.commented_at) AS first_comment_at,
           max(c.commented_at) AS last_comment_at
    FROM comments c
    WHERE c.livestream_id IN (SELECT id FROM scope)
    GROUP BY c.livestream_id
),
{_ORDER_VALUES},
order_figures AS (
    SELECT livestream_id,
           count(*) FILTER (WHERE status <> $cancelled) AS orders,
           count(*) FILTER (WHERE status = $cancelled) AS cancelled_orders,
           count(DISTINCT customer_id) FILTER (WHERE status <> $cancelled) AS customers_ordered,
           sum(qty) FILTER (WHERE status <> $cancelled) AS items_claimed,
           sum(waitlisted) FILTER (WHERE status <> $cancelled) AS items_waitlisted,
           sum(total) FILTER (WHERE list_contains($confirmed, status)) AS revenue_confirmed,
           sum(total) FILTER (WHERE list_contains($pending, status)) AS revenue_pending
    FROM order_values
    GROUP BY livestream_id
)
SELECT l.id AS livestream_id, l.title, l.platform, l.status,
       {_LOCAL.format("coalesce(l.started_at, cf.first_comment_at, l.created_at)")} AS held_at,
       {_LOCAL.format("cf.first_comment_at")} AS first_comment_at,
       {_LOCAL.format("cf.last_comment_at")} AS last_comment_at,
       coalesce(cf.comments, 0) AS comments,
       coalesce(cf.order_comments, 0) AS order_comments,
       coalesce(cf.comments_into_orders, 0) AS comments_into_orders,
       coalesce(cf.cancel_comments, 0) AS cancel_comments,
       coalesce(cf.commenters, 0) AS commenters,
       coalesce(f.orders, 0) AS orders,
       coalesce(f.cancelled_orders, 0) AS cancelled_orders,
       coalesce(f.customers_ordered, 0) AS customers_ordered,
       coalesce(f.items_claimed, 0)::BIGINT AS items_claimed,
       coalesce(f.items_waitlisted, 0)::BIGINT AS items_waitlisted,
       coalesce(f.revenue_confirmed, 0)::BIGINT AS revenue_confirmed,
       coalesce(f.revenue_pending, 0)::BIGINT AS revenue_pending
FROM livestreams l
LEFT JOIN comment_figures cf ON cf.livestream_id = l.id
LEFT JOIN order_figures f ON f.livestream_id = l.id
WHERE l.id IN (SELECT id FROM scope)
ORDER BY held_at, l.id
"""

STATUS_SQL = f"""
WITH {_SCOPE},
{_ORDER_VALUES}
SELECT livestream_id, status, count(*) AS orders, sum(total)::BIGINT AS value, sum(qty)::BIGINT AS items
FROM order_values
GROUP BY livestream_id, status
ORDER BY livestream_id, status
"""

TIMELINE_SQL = f"""
SELECT date_trunc('minute', {_LOCAL.format("commented_at")}) AS minute,
       count(*) AS comments,
       count(*) FILTER (WHERE kind = 'order') AS order_comments,
       count(*) FILTER (WHERE effect = 'created') AS new_orders
FROM comments
WHERE livestream_id = $livestream_id
GROUP BY minute
ORDER BY minute
"""

TOP_ITEMS_SQL = """
WITH claims AS (
    SELECT l.item_id, sum(l.qty)::BIGINT AS claimed, sum(l.waitlisted_qty)::BIGINT AS waitlisted,
           sum(l.qty * l.unit_price)::BIGINT AS claimed_value, count(DISTINCT o.customer_id) AS customers
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.livestream_id = $livestream_id AND o.status <> $cancelled AND l.item_id IS NOT NULL
    GROUP BY l.item_id
)
SELECT i.id AS item_id, i.code, i.name, i.price, i.stock,
       coalesce(c.claimed, 0) AS claimed,
       coalesce(c.waitlisted, 0) AS waitlisted,
       coalesce(c.claimed, 0) - coalesce(c.waitlisted, 0) AS served,
       i.stock - (coalesce(c.claimed, 0) - coalesce(c.waitlisted, 0)) AS stock_left,
       coalesce(c.claimed_value, 0) AS claimed_value,
       coalesce(c.customers, 0) AS customers
FROM live_items i LEFT JOIN claims c ON c.item_id = i.id
WHERE i.livestream_id = $livestream_id
ORDER BY claimed DESC, claimed_value DESC, i.position, i.id
"""

STAFF_SQL = f"""
WITH {_SCOPE},
{_ORDER_VALUES}
SELECT ov.staff_id, u.display_name AS staff,
       count(*) FILTER (WHERE ov.status <> $cancelled) AS orders,
       count(DISTINCT ov.customer_id) FILTER (WHERE ov.status <> $cancelled) AS customers,
       coalesce(sum(ov.qty) FILTER (WHERE ov.status <> $cancelled), 0)::BIGINT AS items,
       coalesce(sum(ov.total) FILTER (WHERE list_contains($confirmed, ov.status)), 0)::BIGINT AS revenue_confirmed,
       coalesce(sum(ov.total) FILTER (WHERE list_contains($pending, ov.status)), 0)::BIGINT AS revenue_pending,
       count(*) FILTER (WHERE ov.status = $cancelled) AS cancelled_orders
FROM order_values ov LEFT JOIN users u ON u.id = ov.staff_id
GROUP BY ov.staff_id, u.display_name
ORDER BY revenue_confirmed + revenue_pending DESC, orders DESC, staff
"""

LARGEST_CUSTOMERS_SQL = f"""
WITH {_SCOPE},
{_ORDER_VALUES}
SELECT ov.customer_id, cu.display_name AS customer, cu.blacklisted, count(*) AS orders,
       string_agg(ov.code, ', ' ORDER BY ov.code) AS order_codes,
       string_agg(DISTINCT ov.status, ', ' ORDER BY ov.status) AS statuses,
       sum(ov.qty)::BIGINT AS items, sum(ov.waitlisted)::BIGINT AS waitlisted, sum(ov.total)::BIGINT AS value
FROM order_values ov JOIN customers cu ON cu.id = ov.customer_id
WHERE ov.status <> $cancelled
GROUP BY ov.customer_id, cu.display_name, cu.blacklisted
ORDER BY value DESC, items DESC, customer
LIMIT $limit
"""

# Livestreams whose date (started, else first comment, else created) falls in [since, until), both naive UTC.
LIVES_IN_RANGE_SQL = """
SELECT l.id
FROM livestreams l
LEFT JOIN (SELECT livestream_id, min(commented_at) AS first_comment_at FROM comments GROUP BY livestream_id) f
       ON f.livestream_id = l.id
WHERE coalesce(l.started_at, f.first_comment_at, l.created_at) >= $since
  AND coalesce(l.started_at, f.first_comment_at, l.created_at) < $until
ORDER BY coalesce(l.started_at, f.first_comment_at, l.created_at), l.id
"""

HELD_DATES_SQL = f"""
SELECT min({_LOCAL.format("coalesce(l.started_at, f.first_comment_at, l.created_at)")})::DATE AS first_day,
       max({_LOCAL.format("coalesce(l.started_at, f.first_comment_at, l.created_at)")})::DATE AS last_day
FROM livestreams l
LEFT JOIN (SELECT livestream_id, min(commented_at) AS first_comment_at FROM comments GROUP BY livestream_id) f
       ON f.livestream_id = l.id
"""

ITEMS_ACROSS_LIVES_SQL = f"""
WITH {_SCOPE},
keyed AS (
    SELECT i.id AS item_id, i.livestream_id, i.code, i.name,
           CASE WHEN $by = 'name' THEN lower(strip_accents(trim(i.name))) ELSE i.code_key END AS item_key
    FROM live_items i
    WHERE i.livestream_id IN (SELECT id FROM scope)
),
claims AS (
    SELECT l.item_id, sum(l.qty)::BIGINT AS claimed, sum(l.qty - l.waitlisted_qty)::BIGINT AS served,
           sum(l.qty * l.unit_price)::BIGINT AS claimed_value
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.livestream_id IN (SELECT id FROM scope) AND o.status <> $cancelled AND l.item_id IS NOT NULL
    GROUP BY l.item_id
),
lives_with_sales AS (
    SELECT count(DISTINCT livestream_id) AS lives
    FROM orders WHERE livestream_id IN (SELECT id FROM scope) AND status <> $cancelled
)
SELECT k.item_key,
       arg_max(k.code, k.livestream_id) AS code,
       arg_max(k.name, k.livestream_id) AS name,
       count(DISTINCT k.livestream_id) AS lives_offered,
       count(DISTINCT k.livestream_id) FILTER (WHERE c.claimed > 0) AS lives_sold,
       any_value(s.lives) AS lives_with_sales,
       coalesce(sum(c.claimed), 0)::BIGINT AS claimed,
       coalesce(sum(c.served), 0)::BIGINT AS served,
       coalesce(sum(c.claimed_value), 0)::BIGINT AS claimed_value
FROM keyed k LEFT JOIN claims c ON c.item_id = k.item_id CROSS JOIN lives_with_sales s
GROUP BY k.item_key
ORDER BY lives_sold DESC, claimed DESC, k.item_key
"""

RETURNING_CUSTOMERS_SQL = f"""
WITH {_SCOPE},
{_ORDER_VALUES}
SELECT ov.customer_id, cu.display_name AS customer, cu.phone, cu.blacklisted,
       count(DISTINCT ov.livestream_id) AS lives,
       count(*) AS orders, sum(ov.qty)::BIGINT AS items, sum(ov.total)::BIGINT AS value,
       {_LOCAL.format("min(ov.first_comment_at)")} AS first_order_at,
       {_LOCAL.format("max(ov.first_comment_at)")} AS last_order_at
FROM order_values ov JOIN customers cu ON cu.id = ov.customer_id
WHERE ov.status <> $cancelled
GROUP BY ov.customer_id, cu.display_name, cu.phone, cu.blacklisted
HAVING count(DISTINCT ov.livestream_id) >= 2
ORDER BY lives DESC, value DESC, customer
"""

BLACKLIST_HITS_SQL = f"""
WITH {_SCOPE},
{_ORDER_VALUES}
SELECT ov.customer_id, cu.display_name AS customer, cu.phone, cu.blacklist_reason,
       count(DISTINCT ov.livestream_id) AS lives,
       count(*) FILTER (WHERE ov.status <> $cancelled) AS orders,
       count(*) FILTER (WHERE ov.status = $cancelled) AS cancelled_orders,
       coalesce(sum(ov.total) FILTER (WHERE ov.status <> $cancelled), 0)::BIGINT AS value,
       string_agg(ov.code, ', ' ORDER BY ov.code) AS order_codes,
       {_LOCAL.format("max(ov.first_comment_at)")} AS last_order_at
FROM order_values ov JOIN customers cu ON cu.id = ov.customer_id
WHERE cu.blacklisted
GROUP BY ov.customer_id, cu.display_name, cu.phone, cu.blacklist_reason
ORDER BY orders DESC, value DESC, customer
"""


# -- results -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """The headline figures of one livestream (or of several, added up)."""

    comments: int
    order_comments: int
    comments_into_orders: int
    cancel_comments: int
    orders: int
    cancelled_orders: int
    customers_ordered: int
    items_claimed: int
    items_waitlisted: int
    revenue_confirmed: int
    revenue_pending: int

    @property
    def revenue(self) -> int:
        return self.revenue_confirmed + self.revenue_pending

    @property
    def average_order_value(self) -> int | None:
        return round(self.revenue / self.orders) if self.orders else None

    @property
    def comment_to_order_share(self) -> float | None:
        """Share of all comments that created an order or added lines to one (0..1)."""
        return self.comments_into_orders / self.comments if self.comments else None

    @classmethod
    def from_row(cls, row: dict) -> Figures:
        return cls(**{name: int(row[name]) for name in cls.__dataclass_fields__})


@dataclass
class LiveReport:
    livestream_id: int
    title: str
    status: str
    held_at: datetime | None  # shop time
    first_comment_at: datetime | None
    last_comment_at: datetime | None
    figures: Figures
    by_status: pd.DataFrame  # status, label, orders, value, items (every status, zeros included)
    timeline: pd.DataFrame  # minute (shop time), comments, order_comments, new_orders (empty minutes as 0)
    top_items: pd.DataFrame  # item_id, code, name, price, stock, claimed, waitlisted, served, stock_left, ...
    by_staff: pd.DataFrame  # staff_id, staff, orders, customers, items, revenue_confirmed, revenue_pending, ...
    largest_customers: pd.DataFrame  # customer_id, customer, blacklisted, orders, order_codes, statuses, items, value


@dataclass
class AcrossLivesReport:
    since: date  # shop-local dates, both included
    until: date
    item_grouping: str
    totals: Figures  # the lives of the range added up
    lives: pd.DataFrame  # one row per livestream: the Figures columns, derived ones and a column per status
    items: pd.DataFrame  # item_key, code, name, lives_offered, lives_sold, lives_with_sales, ..., in_every_live
    returning_customers: pd.DataFrame
    blacklist_hits: pd.DataFrame


# -- the queries a report runs -------------------------------------------------------------------------------
def _common_params() -> dict:
    return {"zone": config.timezone_name(), "confirmed": CONFIRMED, "pending": PENDING,
            "into_order_effects": INTO_ORDER_EFFECTS, "cancelled": orders.CANCELLED}


def _bind(sql: str, params: dict) -> dict:
    """The named parameters this SQL uses (DuckDB refuses names a statement does not have)."""
    return {name: value for name, value in params.items() if re.search(rf"\${name}\b", sql)}


def live_queries(livestream_id: int, *, largest: int = LARGEST_CUSTOMERS) -> dict[str, tuple[str, dict]]:
    params = _common_params() | {"livestream_ids": [livestream_id], "livestream_id": livestream_id,
                                 "limit": largest}
    named = {"figures": FIGURES_SQL, "by_status": STATUS_SQL, "timeline": TIMELINE_SQL,
             "top_items": TOP_ITEMS_SQL, "by_staff": STAFF_SQL, "largest_customers": LARGEST_CUSTOMERS_SQL}
    return {name: (sql, _bind(sql, params)) for name, sql in named.items()}


def across_lives_queries(livestream_ids: list[int], *, item_grouping: str = "code") -> dict[str, tuple[str, dict]]:
    params = _common_params() | {"livestream_ids": list(livestream_ids), "by": item_grouping}
    named = {"figures": FIGURES_SQL, "by_status": STATUS_SQL, "items": ITEMS_ACROSS_LIVES_SQL,
             "returning_customers": RETURNING_CUSTOMERS_SQL, "blacklist_hits": BLACKLIST_HITS_SQL}
    return {name: (sql, _bind(sql, params)) for name, sql in named.items()}


def range_query(since: date, until: date) -> tuple[str, dict]:
    """The livestreams held from `since` to `until` (shop-local dates, both included)."""
    start, end = utc_bounds(since, until)
    return LIVES_IN_RANGE_SQL, {"since": start, "until": end}


def utc_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """Shop-local days [since, until] as a naive UTC [start, end)."""
    if until < since:
        raise InvalidInput("reports.range_backwards")
    zone = shop_zone()
    start = to_utc_naive(datetime.combine(since, time(0), tzinfo=zone))
    end = to_utc_naive(datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone))
    return start, end


def _run(cur, queries: dict[str, tuple[str, dict]]) -> dict[str, pd.DataFrame]:
    return {name: cur.execute(sql, params).df() for name, (sql, params) in queries.items()}


class _ReadSnapshot:
    """One cursor in one read transaction: every query of a report sees the same committed state."""

    def __init__(self, store: Store):
        self.cursor = store.cursor()

    def __enter__(self):
        self.cursor.begin()
        return self.cursor

    def __exit__(self, *exc):
        try:
            self.cursor.rollback()
        finally:
            self.cursor.close()


# -- one livestream ------------------------------------------------------------------------------------------
def live_report(store: Store, livestream_id: int, *, largest: int = LARGEST_CUSTOMERS) -> LiveReport:
    with _ReadSnapshot(store) as cur:
        frames = _run(cur, live_queries(livestream_id, largest=largest))
    figures = frames["figures"]
    if figures.empty:
        raise NotFound("reports.livestream_not_found", id=livestream_id)
    row = figures.iloc[0].to_dict()
    return LiveReport(
        livestream_id=livestream_id, title=row["title"], status=row["status"],
        held_at=_timestamp(row["held_at"]), first_comment_at=_timestamp(row["first_comment_at"]),
        last_comment_at=_timestamp(row["last_comment_at"]),
        figures=Figures.from_row(row),
        by_status=_every_status(frames["by_status"]),
        timeline=_fill_minutes(frames["timeline"]),
        top_items=frames["top_items"],
        # In English; a page names orders without staff in its reader's language by their missing staff_id.
        by_staff=frames["by_staff"].assign(staff=lambda f: f["staff"].fillna(Text("reports.nobody"))),
        largest_customers=frames["largest_customers"],
    )


def _timestamp(value) -> datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _every_status(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per status in lifecycle order, zeros for statuses no order has."""
    counted = frame.set_index("status")
    rows = []
    for status in orders.STATUSES:
        found = counted.loc[status] if status in counted.index else None
        rows.append({
            "status": status, "label": orders.STATUS_LABELS[status],
            "orders": int(found["orders"]) if found is not None else 0,
            "value": int(found["value"]) if found is not None else 0,
            "items": int(found["items"]) if found is not None else 0,
        })
    return pd.DataFrame(rows)


# A timeline longer than this is left with its gaps (a stray comment days later must not make 10,000 rows).
MAX_FILLED_MINUTES = 24 * 60


def _fill_minutes(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    frame = frame.set_index("minute")
    span = pd.date_range(frame.index.min(), frame.index.max(), freq="min")
    if len(span) <= MAX_FILLED_MINUTES:
        frame = frame.reindex(span, fill_value=0)
    frame.index.name = "minute"
    return frame.reset_index().astype({"comments": "int64", "order_comments": "int64", "new_orders": "int64"})


# -- across lives --------------------------------------------------------------------------------------------
def held_date_span(store: Store) -> tuple[date, date] | None:
    """The first and last shop-local day a livestream was held (None when there are no livestreams)."""
    row = store.query(HELD_DATES_SQL, {"zone": config.timezone_name()})[0]
    if row["first_day"] is None:
        return None
    return row["first_day"], row["last_day"]


def livestream_ids_in_range(store: Store, since: date, until: date) -> list[int]:
    sql, params = range_query(since, until)
    return [row["id"] for row in store.query(sql, params)]


def across_lives_report(store: Store, since: date, until: date, *, item_grouping: str = "code") -> AcrossLivesReport:
    if item_grouping not in ITEM_GROUPINGS:
        raise InvalidInput("reports.bad_grouping", choices=", ".join(ITEM_GROUPINGS))
    range_sql, range_params = range_query(since, until)
    with _ReadSnapshot(store) as cur:
        ids = [row[0] for row in cur.execute(range_sql, range_params).fetchall()]
        frames = _run(cur, across_lives_queries(ids, item_grouping=item_grouping))
    lives = _with_derived_figures(frames["figures"])
    by_status = frames["by_status"].pivot_table(index="livestream_id", columns="status", values="orders",
                                                aggfunc="sum", fill_value=0)
    for status in orders.STATUSES:
        counts = by_status[status] if status in by_status.columns else pd.Series(dtype="int64")
        lives[f"orders_{status}"] = lives["livestream_id"].map(counts).fillna(0).astype("int64")
    items = frames["items"]
    items["in_every_live"] = (items["lives_with_sales"] > 0) & (items["lives_sold"] == items["lives_with_sales"])
    totals = Figures(**{name: int(lives[name].sum()) if len(lives) else 0 for name in Figures.__dataclass_fields__})
    return AcrossLivesReport(since=since, until=until, item_grouping=item_grouping, lives=lives, items=items,
                             returning_customers=frames["returning_customers"],
                             blacklist_hits=frames["blacklist_hits"], totals=totals)


def _with_derived_figures(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    orders_count = frame["orders"].where(frame["orders"] > 0)
    frame["revenue"] = frame["revenue_confirmed"] + frame["revenue_pending"]
    frame["average_order_value"] = (frame["revenue"] / orders_count).round().astype("Int64")
    frame["comment_to_order_share"] = frame["comments_into_orders"] / frame["comments"].where(frame["comments"] > 0)
    return frame
