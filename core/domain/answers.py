"""Answers to customers on Facebook, as pure rules: the templates a shop writes (checked when saved), the public
reply and the private order message they make, and the limits Facebook sets (pure: no store, no I/O).

What a public reply may say: the shop's template, the order code and the customer's display name, cleaned
(public_name). Never the customer's comment: a reply is written in the Page's own voice under a public post, and a
customer's text (a phone number, an address, an insult, a link) must not be repeated there by the shop.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from string import Formatter

from core.base.errors import InvalidInput
from core.base.formatting import vnd
from core.base.i18n import Text, translate

REPLY, MESSAGE = "reply", "message"
KINDS = (REPLY, MESSAGE)
# The placeholders each template may use. {order}: the order's lines, total and what is still missing.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {REPLY: ("code", "name"), MESSAGE: ("code", "name", "order", "total")}
TEMPLATE_LIMITS = {REPLY: 500, MESSAGE: 1000}  # characters of the template as written
REPLY_LIMIT = 8000  # Facebook's comment length
MESSAGE_LIMIT = 2000  # Messenger's text length
NAME_LIMIT = 40  # characters of a display name put into a public reply
LANGUAGES = ("vi", "en")
PRIVATE_REPLY_WINDOW = timedelta(days=7)  # Facebook: one private reply per comment, within 7 days of it
WINDOW_MARGIN = timedelta(minutes=10)  # a reply sent this close to the end could arrive after it
RATE_LIMIT_DEFAULT, RATE_LIMIT_RANGE = 30, (1, 200)  # answers per minute per Facebook page


def default_template(kind: str, language: str = "vi") -> str:
    return translate(f"answers.default_{kind}_template", language)


@dataclass(frozen=True)
class AnswerSettings:
    """A livestream's automatic answers, each off until the owner turns it on. language: the language of the
    words Chotdon writes into a message itself (the order's lines, the total, what is missing)."""

    reply_publicly: bool = False
    reply_template: str = default_template(REPLY)
    message_privately: bool = False
    message_template: str = default_template(MESSAGE)
    hide_phone_comments: bool = False
    language: str = "vi"


def check_template(kind: str, template: str, *, required: bool) -> str:
    """The template, stripped, or InvalidInput naming what is wrong: an unknown {placeholder}, a brace that is not
    closed, a format it may not use ({name!r}, {code:>5}, {name.x}), too long, or empty while its answer is on."""
    template = (template or "").strip()
    if not template:
        if required:
            raise InvalidInput("answers.empty_template", kind=_kind_text(kind))
        return template
    if len(template) > TEMPLATE_LIMITS[kind]:
        raise InvalidInput("answers.template_too_long", kind=_kind_text(kind), limit=TEMPLATE_LIMITS[kind],
                           length=len(template))
    allowed = PLACEHOLDERS[kind]
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in Formatter().parse(template)
                  if name is not None]
    except ValueError:
        raise InvalidInput("answers.bad_braces", kind=_kind_text(kind)) from None
    for name, spec, conversion in fields:
        if name not in allowed:
            raise InvalidInput("answers.unknown_placeholder", kind=_kind_text(kind), name="{" + name + "}",
                               allowed=", ".join("{" + a + "}" for a in allowed))
        if spec or conversion:
            raise InvalidInput("answers.placeholder_format", kind=_kind_text(kind), name="{" + name + "}")
    if kind == MESSAGE and "order" not in {name for name, _, _ in fields}:
        raise InvalidInput("answers.message_needs_order")
    return template


def _kind_text(kind: str) -> Text:
    return Text(f"answers.kind_{kind}")


def public_name(display_name: str | None, language: str) -> str:
    """The part of a display name that may go into a public reply: letters, combining marks, spaces, ' and -
    (Vietnamese names keep their accents), at most NAME_LIMIT characters. Facebook already shows the name beside
    the comment, but the name is the customer's own text: kept to letters, it cannot carry a phone number, a link,
    a @mention or a #hashtag into the Page's voice. Nothing left: a polite word instead of a name."""
    kept = "".join(ch for ch in (display_name or "") if ch.isalpha() or ch in " '-" or _is_mark(ch))
    kept = " ".join(kept.split())[:NAME_LIMIT].strip(" '-")
    return kept or translate("answers.no_name", language)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


@dataclass(frozen=True)
class MessageLine:
    code: str  # the short code as typed
    name: str | None  # the item's name; None while the code is unknown
    size: str | None
    color: str | None
    qty: int
    unit_price: int
    waitlisted: int = 0


@dataclass(frozen=True)
class OrderForMessage:
    code: str
    customer_name: str
    lines: tuple[MessageLine, ...]
    shipping_fee: int = 0
    discount: int = 0
    has_phone: bool = False
    has_address: bool = False

    @property
    def items_total(self) -> int:
        return sum(line.qty * line.unit_price for line in self.lines)

    @property
    def total(self) -> int:
        return self.items_total + self.shipping_fee - self.discount


def order_block(order: OrderForMessage, language: str) -> str:
    """The order as the customer reads it: one line per item (name, size, color, quantity, price, amount), the
    shipping fee and discount when there are any, the total in VND, and what the shop still needs."""
    rows = [_line_text(line, language) for line in order.lines]
    if order.shipping_fee:
        rows.append(translate("answers.shipping_fee", language, amount=vnd(order.shipping_fee)))
    if order.discount:
        rows.append(translate("answers.discount", language, amount=vnd(order.discount)))
    rows.append(translate("answers.total", language, amount=vnd(order.total)))
    missing = [translate(f"answers.missing_{what}", language) for what, present in
               (("phone", order.has_phone), ("address", order.has_address)) if not present]
    if missing:
        rows.append(translate("answers.still_missing", language, what=", ".join(missing)))
    return "\n".join(rows)


def _line_text(line: MessageLine, language: str) -> str:
    name = line.name or translate("answers.unknown_item", language, code=line.code)
    options = [translate("answers.size", language, size=line.size)] if line.size else []
    if line.color:
        options.append(translate("answers.color", language, color=line.color))
    text = translate("answers.line", language, name=name, code=line.code,
                     options=f" ({', '.join(options)})" if options else "", qty=line.qty,
                     price=vnd(line.unit_price), amount=vnd(line.qty * line.unit_price))
    if line.waitlisted:
        text += translate("answers.line_waitlisted", language, qty=line.waitlisted)
    return text


def render_reply(template: str, *, code: str, customer_name: str | None, language: str) -> str:
    """The public reply: the template with the order code and the cleaned name, and nothing else."""
    return _fill(template, {"code": code, "name": public_name(customer_name, language)})[:REPLY_LIMIT]


def render_message(template: str, order: OrderForMessage, language: str) -> str:
    """The private message: the template around the order block, cut to Messenger's length."""
    text = _fill(template, {"code": order.code, "name": order.customer_name.strip() or translate(
        "answers.no_name", language), "order": order_block(order, language), "total": vnd(order.total)})
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _fill(template: str, values: dict[str, str]) -> str:
    """Only the placeholders the template names, each replaced once: a value that holds braces (a customer's
    name) is not read as a template again."""
    out = []
    for literal, name, _, _ in Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out)


def window_closes(commented_at: datetime) -> datetime:
    """When an answer to a comment made at `commented_at` is no longer sent (Facebook's 7 days, less a margin)."""
    return commented_at + PRIVATE_REPLY_WINDOW - WINDOW_MARGIN


def within_window(commented_at: datetime, now: datetime) -> bool:
    return now < window_closes(commented_at)


def check_rate_limit(per_minute) -> int:
    low, high = RATE_LIMIT_RANGE
    if isinstance(per_minute, bool) or not isinstance(per_minute, int | str):
        raise InvalidInput("answers.rate_limit_range", low=low, high=high)
    try:
        value = int(per_minute)
    except ValueError:
        raise InvalidInput("answers.rate_limit_range", low=low, high=high) from None
    if not low <= value <= high:
        raise InvalidInput("answers.rate_limit_range", low=low, high=high)
    return value


def sample_order(language: str) -> OrderForMessage:
    """The order the Setup preview shows: two lines, a phone, no address yet."""
    return OrderForMessage(
        code="L3-012", customer_name="Nguyễn Thị Lan",
        lines=(MessageLine("A1", translate("answers.sample_item_1", language), "M", translate(
            "answers.sample_color", language), 2, 149_000),
               MessageLine("B2", translate("answers.sample_item_2", language), None, None, 1, 250_000)),
        has_phone=True, has_address=False)
