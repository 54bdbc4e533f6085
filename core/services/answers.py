"""Answers to customers on Facebook: each livestream's settings (Setup), and the answers themselves, written to
the outbox (target "facebook") in the transaction of what causes them; core.runtime.deliveries sends them.

Three answers (the rules in core.domain.answers):
- a public reply under a comment that made or changed an order (the shop's template, the order code and the
  customer's cleaned name, never the customer's text);
- the order in a private message (Messenger), once per order, to the order's first Facebook comment; Facebook
  allows one private reply per comment, within 7 days, so it is sent at most once (see core.runtime.deliveries);
- hiding a comment that holds a phone number (the phone is still read and kept on the customer).
A blacklisted customer gets no automatic answer. Below services.comments (ingest calls enqueue_for_batch).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from core.base import config
from core.base.errors import InvalidInput, NotFound
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain import answers as rules
from core.domain.answers import MESSAGE, REPLY, AnswerSettings
from core.domain.users import User, require_owner
from core.records.catalog import livestream_row
from core.services import outbox

__all__ = ["AnswerSettings", "MessengerState", "Preview", "STATE_LABELS", "answerable", "can_message",
           "comment_marks", "default_settings", "get_rate_limit", "get_settings", "messenger_state", "placeholders",
           "preview", "reply_to_comment", "save_settings", "send_order_message", "set_rate_limit"]

RATE_LIMIT_SETTING = "answers_per_minute"


# -- settings ----------------------------------------------------------------------------------------------------
def get_settings(store: Store, livestream_id: int) -> AnswerSettings:
    with store.reading() as cur:
        livestream_row(cur, livestream_id)  # NotFound for an unknown livestream
        return settings_of(cur, livestream_id)


def settings_of(cur, livestream_id: int) -> AnswerSettings:
    """The settings on the caller's cursor (no row: every answer off, the default templates)."""
    row = cur.execute(
        "SELECT reply_publicly, reply_template, message_privately, message_template, hide_phone_comments, language "
        "FROM answer_settings WHERE livestream_id = ?", [livestream_id]).fetchone()
    return AnswerSettings() if row is None else AnswerSettings(*row)


def save_settings(store: Store, livestream_id: int, settings: AnswerSettings, *, by: User) -> AnswerSettings:
    """Checks and saves a livestream's answer settings; the owner's (the answers speak for the shop's Page).
    InvalidInput names what is wrong: an unknown {placeholder}, an empty template while its answer is on, a
    template too long."""
    require_owner(by, Text("answers.what_set_answers"))
    if settings.language not in rules.LANGUAGES:
        raise InvalidInput("answers.bad_language")
    settings = replace(
        settings,
        reply_template=rules.check_template(REPLY, settings.reply_template, required=settings.reply_publicly),
        message_template=rules.check_template(MESSAGE, settings.message_template,
                                              required=settings.message_privately),
        reply_publicly=bool(settings.reply_publicly), message_privately=bool(settings.message_privately),
        hide_phone_comments=bool(settings.hide_phone_comments))
    with store.transaction() as cur:
        livestream_row(cur, livestream_id)
        cur.execute(
            "INSERT OR REPLACE INTO answer_settings (livestream_id, reply_publicly, reply_template, message_privately, "
            "message_template, hide_phone_comments, language, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [livestream_id, settings.reply_publicly, settings.reply_template, settings.message_privately,
             settings.message_template, settings.hide_phone_comments, settings.language, by.username, utc_now()])
    return get_settings(store, livestream_id)


def placeholders(kind: str) -> tuple[str, ...]:
    """The placeholders a template of `kind` ("reply" or "message") may use."""
    if kind not in rules.PLACEHOLDERS:
        raise InvalidInput("answers.bad_kind", kinds=", ".join(rules.KINDS))
    return rules.PLACEHOLDERS[kind]


def default_settings(language: str = "vi") -> AnswerSettings:
    """Every answer off, with the default templates of `language`."""
    return AnswerSettings(reply_template=rules.default_template(REPLY, language),
                          message_template=rules.default_template(MESSAGE, language), language=language)


@dataclass(frozen=True)
class Preview:
    reply: str
    message: str


def preview(settings: AnswerSettings, *, language: str | None = None) -> Preview:
    """The reply and the message the templates make for a sample order (customer "Nguyễn Thị Lan", two lines,
    no address yet), in the answers' language (`language` shows another). Templates are checked as when saved;
    an empty template previews as an empty text."""
    language = language if language in rules.LANGUAGES else settings.language
    reply_template = rules.check_template(REPLY, settings.reply_template, required=settings.reply_publicly)
    message_template = rules.check_template(MESSAGE, settings.message_template, required=settings.message_privately)
    order = rules.sample_order(language)
    return Preview(
        reply=rules.render_reply(reply_template, code=order.code, customer_name=order.customer_name,
                                 language=language) if reply_template else "",
        message=rules.render_message(message_template, order, language) if message_template else "")


# -- the rate limit ------------------------------------------------------------------------------------------------
def get_rate_limit(store: Store) -> int:
    """Answers per minute per Facebook page (default 30)."""
    with store.reading() as cur:
        return rate_limit_of(cur)


def rate_limit_of(cur) -> int:
    row = cur.execute("SELECT value FROM shop_settings WHERE name = ?", [RATE_LIMIT_SETTING]).fetchone()
    return rules.RATE_LIMIT_DEFAULT if row is None else int(json.loads(row[0]))


def set_rate_limit(store: Store, per_minute: int, *, by: User) -> int:
    require_owner(by, Text("answers.what_set_answers"))
    value = rules.check_rate_limit(per_minute)
    with store.transaction() as cur:
        cur.execute("INSERT OR REPLACE INTO shop_settings (name, value, updated_by, updated_at) VALUES (?, ?, ?, ?)",
                    [RATE_LIMIT_SETTING, json.dumps(value), by.username, utc_now()])
    return value


# -- writing answers (inside the transaction that causes them) ---------------------------------------------------
# Only comments read from Facebook itself are answered: a comment typed in by hand, imported from a file or played
# by the demo carries an id Facebook would not know. (core.runtime.facebook's source name.)
ANSWERED_SOURCE = "facebook"


def answerable(platform: str, source: str) -> bool:
    """Whether a comment of a livestream on `platform`, come from `source` (comments.source), can be answered on
    Facebook: the rule reply_to_comment and the automatic answers keep, and the stream's Reply button asks."""
    return platform == "facebook" and source == ANSWERED_SOURCE


ORDER_EFFECTS = ("created", "added")  # a comment that made an order or added lines to it
OPEN_STATUSES = ("draft", "awaiting_confirmation")  # an order still being put together with the customer


def enqueue_for_comments(cur, livestream: dict, source: str, first_id: int, count: int, *, actor: str) -> int:
    """Called by ingest (core.services.comments) in the batch's transaction, once its comments are written (ids
    first_id .. first_id + count - 1): the answers they call for, written to the outbox. Comments older than the
    7-day window get none. Returns how many answers were written."""
    if not answerable(livestream["platform"], source) or not count:
        return 0
    settings = settings_of(cur, livestream["id"])
    if not (settings.reply_publicly or settings.message_privately or settings.hide_phone_comments):
        return 0
    now = utc_now()
    ids = (first_id, first_id + count)
    opened = now - rules.PRIVATE_REPLY_WINDOW + rules.WINDOW_MARGIN  # the oldest comment time still answered
    rows = []
    if settings.reply_publicly:
        rows += _public_replies(cur, settings, livestream["id"], ids, opened)
    if settings.message_privately:
        rows += _private_messages(cur, settings, livestream["id"], ids, opened)
    if settings.hide_phone_comments:
        rows += _hides(cur, livestream["id"], ids, opened)
    return outbox.enqueue_answers(cur, rows, actor=actor, now=now)


def _payload(**values) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _public_replies(cur, settings: AnswerSettings, livestream_id: int, ids: tuple[int, int], opened) -> list[dict]:
    """A reply under each order comment of a customer not on the blacklist: the template, the order code and the
    cleaned name (core.domain.answers.public_name), never the comment's text."""
    found = cur.execute(
        "SELECT c.id, c.platform_comment_id, c.order_id, o.code, cu.display_name FROM comments c "
        "JOIN orders o ON o.id = c.order_id JOIN customers cu ON cu.id = c.customer_id "
        "WHERE c.id >= ? AND c.id < ? AND c.source = ? AND list_contains(?::VARCHAR[], c.effect) "
        "AND NOT cu.blacklisted AND c.commented_at > ? ORDER BY c.id",
        [*ids, ANSWERED_SOURCE, list(ORDER_EFFECTS), opened]).fetchall()
    return [{"order_id": order_id, "comment_id": comment_id, "action": outbox.REPLY,
             "key": f"facebook:reply:{platform_id}",
             "payload": _payload(comment=platform_id, livestream_id=livestream_id, text=rules.render_reply(
                 settings.reply_template, code=code, customer_name=name, language=settings.language))}
            for comment_id, platform_id, order_id, code, name in found]


_FIRST_COMMENTS = """
WITH touched AS (
    SELECT DISTINCT order_id FROM comments
    WHERE id >= $first AND id < $last AND source = $source AND list_contains($effects, effect)),
first_comments AS (
    SELECT c.order_id, arg_min(c.id, c.commented_at) AS comment_id FROM comments c
    WHERE c.livestream_id = $livestream AND c.order_id IN (SELECT order_id FROM touched) AND c.source = $source
      AND list_contains($effects, c.effect) AND c.commented_at > $opened
    GROUP BY c.order_id)
SELECT f.order_id, f.comment_id, c.platform_comment_id FROM first_comments f
JOIN comments c ON c.id = f.comment_id JOIN orders o ON o.id = f.order_id JOIN customers cu ON cu.id = o.customer_id
WHERE NOT cu.blacklisted AND list_contains($open, o.status)
  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.target = 'facebook' AND p.action = 'message'
                  AND p.order_id = f.order_id)
ORDER BY f.comment_id
"""


def _private_messages(cur, settings: AnswerSettings, livestream_id: int, ids: tuple[int, int], opened
                      ) -> list[dict]:
    """The order in Messenger, once per order: for each open order these comments made or changed that has no
    private message yet, to its first Facebook order comment still inside the window. The text is written when
    it is sent (core.runtime.deliveries calls message_text), so it shows the order as it is then."""
    found = cur.execute(_FIRST_COMMENTS, {
        "first": ids[0], "last": ids[1], "source": ANSWERED_SOURCE, "effects": list(ORDER_EFFECTS),
        "livestream": livestream_id, "opened": opened, "open": list(OPEN_STATUSES)}).fetchall()
    return [_message_row(order_id, comment_id, platform_id, livestream_id, settings)
            for order_id, comment_id, platform_id in found]


def _message_row(order_id: int, comment_id: int, platform_id: str, livestream_id: int,
                 settings: AnswerSettings) -> dict:
    # One private reply per comment, ever (Facebook's rule): the key is the comment's.
    return {"order_id": order_id, "comment_id": comment_id, "action": outbox.PRIVATE_MESSAGE,
            "key": f"facebook:message:{platform_id}",
            "payload": _payload(comment=platform_id, livestream_id=livestream_id,
                                template=settings.message_template, language=settings.language, text=None)}


def _hides(cur, livestream_id: int, ids: tuple[int, int], opened) -> list[dict]:
    """Each comment holding a phone number is hidden (its phone is already read and kept). A blacklisted
    customer's too: hiding answers nobody, it keeps the number from other viewers."""
    found = cur.execute(
        "SELECT id, platform_comment_id, order_id FROM comments WHERE id >= ? AND id < ? AND source = ? "
        "AND json_extract_string(parse_result, '$.phone') IS NOT NULL AND commented_at > ? ORDER BY id",
        [*ids, ANSWERED_SOURCE, opened]).fetchall()
    return [{"order_id": order_id, "comment_id": comment_id, "action": outbox.HIDE,
             "key": f"facebook:hide:{platform_id}",
             "payload": _payload(comment=platform_id, livestream_id=livestream_id)}
            for comment_id, platform_id, order_id in found]


# -- delivering (core.runtime.deliveries asks, in its own transactions) ------------------------------------------
@dataclass(frozen=True)
class Delivery:
    """What one try of an answer needs: the Facebook comment, the Page token (None: none set), the text (the
    private message written now, from the order as it is), or why it is dropped."""

    comment: str
    token: str | None
    text: str | None
    dropped: Text | None = None


def prepare_delivery(store: Store, push_id: int, claim_token: str) -> Delivery:
    """For the try under way (claimed with `claim_token`): drops an answer past the 7-day window, to a cancelled
    order or to a customer on the blacklist since; writes the private message's text into the push before it
    goes out, so the screens show the message as sent."""
    with store.transaction() as cur:
        push = cur.execute(
            "SELECT p.action, p.payload, p.order_id, c.commented_at, o.status, cu.blacklisted, c.livestream_id "
            "FROM outbox p LEFT JOIN comments c ON c.id = p.comment_id LEFT JOIN orders o ON o.id = p.order_id "
            "LEFT JOIN customers cu ON cu.id = c.customer_id WHERE p.id = ?", [push_id]).fetchone()
        action, payload, order_id, commented_at, status, blacklisted, livestream_id = push
        body = json.loads(payload)
        delivery = Delivery(comment=body["comment"], token=page_token_of(cur, livestream_id), text=body.get("text"),
                            dropped=_why_dropped(action, commented_at, status, blacklisted, body))
        if delivery.dropped is None and action == outbox.PRIVATE_MESSAGE:
            text = message_text(cur, order_id, body["template"], body["language"])
            cur.execute("UPDATE outbox SET payload = ? WHERE id = ? AND claim_token = ?",
                        [_payload(**{**body, "text": text}), push_id, claim_token])
            delivery = replace(delivery, text=text)
    return delivery


def _why_dropped(action: str, commented_at, status, blacklisted, body: dict) -> Text | None:
    if commented_at is None or not rules.within_window(commented_at, utc_now()):
        return Text("answers.past_window")
    if action == outbox.HIDE:
        return None  # a hide answers nobody: it keeps a phone number from other viewers, whatever the order
    if status == "cancelled":
        return Text("answers.order_cancelled")
    if blacklisted and not body.get("by_staff"):
        return Text("answers.customer_blacklisted")
    return None


def page_token_of_push(store: Store, push_id: int) -> tuple[str | None, int]:
    """The Page token an answer goes out with, and the answers per minute its page may take."""
    with store.reading() as cur:
        row = cur.execute("SELECT json_extract(payload, '$.livestream_id')::BIGINT FROM outbox WHERE id = ?",
                          [push_id]).fetchone()
        return page_token_of(cur, row[0] if row else None), rate_limit_of(cur)


def page_token_of(cur, livestream_id: int | None) -> str | None:
    """The livestream's own Page token, else the CHOTDON_FACEBOOK_PAGE_TOKEN setting (as core.services.sources)."""
    row = cur.execute("SELECT page_token FROM facebook_sources WHERE livestream_id = ?", [livestream_id]).fetchone()
    return (row[0] if row else None) or config.get("CHOTDON_FACEBOOK_PAGE_TOKEN") or None


def message_text(cur, order_id: int, template: str, language: str) -> str:
    """The private message for the order as it is now."""
    return rules.render_message(template, order_for_message(cur, order_id), language)


def order_for_message(cur, order_id: int) -> rules.OrderForMessage:
    head = cur.execute(
        "SELECT o.code, cu.display_name, o.shipping_fee, o.discount, o.receiver_phone, o.receiver_address "
        "FROM orders o JOIN customers cu ON cu.id = o.customer_id WHERE o.id = ?", [order_id]).fetchone()
    if head is None:
        raise NotFound("answers.order_not_found", id=order_id)
    lines = cur.execute(
        "SELECT l.code_typed, i.name, l.size, l.color, l.qty, l.unit_price, l.waitlisted_qty FROM order_lines l "
        "LEFT JOIN live_items i ON i.id = l.item_id WHERE l.order_id = ? ORDER BY l.id", [order_id]).fetchall()
    code, name, fee, discount, phone, address = head
    return rules.OrderForMessage(code=code, customer_name=name or "", lines=tuple(
        rules.MessageLine(*line) for line in lines), shipping_fee=fee or 0, discount=discount or 0,
        has_phone=bool(phone), has_address=bool((address or "").strip()))


# -- on screen: marks on comments, the order's Messenger state --------------------------------------------------
MARKS = {outbox.REPLY: "replied", outbox.PRIVATE_MESSAGE: "messaged", outbox.HIDE: "hidden"}


def comment_marks(store: Store, comment_ids) -> dict[int, frozenset[str]]:
    """For each comment that has any: "replied", "messaged", "hidden" (delivered answers only)."""
    ids = [int(i) for i in comment_ids]
    if not ids:
        return {}
    rows = store.query(
        "SELECT comment_id, list(DISTINCT action) AS actions FROM outbox WHERE target = 'facebook' "
        "AND state = 'delivered' AND comment_id IN (SELECT unnest(?::BIGINT[])) GROUP BY comment_id", [ids])
    return {row["comment_id"]: frozenset(MARKS[a] for a in row["actions"] if a in MARKS) for row in rows}


def marks_stamp(cur) -> tuple:
    """What changes when any comment's marks change: the shop's delivered Facebook answers (a count and the newest
    delivery), read on the caller's cursor. Shop-wide, so a delivery on another live redraws a stream for nothing;
    that is rare and cheaper than joining through the live's comments on every tick."""
    return cur.execute("SELECT count(*), max(delivered_at) FROM outbox WHERE target = 'facebook' "
                       "AND state = 'delivered'").fetchone()


QUEUED, SENDING, SENT, MAY_HAVE_BEEN_SENT, FAILED, DROPPED = (
    "queued", "sending", "sent", "may_have_been_sent", "failed", "dropped")
STATE_LABELS = {state: Text(f"answers.messenger_{state}") for state in
                (QUEUED, SENDING, SENT, MAY_HAVE_BEEN_SENT, FAILED, DROPPED)}
_STATE_OF_PUSH = {outbox.PENDING: QUEUED, outbox.SENDING: SENDING, outbox.DELIVERED: SENT,
                  outbox.MAY_HAVE_BEEN_SENT: MAY_HAVE_BEEN_SENT, outbox.FAILED: FAILED, outbox.DEAD: FAILED,
                  outbox.WITHDRAWN: DROPPED}


@dataclass(frozen=True)
class MessengerState:
    state: str  # STATE_LABELS
    text: str  # the message as sent (or as it would be sent now)
    at: datetime | None  # when it was sent, else when its state last changed (naive UTC)
    reason: Text | str | None  # why it was dropped, failed or is in doubt
    comment_id: int | None
    outbox_id: int


def messenger_state(store: Store, order_id: int) -> MessengerState | None:
    """The order's private message (the latest, when staff sent one again after a failure), or None."""
    with store.reading() as cur:
        row = cur.execute(
            "SELECT id, state, payload, problem, delivered_at, updated_at, comment_id FROM outbox "
            "WHERE target = 'facebook' AND action = 'message' AND order_id = ? ORDER BY id DESC LIMIT 1",
            [order_id]).fetchone()
        if row is None:
            return None
        push_id, state, payload, problem, delivered_at, updated_at, comment_id = row
        body = json.loads(payload)
        text = body.get("text") or message_text(cur, order_id, body["template"], body["language"])
    return MessengerState(state=_STATE_OF_PUSH.get(state, state), text=text, at=delivered_at or updated_at,
                          reason=outbox.read_problem(problem), comment_id=comment_id, outbox_id=push_id)


# -- staff's own answers ---------------------------------------------------------------------------------------------
_USED = (outbox.PENDING, outbox.SENDING, outbox.DELIVERED, outbox.MAY_HAVE_BEEN_SENT)  # a private reply spent


def send_order_message(store: Store, order_id: int, *, actor: str) -> MessengerState:
    """Staff send the order privately by hand (when the automatic message is off, or it failed without being
    sent): to the order's first Facebook comment inside the window that has no private reply spent. Refused
    while a message of the order is queued, sent or in doubt, with no such comment, or for the blacklist."""
    now = utc_now()
    with store.transaction() as cur:
        order = cur.execute(
            "SELECT o.livestream_id, cu.blacklisted FROM orders o JOIN customers cu ON cu.id = o.customer_id "
            "WHERE o.id = ?", [order_id]).fetchone()
        if order is None:
            raise NotFound("answers.order_not_found", id=order_id)
        livestream_id, blacklisted = order
        if blacklisted:
            raise InvalidInput("answers.customer_blacklisted")
        spent = cur.execute(
            "SELECT state FROM outbox WHERE target = 'facebook' AND action = 'message' AND order_id = ? "
            "AND list_contains(?::VARCHAR[], state) LIMIT 1", [order_id, list(_USED)]).fetchone()
        if spent is not None:
            raise InvalidInput("answers.message_exists", state=STATE_LABELS[_STATE_OF_PUSH[spent[0]]])
        comment = _comment_for_message(cur, order_id, now)
        if comment is None:
            raise InvalidInput("answers.no_comment_in_window")
        comment_id, platform_id = comment
        row = _message_row(order_id, comment_id, platform_id, livestream_id, settings_of(cur, livestream_id))
        # The comment's earlier message, failed or dropped without being sent, is the same push tried again (its
        # tries stay in its history).
        again = cur.execute(
            "UPDATE outbox SET state = 'pending', payload = ?, next_try_at = ?, tries_at_last_retry = tries, "
            "problem = NULL, in_doubt = FALSE, caused_by = ?, updated_at = ? WHERE idempotency_key = ? RETURNING id",
            [row["payload"], now, actor, now, row["key"]]).fetchall()
        if not again:
            outbox.enqueue_answers(cur, [row], actor=actor, now=now)
    return messenger_state(store, order_id)


def can_message(store: Store, order_id: int) -> bool:
    """Whether the order has a comment send_order_message could answer in Messenger: read from Facebook, inside
    the 7-day window, with no private reply spent (False for an unknown order). The blacklist and a message
    already on its way are send_order_message's own refusals (messenger_state shows the latter)."""
    with store.reading() as cur:
        return _comment_for_message(cur, order_id, utc_now()) is not None


def _comment_for_message(cur, order_id: int, now: datetime) -> tuple[int, str] | None:
    """The order's comment a private message goes to (the rule can_message and send_order_message share): its
    first comment read from Facebook, still inside the window, that has no private reply spent."""
    return cur.execute(
        "SELECT c.id, c.platform_comment_id FROM comments c JOIN livestreams l ON l.id = c.livestream_id "
        "WHERE c.order_id = ? AND c.source = ? AND l.platform = 'facebook' AND c.commented_at > ? "
        "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.idempotency_key = 'facebook:message:' || c.platform_comment_id "
        "AND list_contains(?::VARCHAR[], p.state)) ORDER BY c.commented_at, c.id LIMIT 1",
        [order_id, ANSWERED_SOURCE, now - rules.PRIVATE_REPLY_WINDOW + rules.WINDOW_MARGIN, list(_USED)]).fetchone()


def reply_to_comment(store: Store, comment_id: int, text: str, *, actor: str) -> int:
    """A one-off public reply that staff write (to a ❓ question comment, say); returns its outbox id. Refused
    when empty, too long, not a comment read from Facebook, or older than the 7-day window."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("answers.reply_empty")
    if len(text) > rules.REPLY_LIMIT:
        raise InvalidInput("answers.reply_too_long", length=len(text), limit=rules.REPLY_LIMIT)
    now = utc_now()
    with store.transaction() as cur:
        comment = cur.execute(
            "SELECT c.platform_comment_id, c.order_id, c.commented_at, c.source, l.platform, c.livestream_id "
            "FROM comments c JOIN livestreams l ON l.id = c.livestream_id WHERE c.id = ?", [comment_id]).fetchone()
        if comment is None:
            raise NotFound("answers.comment_not_found", id=comment_id)
        platform_id, order_id, commented_at, source, platform, livestream_id = comment
        if not answerable(platform, source):
            raise InvalidInput("answers.not_facebook_comment")
        if not rules.within_window(commented_at, now):
            raise InvalidInput("answers.past_window")
        # Each staff reply is its own push: the same words twice are two replies staff chose to write.
        key = f"facebook:reply:{platform_id}:{uuid.uuid4().hex[:12]}"
        return outbox.insert_push(cur, order_id=order_id, target=outbox.FACEBOOK, action=outbox.REPLY, key=key,
                              payload=_payload(comment=platform_id, livestream_id=livestream_id, text=text,
                                               by_staff=True),
                              actor=actor, now=now, comment_id=comment_id)
