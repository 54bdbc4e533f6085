"""What read comments do to orders and customers (DESIGN.md, "How comments move orders"), as a plan.

Pure: no store, no SQL, no I/O. Given a batch's acting comments (orders, cancels, contacts) in comment-time order,
each with its reading, and the state of the customers they touch in one livestream, `plan_comments` says what
changes: new orders and lines, deleted lines, order events, each comment's effect and order, the items whose
stock queues move, and the customers whose staff or phone changed. The caller writes the plan.

Ids for new orders and lines come from callables passed in, and new customers' staff from a turn object with
`needs_staff(staff_id)` and `next()` (core.services.assignment.StaffRotation has them), so the rules need nothing else.
The customer states given are the rules' working copy: they are left as they stand after the batch (their orders,
lines and order keys), which is what the caller remembers for the next batch.

A batch can hold a quarter of a million comments: the loop stays flat, with small named tuples and no copies.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Protocol

import orjson

from core.domain.orders import (
    AWAITING_CONFIRMATION,
    AWAITING_SHIPMENT,
    CANCELLED,
    DRAFT,
    EDITABLE,
    HELD_BLACKLISTED,
    OPEN_FOR_COMMENTS,
    SENT_TO_SHOP,
)
from core.domain.syntax import normalize_code

# The kinds that act on orders and customers; the others are only stored.
ACTING_KINDS = frozenset(("order", "cancel", "contact"))
# What a comment did, as the comments table records it.
EFFECTS = ("none", "repeat", "created", "added", "cancel_requested", "cancelled", "contact")
# The effects of a comment whose lines went into an order (made it, or added to it).
LINES_TAKEN = frozenset(("created", "added"))
# The event an order comment's lines are recorded with (Fix records its own instead).
LINES_ADDED = "comment_lines_added"
_AFTER_DRAFT = frozenset((AWAITING_CONFIRMATION, AWAITING_SHIPMENT, SENT_TO_SHOP))
_DRAFT_ONLY = frozenset((DRAFT,))


# -- what goes in ----------------------------------------------------------------------------------------------
class Claim(NamedTuple):
    """One line of an order comment, as a claim on the livestream's items."""

    code: str  # as typed
    item_id: int | None  # None: a code the livestream does not know (the blank item name)
    size: str | None
    color: str | None
    qty: int
    price: int
    item_code: str | None  # the item's own code, which a cancel may name instead of the typed one


class Reading(NamedTuple):
    """What a comment text says, as the rules need it (one per distinct text of a batch)."""

    kind: str  # order | cancel | question | review | contact | none
    codes: tuple[str, ...] = ()  # the codes it names (a cancel naming none cancels every line)
    phone: str | None = None  # in the stored form (10 digits)
    add: bool = False  # an `add` word: the lines add even when the same comment was made before
    order_key: str | None = None  # order: `order_key` of its lines
    claims: tuple[Claim, ...] = ()  # order: its lines
    lines_json: str = "[]"  # order: the JSON list of "code ×quantity" its event records


class ActingComment(NamedTuple):
    comment_id: int
    customer_id: int
    commented_at: datetime  # naive UTC
    reading: Reading


# States compare by identity (eq=False): a cancel removes lines from a list, and comparing every field of
# every line it passes made cancels a tenth of the rules' time.
@dataclass(slots=True, eq=False)
class LineState:
    id: int
    code_typed: str
    item_id: int | None
    item_code: str | None
    new: bool = False


@dataclass(slots=True, eq=False)
class OrderState:
    id: int
    customer_id: int
    status: str
    first_comment_at: datetime
    new: bool = False
    lines: list[LineState] | None = None  # needed only for a customer with a cancel comment in the batch
    receiver_phone: str | None = None
    hold_reason: str | None = None
    changed: bool = False
    phone_changed: bool = False
    status_changed: bool = False
    time_changed: bool = False


@dataclass(slots=True, eq=False)
class CustomerState:
    id: int
    name: str
    phone: str | None = None
    address: str | None = None
    staff_id: int | None = None
    blacklisted: bool = False
    orders: list[OrderState] = field(default_factory=list)  # this livestream's, oldest first; none cancelled before
    order_keys: set[str] = field(default_factory=set)  # the order keys of their comments that made orders
    changed: bool = False  # staff or phone

    def latest(self, statuses) -> OrderState | None:
        for order in reversed(self.orders):
            if order.status in statuses:
                return order
        return None


@dataclass(frozen=True)
class RuleSettings:
    repeat_policy: str = "once"  # "once": the same order comment again is a repeat; "add": it adds again
    hold_blacklisted: bool = True  # a blacklisted customer's new order is held for staff


class StaffTurn(Protocol):
    def needs_staff(self, staff_id: int | None) -> bool: ...

    def next(self) -> int | None: ...


# -- what comes out ----------------------------------------------------------------------------------------------
class PlannedEvent(NamedTuple):
    order_id: int
    action: str
    details: str  # JSON text
    from_status: str | None = None
    to_status: str | None = None


class NewLine(NamedTuple):
    """A claim made into an order line (its waitlisted quantity is the stock queue's to say, when it is written)."""

    id: int
    order_id: int
    code_typed: str
    item_id: int | None
    size: str | None
    color: str | None
    qty: int
    unit_price: int
    source_comment_id: int
    claimed_at: datetime


class NewOrder(NamedTuple):
    order: OrderState  # as it stands after the batch
    customer: CustomerState  # its receiver, staff in charge and address


@dataclass(slots=True)
class Plan:
    new_orders: list[NewOrder] = field(default_factory=list)  # in the order they were made
    new_lines: dict[int, NewLine] = field(default_factory=dict)  # by line id (an in-batch cancel drops some)
    deleted_lines: list[int] = field(default_factory=list)  # stored lines a cancel removed
    events: list[PlannedEvent] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)  # EFFECTS, one per acting comment, in turn
    order_ids: list[int] = field(default_factory=list)  # the order each acting comment touched; 0 is none
    affected_items: set[int] = field(default_factory=set)  # items whose claims changed
    freed_items: set[int] = field(default_factory=set)  # items whose claims a cancel removed: the whole queue moves
    created: set[int] = field(default_factory=set)  # order ids
    updated: set[int] = field(default_factory=set)  # order ids (stored before, changed now)
    changed_orders: list[OrderState] = field(default_factory=list)  # stored orders to write
    changed_customers: list[CustomerState] = field(default_factory=list)  # staff or phone changed


class _Batch(NamedTuple):
    """What the rules for one comment need besides the comment: the plan so far and where new things come from."""

    plan: Plan
    settings: RuleSettings
    order_ids: Callable[[], int]
    line_ids: Callable[[], int]
    staff: StaffTurn
    event: Callable[[PlannedEvent], None]  # plan.events.append


# PlannedEvent((order_id, action, details, from_status, to_status)) without the Python-level __new__ of a named
# tuple: the rules record about one event per comment, and a quarter of a million comments can come at once.
_event = functools.partial(tuple.__new__, PlannedEvent)
_new_line = functools.partial(tuple.__new__, NewLine)  # the same for new lines


# -- the rules ---------------------------------------------------------------------------------------------------
def order_key(lines) -> str:
    """The canonical form of an order comment's lines: two comments with the same key ask for the same thing."""
    return ";".join(f"{line.code}|{line.size or ''}|{line.color or ''}|{line.qty}" for line in lines)


def acting_comments(comment_ids: Iterable[int], customer_ids: Iterable[int], times: Iterable[datetime],
                    readings: Iterable[Reading]) -> Iterator[ActingComment]:
    """ActingComments from columns, made without the Python-level __new__ of a named tuple (a batch has many)."""
    return map(_acting_comment, zip(comment_ids, customer_ids, times, readings))


_acting_comment = functools.partial(tuple.__new__, ActingComment)


def plan_comments(comments: Iterable[ActingComment], customers: dict[int, CustomerState], settings: RuleSettings,
                  *, order_ids: Callable[[], int], line_ids: Callable[[], int], staff: StaffTurn) -> Plan:
    """The plan of a batch's acting comments (in comment-time order) over the state of their customers (every
    customer_id of `comments` is in `customers`). The states are updated as the comments act."""
    plan = Plan()
    batch = _Batch(plan, settings, order_ids, line_ids, staff, plan.events.append)
    effects, touched, created, updated = plan.effects, plan.order_ids, plan.created, plan.updated
    for comment_id, customer_id, commented_at, reading in comments:
        customer = customers[customer_id]
        kind = reading.kind
        if kind == "order":
            effect, order = _order_comment(batch, comment_id, commented_at, reading, customer)
        elif kind == "cancel":
            effect, order = _cancel_comment(batch, comment_id, reading, customer)
        elif kind == "contact" and reading.phone:
            effect, order = _contact_comment(batch, comment_id, reading, customer)
        else:
            effect, order = "none", None
        if order is None or effect == "repeat":
            touched.append(0)
        else:
            touched.append(order.id)
            if order.id not in created:
                updated.add(order.id)
        effects.append(effect)
    plan.changed_orders = [order for customer in customers.values() for order in customer.orders
                           if order.changed and not order.new]
    plan.changed_customers = [customer for customer in customers.values() if customer.changed]
    return plan


def _order_comment(batch: _Batch, comment_id: int, commented_at: datetime, reading: Reading,
                   customer: CustomerState):
    """Lines go to the customer's open order (awaiting confirmation goes back to draft); none open: a new draft.
    The same order comment again is a repeat under repeat policy "once", unless it has an `add` word."""
    if not reading.add and reading.order_key in customer.order_keys and batch.settings.repeat_policy == "once":
        return "repeat", None
    order = customer.latest(OPEN_FOR_COMMENTS)
    if order is None:
        order = _new_draft(batch, comment_id, commented_at, customer)
        effect = "created"
    else:
        if order.status == AWAITING_CONFIRMATION:
            batch.event(_event((order.id, "customer_added_items", f'{{"comment_id": {comment_id}}}', order.status,
                                DRAFT)))
            order.status, order.status_changed = DRAFT, True
        if commented_at < order.first_comment_at:  # a late comment, placed by its time
            order.first_comment_at, order.time_changed = commented_at, True
        effect = "added"
    order_id, new_lines, affected, next_line_id = order.id, batch.plan.new_lines, batch.plan.affected_items, \
        batch.line_ids
    for code, item_id, size, color, qty, price, item_code in reading.claims:
        line_id = next_line_id()
        new_lines[line_id] = _new_line((line_id, order_id, code, item_id, size, color, qty, price, comment_id,
                                        commented_at))
        if order.lines is not None:
            order.lines.append(LineState(line_id, code, item_id, item_code, new=True))
        if item_id is not None:
            affected.add(item_id)
    if reading.phone:
        _set_phone(customer, order, reading.phone)
    batch.event(_event((order_id, LINES_ADDED, f'{{"comment_id": {comment_id}, "lines": {reading.lines_json}}}',
                        None, None)))
    order.changed = True
    customer.order_keys.add(reading.order_key)
    return effect, order


def _new_draft(batch: _Batch, comment_id: int, commented_at: datetime, customer: CustomerState) -> OrderState:
    """A new draft for the customer, who gets the next staff member in turn if they need one. A blacklisted
    customer's draft is held until staff accept it (its claims queue behind everyone's)."""
    plan, staff = batch.plan, batch.staff
    if staff.needs_staff(customer.staff_id):
        staff_id = staff.next()
        if staff_id is not None:
            customer.staff_id, customer.changed = staff_id, True
    order = OrderState(batch.order_ids(), customer.id, DRAFT, commented_at, new=True, lines=[],
                       receiver_phone=customer.phone)
    customer.orders.append(order)
    plan.new_orders.append(NewOrder(order, customer))
    plan.created.add(order.id)
    batch.event(_event((order.id, "created", f'{{"comment_id": {comment_id}}}', None, DRAFT)))
    if customer.blacklisted and batch.settings.hold_blacklisted:
        order.hold_reason = HELD_BLACKLISTED
        batch.event(PlannedEvent(order.id, "held", _json({"reason": order.hold_reason})))
    return order


def _cancel_comment(batch: _Batch, comment_id: int, reading: Reading, customer: CustomerState):
    """Removes the named lines (or all) from the customer's open draft, which is cancelled when none is left; on
    a later status only a cancel request is recorded for staff."""
    plan, codes = batch.plan, reading.codes
    draft = customer.latest(_DRAFT_ONLY)
    if draft is None:
        later = customer.latest(_AFTER_DRAFT)
        if later is None:
            return "none", None
        plan.events.append(PlannedEvent(later.id, "cancel_requested",
                                        _json({"comment_id": comment_id, "codes": list(codes)})))
        later.changed = True
        return "cancel_requested", later
    named = {_code_key(code) for code in codes}
    removed = [line for line in draft.lines if not named or _code_key(line.code_typed) in named
               or (line.item_code and _code_key(line.item_code) in named)]
    if not removed:
        return "none", None
    for line in removed:
        draft.lines.remove(line)
        if line.new:
            del plan.new_lines[line.id]
        else:
            plan.deleted_lines.append(line.id)
        if line.item_id is not None:
            plan.affected_items.add(line.item_id)
            plan.freed_items.add(line.item_id)
    plan.events.append(PlannedEvent(draft.id, "customer_cancelled_lines", _json(
        {"comment_id": comment_id, "lines": [line.code_typed for line in removed]})))
    if not draft.lines:
        plan.events.append(PlannedEvent(draft.id, "cancel", f'{{"comment_id": {comment_id}}}', DRAFT,
                                        CANCELLED))
        draft.status, draft.status_changed = CANCELLED, True
    draft.changed = True
    return "cancelled", draft


def _contact_comment(batch: _Batch, comment_id: int, reading: Reading, customer: CustomerState):
    """The phone goes to the customer and their open (editable) order."""
    order = customer.latest(EDITABLE)
    _set_phone(customer, order, reading.phone)
    if order is not None:
        batch.plan.events.append(PlannedEvent(order.id, "phone_from_comment", (
            f'{{"comment_id": {comment_id}, "phone": {orjson.dumps(customer.phone).decode()}}}')))
        order.changed = True
    return "contact", order


def _set_phone(customer: CustomerState, order: OrderState | None, phone: str) -> None:
    customer.phone, customer.changed = phone, True
    if order is not None:
        order.receiver_phone, order.phone_changed = phone, True


def _json(details: dict) -> str:
    return json.dumps(details, ensure_ascii=False)


# A draft's lines are compared by code at every cancel comment: the few codes of a live, normalised once.
_code_key = functools.lru_cache(maxsize=8192)(normalize_code)


def comment_needs_reasons(kind: str, effect: str) -> bool:
    """A comment that reads as an order only in part, and whose lines went nowhere: the screen says why."""
    return kind == "review" and effect not in LINES_TAKEN


def comment_can_be_fixed(kind: str, effect: str) -> bool:
    """A review or question comment whose lines went nowhere: staff may correct it into order lines (Fix)."""
    return kind in ("review", "question") and effect not in LINES_TAKEN
