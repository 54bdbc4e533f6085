"""The order form's edits written into an order on the caller's cursor: its fields, the customer's contact, and
its lines (with the stock and blank-line consequences). Returns what changed, for the action's history row."""

from __future__ import annotations

from core.base.errors import ConcurrentChange, InvalidInput
from core.base.formatting import utc_now
from core.domain.orders import Order, OrderEdits
from core.records.catalog import fill_blank_lines, remember_code_pick
from core.records.orders import add_line
from core.records.stock import rebalance_stock

# The order's own fields the form may change, as the history names them.
_FIELDS = ("receiver_name", "receiver_phone", "receiver_address", "note", "shipping_fee", "discount", "payment")


def apply_edits(cur, order: Order, edits: OrderEdits, *, actor: str) -> dict:
    """Writes the form's edits into the order's rows; returns what changed, for the event."""
    changes = _write_fields(cur, order, edits)
    _remember_contact(cur, order.customer_id, edits)
    if edits.lines is not None:
        line_changes = _write_lines(cur, order, edits, actor=actor)
        if line_changes:
            changes["lines"] = line_changes
    return changes


def _write_fields(cur, order: Order, edits: OrderEdits) -> dict:
    changes: dict = {}
    columns = {}
    for name in _FIELDS:
        value = getattr(edits, name)
        # A form sends an empty field as "": that is no change of a field that was never filled.
        if value is not None and value != getattr(order, name) and not (value == "" and getattr(order, name) is None):
            columns[name] = value
            changes[name] = {"from": getattr(order, name), "to": value}
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        cur.execute(f"UPDATE orders SET {assignments} WHERE id = ?", list(columns.values()) + [order.id])
    return changes


def _remember_contact(cur, customer_id: int, edits: OrderEdits) -> None:
    """The customer keeps a first phone, and their last address, in the 2025 units when it reads as one."""
    if edits.receiver_phone:
        cur.execute("UPDATE customers SET phone = ? WHERE id = ? AND phone IS NULL", [edits.receiver_phone, customer_id])
    if edits.receiver_address:
        from core.base.addresses import match_address  # here: the units table loads only when an address is typed

        found = match_address(edits.receiver_address)
        if found is not None and found.exact:
            cur.execute("UPDATE customers SET address = ?, province_code = ?, ward_code = ?, street = ? WHERE id = ?",
                        [edits.receiver_address, found.province_code, found.ward_code, found.street or None,
                         customer_id])
        else:
            cur.execute("UPDATE customers SET address = ? WHERE id = ?", [edits.receiver_address, customer_id])


def _write_lines(cur, order: Order, edits: OrderEdits, *, actor: str) -> list[dict]:
    """Adds, changes and removes lines as the form has them; the history shows the changes (in data, so that
    they read in any language)."""
    items = dict((row[0], (row[1], row[2])) for row in cur.execute(
        "SELECT id, code, price FROM live_items WHERE livestream_id = ?", [order.livestream_id]).fetchall())
    existing = {line.id: line for line in order.lines}
    kept: set[int] = set()
    affected_items: set[int] = set()
    line_changes: list[dict] = []
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
        affected_items.update((before.item_id, line.item_id))
    for line_id, line in existing.items():
        if line_id not in kept:
            cur.execute("DELETE FROM order_lines WHERE id = ?", [line_id])
            line_changes.append({"change": "removed", "code": line.code_typed, "qty": line.qty})
            affected_items.add(line.item_id)
    rebalance_stock(cur, affected_items, actor=actor)  # None (a blank item) is skipped there
    fill_blank_lines(cur, order.livestream_id, actor=actor)
    return line_changes
