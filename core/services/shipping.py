"""Ship: the carriers the owner keeps, Ship for one or many orders (each records its shipment: carrier, tracking
number, fee), and the shipping labels and packing slips of any orders (core.integrations.printing lays them out).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.base.errors import InvalidInput, NotFound
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain.orders import Shipment
from core.domain.users import User, require_owner
from core.integrations import printing
from core.records.shipments import latest_shipment
from core.records.snapshots import order_snapshot
from core.services import orders


# -- carriers ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Carrier:
    id: int | None
    name: str
    default_fee: int = 0  # what the carrier usually charges the shop; Ship starts from it
    tracking_url: str | None = None  # with {tracking} where the tracking number goes
    active: bool = True


def list_carriers(store: Store, *, active_only: bool = False) -> list[Carrier]:
    sql = "SELECT id, name, default_fee, tracking_url, active FROM carriers"
    if active_only:
        sql += " WHERE active"
    return [Carrier(*row.values()) for row in store.query(sql + " ORDER BY position, id")]


def get_carrier(store: Store, carrier_id: int) -> Carrier:
    rows = store.query("SELECT id, name, default_fee, tracking_url, active FROM carriers WHERE id = ?", [carrier_id])
    if not rows:
        raise NotFound("shipping.carrier_not_found", id=carrier_id)
    return Carrier(*rows[0].values())


def _validated(carriers: list[Carrier]) -> list[Carrier]:
    problems, seen, clean = [], set(), []
    for number, carrier in enumerate(carriers, start=1):
        name = (carrier.name or "").strip()
        if not name:
            problems.append(Text("shipping.row_needs_name", row=number))
            continue
        if name.casefold() in seen:
            problems.append(Text("shipping.carrier_twice", name=name))
        seen.add(name.casefold())
        fee = carrier.default_fee if carrier.default_fee is not None else 0
        if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0:
            problems.append(Text("shipping.bad_usual_fee", name=name))
        url = (carrier.tracking_url or "").strip() or None
        if url and (not url.startswith(("http://", "https://")) or "{tracking}" not in url):
            problems.append(Text("shipping.bad_tracking_link", name=name))
        clean.append(Carrier(carrier.id, name, fee, url, bool(carrier.active)))
    if problems:
        raise InvalidInput("shipping.carriers_not_saved", problems=problems)
    return clean


def save_carriers(store: Store, carriers: list[Carrier], *, by: User) -> dict:
    """The Setup editor's list becomes the carrier list: rows with an id are updated, new rows added, rows left
    out removed. Shipments keep the carrier's name, so removing a carrier loses nothing already shipped."""
    require_owner(by, Text("shipping.what_change_carriers"))
    clean = _validated(list(carriers))
    now = utc_now()
    with store.transaction() as cur:
        existing = {row[0] for row in cur.execute("SELECT id FROM carriers").fetchall()}
        kept = set()
        for position, carrier in enumerate(clean):
            if carrier.id is not None and carrier.id in existing:
                kept.add(carrier.id)
                cur.execute("UPDATE carriers SET name = ?, default_fee = ?, tracking_url = ?, active = ?, "
                            "position = ? WHERE id = ?",
                            [carrier.name, carrier.default_fee, carrier.tracking_url, carrier.active, position,
                             carrier.id])
            else:
                cur.execute("INSERT INTO carriers (name, default_fee, tracking_url, active, position, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            [carrier.name, carrier.default_fee, carrier.tracking_url, carrier.active, position, now])
        removed = existing - kept
        for carrier_id in removed:
            cur.execute("DELETE FROM carriers WHERE id = ?", [carrier_id])
    return {"carriers": len(clean), "removed": len(removed)}


def add_carrier(store: Store, name: str, *, by: User, default_fee: int = 0, tracking_url: str | None = None) -> int:
    current = list_carriers(store)
    save_carriers(store, current + [Carrier(None, name, default_fee, tracking_url)], by=by)
    return next(c.id for c in list_carriers(store) if c.name.casefold() == name.strip().casefold())


# -- Ship ---------------------------------------------------------------------------------------------------------
def ship_orders(store: Store, order_ids, *, actor: str, carrier_id: int | None = None,
                carrier_name: str | None = None, tracking_number: str | None = None, fee: int | None = None,
                expected_versions: dict[int, int] | None = None) -> orders.BulkResult:
    """Ship for one or many orders: each order on its own, so one incomplete order does not stop the rest.
    The carrier is one of the owner's list (carrier_id) or a name typed when the list is empty (carrier_name);
    fee None: the carrier's usual fee."""
    ids = [int(i) for i in order_ids]
    if not ids:
        raise InvalidInput("shipping.pick_orders")
    tracking = (tracking_number or "").strip() or None
    if tracking and len(ids) > 1:
        raise InvalidInput("shipping.tracking_one_order")
    if fee is not None and (not isinstance(fee, int) or isinstance(fee, bool) or fee < 0):
        raise InvalidInput("shipping.bad_fee")
    carrier = get_carrier(store, carrier_id) if carrier_id is not None else None
    shipment = Shipment(carrier=carrier.name if carrier else carrier_name, tracking_number=tracking,
                        carrier_id=carrier.id if carrier else None, fee=fee)
    return orders.perform_bulk(store, "ship", ids, actor=actor, expected_versions=expected_versions,
                               shipment=shipment)


def shipment_of(store: Store, order_id: int) -> dict | None:
    with store.reading() as cur:
        return latest_shipment(cur, order_id)


def recently_shipped(store: Store, *, days: int = 3, livestream_id: int | None = None) -> list[dict]:
    """Orders shipped in the last few days, newest first: their labels can be printed again."""
    sql = ("SELECT o.id AS order_id, o.code, coalesce(o.receiver_name, '') AS receiver_name, o.carrier, "
           "o.tracking_number, o.shipped_at FROM orders o WHERE o.status = ? "
           "AND o.shipped_at >= ? - to_days(?)")
    params: list = [orders.SHIPPED, utc_now(), days]
    if livestream_id is not None:
        sql += " AND o.livestream_id = ?"
        params.append(livestream_id)
    return store.query(sql + " ORDER BY o.shipped_at DESC, o.id DESC", params)




# -- printing ----------------------------------------------------------------------------------------------------
def _snapshots(store: Store, order_ids) -> list[dict]:
    with store.reading() as cur:
        return [order_snapshot(cur, int(order_id)) for order_id in order_ids]


def labels_html(store: Store, order_ids, language: str = printing.PRINT_LANGUAGE) -> str:
    """Shipping labels (100 × 150 mm) of these orders, one page each, as a print-ready HTML page."""
    return printing.labels_html(_snapshots(store, order_ids), language)


def packing_slips_html(store: Store, order_ids, language: str = printing.PRINT_LANGUAGE) -> str:
    """Packing slips (A5) of these orders, one page each, as a print-ready HTML page."""
    return printing.packing_slips_html(_snapshots(store, order_ids), language)
PRINT_LANGUAGE = printing.PRINT_LANGUAGE  # labels and slips print in Vietnamese unless the Shipping book says otherwise


def cod_total(book) -> int:
    """What the carriers collect for the orders of a shipping book frame (orders.list_shipping_book): the totals of
    the orders paid cash on delivery."""
    return int(book.loc[book["payment"] == "cod", "total"].sum())
