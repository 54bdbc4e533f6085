"""The order's rules with no database: completeness, where each action may start and lead, the edit form's checks."""

from dataclasses import replace

import pytest

from core.base.errors import InvalidInput
from core.domain import orders
from core.domain.orders import ACTIONS, LineEdit, Order, OrderEdits, OrderLine


def _line(**changes) -> OrderLine:
    values = dict(id=1, code_typed="A1", item_id=7, item_code="A1", item_name="Áo", size="M", color=None, qty=2,
                  unit_price=150_000, waitlisted_qty=0, claimed_at=None, source_comment_id=None, edited_by_staff=False)
    return OrderLine(**{**values, **changes})


def _order(**changes) -> Order:
    values = dict(id=1, code="L1-001", livestream_id=1, customer_id=1, customer_name="Lan", customer_platform_user_id="u1",
                  status=orders.DRAFT, staff_id=None, staff_name=None, first_comment_at=None,
                  receiver_name="Nguyễn Thị Lan", receiver_phone="0912345678", receiver_address="12 Lý Thường Kiệt",
                  note=None, shipping_fee=30_000, discount=10_000, payment="cod", carrier=None, tracking_number=None,
                  handled_at=None, handled_by=None, version=1, created_at=None, updated_at=None, hold_reason=None,
                  customer_blacklisted=False, customer_blacklist_reason=None, returned_at=None, lines=[_line()])
    return Order(**{**values, **changes})


def _keys(texts) -> list[str]:
    return [text.key for text in texts]


def test_a_complete_order_misses_nothing_and_totals_its_lines_fee_and_discount():
    order = _order()
    assert orders.missing_for_completion(order) == []
    assert (order.subtotal, order.total) == (300_000, 320_000)


def test_a_blank_item_a_waitlisted_line_and_missing_shipping_info_are_each_named():
    order = _order(receiver_name=" ", receiver_phone=None, receiver_address="",
                   lines=[_line(item_id=None, code_typed="Z9"), _line(id=2, qty=3, waitlisted_qty=1)])
    assert _keys(orders.missing_for_completion(order)) == [
        "orders.missing.pick_item", "orders.missing.waitlisted", "orders.missing.receiver_name",
        "orders.missing.receiver_phone", "orders.missing.receiver_address"]


def test_an_order_with_no_lines_or_an_invalid_phone_is_not_complete():
    assert _keys(orders.missing_for_completion(_order(lines=[]))) == ["orders.missing.no_items"]
    assert _keys(orders.missing_for_completion(_order(receiver_phone="0123"))) == ["orders.missing.valid_phone"]


def test_an_order_held_for_a_blacklisted_customer_waits_for_acceptance():
    held = _order(hold_reason=orders.HELD_BLACKLISTED)
    assert _keys(orders.missing_for_completion(held)) == ["orders.missing.held_blacklisted"]


@pytest.mark.parametrize("name, allowed_from, to_status, needs_complete", [
    ("save_draft", orders.EDITABLE, orders.DRAFT, False),
    ("save", orders.EDITABLE, orders.AWAITING_CONFIRMATION, False),
    ("create_order", orders.EDITABLE, orders.AWAITING_SHIPMENT, True),
    ("save_to_shipping_book", orders.EDITABLE, orders.AWAITING_SHIPMENT, True),
    ("send_to_shop", orders.EDITABLE, orders.SENT_TO_SHOP, True),
    ("ship", orders.EDITABLE, orders.SHIPPED, True),
    ("cancel", orders.CANCELLABLE, orders.CANCELLED, False),
    ("delete", orders.CANCELLABLE, orders.CANCELLED, False),
])
def test_each_action_starts_only_from_its_statuses_and_leads_to_one(name, allowed_from, to_status, needs_complete):
    action = ACTIONS[name]
    assert (action.name, action.allowed_from, action.to_status, action.needs_complete) == (
        name, allowed_from, to_status, needs_complete)
    assert orders.SHIPPED not in action.allowed_from and orders.CANCELLED not in action.allowed_from


def test_a_shipped_or_cancelled_order_allows_no_action_at_all():
    for status in (orders.SHIPPED, orders.CANCELLED):
        assert [name for name, action in ACTIONS.items() if status in action.allowed_from] == []


def test_cancelling_frees_stock_and_committing_moves_the_order_ahead_but_saving_does_not():
    assert orders.frees_or_commits_stock(orders.DRAFT, orders.CANCELLED)
    assert orders.frees_or_commits_stock(orders.DRAFT, orders.AWAITING_SHIPMENT)
    assert not orders.frees_or_commits_stock(orders.AWAITING_SHIPMENT, orders.SHIPPED)
    assert not orders.frees_or_commits_stock(orders.DRAFT, orders.AWAITING_CONFIRMATION)


def test_the_edit_form_input_is_trimmed_and_its_phone_written_one_way():
    edits = orders.validate_edits(OrderEdits(receiver_name="  Lan ", receiver_phone="+84 912 345 678", note=" x "))
    assert (edits.receiver_name, edits.receiver_phone, edits.note) == ("Lan", "0912345678", "x")


def test_bad_edit_input_is_refused_as_a_whole_with_every_problem_named():
    with pytest.raises(InvalidInput) as refused:
        orders.validate_edits(OrderEdits(receiver_phone="0123", shipping_fee=-1, payment="card",
                                         lines=(LineEdit(None, "", None, 0),)))
    assert _keys(refused.value.text.params["problems"]) == [
        "orders.problem.bad_phone", "orders.problem.bad_shipping_fee", "orders.problem.bad_payment",
        "orders.problem.bad_qty", "orders.problem.no_item"]


def test_the_code_on_the_bag_names_the_livestream_and_the_running_number():
    assert orders.order_code(3, 7) == "L3-007"
    assert replace(_order(), code=orders.order_code(1, 1234)).code == "L1-1234"


# -- two people on one order: the second one's edits laid over the first one's ---------------------------------------
def _form_of(order: Order, **changes) -> OrderEdits:
    """What an untouched edit form sends for `order` (text as shown, the phone spaced), with `changes` typed."""
    values = dict(
        lines=tuple(LineEdit(id=line.id, code_typed=line.code_typed, item_id=line.item_id, qty=line.qty,
                             size=line.size or "", color=line.color or "", unit_price=line.unit_price)
                    for line in order.lines),
        receiver_name=order.receiver_name or "", receiver_phone="0912 345 678",
        receiver_address=order.receiver_address or "", note=order.note or "", shipping_fee=order.shipping_fee,
        discount=order.discount, payment=order.payment)
    return orders.validate_edits(OrderEdits(**{**values, **changes}))


def test_an_untouched_form_changes_nothing_of_the_order_it_opened():
    opened = _order()
    assert orders.fields_changed(opened, _form_of(opened)) == []
    assert orders.edits_on_top(opened, _form_of(opened), _order(receiver_phone="0987654321")) == OrderEdits()


def test_on_top_writes_only_what_the_second_form_changed_and_keeps_the_first_persons_change():
    opened = _order()
    current = _order(version=2, receiver_phone="0987654321")  # the first person changed the phone
    mine = _form_of(opened, receiver_address="45 Nguyễn Trãi, Phường Bến Thành, TP Hồ Chí Minh")
    assert orders.fields_changed(opened, mine) == ["receiver_address"]
    on_top = orders.edits_on_top(opened, mine, current)
    assert on_top == OrderEdits(receiver_address="45 Nguyễn Trãi, Phường Bến Thành, TP Hồ Chí Minh")


def test_on_top_the_second_persons_value_wins_where_both_changed_the_same_field():
    opened = _order()
    current = _order(version=2, note="first")
    on_top = orders.edits_on_top(opened, _form_of(opened, note="second"), current)
    assert on_top == OrderEdits(note="second")


def test_on_top_lines_keep_the_line_the_other_person_added_and_take_my_changed_and_new_lines():
    opened = _order(lines=[_line(id=1), _line(id=2, code_typed="B2", item_id=8, qty=1)])
    current = _order(version=2, lines=[_line(id=1, qty=5), _line(id=2, code_typed="B2", item_id=8, qty=1),
                                       _line(id=3, code_typed="C3", item_id=9, qty=1)])
    form = _form_of(opened)
    mine = replace(form, lines=(replace(form.lines[1], qty=4), LineEdit(id=None, code_typed="D4", item_id=10, qty=1)))
    assert orders.fields_changed(opened, mine) == ["lines"]  # line 1 removed, line 2 changed, one added
    lines = orders.edits_on_top(opened, mine, current).lines
    assert [(line.id, line.qty) for line in lines] == [(2, 4), (3, 1), (None, 1)]


def test_on_top_a_line_i_changed_that_the_other_person_removed_stays_in_the_edits_to_be_refused():
    opened = _order(lines=[_line(id=1), _line(id=2, qty=1)])
    current = _order(version=2, lines=[_line(id=1)])
    form = _form_of(opened)
    mine = replace(form, lines=(form.lines[0], replace(form.lines[1], qty=3)))
    assert [(line.id, line.qty) for line in orders.edits_on_top(opened, mine, current).lines] == [(1, 2), (2, 3)]
