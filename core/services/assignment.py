"""Staff in charge of customers and orders: who is on duty in a livestream, the turn new customers are given in,
and reassigning (the owner), claiming and releasing (anyone, for themselves).

A customer's staff member carries over to their new orders. A new customer (or one whose staff member was switched
off) who places an order comment goes to the next staff member on duty, in turn; with nobody marked on duty, every
active staff member takes turns.
"""

from __future__ import annotations

from core.base.errors import AccessDenied, InvalidInput, NotFound
from core.base.i18n import Text
from core.db.store import Store
from core.domain.orders import EDITABLE
from core.domain.users import User, require_owner
from core.records import history

# A reassigned customer takes their orders that staff can still work on (EDITABLE) along.

def on_duty(store: Store, livestream_id: int) -> list[int]:
    """The ids of the users marked on duty for this livestream (may be empty)."""
    return [row["user_id"] for row in store.query(
        "SELECT d.user_id FROM livestream_on_duty d JOIN users u ON u.id = d.user_id "
        "WHERE d.livestream_id = ? ORDER BY d.user_id", [livestream_id])]


def set_on_duty(store: Store, livestream_id: int, user_ids, *, by: User) -> list[int]:
    """Marks who is on duty in this livestream (the Livestream screen); an empty list means every active staff."""
    if by is None:
        raise AccessDenied("assignment.login_for_on_duty")
    ids = sorted({int(i) for i in user_ids})
    with store.transaction() as cur:
        if ids:
            known = {row[0] for row in cur.execute(
                "SELECT id FROM users WHERE active AND id IN (SELECT unnest(?::BIGINT[]))", [ids]).fetchall()}
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise InvalidInput("assignment.only_active_on_duty")
        cur.execute("DELETE FROM livestream_on_duty WHERE livestream_id = ?", [livestream_id])
        for user_id in ids:
            cur.execute("INSERT INTO livestream_on_duty VALUES (?, ?)", [livestream_id, user_id])
    return ids


# -- customers -----------------------------------------------------------------------------------------------------
def _customer_staff(cur, customer_id: int) -> int | None:
    row = cur.execute("SELECT staff_id FROM customers WHERE id = ?", [customer_id]).fetchone()
    if row is None:
        raise NotFound("core_customers.not_found", id=customer_id)
    return row[0]


def _staff_name(cur, staff_id: int | None) -> str | None:
    """A staff member's name for the order history (order_events keep it as written then) and messages; None for
    nobody (the history shows "nobody" in the reader's language)."""
    if staff_id is None:
        return None
    row = cur.execute("SELECT display_name FROM users WHERE id = ?", [staff_id]).fetchone()
    return row[0] if row else f"#{staff_id}"  # a user row that is gone: its id


def _check_staff(cur, staff_id: int | None) -> None:
    if staff_id is not None and not cur.execute("SELECT 1 FROM users WHERE id = ? AND active",
                                                [staff_id]).fetchone():
        raise InvalidInput("assignment.pick_active_staff")


def _set_customer_staff(cur, customer_id: int, staff_id: int | None, *, actor: str) -> None:
    """The customer and their open orders go to `staff_id`; each moved order records who moved it."""
    cur.execute("UPDATE customers SET staff_id = ? WHERE id = ?", [staff_id, customer_id])
    moved = cur.execute(
        "SELECT id, staff_id FROM orders WHERE customer_id = ? AND list_contains(?::VARCHAR[], status) "
        "AND staff_id IS DISTINCT FROM ?", [customer_id, sorted(EDITABLE), staff_id]).fetchall()
    for order_id, before in moved:
        cur.execute("UPDATE orders SET staff_id = ? WHERE id = ?", [staff_id, order_id])
        history.staff_changed(cur, order_id, actor=actor, before=_staff_name(cur, before),
                              after=_staff_name(cur, staff_id), with_customer=True)


def assign_customer(store: Store, customer_id: int, staff_id: int | None, *, by: User) -> None:
    """The owner gives a customer (and their open orders) to a staff member, or to nobody."""
    require_owner(by, Text("assignment.what_reassign_customers"))
    with store.transaction() as cur:
        _customer_staff(cur, customer_id)
        _check_staff(cur, staff_id)
        _set_customer_staff(cur, customer_id, staff_id, actor=by.username)


def claim_customer(store: Store, customer_id: int, *, by: User) -> None:
    """Takes a customer nobody has (the owner may take anyone's)."""
    if by.id is None:
        raise AccessDenied("assignment.login_to_claim_customers")
    with store.transaction() as cur:
        current = _customer_staff(cur, customer_id)
        if current not in (None, by.id) and not by.is_owner:
            raise AccessDenied("assignment.customer_is_theirs", staff=_staff_name(cur, current))
        _set_customer_staff(cur, customer_id, by.id, actor=by.username)


def release_customer(store: Store, customer_id: int, *, by: User) -> None:
    """Gives up one's own customer (the owner may release anyone's); the next new order assigns them anew."""
    with store.transaction() as cur:
        current = _customer_staff(cur, customer_id)
        if current != by.id and not by.is_owner:
            raise AccessDenied("assignment.only_in_charge_releases_customer")
        _set_customer_staff(cur, customer_id, None, actor=by.username)


# -- orders --------------------------------------------------------------------------------------------------------
def _order_staff(cur, order_id: int) -> tuple[str, int | None]:
    row = cur.execute("SELECT code, staff_id FROM orders WHERE id = ?", [order_id]).fetchone()
    if row is None:
        raise NotFound("assignment.order_not_found", id=order_id)
    return row


def _set_order_staff(cur, order_id: int, before: int | None, staff_id: int | None, *, actor: str) -> None:
    # The version is left alone: who is in charge does not clash with an edit of items or shipping info.
    cur.execute("UPDATE orders SET staff_id = ? WHERE id = ?", [staff_id, order_id])
    history.staff_changed(cur, order_id, actor=actor, before=_staff_name(cur, before), after=_staff_name(cur, staff_id))


def assign_order(store: Store, order_id: int, staff_id: int | None, *, by: User) -> None:
    """The owner gives one order to a staff member (the customer stays with theirs)."""
    require_owner(by, Text("assignment.what_reassign_orders"))
    with store.transaction() as cur:
        _, before = _order_staff(cur, order_id)
        _check_staff(cur, staff_id)
        _set_order_staff(cur, order_id, before, staff_id, actor=by.username)


def claim_order(store: Store, order_id: int, *, by: User) -> None:
    if by.id is None:
        raise AccessDenied("assignment.login_to_claim_orders")
    with store.transaction() as cur:
        code, before = _order_staff(cur, order_id)
        if before not in (None, by.id) and not by.is_owner:
            raise AccessDenied("assignment.order_is_theirs", code=code, staff=_staff_name(cur, before))
        _set_order_staff(cur, order_id, before, by.id, actor=by.username)


def release_order(store: Store, order_id: int, *, by: User) -> None:
    with store.transaction() as cur:
        code, before = _order_staff(cur, order_id)
        if before != by.id and not by.is_owner:
            raise AccessDenied("assignment.only_in_charge_releases_order", code=code)
        _set_order_staff(cur, order_id, before, None, actor=by.username)
