"""The order and its rules, with no database: statuses, the staff actions and where each may start, what a
complete order needs, and how the edit form's input is checked. Everything here is a value in, a value out, so the
rules are unit-tested without a store (tests/unit/test_order_rules.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from core.base.errors import InvalidInput
from core.base.i18n import Text
from core.base.phones import normalize_vn_phone

# -- statuses --------------------------------------------------------------------------------------------------
DRAFT = "draft"  # made from comments, or saved with "Save draft"
AWAITING_CONFIRMATION = "awaiting_confirmation"  # "Save": kept while the customer confirms
AWAITING_SHIPMENT = "awaiting_shipment"  # "Create order" / "Save to shipping book": in the shipping book
SENT_TO_SHOP = "sent_to_shop"  # "Send to shop": for the cashier (MShopKeeper or the Shop inbox)
SHIPPED = "shipped"  # "Ship": handed to a carrier
CANCELLED = "cancelled"  # "Cancel" / "Delete": kept with its history, stock released

STATUSES = (DRAFT, AWAITING_CONFIRMATION, AWAITING_SHIPMENT, SENT_TO_SHOP, SHIPPED, CANCELLED)
# Texts (status.toml): read as English, render in the reader's language with ui.i18n.say.
STATUS_LABELS = {status: Text(f"status.{status}") for status in STATUSES}
# The status inside a sentence: "order L1-001 is now {status}" (in shipping book, đã vào sổ giao hàng).
STATUS_PHRASES = {status: Text(f"status.phrase.{status}") for status in STATUSES}
# New order comments of the customer go into an order in one of these.
OPEN_FOR_COMMENTS = frozenset({DRAFT, AWAITING_CONFIRMATION})
# Staff may change lines and shipping info of an order in one of these.
EDITABLE = frozenset({DRAFT, AWAITING_CONFIRMATION, AWAITING_SHIPMENT})
# Stock given to these orders is never handed to anyone else.
COMMITTED = frozenset({AWAITING_SHIPMENT, SENT_TO_SHOP, SHIPPED})
CANCELLABLE = frozenset({DRAFT, AWAITING_CONFIRMATION, AWAITING_SHIPMENT, SENT_TO_SHOP})
PAYMENTS = ("cod", "transfer")

class Action(NamedTuple):
    """A staff action: its button label, the statuses it may start from, where it leads, whether the order must be
    complete (every line has an item in stock, receiver name, valid phone, address)."""

    name: str
    label: Text
    allowed_from: frozenset[str]
    to_status: str
    needs_complete: bool


ACTIONS: dict[str, Action] = {action.name: action for action in (
    Action("save_draft", Text("orders.action.save_draft"), EDITABLE, DRAFT, False),
    Action("save", Text("orders.action.save"), EDITABLE, AWAITING_CONFIRMATION, False),
    Action("create_order", Text("orders.action.create_order"), EDITABLE, AWAITING_SHIPMENT, True),
    Action("save_to_shipping_book", Text("orders.action.save_to_shipping_book"), EDITABLE, AWAITING_SHIPMENT, True),
    Action("send_to_shop", Text("orders.action.send_to_shop"), EDITABLE, SENT_TO_SHOP, True),
    Action("ship", Text("orders.action.ship"), EDITABLE, SHIPPED, True),
    Action("cancel", Text("orders.action.cancel"), CANCELLABLE, CANCELLED, False),
    Action("delete", Text("orders.action.delete"), CANCELLABLE, CANCELLED, False),
)}


def frees_or_commits_stock(from_status: str, to_status: str) -> bool:
    """Whether a move changes the stock queues: cancelling frees stock; committing moves the order ahead of open
    ones."""
    return to_status == CANCELLED or (from_status not in COMMITTED and to_status in COMMITTED)


def order_code(livestream_id: int, number: int) -> str:
    """The code printed on the bag: the livestream and the order's running number in it (L1-007)."""
    return f"L{livestream_id}-{number:03d}"


COMMENT_ACTOR = "comments"
# hold_reason of an order made by a blacklisted customer's comment where the livestream holds them for review.
HELD_BLACKLISTED = "blacklisted"


@dataclass(frozen=True)
class Shipment:
    """What Ship hands to a carrier: the carrier (one of the owner's list by id, or a name typed or picked by name),
    the tracking number (one order), and the fee the carrier charges (None: the carrier's usual fee)."""

    carrier: str | None = None
    tracking_number: str | None = None
    carrier_id: int | None = None
    fee: int | None = None


@dataclass(frozen=True)
class LineEdit:
    """One order line as the edit form gives it. id None: a new line. item_id None: still blank."""

    id: int | None
    code_typed: str
    item_id: int | None
    qty: int
    size: str | None = None
    color: str | None = None
    unit_price: int | None = None  # None: the item's price


@dataclass(frozen=True)
class OrderEdits:
    """What the edit form sends with a button. A field left None is not changed."""

    lines: tuple[LineEdit, ...] | None = None
    receiver_name: str | None = None
    receiver_phone: str | None = None
    receiver_address: str | None = None
    note: str | None = None
    shipping_fee: int | None = None
    discount: int | None = None
    payment: str | None = None


@dataclass
class OrderLine:
    id: int
    code_typed: str
    item_id: int | None
    item_code: str | None
    item_name: str | None
    size: str | None
    color: str | None
    qty: int
    unit_price: int
    waitlisted_qty: int
    claimed_at: object
    source_comment_id: int | None
    edited_by_staff: bool

    @property
    def amount(self) -> int:
        return self.qty * self.unit_price


@dataclass
class Order:
    id: int
    code: str
    livestream_id: int
    customer_id: int
    customer_name: str
    customer_platform_user_id: str
    status: str
    staff_id: int | None
    staff_name: str | None
    first_comment_at: object
    receiver_name: str | None
    receiver_phone: str | None
    receiver_address: str | None
    note: str | None
    shipping_fee: int
    discount: int
    payment: str
    carrier: str | None
    tracking_number: str | None
    handled_at: object
    handled_by: str | None
    version: int
    created_at: object
    updated_at: object
    hold_reason: str | None  # HELD_BLACKLISTED: completing it waits until staff accept it (accept_held_order)
    customer_blacklisted: bool
    customer_blacklist_reason: str | None
    returned_at: object
    # The newest order_events row when the order was read (in the same statement): an edit form opened at this
    # order asks for the changes after it (core.services.orders.changes_since).
    last_event_id: int | None = None
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def total(self) -> int:
        return max(0, self.subtotal + self.shipping_fee - self.discount)

    @property
    def has_blank_item(self) -> bool:
        return any(line.item_id is None for line in self.lines)

    @property
    def status_label(self) -> Text:
        return STATUS_LABELS[self.status]

    def missing_for_completion(self) -> list[Text]:
        return missing_for_completion(self)


@dataclass
class BulkResult:
    """What an action on several orders did: each order on its own, so one incomplete order does not stop the rest."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (order code, message: a Text, English as str)


def missing_for_completion(order: Order) -> list[Text]:
    """Everything a complete order still lacks, in words staff can act on (Texts, English as str)."""
    missing: list[Text] = []
    if order.hold_reason == HELD_BLACKLISTED:
        missing.append(Text("orders.missing.held_blacklisted"))
    if not order.lines:
        missing.append(Text("orders.missing.no_items"))
    for number, line in enumerate(order.lines, start=1):
        if line.item_id is None:
            missing.append(Text("orders.missing.pick_item", line=number, code=line.code_typed))
        if line.qty < 1:
            missing.append(Text("orders.missing.qty_at_least_1", line=number, code=line.code_typed))
        if line.waitlisted_qty > 0:
            missing.append(Text("orders.missing.waitlisted", line=number, code=line.code_typed,
                                served=line.qty - line.waitlisted_qty, qty=line.qty, waitlisted=line.waitlisted_qty))
    if not (order.receiver_name or "").strip():
        missing.append(Text("orders.missing.receiver_name"))
    if not (order.receiver_phone or "").strip():
        missing.append(Text("orders.missing.receiver_phone"))
    elif normalize_vn_phone(order.receiver_phone) is None:
        missing.append(Text("orders.missing.valid_phone", phone=order.receiver_phone))
    if not (order.receiver_address or "").strip():
        missing.append(Text("orders.missing.receiver_address"))
    return missing


def validate_edits(edits: OrderEdits) -> OrderEdits:
    """Refuses bad input as a whole (InvalidInput); returns the edits with text trimmed and phone normalised."""
    problems: list[Text] = []
    phone = edits.receiver_phone
    if phone is not None and phone.strip():
        normalised = normalize_vn_phone(phone)
        if normalised is None:
            problems.append(Text("orders.problem.bad_phone", phone=phone.strip()))
        else:
            phone = normalised
    for key, value in (("orders.problem.bad_shipping_fee", edits.shipping_fee),
                       ("orders.problem.bad_discount", edits.discount)):
        if value is not None and (not isinstance(value, int) or value < 0):
            problems.append(Text(key))
    if edits.payment is not None and edits.payment not in PAYMENTS:
        problems.append(Text("orders.problem.bad_payment"))
    if edits.lines is not None:
        for number, line in enumerate(edits.lines, start=1):
            if not isinstance(line.qty, int) or isinstance(line.qty, bool) or line.qty < 1:
                problems.append(Text("orders.problem.bad_qty", line=number, qty=line.qty))
            if line.unit_price is not None and (not isinstance(line.unit_price, int) or line.unit_price < 0):
                problems.append(Text("orders.problem.bad_unit_price", line=number))
            if not (line.code_typed or "").strip() and line.item_id is None:
                problems.append(Text("orders.problem.no_item", line=number))
    if problems:
        raise InvalidInput("orders.nothing_saved", problems=problems)

    def trimmed(value: str | None) -> str | None:
        return None if value is None else value.strip()

    return replace(
        edits, receiver_name=trimmed(edits.receiver_name), receiver_phone=None if phone is None else phone.strip(),
        receiver_address=trimmed(edits.receiver_address), note=trimmed(edits.note),
    )




# -- two people on one order ----------------------------------------------------------------------------------------
_EDIT_FIELDS = ("receiver_name", "receiver_phone", "receiver_address", "note", "shipping_fee", "discount", "payment")


def _same(a, b) -> bool:
    """Form values and stored values compare as the form shows them: a blank text is no text."""
    return (a if a not in ("", None) else None) == (b if b not in ("", None) else None)


def _line_changed(line: LineEdit, before: OrderLine) -> bool:
    if line.unit_price is not None and line.unit_price != before.unit_price:
        return True
    return not (line.item_id == before.item_id and line.qty == before.qty
                and _same((line.size or "").strip(), before.size) and _same((line.color or "").strip(), before.color))


def fields_changed(opened: Order, mine: OrderEdits) -> list[str]:
    """The order's fields (and "lines") that the form's edits change against the order as the form opened it
    (the edits are read as saving reads them: text trimmed, the phone normalised)."""
    mine = validate_edits(mine)
    changed = [name for name in _EDIT_FIELDS
               if getattr(mine, name) is not None and not _same(getattr(mine, name), getattr(opened, name))]
    if mine.lines is not None:
        kept = {line.id: line for line in mine.lines if line.id is not None}
        if (any(line.id is None for line in mine.lines) or set(kept) != {line.id for line in opened.lines}
                or any(_line_changed(kept[line.id], line) for line in opened.lines if line.id in kept)):
            changed.append("lines")
    return changed


def edits_on_top(opened: Order, mine: OrderEdits, current: Order) -> OrderEdits:
    """The form's edits laid over an order that someone else changed since the form opened it: what the form
    changed (against `opened`) is set, everything else stays as `current` has it. Lines: the lines the form changed
    or removed, and those it added, over the current lines; a line the other person added stays. A line the form
    changed that the other person removed is kept in the edits, so that saving refuses it (line_removed_meanwhile).
    `mine` is checked already (validate_edits)."""
    fields = {name: getattr(mine, name) for name in _EDIT_FIELDS
              if getattr(mine, name) is not None and not _same(getattr(mine, name), getattr(opened, name))}
    lines = None
    if mine.lines is not None and "lines" in fields_changed(opened, mine):
        opened_lines = {line.id: line for line in opened.lines}
        mine_by_id = {line.id: line for line in mine.lines if line.id is not None}
        removed = set(opened_lines) - set(mine_by_id)
        changed = {line_id: line for line_id, line in mine_by_id.items()
                   if line_id not in opened_lines or _line_changed(line, opened_lines[line_id])}
        merged: list[LineEdit] = []
        for line in current.lines:
            if line.id in removed:
                continue
            merged.append(changed.pop(line.id, None) or LineEdit(
                id=line.id, code_typed=line.code_typed, item_id=line.item_id, qty=line.qty, size=line.size,
                color=line.color, unit_price=line.unit_price))
        merged.extend(changed.values())  # changed here, removed there: refused when saved
        merged.extend(line for line in mine.lines if line.id is None)
        lines = tuple(merged)
    return OrderEdits(lines=lines, **fields)
