"""Stock queues: each item's stock is served to its claims (order lines) in turn, on the caller's cursor.

The turn: orders already committed (in the shipping book, sent, shipped) first, then by comment time, orders held
for review (of blacklisted customers) last; a claim beyond the stock waits (waitlisted_qty)."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from core.base.formatting import utc_now
from core.db.store import register
from core.domain.orders import CANCELLED, COMMITTED

_CHANGED_CLAIMS = """
WITH claims AS (
    SELECT l.id AS line_id, l.order_id, l.qty, l.waitlisted_qty, i.stock,
           coalesce(sum(l.qty) OVER (
               PARTITION BY l.item_id
               ORDER BY CASE WHEN list_contains(?::VARCHAR[], o.status) THEN 0
                             WHEN o.hold_reason IS NOT NULL THEN 2 ELSE 1 END,
                        l.claimed_at, l.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS claimed_before
    FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN live_items i ON i.id = l.item_id
    WHERE l.item_id IN (SELECT unnest(?::BIGINT[])) AND o.status <> ?
)
SELECT line_id, order_id, waitlisted_qty,
       CASE WHEN stock IS NULL THEN 0 ELSE qty - greatest(0, least(qty, stock - claimed_before)) END AS waitlisted_now
FROM claims
WHERE waitlisted_qty <> CASE WHEN stock IS NULL THEN 0 ELSE qty - greatest(0, least(qty, stock - claimed_before)) END
"""


def rebalance_stock(cur, item_ids, *, actor: str) -> None:
    """Serves each item's stock to its claims in turn; the rest waits.

    Run after anything that changes claims or stock, so a cancellation hands the freed stock to the earliest
    waitlisted claim, and a late-arriving earlier comment takes its rightful place in the queue. One statement
    for all the items (a running sum per item), then the changed lines are written and recorded as sets.
    """
    ids = sorted({int(i) for i in item_ids if i is not None})
    if not ids:
        return
    changed = cur.execute(_CHANGED_CLAIMS, [sorted(COMMITTED), ids, CANCELLED]).fetchall()
    if changed:
        _write_changed_claims(cur, changed, actor=actor)


def _write_changed_claims(cur, changed: list[tuple], *, actor: str) -> None:
    now = utc_now()
    table = pa.table({
        "line_id": pa.array([row[0] for row in changed], pa.int64()),
        "order_id": pa.array([row[1] for row in changed], pa.int64()),
        "waitlisted_before": pa.array([row[2] for row in changed], pa.int32()),
        "waitlisted_now": pa.array([row[3] for row in changed], pa.int32()),
    })
    register(cur, "stock_changes", table)
    try:
        cur.execute("UPDATE order_lines SET waitlisted_qty = s.waitlisted_now FROM stock_changes s "
                    "WHERE order_lines.id = s.line_id").fetchall()
        # The stock events as a set: stock_assigned when a claim waits less than before, else waitlisted.
        cur.execute(
            "INSERT INTO order_events (order_id, happened_at, actor, action, details) "
            "SELECT order_id, ?, ?, CASE WHEN waitlisted_now < waitlisted_before THEN 'stock_assigned' "
            "ELSE 'waitlisted' END, json_object('line_id', line_id, 'waitlisted_before', waitlisted_before, "
            "'waitlisted_now', waitlisted_now)::VARCHAR FROM stock_changes",
            [now, actor],
        ).fetchall()
        cur.execute("UPDATE orders SET version = version + 1, updated_at = ? "
                    "WHERE id IN (SELECT DISTINCT order_id FROM stock_changes)", [now]).fetchall()
    finally:
        cur.unregister("stock_changes")


def rebalance_all_stock(cur, livestream_id: int, *, actor: str) -> None:
    item_ids = [row[0] for row in cur.execute("SELECT id FROM live_items WHERE livestream_id = ?",
                                              [livestream_id]).fetchall()]
    rebalance_stock(cur, item_ids, actor=actor)


def waitlist_places(cur, line_ids: Iterable[int]) -> dict[int, int]:
    """For waitlisted lines: their place in their item's queue (1 = the next to get freed stock)."""
    ids = [int(i) for i in line_ids]
    if not ids:
        return {}
    rows = cur.execute(
        """
WITH queue AS (
    SELECT l.id, row_number() OVER (PARTITION BY l.item_id ORDER BY l.claimed_at, l.id) AS place
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.waitlisted_qty > 0 AND o.status <> ?
      AND l.item_id IN (SELECT item_id FROM order_lines WHERE id IN (SELECT unnest(?::BIGINT[])))
)
SELECT id, place FROM queue WHERE id IN (SELECT unnest(?::BIGINT[]))""",
        [CANCELLED, ids, ids],
    ).fetchall()
    return dict(rows)


def stock_left(cur, livestream_id: int) -> dict[int, int | None]:
    """Each item of the livestream: its stock minus what its claims are served (the claims of orders not cancelled,
    less what waits); None for an item with unlimited stock."""
    rows = cur.execute(
        """
SELECT i.id, i.stock - coalesce(sum(l.qty - l.waitlisted_qty) FILTER (WHERE o.status <> ?), 0)
FROM live_items i LEFT JOIN order_lines l ON l.item_id = i.id LEFT JOIN orders o ON o.id = l.order_id
WHERE i.livestream_id = ?
GROUP BY i.id, i.stock""",
        [CANCELLED, livestream_id],
    ).fetchall()
    return {item_id: None if left is None else int(left) for item_id, left in rows}
