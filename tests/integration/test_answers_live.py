"""Done when (issue 16): the demo's recorded live played at 60× through the fake Graph server into a running app
with every answer on, the app killed with kill -9 mid-live (while Facebook holds a private reply) and started
again. Every order comment gets its public reply, each order one private message (none twice; the one held
during the kill is "may have been sent"), and every comment with a phone is hidden."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.services import answers, outbox, sources
from core.services.demo import create_demo_shop, demo_comments
from tests.integration import fake_facebook as fb
from tests.integration.answer_fixtures import fake, turn_on  # noqa: F401
from tests.integration.test_answers_kill import app_process

SPEED = 60.0


def publish(server, stop: threading.Event) -> None:
    """The demo's comments appear on the fake's video as viewers wrote them, 60 times faster."""
    comments = demo_comments()
    first, started = comments[0].commented_at, time.monotonic()
    for number, comment in enumerate(comments, start=1):
        offset = (comment.commented_at - first).total_seconds() / SPEED
        if stop.wait(max(0.0, offset - (time.monotonic() - started))):
            return
        server.add(number, comment.user_name, comment.message, second=offset)


def wait_until_quiet(server, seconds: float, limit: float) -> None:
    deadline, count, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(server.posts) != count:
            count, since = len(server.posts), time.monotonic()
        elif time.monotonic() - since > seconds:
            return
        time.sleep(0.2)
    raise AssertionError(f"answers still going out after {limit} s")


def test_the_demo_live_is_answered_once_across_a_kill_of_the_app(tmp_path, fake):
    path = tmp_path / "shop.duckdb"
    store = Store(str(path))
    live = create_demo_shop(store)
    sources.save_source(store, live, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
    turn_on(store, live)
    answers.set_rate_limit(store, 200, by=SYSTEM_USER)
    store.close()
    fake.start_time = datetime.now(UTC)
    stop = threading.Event()
    publisher = threading.Thread(target=publish, args=(fake, stop), daemon=True)
    app = app_process(path, "live", str(live))
    try:
        deadline = time.monotonic() + 120
        while not fake.polls():  # the live begins once the app reads it
            assert app.poll() is None and time.monotonic() < deadline, "the app never read the live"
            time.sleep(0.1)
        publisher.start()
        while len(fake.answers("message")) < 5:  # mid-live, with messages going out
            assert app.poll() is None and time.monotonic() < deadline, "no private reply went out"
            time.sleep(0.1)
        fake.fail_answers(fb.HOLD_AFTER_STORE, kind="message")
        assert fake.holding.wait(60), "no private reply was held"
        assert publisher.is_alive(), "the live was over before the kill"
        os.kill(app.pid, signal.SIGKILL)
        app.wait(30)
        fake.release()
        app = app_process(path, "live", str(live))
        publisher.join(120)
        wait_until_quiet(fake, 8.0, 300.0)
    finally:
        stop.set()
        app.kill()
        app.wait(30)

    store = Store(str(path))
    try:
        check_every_answer(store, fake)
    finally:
        store.close()


def check_every_answer(store, fake) -> None:
    pushes = outbox.list_pushes(store, targets=[outbox.FACEBOOK], limit=100_000)
    cancelled = {r["id"] for r in store.query("SELECT id FROM orders WHERE status = 'cancelled'")}
    assert store.scalar("SELECT count(*) FROM comments") == len(demo_comments())
    # Every order comment has its reply, unless its order was cancelled before the reply went out.
    order_comments = store.query("SELECT id, order_id FROM comments WHERE effect IN ('created', 'added')")
    replies = {r["comment_id"]: r for r in pushes if r["action"] == "reply"}
    assert {c["id"] for c in order_comments} == set(replies)
    assert all(replies[c["id"]]["state"] == "delivered" or
               (replies[c["id"]]["state"] == "withdrawn" and c["order_id"] in cancelled) for c in order_comments)
    # Each order: one private message, at most one POST per comment, the held one in doubt.
    messages = [r for r in pushes if r["action"] == "message"]
    per_order = Counter(r["order_id"] for r in messages)
    # An order cancelled in the very batch that made it (its comments read together) never gets a message.
    without = {c["order_id"] for c in order_comments if not per_order[c["order_id"]]}
    assert without <= cancelled, store.query("SELECT id, code, status FROM orders WHERE list_contains(?, id)",
                                             [sorted(without)])
    assert set(per_order.values()) == {1}
    assert max(Counter(p.comment for p in fake.answers("message")).values()) == 1
    by_state = Counter(r["state"] for r in messages)
    assert by_state[outbox.MAY_HAVE_BEEN_SENT] == 1
    assert all(r["state"] == "delivered" or r["state"] == outbox.MAY_HAVE_BEEN_SENT or
               (r["state"] == "withdrawn" and r["order_id"] in cancelled) for r in messages)
    assert len(fake.answers("message", stored=True)) == by_state["delivered"] + 1
    # Every comment with a phone is hidden.
    phones = {r["platform_comment_id"] for r in store.query(
        "SELECT platform_comment_id FROM comments WHERE json_extract_string(parse_result, '$.phone') IS NOT NULL")}
    assert phones and phones == {p.comment for p in fake.answers("hide", stored=True)}
    marks = answers.comment_marks(store, [c["id"] for c in order_comments])
    assert sum("replied" in m for m in marks.values()) == sum(r["state"] == "delivered" for r in replies.values())
