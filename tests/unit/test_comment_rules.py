"""core.domain.comment_rules on small hand-made batches: no database, no parser, only readings and customer states."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta

from core.domain.comment_rules import (
    ActingComment,
    Claim,
    CustomerState,
    LineState,
    OrderState,
    Reading,
    RuleSettings,
    plan_comments,
)
from core.domain.orders import AWAITING_CONFIRMATION, AWAITING_SHIPMENT, CANCELLED, DRAFT, HELD_BLACKLISTED

NOON = datetime(2026, 11, 20, 12, 0, 0)
A1, B2 = 11, 12  # item ids


class Turn:
    """A staff rotation as the rules see it: staff 7 then 8, for customers without staff."""

    def __init__(self, staff=(7, 8)):
        self._staff = iter(staff)

    def needs_staff(self, staff_id):
        return staff_id is None

    def next(self):
        return next(self._staff, None)


def order(codes: str, *, add: bool = False, phone: str | None = None, item_ids=(A1, B2)) -> Reading:
    """An order reading: `codes` like "A1 2, B2 1"."""
    claims = []
    for part, item_id in zip(codes.split(", "), item_ids):
        code, qty = part.split()
        claims.append(Claim(code, item_id, None, None, int(qty), 100_000, code))
    lines = json.dumps([f"{claim.code} ×{claim.qty}" for claim in claims], ensure_ascii=False)
    return Reading("order", tuple(claim.code for claim in claims), phone, add, codes, tuple(claims), lines)


def cancel(*codes: str) -> Reading:
    return Reading("cancel", codes)


def contact(phone: str) -> Reading:
    return Reading("contact", (), phone)


def comments(*pairs: tuple[int, Reading]) -> list[ActingComment]:
    """(customer id, reading) each, a second apart, with comment ids 101, 102, ..."""
    return [ActingComment(101 + n, customer_id, NOON + timedelta(seconds=n), reading)
            for n, (customer_id, reading) in enumerate(pairs)]


def plan(batch, customers, settings=None, turn=None):
    settings = settings or RuleSettings()
    order_ids, line_ids = itertools.count(500), itertools.count(900)
    return plan_comments(batch, {customer.id: customer for customer in customers}, settings,
                         order_ids=order_ids.__next__, line_ids=line_ids.__next__, staff=turn or Turn())


def actions(result) -> list[tuple[int, str]]:
    return [(event.order_id, event.action) for event in result.events]


def stored_draft(customer_id: int, *lines: tuple[int, str, int], status: str = DRAFT) -> OrderState:
    """A stored order with stored lines (line id, code, item id)."""
    return OrderState(40, customer_id, status, NOON - timedelta(hours=1),
                      lines=[LineState(line_id, code, item_id, code) for line_id, code, item_id in lines])


def test_an_order_comment_without_an_open_order_makes_a_new_draft_for_the_next_staff_member():
    lan = CustomerState(1, "Lan", phone="0912345678")
    result = plan(comments((1, order("A1 2"))), [lan])
    assert result.effects == ["created"] and result.order_ids == [500]
    assert result.created == {500} and result.updated == set()
    new = result.new_orders[0]
    assert (new.order.id, new.order.status, new.order.first_comment_at, new.order.receiver_phone) == (
        500, DRAFT, NOON, "0912345678")
    assert new.customer is lan and lan.staff_id == 7 and result.changed_customers == [lan]
    line = result.new_lines[900]
    assert (line.order_id, line.code_typed, line.item_id, line.qty, line.source_comment_id) == (500, "A1", A1, 2, 101)
    assert actions(result) == [(500, "created"), (500, "comment_lines_added")]
    assert json.loads(result.events[1].details) == {"comment_id": 101, "lines": ["A1 ×2"]}
    assert result.affected_items == {A1} and result.freed_items == set()


def test_the_same_order_comment_again_counts_once_under_repeat_policy_once():
    lan = CustomerState(1, "Lan")
    result = plan(comments((1, order("A1 2")), (1, order("A1 2")), (1, order("B2 1"))), [lan])
    assert result.effects == ["created", "repeat", "added"]
    assert result.order_ids == [500, 0, 500]
    assert len(result.new_lines) == 2 and lan.order_keys == {"A1 2", "B2 1"}


def test_the_same_order_comment_again_adds_under_repeat_policy_add():
    lan = CustomerState(1, "Lan")
    result = plan(comments((1, order("A1 2")), (1, order("A1 2"))), [lan], RuleSettings(repeat_policy="add"))
    assert result.effects == ["created", "added"] and len(result.new_lines) == 2


def test_an_add_word_always_adds_even_a_comment_made_before():
    lan = CustomerState(1, "Lan", order_keys={"A1 2"}, orders=[stored_draft(1, (1, "A1", A1))])
    result = plan(comments((1, order("A1 2", add=True))), [lan])
    assert result.effects == ["added"] and result.order_ids == [40]
    assert result.updated == {40} and result.changed_orders == [lan.orders[0]]
    assert [line.code_typed for line in lan.orders[0].lines] == ["A1", "A1"]


def test_an_order_comment_on_an_order_awaiting_confirmation_sends_it_back_to_draft():
    waiting = stored_draft(1, (1, "A1", A1), status=AWAITING_CONFIRMATION)
    lan = CustomerState(1, "Lan", orders=[waiting])
    result = plan(comments((1, order("B2 1"))), [lan])
    assert result.effects == ["added"] and waiting.status == DRAFT and waiting.status_changed
    event = result.events[0]
    assert (event.action, event.from_status, event.to_status) == ("customer_added_items", AWAITING_CONFIRMATION,
                                                                  DRAFT)


def test_an_order_comment_older_than_its_order_moves_the_order_to_its_time():
    draft = stored_draft(1, (1, "A1", A1))
    late = ActingComment(101, 1, draft.first_comment_at - timedelta(minutes=5), order("B2 1"))
    plan([late], [CustomerState(1, "Lan", orders=[draft])])
    assert draft.first_comment_at == late.commented_at and draft.time_changed


def test_a_cancel_naming_a_code_removes_only_those_lines_from_the_draft():
    draft = stored_draft(1, (1, "A1", A1), (2, "B2", B2))
    lan = CustomerState(1, "Lan", orders=[draft])
    result = plan(comments((1, cancel("B2"))), [lan])
    assert result.effects == ["cancelled"] and result.order_ids == [40]
    assert result.deleted_lines == [2] and [line.code_typed for line in draft.lines] == ["A1"]
    assert draft.status == DRAFT and result.freed_items == {B2} and result.affected_items == {B2}
    assert actions(result) == [(40, "customer_cancelled_lines")]
    assert json.loads(result.events[0].details) == {"comment_id": 101, "lines": ["B2"]}


def test_a_cancel_of_every_line_cancels_the_draft():
    draft = stored_draft(1, (1, "A1", A1), (2, "B2", B2))
    result = plan(comments((1, cancel())), [CustomerState(1, "Lan", orders=[draft])])
    assert result.effects == ["cancelled"] and result.deleted_lines == [1, 2]
    assert draft.status == CANCELLED and draft.status_changed
    assert actions(result) == [(40, "customer_cancelled_lines"), (40, "cancel")]
    assert (result.events[1].from_status, result.events[1].to_status) == (DRAFT, CANCELLED)


def test_a_cancel_in_the_same_batch_drops_lines_not_written_yet():
    lan = CustomerState(1, "Lan")
    result = plan(comments((1, order("A1 2, B2 1")), (1, cancel("A1"))), [lan])
    assert result.effects == ["created", "cancelled"]
    assert [line.code_typed for line in result.new_lines.values()] == ["B2"] and result.deleted_lines == []


def test_a_cancel_on_an_order_past_draft_only_records_a_cancel_request():
    shipping = stored_draft(1, (1, "A1", A1), status=AWAITING_SHIPMENT)
    result = plan(comments((1, cancel("A1"))), [CustomerState(1, "Lan", orders=[shipping])])
    assert result.effects == ["cancel_requested"] and result.order_ids == [40]
    assert shipping.status == AWAITING_SHIPMENT and result.deleted_lines == []
    assert actions(result) == [(40, "cancel_requested")]
    assert json.loads(result.events[0].details) == {"comment_id": 101, "codes": ["A1"]}


def test_a_cancel_without_any_order_does_nothing():
    result = plan(comments((1, cancel("A1"))), [CustomerState(1, "Lan")])
    assert result.effects == ["none"] and result.order_ids == [0] and result.events == []


def test_a_contact_comment_gives_its_phone_to_the_customer_and_their_open_order():
    draft = stored_draft(1, (1, "A1", A1))
    lan = CustomerState(1, "Lan", orders=[draft])
    result = plan(comments((1, contact("0987654321"))), [lan])
    assert result.effects == ["contact"] and result.order_ids == [40]
    assert lan.phone == draft.receiver_phone == "0987654321" and draft.phone_changed
    assert result.changed_customers == [lan] and result.changed_orders == [draft]
    assert json.loads(result.events[0].details) == {"comment_id": 101, "phone": "0987654321"}


def test_a_contact_comment_without_an_order_still_gives_the_customer_its_phone():
    lan = CustomerState(1, "Lan")
    result = plan(comments((1, contact("0987654321"))), [lan])
    assert result.effects == ["contact"] and result.order_ids == [0] and lan.phone == "0987654321"
    assert result.events == []


def test_claims_on_items_are_reported_as_affected_for_the_waitlist():
    lan, mai = CustomerState(1, "Lan"), CustomerState(2, "Mai")
    result = plan(comments((1, order("A1 5")), (2, order("A1 1, B2 1")), (2, order("X9 1", item_ids=(None,)))),
                  [lan, mai])
    assert result.affected_items == {A1, B2}  # an unknown code claims no item
    assert len(result.new_lines) == 4  # their waitlisted quantities are the stock queue's (the caller)
    assert [new.customer.name for new in result.new_orders] == ["Lan", "Mai"] and (lan.staff_id, mai.staff_id) == (7, 8)


def test_a_blacklisted_customers_new_order_is_held_for_staff():
    lan = CustomerState(1, "Lan", blacklisted=True, staff_id=3)
    result = plan(comments((1, order("A1 1"))), [lan])
    held = result.new_orders[0].order
    assert held.hold_reason == HELD_BLACKLISTED
    assert actions(result) == [(500, "created"), (500, "held"), (500, "comment_lines_added")]
    assert json.loads(result.events[1].details) == {"reason": HELD_BLACKLISTED}
    assert lan.staff_id == 3 and result.changed_customers == []  # had staff: keeps them


def test_a_blacklisted_customers_order_is_not_held_where_the_livestream_takes_their_orders():
    lan = CustomerState(1, "Lan", blacklisted=True)
    result = plan(comments((1, order("A1 1"))), [lan], RuleSettings(hold_blacklisted=False))
    assert result.new_orders[0].order.hold_reason is None
    assert "held" not in [event.action for event in result.events]
