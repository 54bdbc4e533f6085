"""Answers on Facebook delivered by the outbox worker (core.runtime.deliveries, core.runtime.facebook_answers)
against the local fake Graph server (fake_facebook.py): the three calls and their payloads, retries through
faults, the window, the pace per page, and never two private replies to one comment whatever happens."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest

from core.base.formatting import utc_now
from core.domain.users import SYSTEM_USER
from core.runtime import deliveries
from core.runtime.facebook_answers import Pacer
from core.services import answers, customers, outbox
from tests.integration import fake_facebook as fb
from tests.integration.answer_fixtures import (  # noqa: F401 (fixtures)
    ALL_ON,
    FakeClock,
    deliver,
    fake,
    fb_comment,
    feed_facebook,
    live,
    turn_on,
)
from tests.integration.push_fixtures import FAST


def states(store) -> dict[str, str]:
    return {r["action"]: r["state"] for r in outbox.list_pushes(store, targets=[outbox.FACEBOOK])}


def messages_per_comment(fake) -> Counter:
    return Counter(post.comment for post in fake.answers("message"))


def test_the_three_calls_carry_what_facebook_documents(store, live, fake):
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M 2 0912345678"))
    deliver(store)
    assert states(store) == {"reply": "delivered", "message": "delivered", "hide": "delivered"}
    [reply], [message], [hide] = fake.answers("reply"), fake.answers("message"), fake.answers("hide")
    assert reply.comment == "1234567890123_1" and reply.token_ok
    assert reply.payload == {"message": "Shop đã nhận đơn L1-001 của Lan ạ, shop nhắn tin chị/anh nhé"}
    assert message.payload["recipient"] == {"comment_id": "1234567890123_1"}
    text = message.payload["message"]["text"]
    assert text.startswith("Chào Lan, shop gửi chị/anh đơn L1-001:\n• Áo thun basic (size M) × 2: 150.000 ₫/cái")
    assert "Tổng tiền: 300.000 ₫" in text and "Shop cần thêm: địa chỉ nhận hàng" in text
    assert hide.comment == "1234567890123_1" and hide.payload == {"is_hidden": "true"}
    comment_id = store.scalar("SELECT id FROM comments")
    assert answers.comment_marks(store, [comment_id, 999]) == {comment_id: frozenset({"replied", "messaged",
                                                                                      "hidden"})}
    state = answers.messenger_state(store, store.scalar("SELECT id FROM orders"))
    assert state.state == "sent" and state.text == text and state.comment_id == comment_id and state.at


def test_every_try_is_on_the_integrations_screen(store, live, fake):
    fake.fail_answers(500, kind="reply")
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M"))
    deliver(store)
    reply = outbox.list_pushes(store, targets=[outbox.FACEBOOK], search="L1-001")[-1]
    assert reply["action"] == "reply" and reply["state"] == "delivered" and reply["tries"] == 2
    tries = outbox.attempts_of(store, reply["id"])
    assert [t["status_code"] for t in tries] == [500, 200]
    assert tries[0]["request"] == "POST reply 1234567890123_1"
    assert fake.token not in str(tries) + str(outbox.get_push(store, reply["id"]))
    assert outbox.describe(outbox.FACEBOOK, "message").render("vi") == "tin nhắn riêng (Messenger)"
    assert outbox.TARGET_LABELS[outbox.FACEBOOK] == "Facebook"


@pytest.mark.parametrize("fault", [500, 503, 429, 4, 17, 32, 613, fb.TIMEOUT_AFTER_STORE, fb.DROP_AFTER_STORE,
                                   fb.DROP_BEFORE_STORE, ("stored", 500)])
def test_replies_and_hides_are_tried_again_through_faults(store, live, fake, fault):
    fake.fail_answers(fault, kind="reply")
    fake.fail_answers(fault, kind="hide")
    feed_facebook(store, live, fb_comment(1, "Lan", "sđt 0912345678"), fb_comment(2, "Hoa", "chốt A1 M"))
    deliver(store)
    assert states(store) == {"reply": "delivered", "message": "delivered", "hide": "delivered"}
    assert len(fake.answers("reply")) == len(fake.answers("hide")) == 2


@pytest.mark.parametrize("fault", [429, 4, 17, 32, 613])
def test_a_private_reply_refused_for_the_rate_is_sent_again_once(store, live, fake, fault):
    fake.fail_answers(fault, fault, kind="message")
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M"))
    deliver(store)
    assert states(store)["message"] == "delivered"
    assert [post.stored for post in fake.answers("message")] == [False, False, True]


@pytest.mark.parametrize("fault", [500, 503, ("stored", 500), fb.TIMEOUT_AFTER_STORE, fb.DROP_AFTER_STORE,
                                   fb.DROP_BEFORE_STORE])
def test_a_private_reply_whose_answer_was_lost_is_never_sent_again(store, live, fake, fault):
    fake.fail_answers(fault, kind="message")
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M"))
    deliver(store)
    push = [r for r in outbox.list_pushes(store, targets=[outbox.FACEBOOK]) if r["action"] == "message"][0]
    assert push["state"] == outbox.MAY_HAVE_BEEN_SENT and push["in_doubt"]
    assert "not sent again" in push["problem"] or "is not sent again" in push["problem"]
    assert messages_per_comment(fake) == {"1234567890123_1": 1}
    assert outbox.retry(store, [push["id"]], actor="lan") == 0  # Retry never sends it a second time
    deliver(store)
    assert messages_per_comment(fake) == {"1234567890123_1": 1}
    state = answers.messenger_state(store, push["order_id"])
    assert state.state == "may_have_been_sent" and state.text.startswith("Chào Lan")
    assert "Messenger" in state.reason.render("en")


def test_a_private_reply_that_cannot_connect_waits_and_goes_once(store, live, fake, monkeypatch):
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", "http://127.0.0.1:9")  # nothing listens there
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M"))
    for _ in range(3):
        deliveries.deliver_due(store, targets=[outbox.FACEBOOK], policy=FAST, pacer=Pacer(sleep=lambda s: None))
        time.sleep(0.05)
    push = [r for r in outbox.list_pushes(store, targets=[outbox.FACEBOOK]) if r["action"] == "message"][0]
    assert push["state"] == "pending" and not push["in_doubt"] and push["tries"] >= 2
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", fake.url)
    deliver(store)
    assert states(store)["message"] == "delivered" and messages_per_comment(fake) == {"1234567890123_1": 1}


def test_a_clear_refusal_fails_without_a_second_try(store, live, fake):
    fake.fail_answers(("refuse", 551), kind="message")
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M"))
    deliver(store)
    push = [r for r in outbox.list_pushes(store, targets=[outbox.FACEBOOK]) if r["action"] == "message"][0]
    assert push["state"] == "failed" and "551" in push["problem"] and len(fake.answers("message")) == 1


def test_a_try_cut_short_makes_a_private_reply_may_have_been_sent_and_a_reply_wait(store, live, fake):
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M"))
    with store.transaction() as cur:  # a process stopped in the middle of both tries
        cur.execute("UPDATE outbox SET state = 'sending', in_doubt = TRUE, claim_token = 'gone', tries = 1")
    deliveries._recovered.discard(store.path)
    assert deliveries.recover_interrupted(store) == 1  # the reply; the message is settled for good
    assert states(store) == {"reply": "pending", "message": outbox.MAY_HAVE_BEEN_SENT}
    deliver(store)
    assert states(store) == {"reply": "delivered", "message": outbox.MAY_HAVE_BEEN_SENT}
    assert fake.answers("message") == []


def test_a_private_reply_whose_try_outlived_its_lease_is_not_sent_again(store, live, fake):
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M"))
    deliveries.recover_interrupted(store)  # this process's start is behind it
    with store.transaction() as cur:  # a try that hung past its lease, in this very process
        cur.execute("UPDATE outbox SET state = 'sending', in_doubt = TRUE, claim_token = 'stuck', tries = 1, "
                    "lease_until = ? WHERE action = 'message'", [utc_now() - timedelta(seconds=1)])
    deliver(store)
    assert states(store) == {"reply": "delivered", "message": outbox.MAY_HAVE_BEEN_SENT}
    assert fake.answers("message") == []


def test_answers_past_the_window_are_dropped_with_a_reason(store, live, fake):
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M 0912345678"))
    with store.transaction() as cur:  # the worker was off for a week
        cur.execute("UPDATE comments SET commented_at = ?", [utc_now() - timedelta(days=7, minutes=1)])
    deliver(store)
    rows = outbox.list_pushes(store, targets=[outbox.FACEBOOK])
    assert {r["state"] for r in rows} == {"withdrawn"} and fake.posts == []
    assert all("7 days" in r["problem"] for r in rows)
    assert answers.messenger_state(store, rows[0]["order_id"]).state == "dropped"


def test_a_cancelled_order_gets_no_answer_but_its_phone_is_still_hidden(store, live, fake):
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M 0912345678"))
    feed_facebook(store, live, fb_comment(2, "Lan", "hủy"))
    assert store.scalar("SELECT status FROM orders") == "cancelled"
    deliver(store)
    assert states(store) == {"reply": "withdrawn", "message": "withdrawn", "hide": "delivered"}
    assert [p.kind for p in fake.posts] == ["hide"]


def test_a_customer_blacklisted_before_the_answers_went_out_gets_none(store, live, fake):
    feed_facebook(store, live, fb_comment(1, "Lan", "chốt A1 M 0912345678"))
    customers.set_blacklisted(store, store.scalar("SELECT id FROM customers"), "bom hàng", by=SYSTEM_USER)
    deliver(store)
    assert states(store) == {"reply": "withdrawn", "message": "withdrawn", "hide": "delivered"}
    assert [p.kind for p in fake.posts] == ["hide"]
    assert "blacklist" in outbox.list_pushes(store, targets=[outbox.FACEBOOK])[-1]["problem"]


def test_answers_go_out_evenly_at_the_pages_rate(store, live, fake):
    answers.set_rate_limit(store, 20, by=SYSTEM_USER)
    feed_facebook(store, live, *[fb_comment(n, f"Khách {n}", "chốt A1 M") for n in range(1, 6)])
    clock = FakeClock()
    deliver(store, pacer=Pacer(clock=clock, sleep=clock.sleep))
    assert len(fake.posts) == 10  # a reply and a message each
    assert clock.sleeps == [3.0] * 9  # 20 a minute: one every 3 seconds, never a burst then a pause


def test_the_pace_is_kept_per_page():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    waits = [pacer.wait_turn(page, 30) for page in ("a", "b", "a", "b", "a")]
    assert waits == [0.0, 0.0, 2.0, 0.0, 2.0]


def test_without_a_page_token_answers_wait(store, livestream_id, fake):
    turn_on(store, livestream_id, ALL_ON)
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M"))
    deliveries.deliver_due(store, targets=[outbox.FACEBOOK], policy=FAST, pacer=Pacer(sleep=lambda s: None))
    rows = outbox.list_pushes(store, targets=[outbox.FACEBOOK])
    assert {r["state"] for r in rows} == {"pending"} and all("token" in r["problem"] for r in rows)
    assert fake.posts == []
