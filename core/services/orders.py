"""Orders: the staff actions of both screens, one transaction each, and the lists the screens show.

Every action runs in one transaction with its order_events row and checks the order's version: a second staff
member saving an order that changed since they opened it gets ConcurrentChange. The rules (statuses, which action
may start where, completeness) are core.domain.orders; the SQL on the transaction's cursor is core.records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from core.base.errors import ActionNotAllowed, ChotdonError, IncompleteOrder, InvalidInput, NotFound
from core.base.formatting import shop_zone, to_shop_time, to_utc_naive, utc_now
from core.db.store import Store
from core.domain.events import describe_event
from core.domain.orders import (
    ACTIONS,
    AWAITING_CONFIRMATION,
    AWAITING_SHIPMENT,
    CANCELLABLE,
    CANCELLED,
    COMMENT_ACTOR,
    COMMITTED,
    DRAFT,
    EDITABLE,
    HELD_BLACKLISTED,
    OPEN_FOR_COMMENTS,
    PAYMENTS,
    SENT_TO_SHOP,
    SHIPPED,
    STATUS_LABELS,
    STATUS_PHRASES,
    STATUSES,
    BulkResult,
    LineEdit,
    Order,
    OrderEdits,
    OrderLine,
    Shipment,
    edits_on_top,
    fields_changed,
    frees_or_commits_stock,
    missing_for_completion,
    validate_edits,
)
from core.records import history, stock
from core.records.order_edits import apply_edits
from core.records.orders import check_version, code_of, load_order, load_order_by_code
from core.records.shipments import record_shipment
from core.services import outbox

# The domain's names that the screens read through this service (labels, statuses, the form's values).
__all__ = [
    "ACTIONS", "AWAITING_CONFIRMATION", "AWAITING_SHIPMENT", "CANCELLABLE", "CANCELLED", "COMMENT_ACTOR",
    "COMMITTED", "DRAFT", "EDITABLE", "HELD_BLACKLISTED", "OPEN_FOR_COMMENTS", "PAYMENTS", "SENT_TO_SHOP", "SHIPPED",
    "STATUSES", "STATUS_LABELS", "STATUS_PHRASES", "BulkResult", "LineEdit", "Order", "OrderEdits", "OrderLine",
    "Shipment", "describe_event", "fields_changed", "missing_for_completion",
    "get_order", "get_order_by_code", "list_orders", "list_stamp", "count_orders", "order_events", "newest_events",
    "changes_since",
    "waitlist_places", "perform_action", "apply_on_top", "perform_bulk", "save_draft", "save", "create_order", "save_to_shipping_book", "send_to_shop",
    "ship", "cancel", "delete", "mark_handled", "accept_held_order", "mark_returned", "orders_with_lines",
    "list_shipping_book", "list_shop_inbox",
]


# -- reading ---------------------------------------------------------------------------------------------------
def get_order(store: Store, order_id: int) -> Order:
    with store.reading() as cur:
        order = load_order(cur, order_id)
    if order is None:
        raise NotFound("orders.not_found", order_id=order_id)
    return order


def get_order_by_code(store: Store, code: str) -> Order:
    with store.reading() as cur:
        order = load_order_by_code(cur, code)
    if order is None:
        raise NotFound("orders.no_such_code", code=code)
    return order


def _order_filters(livestream_id, statuses, staff_ids, since, until, search) -> tuple[list[str], list]:
    """The WHERE conditions of list_orders and their parameters (o: orders, c: customers)."""
    where = ["TRUE"]
    params: list = []
    if livestream_id is not None:
        where.append("o.livestream_id = ?")
        params.append(livestream_id)
    statuses = list(statuses or [])
    if statuses:
        where.append("list_contains(?::VARCHAR[], o.status)")
        params.append(statuses)
    staff_ids = list(staff_ids or [])
    if staff_ids:
        # 0 stands for "nobody in charge"
        where.append("(list_contains(?::BIGINT[], o.staff_id)" + (" OR o.staff_id IS NULL)" if 0 in staff_ids else ")"))
        params.append([s for s in staff_ids if s])
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
    return where, params


def list_orders(
    store: Store, livestream_id: int | None, *, statuses: Iterable[str] | None = None,
    staff_ids: Iterable[int] | None = None, since=None, until=None, search: str | None = None,
):
    """The list of livestream orders as a DataFrame, sorted by the time of the customer's first order comment.

    livestream_id None: the orders of every livestream."""
    where, params = _order_filters(livestream_id, statuses, staff_ids, since, until, search)
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


def list_stamp(store: Store, livestream_id: int | None) -> str:
    """A cheap fingerprint of everything list_orders shows for the livestream: it changes whenever a row of the list
    would (so a screen may keep its formatted list until then), and costs 11-17 ms on a live of 25,000 orders where
    list_orders costs about a second.

    Lines and totals are covered by the orders' version (every write to an order's lines bumps it); who is in charge
    is hashed as well, since moving an order to other staff leaves its version alone; customers' names, blacklist
    and phone, staff names and item codes (the Items column) are hashed too, as they are shown in the list."""
    return store.scalar(
        "SELECT (SELECT count(*)::VARCHAR || '.' || coalesce(sum(hash(id, version, status, staff_id, updated_at, "
        "first_comment_at, receiver_name, receiver_phone, receiver_address, shipping_fee, discount, hold_reason)), 0) "
        "FROM orders WHERE ?::BIGINT IS NULL OR livestream_id = ?) "
        "|| ':' || (SELECT coalesce(sum(hash(id, display_name, blacklisted, phone)), 0) FROM customers) "
        "|| ':' || (SELECT coalesce(sum(hash(id, display_name)), 0) FROM users) "
        "|| ':' || (SELECT coalesce(sum(hash(id, code)), 0) FROM live_items "
        "WHERE ?::BIGINT IS NULL OR livestream_id = ?)",
        [livestream_id, livestream_id, livestream_id, livestream_id])


def count_orders(store: Store, livestream_id: int) -> int:
    """How many orders of the livestream are not cancelled (the live panel's figure, every refresh)."""
    return store.scalar("SELECT count(*) FROM orders WHERE livestream_id = ? AND status <> ?",
                        [livestream_id, CANCELLED])


def order_events(store: Store, order_id: int) -> list[dict]:
    with store.reading() as cur:
        return history.events_of(cur, order_id)


def newest_events(store: Store, order_id: int, *, limit: int = 50) -> tuple[list[dict], int]:
    """The order's history as a screen pages it: its `limit` newest events, newest first, and how many it has in
    all (limit 0: the count alone)."""
    with store.reading() as cur:
        return history.newest_events(cur, order_id, limit=limit)


def changes_since(store: Store, order_id: int, after_event_id: int | None) -> list[dict]:
    """What happened to an order since an edit form opened it: its events after `after_event_id` (the form's
    `Order.last_event_id`), oldest first, each with who (actor), when, the action, the status move and what changed.

    The boundary is an event id, not a version: versions count writes, and a comment or a stock hand-over writes its
    event before or after its version bump depending on the path; the newest event id is read in the same statement
    as the order, so the events after it are exactly those the form has not seen."""
    with store.reading() as cur:
        return history.events_after(cur, order_id, after_event_id)


def waitlist_places(store: Store, line_ids: Iterable[int]) -> dict[int, int]:
    """For waitlisted lines: their place in their item's queue (1 = the next to get freed stock)."""
    with store.reading() as cur:
        return stock.waitlist_places(cur, line_ids)


# -- staff actions -----------------------------------------------------------------------------------------------
def perform_action(
    store: Store, action: str, order_id: int, *, actor: str, expected_version: int | None = None,
    edits: OrderEdits | None = None, shipment: Shipment | None = None,
) -> Order:
    """Runs one staff action on one order in one transaction; returns the order as it is afterwards.

    Ship takes its shipment (carrier, tracking number, fee), recorded before the push is written so that the
    webhook's shipped event carries it."""
    if action not in ACTIONS:
        raise InvalidInput("orders.unknown_action", action=action)
    edits = validate_edits(edits) if edits is not None else None
    with store.transaction() as cur:
        order = check_version(cur, order_id, expected_version)
        return _perform(cur, order, action, edits, actor=actor, shipment=shipment)


def apply_on_top(
    store: Store, action: str, order_id: int, *, actor: str, opened: Order, edits: OrderEdits | None,
    expected_version: int, shipment: Shipment | None = None,
) -> Order:
    """The second of two people on one order keeps their edits: `edits` (the form opened at `opened`) are laid
    over the order as it is now (core.domain.orders.edits_on_top: only what the form changed is written), and
    `action` runs on it, in one transaction. `expected_version` is the version whose changes the screen showed
    them: an order changed again since is refused (ConcurrentChange), not overwritten."""
    if action not in ACTIONS:
        raise InvalidInput("orders.unknown_action", action=action)
    edits = validate_edits(edits) if edits is not None else None
    with store.transaction() as cur:
        order = check_version(cur, order_id, expected_version)
        on_top = edits_on_top(opened, edits, order) if edits is not None else None
        return _perform(cur, order, action, on_top, actor=actor, shipment=shipment)


def _perform(cur, order: Order, action: str, edits: OrderEdits | None, *, actor: str,
             shipment: Shipment | None) -> Order:
    """An action on an order read (and version-checked) in the caller's transaction; edits are checked already."""
    changes = _edit_for_action(cur, order, ACTIONS[action], edits, actor=actor)
    if changes is not None:
        order = load_order(cur, order.id)
    else:
        changes = {}
    _check_complete(order, ACTIONS[action])
    _move(cur, order, ACTIONS[action], changes, actor=actor, shipment=_trimmed(shipment) if action == "ship" else None)
    return load_order(cur, order.id)


def _edit_for_action(cur, order: Order, action, edits: OrderEdits | None, *, actor: str) -> dict | None:
    """Checks that the action may start from the order's status, then writes the form's edits (None: no edits)."""
    if order.status not in action.allowed_from:
        raise ActionNotAllowed("orders.not_allowed_now", action=action.label, code=order.code,
                               status=STATUS_PHRASES[order.status])
    if edits is None:
        return None
    if order.status not in EDITABLE:
        raise ActionNotAllowed("orders.not_editable", code=order.code, status=STATUS_PHRASES[order.status])
    return apply_edits(cur, order, edits, actor=actor)


def _check_complete(order: Order, action) -> None:
    if action.needs_complete:
        missing = missing_for_completion(order)
        if missing:
            raise IncompleteOrder(order.code, action.label, missing)


def _trimmed(shipment: Shipment | None) -> Shipment:
    shipment = shipment or Shipment()
    return Shipment(carrier=(shipment.carrier or "").strip() or None,
                    tracking_number=(shipment.tracking_number or "").strip() or None,
                    carrier_id=shipment.carrier_id, fee=shipment.fee)


def _move(cur, order: Order, action, changes: dict, *, actor: str, shipment: Shipment | None) -> None:
    """The status change with its history row, the shipment of a Ship, the pushes it causes and the stock."""
    now = utc_now()
    extra_columns: dict = {}
    if shipment is not None:
        extra_columns = {"shipped_at": now, "carrier": shipment.carrier, "tracking_number": shipment.tracking_number}
        changes.update({k: v for k, v in extra_columns.items() if k != "shipped_at" and v})
    assignments = "".join(f", {name} = ?" for name in extra_columns)
    cur.execute(
        f"UPDATE orders SET status = ?, version = version + 1, updated_at = ?{assignments} "
        "WHERE id = ? AND version = ?",
        [action.to_status, now, *extra_columns.values(), order.id, order.version],
    )
    history.action_performed(cur, order.id, actor=actor, action=action.name, from_status=order.status,
                             to_status=action.to_status, changes=changes)
    if shipment is not None:
        record_shipment(cur, order.id, shipment, actor=actor)
    outbox.enqueue_for_transition(cur, order_before=order, to_status=action.to_status, action=action.name,
                                  actor=actor)
    if frees_or_commits_stock(order.status, action.to_status):
        stock.rebalance_stock(cur, {line.item_id for line in order.lines}, actor=actor)


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
    """Ship: records that a complete order was handed to a carrier (shipment=Shipment(...))."""
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
        order = check_version(cur, order_id, expected_version)
        if order.status != SENT_TO_SHOP:
            raise ActionNotAllowed("orders.not_in_inbox", code=order.code)
        if order.handled_at is not None:
            raise ActionNotAllowed("orders.already_handled", code=order.code, by=order.handled_by)
        cur.execute(
            "UPDATE orders SET handled_at = ?, handled_by = ?, version = version + 1, updated_at = ? WHERE id = ?",
            [utc_now(), actor, utc_now(), order_id],
        )
        history.handled_by_shop(cur, order_id, actor=actor)
        return load_order(cur, order_id)


def accept_held_order(store: Store, order_id: int, *, actor: str, expected_version: int | None = None) -> Order:
    """Staff accept the order of a blacklisted customer: it can be completed, and its claims queue like others'."""
    with store.transaction() as cur:
        order = check_version(cur, order_id, expected_version)
        if order.hold_reason is None:
            raise ActionNotAllowed("orders.not_held", code=order.code)
        cur.execute("UPDATE orders SET hold_reason = NULL, version = version + 1, updated_at = ? WHERE id = ?",
                    [utc_now(), order_id])
        history.hold_released(cur, order_id, actor=actor, reason=order.hold_reason)
        stock.rebalance_stock(cur, {line.item_id for line in order.lines}, actor=actor)
        return load_order(cur, order_id)


def mark_returned(store: Store, order_id: int, *, actor: str, note: str | None = None) -> Order:
    """A shipped order came back: the receiver refused it or sent it back (counted on the Customers screen)."""
    with store.transaction() as cur:
        order = check_version(cur, order_id, None)
        if order.status != SHIPPED:
            raise ActionNotAllowed("orders.not_shipped", code=order.code)
        if order.returned_at is not None:
            raise ActionNotAllowed("orders.already_returned", code=order.code)
        cur.execute("UPDATE orders SET returned_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
                    [utc_now(), utc_now(), order_id])
        history.returned(cur, order_id, actor=actor, note=(note or "").strip())
        return load_order(cur, order_id)


def perform_bulk(store: Store, action: str, order_ids: Iterable[int], *, actor: str,
                 expected_versions: dict[int, int] | None = None, shipment: Shipment | None = None) -> BulkResult:
    """Runs one action on several orders; each order on its own, so one incomplete order does not stop the rest.
    expected_versions: the versions the screen showed (an order changed since is refused, not overwritten)."""
    result = BulkResult()
    for order_id in order_ids:
        order_id = int(order_id)
        try:
            order = perform_action(store, action, order_id, actor=actor, shipment=shipment,
                                   expected_version=(expected_versions or {}).get(order_id))
            result.done.append(order.code)
        except ChotdonError as error:
            with store.reading() as cur:
                result.failed.append((code_of(cur, order_id), error.text))
    return result


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
    sql = "SELECT id FROM orders WHERE status = ?"
    if not include_handled:
        sql += " AND handled_at IS NULL"
    sql += " ORDER BY handled_at IS NOT NULL, updated_at"
    return [get_order(store, row["id"]) for row in store.query(sql, [SENT_TO_SHOP])]


# -- the list of livestream orders: what its filters mean (pages/orders.py draws them) --------------------------------
def listed_statuses(picked) -> list[str]:
    """The statuses the list shows: the ones picked, or every status but cancelled when none is."""
    return list(picked) if picked else [status for status in STATUSES if status != CANCELLED]


def time_window(store: Store, livestream_id: int, since_time, until_time):
    """The list's From and To (shop-local times of day, either None) as naive UTC moments: the times are on the
    shop-local day of the livestream's first order comment (today when it has none), To takes in its whole minute,
    and a To before From means the live crossed midnight (To is on the next day)."""
    first = store.scalar("SELECT min(first_comment_at) FROM orders WHERE livestream_id = ?", [livestream_id])
    day = to_shop_time(first).date() if first is not None else datetime.now(shop_zone()).date()
    since = to_utc_naive(datetime.combine(day, since_time, tzinfo=shop_zone())) if since_time else None
    until = (to_utc_naive(datetime.combine(day, until_time, tzinfo=shop_zone())) + timedelta(seconds=59)
             if until_time else None)
    if since and until and until < since:
        until += timedelta(days=1)
    return since, until
