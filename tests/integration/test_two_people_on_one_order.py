"""Two people on one order, on a real DuckDB file: what changed since a form opened the order (changes_since), and
the second person's edits applied on top of the first one's (apply_on_top), in one transaction."""

import pytest

from core.base.errors import ActionNotAllowed, ConcurrentChange
from core.services import orders
from tests.integration.helpers import feed

ADDRESS = "45 Nguyễn Trãi, Phường Bến Thành, TP Hồ Chí Minh"


@pytest.fixture
def opened(store, livestream_id):
    """The order as the second person's form opened it."""
    feed(store, livestream_id, ("Lan", "chốt A1 M 2"))
    order_id = int(orders.list_orders(store, livestream_id)["order_id"].iloc[0])
    return orders.get_order(store, order_id)


def _form(order, **typed) -> orders.OrderEdits:
    """What the edit form sends for `order` untouched, with `typed` over it."""
    values = dict(lines=tuple(orders.LineEdit(id=line.id, code_typed=line.code_typed, item_id=line.item_id,
                                              qty=line.qty, size=line.size, color=line.color,
                                              unit_price=line.unit_price) for line in order.lines),
                  receiver_name=order.receiver_name or "", receiver_phone=order.receiver_phone or "",
                  receiver_address=order.receiver_address or "", note=order.note or "",
                  shipping_fee=order.shipping_fee, discount=order.discount, payment=order.payment)
    return orders.OrderEdits(**{**values, **typed})


def test_an_order_read_carries_its_newest_event_and_nothing_has_changed_since(store, opened):
    assert opened.last_event_id is not None
    assert orders.changes_since(store, opened.id, opened.last_event_id) == []


def test_changes_since_gives_who_changed_what_after_the_form_opened_the_order(store, opened):
    orders.save(store, opened.id, actor="owner", expected_version=opened.version,
                edits=_form(opened, receiver_phone="0987 654 321"))
    changes = orders.changes_since(store, opened.id, opened.last_event_id)
    assert [(c["actor"], c["action"], c["from_status"], c["to_status"]) for c in changes] == [
        ("owner", "save", orders.DRAFT, orders.AWAITING_CONFIRMATION)]
    assert str(orders.describe_event(changes[0])) == "Save; Draft → Awaiting confirmation; changed: phone"
    # The whole history is still there; changes_since leaves out what the form saw.
    assert len(orders.order_events(store, opened.id)) > len(changes)


def test_the_second_save_is_refused_then_applied_on_top_keeps_both_changes_in_a_new_version(store, opened):
    first = orders.save(store, opened.id, actor="owner", expected_version=opened.version,
                        edits=_form(opened, receiver_phone="0987 654 321"))
    mine = _form(opened, receiver_address=ADDRESS)
    with pytest.raises(ConcurrentChange):
        orders.save(store, opened.id, actor="hang", expected_version=opened.version, edits=mine)
    after = orders.apply_on_top(store, "save", opened.id, actor="hang", opened=opened, edits=mine,
                                expected_version=first.version)
    assert (after.receiver_phone, after.receiver_address) == ("0987654321", ADDRESS)
    assert after.version == first.version + 1
    last = orders.changes_since(store, opened.id, first.last_event_id)
    assert [(c["actor"], c["action"]) for c in last] == [("hang", "save")]
    assert str(orders.describe_event(last[0])).endswith("changed: address")


def test_apply_on_top_of_a_version_that_changed_again_is_refused_and_changes_nothing(store, opened):
    first = orders.save(store, opened.id, actor="owner", expected_version=opened.version,
                        edits=_form(opened, receiver_phone="0987 654 321"))
    again = orders.save(store, opened.id, actor="owner", expected_version=first.version,
                        edits=_form(first, note="gọi trước khi giao"))
    with pytest.raises(ConcurrentChange):
        orders.apply_on_top(store, "save", opened.id, actor="hang", opened=opened,
                            edits=_form(opened, receiver_address=ADDRESS), expected_version=first.version)
    assert orders.get_order(store, opened.id).version == again.version


def test_apply_on_top_of_a_shipped_order_is_refused(store, opened):
    complete = _form(opened, receiver_phone="0987 654 321", receiver_address=ADDRESS)
    shipped = orders.ship(store, opened.id, actor="owner", expected_version=opened.version, edits=complete)
    with pytest.raises(ActionNotAllowed):
        orders.apply_on_top(store, "save", opened.id, actor="hang", opened=opened,
                            edits=_form(opened, note="x"), expected_version=shipped.version)
    events = orders.changes_since(store, opened.id, opened.last_event_id)
    assert ("owner", orders.SHIPPED) in [(e["actor"], e["to_status"]) for e in events]
