"""Customers: finding them, what the shop knows of them (phones, address in the 2025 units, tags, notes, staff in
charge), their orders across livestreams, and the blacklist of customers who refuse deliveries ("bom hàng")."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.base import addresses
from core.base.errors import InvalidInput, NotFound
from core.base.formatting import utc_now
from core.base.phones import normalize_vn_phone
from core.db.store import Store
from core.domain.orders import CANCELLED, SHIPPED
from core.domain.users import User
from core.integrations.comment_files import HAND_ENTRY_USER_PREFIX

MAX_TAGS = 12
MAX_TAG_LENGTH = 30


@dataclass
class Customer:
    id: int
    platform: str
    platform_user_id: str
    display_name: str
    phone: str | None
    province_code: str | None
    ward_code: str | None
    street: str | None
    address: str | None
    tags: list[str]
    blacklisted: bool
    blacklist_reason: str | None
    blacklisted_by: str | None
    blacklisted_at: object
    staff_id: int | None
    staff_name: str | None
    notes: str | None
    created_at: object
    phones: list[str] = field(default_factory=list)  # the customer's phone first, then receivers' phones used

    @property
    def typed_by_hand(self) -> bool:
        return typed_by_hand(self.platform_user_id)


def typed_by_hand(platform_user_id: str | None) -> bool:
    """A customer staff typed in by hand (`Name: comment` on the Livestream screen): no Facebook or TikTok account,
    whatever the livestream's platform."""
    return (platform_user_id or "").startswith(HAND_ENTRY_USER_PREFIX)


@dataclass(frozen=True)
class CustomerFigures:
    orders: int  # not cancelled
    total: int  # of the orders not cancelled, in VND
    shipped: int
    cancelled: int
    returned: int


def search(store: Store, text: str | None = None, *, blacklisted_only: bool = False, staff_id: int | None = None,
           limit: int = 200):
    """Customers matching a name (accents optional), a phone or a platform id, as a DataFrame, most recent first."""
    where, params = ["TRUE"], []
    term = (text or "").strip()
    if term:
        digits = "".join(ch for ch in term if ch.isdigit())
        clauses = ["strip_accents(c.display_name) ILIKE strip_accents(?)", "c.platform_user_id ILIKE ?",
                   "strip_accents(coalesce(c.address, '')) ILIKE strip_accents(?)",
                   "array_to_string(c.tags, ',') ILIKE ?"]
        params += [f"%{term}%", f"%{term}%", f"%{term}%", f"%{term}%"]
        if len(digits) >= 3:
            clauses.append("coalesce(c.phone, '') LIKE ? OR EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id "
                           "AND coalesce(o.receiver_phone, '') LIKE ?)")
            params += [f"%{digits}%", f"%{digits}%"]
        where.append("(" + " OR ".join(clauses) + ")")
    if blacklisted_only:
        where.append("c.blacklisted")
    if staff_id is not None:
        where.append("c.staff_id = ?" if staff_id else "c.staff_id IS NULL")
        if staff_id:
            params.append(staff_id)
    params.append(limit)
    return store.frame(
        f"""
SELECT c.id, c.display_name AS name, c.platform, c.platform_user_id,
       starts_with(c.platform_user_id, ?) AS typed_by_hand, coalesce(c.phone, '') AS phone,
       coalesce(c.address, '') AS address, c.tags, c.blacklisted, coalesce(u.display_name, '') AS staff,
       count(o.id) FILTER (WHERE o.status <> ?) AS orders,
       count(o.id) FILTER (WHERE o.status = ?) AS cancelled,
       count(o.id) FILTER (WHERE o.returned_at IS NOT NULL) AS returned,
       max(o.first_comment_at) AS last_order_at
FROM customers c LEFT JOIN users u ON u.id = c.staff_id LEFT JOIN orders o ON o.customer_id = c.id
WHERE {' AND '.join(where)}
GROUP BY ALL ORDER BY last_order_at DESC NULLS LAST, c.id DESC LIMIT ?""",
        [HAND_ENTRY_USER_PREFIX, CANCELLED, CANCELLED, *params],
    )


def get_customer(store: Store, customer_id: int) -> Customer:
    rows = store.query(
        "SELECT c.id, c.platform, c.platform_user_id, c.display_name, c.phone, c.province_code, c.ward_code, "
        "c.street, c.address, c.tags, c.blacklisted, c.blacklist_reason, c.blacklisted_by, c.blacklisted_at, "
        "c.staff_id, u.display_name AS staff_name, c.notes, c.created_at "
        "FROM customers c LEFT JOIN users u ON u.id = c.staff_id WHERE c.id = ?", [customer_id])
    if not rows:
        raise NotFound("core_customers.not_found", id=customer_id)
    customer = Customer(**{**rows[0], "tags": list(rows[0]["tags"] or [])})
    used = [row["receiver_phone"] for row in store.query(
        "SELECT receiver_phone, max(updated_at) AS last_used FROM orders WHERE customer_id = ? "
        "AND coalesce(receiver_phone, '') <> '' GROUP BY receiver_phone ORDER BY last_used DESC", [customer_id])]
    customer.phones = list(dict.fromkeys([p for p in [customer.phone, *used] if p]))
    return customer


def customer_orders(store: Store, customer_id: int):
    """Every order of the customer across livestreams, newest first, with its total."""
    return store.frame(
        """
SELECT o.id AS order_id, o.code, l.title AS livestream, o.first_comment_at, o.status, o.returned_at,
       coalesce(sum(ol.qty * ol.unit_price), 0) + o.shipping_fee - o.discount AS total,
       coalesce(string_agg(coalesce(i.code, ol.code_typed) || ' ×' || ol.qty::VARCHAR, ', '
                           ORDER BY ol.claimed_at, ol.id), '') AS items,
       coalesce(o.receiver_address, '') AS receiver_address
FROM orders o JOIN livestreams l ON l.id = o.livestream_id
LEFT JOIN order_lines ol ON ol.order_id = o.id LEFT JOIN live_items i ON i.id = ol.item_id
WHERE o.customer_id = ?
GROUP BY o.id, o.code, l.title, o.first_comment_at, o.status, o.returned_at, o.shipping_fee, o.discount,
         o.receiver_address
ORDER BY o.first_comment_at DESC, o.id DESC""",
        [customer_id],
    ).assign(total=lambda f: f["total"].clip(lower=0).astype("int64"))


def figures(store: Store, customer_id: int) -> CustomerFigures:
    frame = customer_orders(store, customer_id)
    live = frame[frame["status"] != "cancelled"]
    return CustomerFigures(
        orders=len(live), total=int(live["total"].sum()), shipped=int((frame["status"] == "shipped").sum()),
        cancelled=int((frame["status"] == "cancelled").sum()), returned=int(frame["returned_at"].notna().sum()),
    )


def last_shipping_info(store: Store, customer_id: int, *, except_order_id: int | None = None) -> dict | None:
    """The phone and address the customer's orders used last (else the customer's own), for a new order's form."""
    rows = store.query(
        "SELECT receiver_name, receiver_phone, receiver_address FROM orders WHERE customer_id = ? AND id <> ? "
        "AND status <> ? AND coalesce(receiver_address, '') <> '' ORDER BY updated_at DESC LIMIT 1",
        [customer_id, except_order_id or -1, CANCELLED])
    if rows:
        return {"name": rows[0]["receiver_name"], "phone": rows[0]["receiver_phone"],
                "address": rows[0]["receiver_address"]}
    customer = store.query("SELECT display_name, phone, address FROM customers WHERE id = ?", [customer_id])
    if customer and (customer[0]["phone"] or customer[0]["address"]):
        return {"name": customer[0]["display_name"], "phone": customer[0]["phone"],
                "address": customer[0]["address"]}
    return None


def _tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.replace(";", ",").split(",")
    cleaned = {}
    for tag in (" ".join(str(t).split()) for t in (tags or []) if str(t).strip()):
        cleaned.setdefault(tag.casefold(), tag)  # "Size M" and "size m" are one tag; the first spelling stays
    cleaned = list(cleaned.values())
    if len(cleaned) > MAX_TAGS or any(len(t) > MAX_TAG_LENGTH for t in cleaned):
        raise InvalidInput("core_customers.too_many_tags", tags=MAX_TAGS, length=MAX_TAG_LENGTH)
    return cleaned


def update_customer(store: Store, customer_id: int, *, by: User, phone: str | None = None,
                    province_code: str | None = None, ward_code: str | None = None, street: str | None = None,
                    tags=None, notes: str | None = None) -> Customer:
    """Staff or the owner edit what the shop knows of a customer. The phone is checked and written 0912345678;
    the address is a ward or commune of a province (2025 units) plus the street, and is stored also as the text
    carriers print. Fields left None are not changed."""
    if by is None:
        raise InvalidInput("core_customers.login_to_edit")
    get_customer(store, customer_id)
    columns: dict = {}
    if phone is not None:
        if phone.strip():
            normalised = normalize_vn_phone(phone)
            if normalised is None:
                raise InvalidInput("core_customers.bad_phone", phone=phone.strip())
            columns["phone"] = normalised
        else:
            columns["phone"] = None
    street = " ".join((street or "").split()) or None
    if ward_code:
        ward = addresses.ward(ward_code)
        if ward is None:
            raise InvalidInput("core_customers.pick_ward")
        if province_code and ward.province_code != province_code:
            raise InvalidInput("core_customers.ward_not_in_province")
        province_code = ward.province_code
    elif province_code and addresses.province(province_code) is None:
        raise InvalidInput("core_customers.pick_province")
    if street and not ward_code:
        raise InvalidInput("core_customers.ward_needed")
    if province_code or ward_code:
        columns.update(province_code=province_code, ward_code=ward_code or None, street=street,
                       address=addresses.compose(street, ward_code, province_code))
    # Nothing picked: the address stays as it is (it may be text from an order, not yet in the 2025 units).
    if tags is not None:
        columns["tags"] = _tags(tags)
    if notes is not None:
        columns["notes"] = notes.strip() or None
    if columns:
        with store.transaction() as cur:
            cur.execute(f"UPDATE customers SET {', '.join(f'{name} = ?' for name in columns)} WHERE id = ?",
                        [*columns.values(), customer_id])
    return get_customer(store, customer_id)


def set_blacklisted(store: Store, customer_id: int, reason: str, *, by: User) -> None:
    """Marks a customer who refuses deliveries ("bom hàng"); staff or the owner, always with a reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("core_customers.blacklist_reason_needed")
    get_customer(store, customer_id)
    with store.transaction() as cur:
        cur.execute("UPDATE customers SET blacklisted = TRUE, blacklist_reason = ?, blacklisted_by = ?, "
                    "blacklisted_at = ? WHERE id = ?", [reason, by.username, utc_now(), customer_id])


def clear_blacklisted(store: Store, customer_id: int, *, by: User) -> None:
    get_customer(store, customer_id)
    with store.transaction() as cur:
        cur.execute("UPDATE customers SET blacklisted = FALSE, blacklist_reason = NULL, blacklisted_by = ?, "
                    "blacklisted_at = ? WHERE id = ?", [by.username, utc_now(), customer_id])


def returnable_orders(history):
    """The orders of a customer's history (customer_orders) that can be marked as come back: shipped and not yet
    returned."""
    return history[(history["status"] == SHIPPED) & history["returned_at"].isna()]
