"""Builders shared by the tests of answers on Facebook: comments as the Facebook reader ingests them, written a
few minutes ago (inside Facebook's 7-day window), and a livestream with every answer on."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from core.base.formatting import utc_now
from core.domain.users import SYSTEM_USER
from core.integrations.comment_files import IncomingComment
from core.runtime import deliveries
from core.runtime.facebook_answers import Pacer
from core.services import answers, outbox, sources
from core.services.comments import ingest_comments
from tests.integration.fake_facebook import FakeFacebook
from tests.integration.push_fixtures import FAST

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


@pytest.fixture
def fake(monkeypatch):
    server = FakeFacebook().start()
    server.fault_hold = 1.0  # longer than FAST's read timeout
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", server.url)
    monkeypatch.delenv("CHOTDON_FACEBOOK_PAGE_TOKEN", raising=False)
    yield server
    server.close()


@pytest.fixture
def live(store, livestream_id, fake):
    """A Facebook livestream reading the fake's video with its token, every answer on."""
    sources.save_source(store, livestream_id, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
    turn_on(store, livestream_id)
    return livestream_id


class FakeClock:
    """A clock that moves only when the pacer sleeps: the waits it asks for are recorded, none is slept."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def deliver(store, *, pacer: Pacer | None = None, timeout: float = 20.0) -> None:
    """Passes over the Facebook answers until none waits (back-offs are short; the pace is not slept)."""
    clock = FakeClock()
    pacer = pacer or Pacer(clock=clock, sleep=clock.sleep)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliveries.deliver_due(store, targets=[outbox.FACEBOOK], policy=FAST, pacer=pacer)
        if not store.scalar("SELECT count(*) FROM outbox WHERE target = 'facebook' AND state IN ('pending', "
                            "'sending')"):
            return
        time.sleep(0.02)
    raise AssertionError("answers still waiting")
