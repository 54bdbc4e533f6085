"""The order as other systems and printed papers see it (the webhook payload's order, customer, receiver, lines,
totals and shipment; README documents it), read through the caller's cursor: inside an action, its own changes."""

from __future__ import annotations

from datetime import datetime

from core.base.errors import NotFound
from core.domain.orders import SHIPPED


def iso_utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


def order_snapshot(cur, order_id: int) -> dict:
    """The order as other systems see it, read through the caller's cursor (inside an action: its own changes).

    This is the webhook payload's order, customer, receiver, lines, totals and shipment (README documents it)."""
    row = cur.execute(
        "SELECT o.code, o.status, o.livestream_id, l.title, o.payment, o.note, o.created_at, o.first_comment_at, "
        "o.updated_at, c.display_name, c.platform, c.platform_user_id, c.phone, o.receiver_name, "
        "o.receiver_phone, o.receiver_address, o.shipping_fee, o.discount, o.carrier, o.tracking_number, "
        "o.shipped_at, o.staff_id, u.display_name "
        "FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN livestreams l ON l.id = o.livestream_id "
        "LEFT JOIN users u ON u.id = o.staff_id WHERE o.id = ?",
        [order_id],
    ).fetchone()
    if row is None:
        raise NotFound("outbox.order_not_found", id=order_id)
    (code, status, livestream_id, title, payment, note, created_at, first_comment_at, updated_at, customer_name,
     platform, platform_user_id, customer_phone, receiver_name, receiver_phone, receiver_address, shipping_fee,
     discount, carrier, tracking_number, shipped_at, _staff_id, staff_name) = row
    lines = [
        {"code": code_, "sku": sku, "name": name, "size": size, "color": color, "qty": qty,
         "unit_price": unit_price, "amount": qty * unit_price}
        for code_, sku, name, size, color, qty, unit_price in cur.execute(
            "SELECT coalesce(i.code, l.code_typed), i.sku, coalesce(i.name, l.code_typed), l.size, l.color, l.qty, "
            "l.unit_price FROM order_lines l LEFT JOIN live_items i ON i.id = l.item_id WHERE l.order_id = ? "
            "ORDER BY l.claimed_at, l.id",
            [order_id],
        ).fetchall()
    ]
    items = sum(line["amount"] for line in lines)
    total = max(0, items + shipping_fee - discount)
    shipment = None
    found = cur.execute(
        "SELECT s.carrier, s.tracking_number, s.fee, s.cod_amount, s.shipped_at, s.shipped_by, k.tracking_url "
        "FROM shipments s LEFT JOIN carriers k ON k.id = s.carrier_id WHERE s.order_id = ? ORDER BY s.id DESC LIMIT 1",
        [order_id],
    ).fetchone()
    if found is not None:
        s_carrier, s_tracking, fee, cod, s_at, s_by, tracking_url = found
        shipment = {"carrier": s_carrier, "tracking_number": s_tracking, "fee": fee, "cod_amount": cod,
                    "shipped_at": iso_utc(s_at), "shipped_by": s_by,
                    "tracking_url": tracking_url.replace("{tracking}", s_tracking)
                    if tracking_url and s_tracking else None}
    elif status == SHIPPED:  # shipped before shipments were recorded
        shipment = {"carrier": carrier, "tracking_number": tracking_number, "fee": None,
                    "cod_amount": total if payment == "cod" else 0, "shipped_at": iso_utc(shipped_at),
                    "shipped_by": None, "tracking_url": None}
    return {
        "order": {"code": code, "status": status, "livestream_id": livestream_id, "livestream": title,
                  "payment": payment, "note": note, "staff": staff_name, "created_at": iso_utc(created_at),
                  "first_comment_at": iso_utc(first_comment_at), "updated_at": iso_utc(updated_at)},
        "customer": {"name": customer_name, "platform": platform, "platform_user_id": platform_user_id,
                     "phone": customer_phone},
        "receiver": {"name": receiver_name, "phone": receiver_phone, "address": receiver_address},
        "lines": lines,
        "totals": {"items": items, "shipping_fee": shipping_fee, "discount": discount, "total": total,
                   "cod_amount": total if payment == "cod" else 0},
        "shipment": shipment,
    }
