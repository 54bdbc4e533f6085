"""Orders on the caller's cursor: reading one with its lines, a new draft, a new line, the version bump that
makes an open edit form stale, the edits of the order form, and the version check of every staff action."""

from __future__ import annotations

from core.base.errors import ConcurrentChange, NotFound
from core.base.formatting import utc_now
from core.domain.orders import DRAFT, HELD_BLACKLISTED, Order, OrderLine, order_code
from core.records import history
from core.records.rotation import StaffRotation

# The newest event is read in the same statement as the order, filtered by the order's id: a subquery correlated on
# o.id made DuckDB aggregate every order's events (all of order_events) on each read of one order.
_ORDER_SELECT = """
SELECT o.id, o.code, o.livestream_id, o.customer_id, c.display_name, c.platform_user_id, o.status, o.staff_id,
       u.display_name, o.first_comment_at, o.receiver_name, o.receiver_phone, o.receiver_address, o.note,
       o.shipping_fee, o.discount, o.payment, o.carrier, o.tracking_number, o.handled_at, o.handled_by,
       o.version, o.created_at, o.updated_at, o.hold_reason, c.blacklisted, c.blacklist_reason, o.returned_at,
       e.last_event_id
FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN users u ON u.id = o.staff_id
LEFT JOIN (SELECT max(id) AS last_event_id FROM order_events WHERE order_id = $id) e ON TRUE
WHERE o.id = $id
"""


def load_order(cur, order_id: int) -> Order | None:
    row = cur.execute(_ORDER_SELECT, {"id": order_id}).fetchone()
    if row is None:
        return None
    order = Order(*row)
    order.lines = [
        OrderLine(*r)
        for r in cur.execute(
            "SELECT l.id, l.code_typed, l.item_id, i.code, i.name, l.size, l.color, l.qty, l.unit_price, "
            "l.waitlisted_qty, l.claimed_at, l.source_comment_id, l.edited_by_staff "
            "FROM order_lines l LEFT JOIN live_items i ON i.id = l.item_id WHERE l.order_id = ? "
            "ORDER BY l.claimed_at, l.id",
            [order.id],
        ).fetchall()
    ]
    return order


def load_order_by_code(cur, code: str) -> Order | None:
    row = cur.execute("SELECT id FROM orders WHERE upper(code) = upper(?)", [(code or "").strip().lstrip("#")]).fetchone()
    return None if row is None else load_order(cur, row[0])


def code_of(cur, order_id: int) -> str:
    row = cur.execute("SELECT code FROM orders WHERE id = ?", [order_id]).fetchone()
    return row[0] if row else str(order_id)


def check_version(cur, order_id: int, expected_version: int | None) -> Order:
    order = load_order(cur, order_id)
    if order is None:
        raise NotFound("orders.not_found", order_id=order_id)
    if expected_version is not None and order.version != expected_version:
        raise ConcurrentChange("orders.changed_meanwhile", code=order.code)
    return order


def create_draft(cur, *, livestream_id: int, customer_id: int, first_comment_at, actor: str,
                 comment_id: int | None = None) -> int:
    number = cur.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM orders WHERE livestream_id = ?", [livestream_id]
    ).fetchone()[0]
    customer = cur.execute(
        "SELECT display_name, phone, address, staff_id, blacklisted FROM customers WHERE id = ?", [customer_id]
    ).fetchone()
    staff_id = customer[3]
    rotation = StaffRotation.load(cur, livestream_id)
    if rotation.needs_staff(staff_id):
        staff_id = rotation.next()
        rotation.save(cur)
        cur.execute("UPDATE customers SET staff_id = ? WHERE id = ?", [staff_id, customer_id])
    hold = HELD_BLACKLISTED if customer[4] and holds_blacklisted(cur, livestream_id) else None
    now = utc_now()
    code = order_code(livestream_id, number)
    order_id = cur.execute(
        "INSERT INTO orders (code, livestream_id, number, customer_id, status, staff_id, first_comment_at, "
        "receiver_name, receiver_phone, receiver_address, hold_reason, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [code, livestream_id, number, customer_id, DRAFT, staff_id, first_comment_at, customer[0], customer[1],
         customer[2], hold, now, now],
    ).fetchone()[0]
    history.order_created(cur, order_id, actor=actor, to_status=DRAFT, comment_id=comment_id)
    if hold:
        history.order_held(cur, order_id, actor=actor, reason=hold)
    return order_id


def holds_blacklisted(cur, livestream_id: int) -> bool:
    """Whether this livestream holds the orders of blacklisted customers for review (the default)."""
    row = cur.execute("SELECT blacklisted_order_comments FROM livestreams WHERE id = ?", [livestream_id]).fetchone()
    return row is None or row[0] != "orders"


def add_line(cur, order_id: int, *, code_typed: str, item_id: int | None, qty: int, size: str | None,
             color: str | None, unit_price: int, claimed_at, comment_id: int | None) -> int:
    return cur.execute(
        "INSERT INTO order_lines (order_id, code_typed, item_id, size, color, qty, unit_price, source_comment_id, "
        "claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [order_id, code_typed, item_id, size, color, qty, unit_price, comment_id, claimed_at],
    ).fetchone()[0]


def bump_version(cur, order_id: int, *, new_status: str | None = None) -> None:
    """Bumps the version so that a form opened before a comment changed the order cannot overwrite it."""
    if new_status:
        cur.execute("UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
                    [new_status, utc_now(), order_id])
    else:
        cur.execute("UPDATE orders SET version = version + 1, updated_at = ? WHERE id = ?", [utc_now(), order_id])
