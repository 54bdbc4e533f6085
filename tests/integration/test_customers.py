"""Customers: what the shop keeps of them, their orders across livestreams, and the blacklist ("bom hàng") with the
livestream setting for their order comments."""

import pytest

from core.base.errors import IncompleteOrder, InvalidInput
from core.domain.users import SYSTEM_USER
from core.services import comments as ingest
from core.services import customers, livestreams, orders
from tests.conftest import PUBLIC_ITEMS_CSV
from tests.integration.helpers import feed

SHIPPING = orders.OrderEdits(receiver_name="Nguyễn Lan", receiver_phone="0912 345 678",
                             receiver_address="12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")


def customer_id(store, name):
    return store.scalar("SELECT id FROM customers WHERE display_name = ?", [name])


def order_of(store, livestream_id, name):
    return orders.get_order(store, store.scalar(
        "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.display_name = ? "
        "AND o.livestream_id = ? ORDER BY o.id DESC LIMIT 1", [name, livestream_id]))


def test_a_blacklisted_customers_order_comment_makes_an_order_held_for_review_by_default(store, livestream_id):
    feed(store, livestream_id, ("Bom", "A1 M"))
    customers.set_blacklisted(store, customer_id(store, "Bom"), "refused 2 parcels", by=SYSTEM_USER)
    orders.cancel(store, order_of(store, livestream_id, "Bom").id, actor="lan")
    feed(store, livestream_id, ("Bom", "SP12 đen 1"), start=10)
    held = order_of(store, livestream_id, "Bom")
    assert (held.hold_reason, held.customer_blacklisted, held.customer_blacklist_reason) == (
        orders.HELD_BLACKLISTED, True, "refused 2 parcels")
    assert "held" in [e["action"] for e in orders.order_events(store, held.id)]
    with pytest.raises(IncompleteOrder, match="blacklisted"):
        orders.ship(store, held.id, actor="lan", edits=SHIPPING)
    assert orders.get_order(store, held.id).status == orders.DRAFT
    accepted = orders.accept_held_order(store, held.id, actor="hang", expected_version=held.version)
    assert accepted.hold_reason is None
    assert orders.ship(store, held.id, actor="hang", edits=SHIPPING).status == orders.SHIPPED
    # The marks everywhere read the same flag: the comment stream and the list of orders.
    stream = ingest.comment_stream(store, livestream_id)
    assert {row["customer"]: row["blacklisted"] for row in stream}["Bom"] is True
    frame = orders.list_orders(store, livestream_id, statuses=orders.STATUSES)
    assert frame[frame["customer"] == "Bom"]["blacklisted"].all()


def test_a_held_orders_claims_wait_behind_everyone_elses(store, livestream_id):
    feed(store, livestream_id, ("Bom", "K3 1"))
    customers.set_blacklisted(store, customer_id(store, "Bom"), "never picks up", by=SYSTEM_USER)
    orders.cancel(store, order_of(store, livestream_id, "Bom").id, actor="lan")
    items = [item if item.code != "SP12" else livestreams.LiveItem(**{**item.__dict__, "stock": 1})
             for item in livestreams.list_items(store, livestream_id)]
    livestreams.save_items(store, livestream_id, items, by=SYSTEM_USER)
    feed(store, livestream_id, ("Bom", "SP12 đen 1"), ("Mai", "SP12 nâu 1"), start=10)
    assert order_of(store, livestream_id, "Bom").lines[0].waitlisted_qty == 1  # first to comment, served last
    assert order_of(store, livestream_id, "Mai").lines[0].waitlisted_qty == 0


def test_with_the_setting_on_orders_a_blacklisted_customer_gets_a_plain_order_still_marked(store, livestream_id):
    livestreams.set_blacklisted_order_comments(store, livestream_id, "orders", by=SYSTEM_USER)
    feed(store, livestream_id, ("Bom", "A1 M"))
    customers.set_blacklisted(store, customer_id(store, "Bom"), "refused 1 parcel", by=SYSTEM_USER)
    second = livestreams.create_livestream(store, "Live 2", platform="facebook",
                                           items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV))
    livestreams.set_blacklisted_order_comments(store, second, "orders", by=SYSTEM_USER)
    feed(store, second, ("Bom", "A1 L"), start=10)
    order = order_of(store, second, "Bom")
    assert (order.hold_reason, order.customer_blacklisted) == (None, True)
    with pytest.raises(InvalidInput):
        livestreams.set_blacklisted_order_comments(store, second, "ignore", by=SYSTEM_USER)


def test_blacklisting_needs_a_reason_and_can_be_undone(store, livestream_id):
    feed(store, livestream_id, ("Bom", "A1 M"))
    bom = customer_id(store, "Bom")
    with pytest.raises(InvalidInput, match="why"):
        customers.set_blacklisted(store, bom, "  ", by=SYSTEM_USER)
    customers.set_blacklisted(store, bom, "refused 2 parcels", by=SYSTEM_USER)
    marked = customers.get_customer(store, bom)
    assert (marked.blacklisted, marked.blacklisted_by) == (True, "system")
    assert customers.search(store, blacklisted_only=True)["name"].tolist() == ["Bom"]
    customers.clear_blacklisted(store, bom, by=SYSTEM_USER)
    assert not customers.get_customer(store, bom).blacklisted


def test_a_customers_contact_is_checked_and_the_address_is_made_of_a_ward_and_a_street(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"))
    lan = customer_id(store, "Lan")
    with pytest.raises(InvalidInput, match="not a valid Vietnamese phone"):
        customers.update_customer(store, lan, by=SYSTEM_USER, phone="12345")
    with pytest.raises(InvalidInput, match="not in the province"):
        customers.update_customer(store, lan, by=SYSTEM_USER, province_code="79", ward_code="00070")
    with pytest.raises(InvalidInput, match="ward or commune"):
        customers.update_customer(store, lan, by=SYSTEM_USER, street="12 Lý Thường Kiệt")
    saved = customers.update_customer(store, lan, by=SYSTEM_USER, phone="+84 912 345 678", ward_code="00070",
                                      street="12 Lý Thường Kiệt", tags="VIP, size M, vip", notes=" gọi trước ")
    assert (saved.phone, saved.province_code, saved.address) == (
        "0912345678", "01", "12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội")
    assert (saved.tags, saved.notes) == (["VIP", "size M"], "gọi trước")
    kept = customers.update_customer(store, lan, by=SYSTEM_USER, province_code="", ward_code="", street="")
    assert kept.address == saved.address  # nothing picked: the address is left as it was


def test_a_customers_orders_across_lives_with_totals_and_cancelled_and_returned_counts(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M 2"), ("Mai", "K3 1"))
    first = order_of(store, livestream_id, "Lan")
    orders.ship(store, first.id, actor="lan", edits=SHIPPING)
    second_live = livestreams.create_livestream(store, "Live 2", platform="facebook",
                                                items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV))
    feed(store, second_live, ("Lan", "SP12 đen 1 0987 654 321"), start=10)
    orders.cancel(store, order_of(store, second_live, "Lan").id, actor="lan")
    feed(store, second_live, ("Lan", "K3 3"), start=20)
    with pytest.raises(Exception, match="was not shipped"):
        orders.mark_returned(store, order_of(store, second_live, "Lan").id, actor="lan")
    orders.mark_returned(store, first.id, actor="hang", note="refused at the door")
    lan = customer_id(store, "Lan")
    shown = customers.customer_orders(store, lan)
    assert shown["code"].tolist() == ["L2-002", "L2-001", "L1-001"]
    figures = customers.figures(store, lan)
    assert (figures.orders, figures.total, figures.cancelled, figures.returned, figures.shipped) == (
        2, 2 * 150000 + 3 * 30000, 1, 1, 1)
    assert customers.get_customer(store, lan).phones == ["0987654321", "0912345678"]
    last = customers.last_shipping_info(store, lan)
    assert (last["phone"], last["address"]) == ("0912345678", SHIPPING.receiver_address)
    found = customers.search(store, "0912 345")
    assert found["name"].tolist() == ["Lan"] and found["returned"].tolist() == [1]


def test_an_order_address_typed_in_the_new_form_fills_the_customers_structured_address(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"))
    orders.save_draft(store, order_of(store, livestream_id, "Lan").id, actor="lan", edits=SHIPPING)
    saved = customers.get_customer(store, customer_id(store, "Lan"))
    assert (saved.province_code, saved.ward_code, saved.street) == ("01", "00070", "12 Lý Thường Kiệt")
