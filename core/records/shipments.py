"""The shipment each Ship records (carrier, tracking number, the fee the carrier charges, the COD amount), on the
caller's cursor, inside the Ship's own transaction, before its pushes are written (the webhook's shipped event
carries it)."""

from __future__ import annotations

from core.base.formatting import utc_now
from core.domain.orders import Shipment


def record_shipment(cur, order_id: int, shipment: Shipment, *, actor: str) -> int:
    """Writes the shipment of a Ship. The carrier is the owner's list's (by id, or found by its name); the fee
    left out is that carrier's usual fee."""
    payment, shipping_fee, discount, items, shipped_at = cur.execute(
        "SELECT o.payment, o.shipping_fee, o.discount, "
        "coalesce((SELECT sum(qty * unit_price) FROM order_lines WHERE order_id = o.id), 0), o.shipped_at "
        "FROM orders o WHERE o.id = ?",
        [order_id],
    ).fetchone()
    carrier_id, usual_fee = _carrier_of(cur, shipment)
    fee = shipment.fee if shipment.fee is not None else usual_fee
    total = max(0, int(items) + shipping_fee - discount)
    return cur.execute(
        "INSERT INTO shipments (order_id, carrier_id, carrier, tracking_number, fee, cod_amount, shipped_at, "
        "shipped_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [order_id, carrier_id, shipment.carrier, shipment.tracking_number, fee, total if payment == "cod" else 0,
         shipped_at or utc_now(), actor],
    ).fetchone()[0]


def _carrier_of(cur, shipment: Shipment) -> tuple[int | None, int]:
    """The carrier's id and usual fee: by id, or by name (typed or picked in the order form or the command line)."""
    if shipment.carrier_id is not None:
        return shipment.carrier_id, cur.execute("SELECT default_fee FROM carriers WHERE id = ?",
                                                [shipment.carrier_id]).fetchone()[0]
    if shipment.carrier:
        row = cur.execute("SELECT id, default_fee FROM carriers WHERE lower(name) = lower(?) ORDER BY id LIMIT 1",
                          [shipment.carrier]).fetchone()
        if row is not None:
            return row[0], row[1]
    return None, 0


def latest_shipment(cur, order_id: int) -> dict | None:
    result = cur.execute("SELECT carrier, tracking_number, fee, cod_amount, shipped_at, shipped_by FROM shipments "
                         "WHERE order_id = ? ORDER BY id DESC LIMIT 1", [order_id])
    row = result.fetchone()
    return None if row is None else dict(zip([column[0] for column in result.description], row))
