"""Orders: the lifecycle, the staff actions of both screens, and the helpers comments use to move orders.

Every action is one function that runs in one transaction with its order_events row and checks the order's
version: a second staff member saving an order that changed since they opened it gets ConcurrentChange.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Iterable

from core.base.errors import ActionNotAllowed, ConcurrentChange, IncompleteOrder, InvalidInput, NotFound
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.base.phones import normalize_vn_phone
from core.db.store import Store, register
from core.domain.syntax import normalize_code

# -- statuses --------------------------------------------------------------------------------------------------
DRAFT = "draft"  # made from comments, or saved with "Save draft"
AWAITING_CONFIRMATION = "awaiting_confirmation"  # "Save": kept while the customer confirms
AWAITING_SHIPMENT = "awaiting_shipment"  # "Create order" / "Save to shipping book": in the shipping book
SENT_TO_SHOP = "sent_to_shop"  # "Send to shop": for the cashier (MShopKeeper or the Shop inbox)
SHIPPED = "shipped"  # "Ship": handed to a carrier
CANCELLED = "cancelled"  # "Cancel" / "Delete": kept with its history, stock released

STATUSES = (DRAFT, AWAITING_CONFIRMATION, AWAITING_SHIPMENT, SENT_TO_SHOP, SHIPPED, CANCELLED)
# Texts (status.toml): read as English, render in the reader's language with ui.i18n.say.
STATUS_LABELS = {status: Text(f"status.{status}") for status in STATUSES}
# The status inside a sentence: "order L1-001 is now {status}" (in shipping book, đã vào sổ giao hàng).
STATUS_PHRASES = {status: Text(f"status.phrase.{status}") for status in STATUSES}
# New order comments of the customer go into an order in one of these.
OPEN_FOR_COMMENTS = frozenset({DRAFT, AWAITING_CONFIRMATION})
# Staff may change lines and shipping info of an order in one of these.
EDITABLE = frozenset({DRAFT, AWAITING_CONFIRMATION, AWAITING_SHIPMENT})
# Stock given to these orders is never handed to anyone else.
COMMITTED = frozenset({AWAITING_SHIPMENT, SENT_TO_SHOP, SHIPPED})
CANCELLABLE = frozenset({DRAFT, AWAITING_CONFIRMATION, AWAITING_SHIPMENT, SENT_TO_SHOP})
PAYMENTS = ("cod", "transfer")

# action name -> (button label, statuses it may start from, status it leads to, needs a complete order)
ACTIONS: dict[str, tuple[Text, frozenset[str], str, bool]] = {
    "save_draft": (Text("orders.action.save_draft"), EDITABLE, DRAFT, False),
    "save": (Text("orders.action.save"), EDITABLE, AWAITING_CONFIRMATION, False),
    "create_order": (Text("orders.action.create_order"), EDITABLE, AWAITING_SHIPMENT, True),
    "save_to_shipping_book": (Text("orders.action.save_to_shipping_book"), EDITABLE, AWAITING_SHIPMENT, True),
    "send_to_shop": (Text("orders.action.send_to_shop"), EDITABLE, SENT_TO_SHOP, True),
    "ship": (Text("orders.action.ship"), EDITABLE, SHIPPED, True),
    "cancel": (Text("orders.action.cancel"), CANCELLABLE, CANCELLED, False),
    "delete": (Text("orders.action.delete"), CANCELLABLE, CANCELLED, False),
}

COMMENT_ACTOR = "comments"
# hold_reason of an order made by a blacklisted customer's comment where the livestream holds them for review.
HELD_BLACKLISTED = "blacklisted"


@dataclass(frozen=True)
class LineEdit:
    """One order line as the edit form gives it. id None: a new line. item_id None: still blank."""

    id: int | None
    code_typed: str
    item_id: int | None
    qty: int
    size: str | None = None
    color: str | None = None
    unit_price: int | None = None  # None: the item's price


@dataclass(frozen=True)
class OrderEdits:
    """What the edit form sends with a button. A field left None is not changed."""

    lines: tuple[LineEdit, ...] | None = None
    receiver_name: str | None = None
    receiver_phone: str | None = None
    receiver_address: str | None = None
    note: str | None = None
    shipping_fee: int | None = None
    discount: int | None = None
    payment: str | None = None


@dataclass
class OrderLine:
    id: int
    code_typed: str
    item_id: int | None
    item_code: str | None
    item_name: str | None
    size: str | None
    color: str | None
    qty: int
    unit_price: int
    waitlisted_qty: int
    claimed_at: object
    source_comment_id: int | None
    edited_by_staff: bool

    @property
    def amount(self) -> int:
        return self.qty * self.unit_price


@dataclass
class Order:
    id: int
    code: str
    livestream_id: int
    customer_id: int
    customer_name: str
    customer_platform_user_id: str
    status: str
    staff_id: int | None
    staff_name: str | None
    first_comment_at: object
    receiver_name: str | None
    receiver_phone: str | None
    receiver_address: str | None
    note: str | None
    shipping_fee: int
    discount: int
    payment: str
    carrier: str | None
    tracking_number: str | None
    handled_at: object
    handled_by: str | None
    version: int
    created_at: object
    updated_at: object
    hold_reason: str | None  # HELD_BLACKLISTED: completing it waits until staff accept it (accept_held_order)
    customer_blacklisted: bool
    customer_blacklist_reason: str | None
    returned_at: object
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def total(self) -> int:
        return max(0, self.subtotal + self.shipping_fee - self.discount)

    @property
    def has_blank_item(self) -> bool:
        return any(line.item_id is None for line in self.lines)

    @property
    def status_label(self) -> Text:
        return STATUS_LABELS[self.status]

    def missing_for_completion(self) -> list[Text]:
        return missing_for_completion(self)


def missing_for_completion(order: Order) -> list[Text]:
    """Everything a complete order still lacks, in words staff can act on (Texts, English as str)."""
    missing: list[Text] = []
    if order.hold_reason == HELD_BLACKLISTED:
        missing.append(Text("orders.missing.held_blacklisted"))
    if not order.lines:
        missing.append(Text("orders.missing.no_items"))
    for number, line in enumerate(order.lines, start=1):
        if line.item_id is None:
            missing.append(Text("orders.missing.pick_item", line=number, code=line.code_typed))
        if line.qty < 1:
            missing.append(Text("orders.missing.qty_at_least_1", line=number, code=line.code_typed))
        if line.waitlisted_qty > 0:
            missing.append(Text("orders.missing.waitlisted", line=number, code=line.code_typed,
                                served=line.qty - line.waitlisted_qty, qty=line.qty, waitlisted=line.waitlisted_qty))
    if not (order.receiver_name or "").strip():
        missing.append(Text("orders.missing.receiver_name"))
    if not (order.receiver_phone or "").strip():
        missing.append(Text("orders.missing.receiver_phone"))
    elif normalize_vn_phone(order.receiver_phone) is None:
        missing.append(Text("orders.missing.valid_phone", phone=order.receiver_phone))
    if not (order.receiver_address or "").strip():
        missing.append(Text("orders.missing.receiver_address"))
    return missing


# -- reading ---------------------------------------------------------------------------------------------------
_ORDER_SELECT = """
SELECT o.id, o.code, o.livestream_id, o.customer_id, c.display_name, c.platform_user_id, o.status, o.staff_id,
       u.display_name, o.first_comment_at, o.receiver_name, o.receiver_phone, o.receiver_address, o.note,
       o.shipping_fee, o.discount, o.payment, o.carrier, o.tracking_number, o.handled_at, o.handled_by,
       o.version, o.created_at, o.updated_at, o.hold_reason, c.blacklisted, c.blacklist_reason, o.returned_at
FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN users u ON u.id = o.staff_id
"""


def _load_order(cur, where: str, params: list) -> Order | None:
    row = cur.execute(_ORDER_SELECT + " WHERE " + where, params).fetchone()
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


def get_order(store: Store, order_id: int) -> Order:
    cur = store.cursor()
    try:
        order = _load_order(cur, "o.id = ?", [order_id])
    finally:
        cur.close()
    if order is None:
        raise NotFound("orders.not_found", order_id=order_id)
    return order


def get_order_by_code(store: Store, code: str) -> Order:
    cur = store.cursor()
    try:
        order = _load_order(cur, "upper(o.code) = upper(?)", [(code or "").strip().lstrip("#")])
    finally:
        cur.close()
    if order is None:
        raise NotFound("orders.no_such_code", code=code)
    return order


def open_order_of_customer(store: Store, livestream_id: int, customer_id: int) -> Order | None:
    """The customer's latest order in this livestream that staff can still work on, if any."""
    cur = store.cursor()
    try:
        row = cur.execute(
            "SELECT id FROM orders WHERE livestream_id = ? AND customer_id = ? AND status <> 'cancelled' "
            "ORDER BY CASE WHEN status IN ('draft', 'awaiting_confirmation', 'awaiting_shipment') THEN 0 ELSE 1 END, "
            "created_at DESC LIMIT 1",
            [livestream_id, customer_id],
        ).fetchone()
        return _load_order(cur, "o.id = ?", [row[0]]) if row else None
    finally:
        cur.close()


def list_orders(
    store: Store, livestream_id: int | None, *, statuses: Iterable[str] | None = None,
    staff_ids: Iterable[int] | None = None, since=None, until=None, search: str | None = None,
):
    """The list of livestream orders as a DataFrame, sorted by the time of the customer's first order comment.

    livestream_id None: the orders of every livestream."""
    where = ["TRUE"]
    params: list = []
    if livestream_id is not None:
        where.append("o.livestream_id = ?")
        params.append(livestream_id)
    statuses = list(statuses or [])
    if statuses:
        where.append(f"o.status IN ({','.join('?' * len(statuses))})")
        params += statuses
    staff_ids = list(staff_ids or [])
    if staff_ids:
        none_wanted = 0 in staff_ids
        ids = [s for s in staff_ids if s]
        clauses = []
        if ids:
            clauses.append(f"o.staff_id IN ({','.join('?' * len(ids))})")
            params += ids
        if none_wanted:
            clauses.append("o.staff_id IS NULL")
        where.append("(" + " OR ".join(clauses) + ")")
    if since is not None:
        where.append("o.first_comment_at >= ?")
        params.append(since)
    if until is not None:
        where.append("o.first_comment_at <= ?")
        params.append(until)
    if search and search.strip():
        term = search.strip()
        digits = "".join(ch for ch in term if ch.isdigit())
        clauses = ["o.code ILIKE ?", "strip_accents(c.display_name) ILIKE strip_accents(?)",
                   "strip_accents(coalesce(o.receiver_name, '')) ILIKE strip_accents(?)"]
        params += [f"%{term}%", f"%{term}%", f"%{term}%"]
        if len(digits) >= 3:
            clauses.append("(coalesce(o.receiver_phone, '') LIKE ? OR coalesce(c.phone, '') LIKE ?)")
            params += [f"%{digits}%", f"%{digits}%"]
        where.append("(" + " OR ".join(clauses) + ")")
    # The chosen orders first: their lines alone are summed (the shipping book of a long live is a handful of
    # orders among tens of thousands).
    sql = f"""
WITH chosen AS (
    SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE {' AND '.join(where)}
),
line_totals AS (
    SELECT l.order_id,
           sum(l.qty * l.unit_price) AS subtotal,
           count(*) AS line_count,
           count(*) FILTER (WHERE l.item_id IS NULL) AS blank_items,
           sum(l.waitlisted_qty) AS waitlisted,
           string_agg(coalesce(i.code, l.code_typed || '?') ||
                      CASE WHEN l.size IS NULL THEN '' ELSE ' ' || l.size END ||
                      CASE WHEN l.color IS NULL THEN '' ELSE ' ' || l.color END ||
                      ' ×' || l.qty::VARCHAR, ', ' ORDER BY l.claimed_at, l.id) AS items
    FROM order_lines l LEFT JOIN live_items i ON i.id = l.item_id
    WHERE l.order_id IN (SELECT id FROM chosen) GROUP BY l.order_id
)
SELECT o.id AS order_id, o.code, o.status, c.display_name AS customer, coalesce(u.display_name, '') AS staff,
       o.staff_id, o.first_comment_at, coalesce(t.items, '') AS items,
       coalesce(t.subtotal, 0) + o.shipping_fee - o.discount AS total,
       coalesce(t.blank_items, 0) AS blank_items, coalesce(t.waitlisted, 0) AS waitlisted,
       coalesce(o.receiver_name, '') AS receiver_name, coalesce(o.receiver_phone, '') AS receiver_phone,
       coalesce(o.receiver_address, '') AS receiver_address, o.payment, o.version, o.handled_at,
       o.carrier, o.tracking_number, o.updated_at, c.blacklisted, o.hold_reason, o.customer_id
FROM chosen JOIN orders o ON o.id = chosen.id JOIN customers c ON c.id = o.customer_id
LEFT JOIN users u ON u.id = o.staff_id LEFT JOIN line_totals t ON t.order_id = o.id
ORDER BY o.first_comment_at, o.id
"""
    frame = store.frame(sql, params)
    frame["total"] = frame["total"].clip(lower=0).astype("int64")
    frame["missing_shipping"] = (
        (frame["receiver_name"].str.strip() == "")
        | (frame["receiver_phone"].str.strip() == "")
        | (frame["receiver_address"].str.strip() == "")
    )
    return frame


def count_orders(store: Store, livestream_id: int) -> int:
    """How many orders of the livestream are not cancelled (the live panel's figure, every refresh)."""
    return store.scalar("SELECT count(*) FROM orders WHERE livestream_id = ? AND status <> 'cancelled'",
                        [livestream_id])


def order_events(store: Store, order_id: int) -> list[dict]:
    return store.query(
        "SELECT happened_at, actor, action, from_status, to_status, details FROM order_events "
        "WHERE order_id = ? ORDER BY id",
        [order_id],
    )


# Fields a staff action may change, as the history names them.
_CHANGED_FIELDS = ("receiver_name", "receiver_phone", "receiver_address", "note", "shipping_fee", "discount",
                   "payment", "carrier", "tracking_number")


def _line_change(change) -> Text | str:
    if not isinstance(change, dict):
        return str(change)  # events saved before line changes were kept as data
    kind = change.get("change")
    if kind not in ("added", "picked", "changed", "removed"):
        return str(change)
    return Text(f"orders.event.line_{kind}", code=change.get("code") or "", qty=change.get("qty") or "",
                item=change.get("item") or "")


def describe_event(event: dict) -> Text:
    """One row of an order's history (order_events) in words: what happened, its status move, what changed."""
    action = event["action"]
    try:
        details = json.loads(event.get("details") or "{}")
    except (TypeError, ValueError):
        details = {}
    if not isinstance(details, dict):
        details = {}
    nobody = Text("orders.event.nobody")
    if action in ACTIONS:
        what = ACTIONS[action][0]
    elif action == "created":
        what = Text("orders.event.created_from_comment" if details.get("comment_id") else "orders.event.created")
    elif action in ("comment_lines_added", "customer_cancelled_lines", "comment_corrected_into_lines"):
        lines = details.get("lines") or []
        what = Text(f"orders.event.{action}", lines=", ".join(str(line) for line in lines))
    elif action == "cancel_requested":
        codes = details.get("codes") or []
        what = Text("orders.event.cancel_requested_codes" if codes else "orders.event.cancel_requested",
                    codes=", ".join(str(code) for code in codes))
    elif action == "phone_from_comment":
        what = Text("orders.event.phone_from_comment", phone=details.get("phone") or "")
    elif action == "staff_changed":
        what = Text("orders.event.staff_changed", before=details.get("from") or nobody,
                    after=details.get("to") or nobody)
    elif action in ("stock_assigned", "waitlisted"):
        what = Text(f"orders.event.{action}", waiting=details.get("waitlisted_now", 0))
    elif action == "item_resolved":
        what = Text("orders.event.item_resolved", code=details.get("code") or "", item=details.get("item") or "")
    elif action == "returned" and details.get("note"):
        what = Text("orders.event.returned_note", note=details["note"])
    elif action in ("held", "hold_released", "handled_by_shop", "returned", "customer_added_items"):
        what = Text(f"orders.event.{action}")
    else:
        what = Text("orders.event.other", action=action)
    parts: list = [what]
    if event.get("to_status") in STATUS_LABELS and event.get("to_status") != event.get("from_status"):
        before = event.get("from_status")
        parts.append(Text("orders.event.move", before=STATUS_LABELS[before], after=STATUS_LABELS[event["to_status"]])
                     if before in STATUS_LABELS else Text("orders.event.status", status=STATUS_LABELS[event["to_status"]]))
    if action in ACTIONS:
        changed = [Text(f"orders.event.field_{name}") for name in _CHANGED_FIELDS if name in details]
        if changed:
            parts.append(Text("orders.event.changed", fields=changed))
        if details.get("lines"):
            parts.append(Text("orders.event.lines", changes=[_line_change(c) for c in details["lines"]]))
    return Text("orders.event.parts", parts=parts) if len(parts) > 1 else what


# -- writing helpers used by actions and by comments -------------------------------------------------------------
def record_event(cur, order_id: int, *, actor: str, action: str, from_status: str | None = None,
                 to_status: str | None = None, details: dict | None = None) -> None:
    cur.execute(
        "INSERT INTO order_events (order_id, happened_at, actor, action, from_status, to_status, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [order_id, utc_now(), actor, action, from_status, to_status,
         json.dumps(details or {}, ensure_ascii=False, default=str)],
    )


def next_staff_for_new_customer(cur, livestream_id: int) -> int | None:
    """The next staff member on duty, in turn (core.services.assignment; ingest takes turns the same way)."""
    from core.services.assignment import StaffRotation

    rotation = StaffRotation.load(cur, livestream_id)
    staff_id = rotation.next()
    rotation.save(cur)
    return staff_id


def order_code(livestream_id: int, number: int) -> str:
    """The code printed on the bag: the livestream and the order's running number in it (L1-007)."""
    return f"L{livestream_id}-{number:03d}"


def create_draft(cur, *, livestream_id: int, customer_id: int, first_comment_at, actor: str,
                 comment_id: int | None = None) -> int:
    number = cur.execute(
        "SELECT coalesce(max(number), 0) + 1 FROM orders WHERE livestream_id = ?", [livestream_id]
    ).fetchone()[0]
    customer = cur.execute(
        "SELECT display_name, phone, address, staff_id, blacklisted FROM customers WHERE id = ?", [customer_id]
    ).fetchone()
    staff_id = customer[3]
    from core.services.assignment import StaffRotation

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
        "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [code, livestream_id, number, customer_id, staff_id, first_comment_at, customer[0], customer[1],
         customer[2], hold, now, now],
    ).fetchone()[0]
    record_event(cur, order_id, actor=actor, action="created", to_status=DRAFT,
                 details={"comment_id": comment_id} if comment_id else {})
    if hold:
        record_event(cur, order_id, actor=actor, action="held", details={"reason": hold})
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


def touch(cur, order_id: int, *, new_status: str | None = None) -> None:
    """Bumps the version so that a form opened before a comment changed the order cannot overwrite it."""
    if new_status:
        cur.execute("UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
                    [new_status, utc_now(), order_id])
    else:
        cur.execute("UPDATE orders SET version = version + 1, updated_at = ? WHERE id = ?", [utc_now(), order_id])


def rebalance_stock(cur, item_ids, *, actor: str) -> None:
    """Serves each item's stock to its claims: committed orders first, then by comment time, held orders (of
    blacklisted customers) last; the rest waits.

    Run after anything that changes claims or stock, so a cancellation hands the freed stock to the earliest
    waitlisted claim, and a late-arriving earlier comment takes its rightful place in the queue. One statement
    for all the items (a running sum per item), then the changed lines are written and recorded as sets.
    """
    ids = sorted({int(i) for i in item_ids if i is not None})
    if not ids:
        return
    changed = cur.execute(
        """
WITH claims AS (
    SELECT l.id AS line_id, l.order_id, l.qty, l.waitlisted_qty, i.stock,
           coalesce(sum(l.qty) OVER (
               PARTITION BY l.item_id
               ORDER BY CASE WHEN o.status IN ('awaiting_shipment', 'sent_to_shop', 'shipped') THEN 0
                             WHEN o.hold_reason IS NOT NULL THEN 2 ELSE 1 END,
                        l.claimed_at, l.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS claimed_before
    FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN live_items i ON i.id = l.item_id
    WHERE l.item_id IN (SELECT unnest(?::BIGINT[])) AND o.status <> 'cancelled'
)
SELECT line_id, order_id, waitlisted_qty,
       CASE WHEN stock IS NULL THEN 0 ELSE qty - greatest(0, least(qty, stock - claimed_before)) END AS waitlisted_now
FROM claims
WHERE waitlisted_qty <> CASE WHEN stock IS NULL THEN 0 ELSE qty - greatest(0, least(qty, stock - claimed_before)) END
""",
        [ids],
    ).fetchall()
    if not changed:
        return
    import pyarrow as pa

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


def waitlist_places(store: Store, line_ids: Iterable[int]) -> dict[int, int]:
    """For waitlisted lines: their place in their item's queue (1 = the next to get freed stock)."""
    ids = [int(i) for i in line_ids]
    if not ids:
        return {}
    rows = store.query(
        """
WITH queue AS (
    SELECT l.id, row_number() OVER (PARTITION BY l.item_id ORDER BY l.claimed_at, l.id) AS place
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE l.waitlisted_qty > 0 AND o.status <> 'cancelled'
      AND l.item_id IN (SELECT item_id FROM order_lines WHERE id IN (SELECT unnest(?::BIGINT[])))
)
SELECT id, place FROM queue WHERE id IN (SELECT unnest(?::BIGINT[]))""",
        [ids, ids],
    )
    return {row["id"]: row["place"] for row in rows}


def rebalance_item_stock(cur, item_id: int, *, actor: str) -> None:
    rebalance_stock(cur, [item_id], actor=actor)


def rebalance_all_stock(cur, livestream_id: int, *, actor: str) -> None:
    item_ids = [row[0] for row in cur.execute("SELECT id FROM live_items WHERE livestream_id = ?",
                                              [livestream_id]).fetchall()]
    rebalance_stock(cur, item_ids, actor=actor)


def fill_blank_lines(cur, livestream_id: int, *, actor: str, code_key: str | None = None) -> int:
    """Gives blank lines of open orders their item where the typed code now resolves (an item or a remembered
    pick). Lines staff edited by hand are left alone. Returns how many lines were filled."""
    from core.services.livestreams import load_catalog

    catalog = load_catalog(cur, livestream_id)
    blanks = cur.execute(
        "SELECT l.id, l.code_typed, o.id FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "WHERE o.livestream_id = ? AND l.item_id IS NULL AND NOT l.edited_by_staff "
        "AND o.status IN ('draft', 'awaiting_confirmation', 'awaiting_shipment')",
        [livestream_id],
    ).fetchall()
    filled = 0
    touched_items: set[int] = set()
    for line_id, code_typed, order_id in blanks:
        key = normalize_code(code_typed)
        if code_key is not None and key != code_key:
            continue
        item_id = catalog.item_id_by_code_key.get(key)
        if item_id is None:
            continue
        item = catalog.item(item_id)
        cur.execute("UPDATE order_lines SET item_id = ?, unit_price = ? WHERE id = ?", [item_id, item.price, line_id])
        record_event(cur, order_id, actor=actor, action="item_resolved",
                     details={"line_id": line_id, "code": code_typed, "item": item.code})
        touch(cur, order_id)
        touched_items.add(item_id)
        filled += 1
    rebalance_stock(cur, touched_items, actor=actor)
    return filled


def remember_code_pick(cur, livestream_id: int, code_typed: str, item_id: int, *, actor: str) -> None:
    key = normalize_code(code_typed)
    if not key:
        return
    if cur.execute("SELECT 1 FROM live_items WHERE livestream_id = ? AND code_key = ?", [livestream_id, key]).fetchone():
        return  # a real item has this code; nothing to remember
    cur.execute("DELETE FROM code_aliases WHERE livestream_id = ? AND code_key = ?", [livestream_id, key])
    cur.execute(
        "INSERT INTO code_aliases (livestream_id, code_key, code, item_id, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [livestream_id, key, code_typed.upper(), item_id, actor, utc_now()],
    )
    cur.execute("UPDATE livestreams SET catalog_version = catalog_version + 1 WHERE id = ?", [livestream_id])


# -- staff actions -----------------------------------------------------------------------------------------------
def _validate_edits(edits: OrderEdits) -> OrderEdits:
    """Refuses bad input as a whole (InvalidInput); returns the edits with text trimmed and phone normalised."""
    problems: list[Text] = []
    phone = edits.receiver_phone
    if phone is not None and phone.strip():
        normalised = normalize_vn_phone(phone)
        if normalised is None:
            problems.append(Text("orders.problem.bad_phone", phone=phone.strip()))
        else:
            phone = normalised
    for key, value in (("orders.problem.bad_shipping_fee", edits.shipping_fee),
                       ("orders.problem.bad_discount", edits.discount)):
        if value is not None and (not isinstance(value, int) or value < 0):
            problems.append(Text(key))
    if edits.payment is not None and edits.payment not in PAYMENTS:
        problems.append(Text("orders.problem.bad_payment"))
    if edits.lines is not None:
        for number, line in enumerate(edits.lines, start=1):
            if not isinstance(line.qty, int) or isinstance(line.qty, bool) or line.qty < 1:
                problems.append(Text("orders.problem.bad_qty", line=number, qty=line.qty))
            if line.unit_price is not None and (not isinstance(line.unit_price, int) or line.unit_price < 0):
                problems.append(Text("orders.problem.bad_unit_price", line=number))
            if not (line.code_typed or "").strip() and line.item_id is None:
                problems.append(Text("orders.problem.no_item", line=number))
    if problems:
        raise InvalidInput("orders.nothing_saved", problems=problems)

    def trimmed(value: str | None) -> str | None:
        return None if value is None else value.strip()

    return replace(
        edits, receiver_name=trimmed(edits.receiver_name), receiver_phone=None if phone is None else phone.strip(),
        receiver_address=trimmed(edits.receiver_address), note=trimmed(edits.note),
    )


def _apply_edits(cur, order: Order, edits: OrderEdits, *, actor: str) -> dict:
    """Writes the form's edits into the order's rows; returns what changed, for the event."""
    changes: dict = {}
    columns = {}
    for name in ("receiver_name", "receiver_phone", "receiver_address", "note", "shipping_fee", "discount", "payment"):
        value = getattr(edits, name)
        if value is not None and value != getattr(order, name):
            columns[name] = value
            changes[name] = {"from": getattr(order, name), "to": value}
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        cur.execute(f"UPDATE orders SET {assignments} WHERE id = ?", list(columns.values()) + [order.id])
    if edits.receiver_phone:
        cur.execute("UPDATE customers SET phone = ? WHERE id = ? AND phone IS NULL",
                    [edits.receiver_phone, order.customer_id])
    if edits.receiver_address:
        # The customer keeps their last address, in the 2025 units when it reads as one (Customers screen).
        from core.base.addresses import match_address

        found = match_address(edits.receiver_address)
        if found is not None and found.exact:
            cur.execute("UPDATE customers SET address = ?, province_code = ?, ward_code = ?, street = ? WHERE id = ?",
                        [edits.receiver_address, found.province_code, found.ward_code, found.street or None,
                         order.customer_id])
        else:
            cur.execute("UPDATE customers SET address = ? WHERE id = ?", [edits.receiver_address, order.customer_id])
    if edits.lines is None:
        return changes

    items = {
        r[0]: (r[1], r[2])
        for r in cur.execute("SELECT id, code, price FROM live_items WHERE livestream_id = ?",
                             [order.livestream_id]).fetchall()
    }
    existing = {line.id: line for line in order.lines}
    kept: set[int] = set()
    affected_items: set[int] = set()
    line_changes: list[dict] = []  # what the history shows (describe_event), in data so it reads in any language
    now = utc_now()
    for line in edits.lines:
        if line.item_id is not None and line.item_id not in items:
            raise InvalidInput("orders.item_not_in_livestream")
        price = line.unit_price
        if price is None:
            price = items[line.item_id][1] if line.item_id is not None else 0
        code_typed = (line.code_typed or "").strip() or items[line.item_id][0]
        size = (line.size or "").strip() or None
        color = (line.color or "").strip() or None
        before = existing.get(line.id) if line.id is not None else None
        if line.id is not None and before is None:
            raise ConcurrentChange("orders.line_removed_meanwhile", code=order.code)
        if before is None:
            new_line_id = add_line(cur, order.id, code_typed=code_typed, item_id=line.item_id, qty=line.qty,
                                   size=size, color=color, unit_price=price, claimed_at=now, comment_id=None)
            cur.execute("UPDATE order_lines SET edited_by_staff = TRUE WHERE id = ?", [new_line_id])
            line_changes.append({"change": "added", "code": code_typed, "qty": line.qty})
            if line.item_id is not None:
                affected_items.add(line.item_id)
            continue
        kept.add(before.id)
        if (before.item_id, before.qty, before.size, before.color, before.unit_price) == (
            line.item_id, line.qty, size, color, price
        ):
            continue
        if before.item_id is None and line.item_id is not None:
            # Staff picked the item for an unknown code: remember it for this livestream and fill the others.
            remember_code_pick(cur, order.livestream_id, before.code_typed, line.item_id, actor=actor)
            line_changes.append({"change": "picked", "code": before.code_typed, "item": items[line.item_id][0]})
        cur.execute(
            "UPDATE order_lines SET item_id = ?, qty = ?, size = ?, color = ?, unit_price = ?, edited_by_staff = TRUE "
            "WHERE id = ?",
            [line.item_id, line.qty, size, color, price, before.id],
        )
        line_changes.append({"change": "changed", "code": before.code_typed})
        for item_id in (before.item_id, line.item_id):
            if item_id is not None:
                affected_items.add(item_id)
    removed = [line_id for line_id in existing if line_id not in kept]
    for line_id in removed:
        line = existing[line_id]
        cur.execute("DELETE FROM order_lines WHERE id = ?", [line_id])
        line_changes.append({"change": "removed", "code": line.code_typed, "qty": line.qty})
        if line.item_id is not None:
            affected_items.add(line.item_id)
    if line_changes:
        changes["lines"] = line_changes
    rebalance_stock(cur, affected_items, actor=actor)
    fill_blank_lines(cur, order.livestream_id, actor=actor)
    return changes


def _check_version(cur, order_id: int, expected_version: int | None) -> Order:
    order = _load_order(cur, "o.id = ?", [order_id])
    if order is None:
        raise NotFound("orders.not_found", order_id=order_id)
    if expected_version is not None and order.version != expected_version:
        raise ConcurrentChange("orders.changed_meanwhile", code=order.code)
    return order


def perform_action(
    store: Store, action: str, order_id: int, *, actor: str, expected_version: int | None = None,
    edits: OrderEdits | None = None, carrier: str | None = None, tracking_number: str | None = None,
) -> Order:
    """Runs one staff action on one order in one transaction; returns the order as it is afterwards."""
    if action not in ACTIONS:
        raise InvalidInput("orders.unknown_action", action=action)
    label, allowed_from, to_status, needs_complete = ACTIONS[action]
    edits = _validate_edits(edits) if edits is not None else None
    with store.transaction() as cur:
        order = _check_version(cur, order_id, expected_version)
        if order.status not in allowed_from:
            raise ActionNotAllowed("orders.not_allowed_now", action=label, code=order.code,
                                   status=STATUS_PHRASES[order.status])
        changes: dict = {}
        if edits is not None:
            if order.status not in EDITABLE:
                raise ActionNotAllowed("orders.not_editable", code=order.code, status=STATUS_PHRASES[order.status])
            changes = _apply_edits(cur, order, edits, actor=actor)
            order = _load_order(cur, "o.id = ?", [order_id])
        if needs_complete:
            missing = missing_for_completion(order)
            if missing:
                raise IncompleteOrder(order.code, label, missing)
        now = utc_now()
        extra_columns: dict = {}
        if action == "ship":
            extra_columns = {"shipped_at": now, "carrier": (carrier or "").strip() or None,
                             "tracking_number": (tracking_number or "").strip() or None}
            changes.update({k: v for k, v in extra_columns.items() if k != "shipped_at" and v})
        assignments = "".join(f", {name} = ?" for name in extra_columns)
        cur.execute(
            f"UPDATE orders SET status = ?, version = version + 1, updated_at = ?{assignments} "
            "WHERE id = ? AND version = ?",
            [to_status, now, *extra_columns.values(), order_id, order.version],
        )
        record_event(cur, order_id, actor=actor, action=action, from_status=order.status, to_status=to_status,
                     details=changes)
        from core.services import outbox  # here: the command-line ingest never moves an order and need not load HTTP

        outbox.enqueue_for_transition(cur, order_before=order, to_status=to_status, action=action, actor=actor)
        if to_status == CANCELLED or (order.status not in COMMITTED and to_status in COMMITTED):
            # Cancelling frees stock; committing moves the order ahead of open ones in the queue.
            rebalance_stock(cur, {line.item_id for line in order.lines}, actor=actor)
        result = _load_order(cur, "o.id = ?", [order_id])
    return result


def save_draft(store: Store, order_id: int, **kwargs) -> Order:
    """Save draft: keeps the order as a draft, complete or not."""
    return perform_action(store, "save_draft", order_id, **kwargs)


def save(store: Store, order_id: int, **kwargs) -> Order:
    """Save: waits for the customer's confirmation."""
    return perform_action(store, "save", order_id, **kwargs)


def create_order(store: Store, order_id: int, **kwargs) -> Order:
    """Create order: puts a complete order into the shipping book."""
    return perform_action(store, "create_order", order_id, **kwargs)


def save_to_shipping_book(store: Store, order_id: int, **kwargs) -> Order:
    """Save to shipping book: the Case 1 name of Create order."""
    return perform_action(store, "save_to_shipping_book", order_id, **kwargs)


def send_to_shop(store: Store, order_id: int, **kwargs) -> Order:
    """Send to shop: hands a complete order to the cashier (the Shop inbox when no POS is connected)."""
    return perform_action(store, "send_to_shop", order_id, **kwargs)


def ship(store: Store, order_id: int, **kwargs) -> Order:
    """Ship: records that a complete order was handed to a carrier."""
    return perform_action(store, "ship", order_id, **kwargs)


def cancel(store: Store, order_id: int, **kwargs) -> Order:
    """Cancel: keeps the order with its history and releases its stock to the waitlist."""
    return perform_action(store, "cancel", order_id, **kwargs)


def delete(store: Store, order_id: int, **kwargs) -> Order:
    """Delete (list of livestream orders): like Cancel; nothing is erased, the history stays."""
    return perform_action(store, "delete", order_id, **kwargs)


def mark_handled(store: Store, order_id: int, *, actor: str, expected_version: int | None = None) -> Order:
    """Shop inbox: the cashier has entered the order in the till."""
    with store.transaction() as cur:
        order = _check_version(cur, order_id, expected_version)
        if order.status != SENT_TO_SHOP:
            raise ActionNotAllowed("orders.not_in_inbox", code=order.code)
        if order.handled_at is not None:
            raise ActionNotAllowed("orders.already_handled", code=order.code, by=order.handled_by)
        cur.execute(
            "UPDATE orders SET handled_at = ?, handled_by = ?, version = version + 1, updated_at = ? WHERE id = ?",
            [utc_now(), actor, utc_now(), order_id],
        )
        record_event(cur, order_id, actor=actor, action="handled_by_shop")
        return _load_order(cur, "o.id = ?", [order_id])


def accept_held_order(store: Store, order_id: int, *, actor: str, expected_version: int | None = None) -> Order:
    """Staff accept the order of a blacklisted customer: it can be completed, and its claims queue like others'."""
    with store.transaction() as cur:
        order = _check_version(cur, order_id, expected_version)
        if order.hold_reason is None:
            raise ActionNotAllowed("orders.not_held", code=order.code)
        cur.execute("UPDATE orders SET hold_reason = NULL, version = version + 1, updated_at = ? WHERE id = ?",
                    [utc_now(), order_id])
        record_event(cur, order_id, actor=actor, action="hold_released", details={"reason": order.hold_reason})
        rebalance_stock(cur, {line.item_id for line in order.lines}, actor=actor)
        return _load_order(cur, "o.id = ?", [order_id])


def mark_returned(store: Store, order_id: int, *, actor: str, note: str | None = None) -> Order:
    """A shipped order came back: the receiver refused it or sent it back (counted on the Customers screen)."""
    with store.transaction() as cur:
        order = _check_version(cur, order_id, None)
        if order.status != SHIPPED:
            raise ActionNotAllowed("orders.not_shipped", code=order.code)
        if order.returned_at is not None:
            raise ActionNotAllowed("orders.already_returned", code=order.code)
        cur.execute("UPDATE orders SET returned_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
                    [utc_now(), utc_now(), order_id])
        record_event(cur, order_id, actor=actor, action="returned", details={"note": (note or "").strip()})
        return _load_order(cur, "o.id = ?", [order_id])


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (order code, message: a Text, English as str)


def perform_bulk(store: Store, action: str, order_ids: Iterable[int], *, actor: str) -> BulkResult:
    """Runs one action on several orders; each order on its own, so one incomplete order does not stop the rest."""
    from core.base.errors import ChotdonError

    result = BulkResult()
    for order_id in order_ids:
        try:
            order = perform_action(store, action, int(order_id), actor=actor)
            result.done.append(order.code)
        except ChotdonError as error:
            code = _code_of(store, int(order_id))
            result.failed.append((code, error.text))
    return result


def _code_of(store: Store, order_id: int) -> str:
    return store.scalar("SELECT code FROM orders WHERE id = ?", [order_id]) or str(order_id)


def orders_with_lines(store: Store, livestream_id: int, statuses: Iterable[str] | None = None) -> list[dict]:
    """Every order of a livestream with its lines, in list order, in two queries (for exports and the CLI)."""
    frame = list_orders(store, livestream_id, statuses=statuses or STATUSES)
    lines_by_order: dict[int, list[dict]] = {}
    for row in store.query(
        "SELECT l.order_id, coalesce(i.code, l.code_typed) AS code, i.name AS item_name, l.size, l.color, l.qty, "
        "l.unit_price, l.waitlisted_qty FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "LEFT JOIN live_items i ON i.id = l.item_id WHERE o.livestream_id = ? ORDER BY l.claimed_at, l.id",
        [livestream_id],
    ):
        lines_by_order.setdefault(row.pop("order_id"), []).append(row)
    result = []
    for row in frame.to_dict("records"):
        result.append({
            "code": row["code"], "status": row["status"], "customer": row["customer"],
            "staff": row["staff"] or None, "first_comment_at": row["first_comment_at"].isoformat() + "Z",
            "total": int(row["total"]), "receiver_name": row["receiver_name"] or None,
            "receiver_phone": row["receiver_phone"] or None, "receiver_address": row["receiver_address"] or None,
            "lines": lines_by_order.get(row["order_id"], []),
        })
    return result


def list_shipping_book(store: Store, livestream_id: int | None = None):
    """Orders waiting for shipping, oldest first (the OCM list of orders waiting for shipping); all livestreams
    when livestream_id is None."""
    frame = list_orders(store, livestream_id, statuses=[AWAITING_SHIPMENT])
    return frame.sort_values("updated_at", kind="stable").reset_index(drop=True)


def list_shop_inbox(store: Store, *, include_handled: bool = False) -> list[Order]:
    """Orders sent to the shop, those not yet handled first."""
    sql = "SELECT id FROM orders WHERE status = 'sent_to_shop'"
    if not include_handled:
        sql += " AND handled_at IS NULL"
    sql += " ORDER BY handled_at IS NOT NULL, updated_at"
    return [get_order(store, row["id"]) for row in store.query(sql)]
