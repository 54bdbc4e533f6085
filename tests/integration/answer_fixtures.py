"""Builders shared by the tests of answers on Facebook: comments as the Facebook reader ingests them, written a
few minutes ago (inside Facebook's 7-day window), and a livestream with every answer on."""

from __future__ import annotations

import json
from datetime import timedelta

from core.base.formatting import utc_now
from core.domain.users import SYSTEM_USER
from core.integrations.comment_files import IncomingComment
from core.services import answers
from core.services.comments import ingest_comments

ALL_ON = answers.AnswerSettings(reply_publicly=True, message_privately=True, hide_phone_comments=True)


def fb_comment(number: int, user: str, message: str, *, age: timedelta = timedelta(minutes=5),
               video: str = "1234567890123") -> IncomingComment:
    return IncomingComment(comment_id=f"{video}_{number}", user_id=f"fb-{user}", user_name=user, message=message,
                           commented_at=utc_now() - age + timedelta(seconds=number))


def feed_facebook(store, livestream_id: int, *comments: IncomingComment, source: str = "facebook"):
    return ingest_comments(store, livestream_id, list(comments), source=source)


def turn_on(store, livestream_id: int, settings: answers.AnswerSettings = ALL_ON) -> None:
    answers.save_settings(store, livestream_id, settings, by=SYSTEM_USER)


def answers_written(store) -> list[dict]:
    rows = store.query("SELECT id, order_id, comment_id, action, idempotency_key, payload, state FROM outbox "
                       "WHERE target = 'facebook' ORDER BY id")
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows
