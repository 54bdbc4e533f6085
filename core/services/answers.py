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
from dataclasses import dataclass, replace

from core.base.errors import InvalidInput
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain import answers as rules
from core.domain.answers import MESSAGE, REPLY, AnswerSettings
from core.domain.users import User, require_owner
from core.records.catalog import livestream_row

__all__ = ["AnswerSettings", "Preview", "get_settings", "save_settings", "placeholders", "preview",
           "get_rate_limit", "set_rate_limit"]

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
    no address yet), in the answers' language (`language` shows another). Templates are checked as when saved."""
    language = language if language in rules.LANGUAGES else settings.language
    reply_template = rules.check_template(REPLY, settings.reply_template, required=True)
    message_template = rules.check_template(MESSAGE, settings.message_template, required=True)
    order = rules.sample_order(language)
    return Preview(
        reply=rules.render_reply(reply_template, code=order.code, customer_name=order.customer_name,
                                 language=language),
        message=rules.render_message(message_template, order, language))


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
