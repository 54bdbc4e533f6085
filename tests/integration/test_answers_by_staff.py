"""Answers staff send themselves: the order in Messenger by hand (once, to a comment inside the window, never to
the blacklist), and a one-off public reply to a comment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.base.errors import InvalidInput, NotFound
from core.domain.users import SYSTEM_USER
from core.services import answers, customers, outbox, sources
from tests.integration import fake_facebook as fb
from tests.integration.answer_fixtures import deliver, fake, fb_comment, feed_facebook, turn_on  # noqa: F401

OFF = answers.AnswerSettings()


@pytest.fixture
def quiet_live(store, livestream_id, fake):
    """A Facebook livestream with its token and every automatic answer off."""
    sources.save_source(store, livestream_id, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
    return livestream_id


def the_order(store) -> int:
    return store.scalar("SELECT id FROM orders")


def test_staff_send_the_order_by_hand_once(store, quiet_live, fake):
    feed_facebook(store, quiet_live, fb_comment(1, "Lan", "chốt A1 M"), fb_comment(2, "Lan", "thêm K3"))
    assert answers.messenger_state(store, the_order(store)) is None
    queued = answers.send_order_message(store, the_order(store), actor="lan")
    assert queued.state == "queued" and "Kẹp tóc ngọc trai × 1" in queued.text  # the order as it is now
    deliver(store)
    [message] = fake.answers("message")
    assert message.comment == "1234567890123_1"
    sent = answers.messenger_state(store, the_order(store))
    assert sent.state == "sent" and sent.text == message.payload["message"]["text"]
    with pytest.raises(InvalidInput, match="already sent"):
        answers.send_order_message(store, the_order(store), actor="lan")


def test_a_message_that_failed_without_being_sent_can_be_sent_by_hand(store, quiet_live, fake):
    turn_on(store, quiet_live, answers.AnswerSettings(message_privately=True))
    fake.fail_answers(("refuse", 10), kind="message")
    feed_facebook(store, quiet_live, fb_comment(1, "Lan", "chốt A1 M"))
    deliver(store)
    assert answers.messenger_state(store, the_order(store)).state == "failed"
    answers.send_order_message(store, the_order(store), actor="hang")
    deliver(store)
    assert answers.messenger_state(store, the_order(store)).state == "sent"
    assert [p.stored for p in fake.answers("message")] == [False, True]
    push = [r for r in outbox.list_pushes(store, targets=["facebook"]) if r["action"] == "message"]
    assert len(push) == 1 and push[0]["caused_by"] == "hang"
    assert len(outbox.attempts_of(store, push[0]["id"])) == 2  # both tries stay in its history


def test_a_message_that_may_have_been_sent_is_not_sent_by_hand(store, quiet_live, fake):
    turn_on(store, quiet_live, answers.AnswerSettings(message_privately=True))
    fake.fail_answers(fb.DROP_AFTER_STORE, kind="message")
    feed_facebook(store, quiet_live, fb_comment(1, "Lan", "chốt A1 M"))
    deliver(store)
    with pytest.raises(InvalidInput, match="may have been sent"):
        answers.send_order_message(store, the_order(store), actor="lan")
    assert len(fake.answers("message")) == 1


def test_no_message_by_hand_to_the_blacklist_or_outside_the_window(store, quiet_live, fake):
    feed_facebook(store, quiet_live, fb_comment(1, "Lan", "chốt A1 M", age=timedelta(days=7, hours=1)))
    with pytest.raises(InvalidInput, match="7 days"):
        answers.send_order_message(store, the_order(store), actor="lan")
    customers.set_blacklisted(store, store.scalar("SELECT id FROM customers"), "bom hàng", by=SYSTEM_USER)
    with pytest.raises(InvalidInput, match="blacklist"):
        answers.send_order_message(store, the_order(store), actor="lan")
    with pytest.raises(NotFound):
        answers.send_order_message(store, 999, actor="lan")


def test_a_one_off_reply_to_a_question(store, quiet_live, fake):
    feed_facebook(store, quiet_live, fb_comment(1, "Hoa", "A1 còn size L không shop?"))
    comment_id = store.scalar("SELECT id FROM comments")
    push_id = answers.reply_to_comment(store, comment_id, "  Còn ạ, chị chốt A1 L nhé  ", actor="lan")
    deliver(store)
    [reply] = fake.answers("reply")
    assert reply.comment == "1234567890123_1" and reply.payload == {"message": "Còn ạ, chị chốt A1 L nhé"}
    assert outbox.get_push(store, push_id)["state"] == "delivered"
    assert answers.comment_marks(store, [comment_id]) == {comment_id: frozenset({"replied"})}


def test_a_one_off_reply_is_refused_when_it_cannot_go(store, quiet_live, fake):
    feed_facebook(store, quiet_live, fb_comment(1, "Hoa", "A1 còn không?"))
    feed_facebook(store, quiet_live, fb_comment(2, "Mai", "A1 còn không?"), source="hand")
    feed_facebook(store, quiet_live, fb_comment(3, "Lan", "A1 còn không?", age=timedelta(days=8)))
    hoa, by_hand, old = (store.scalar("SELECT id FROM comments WHERE platform_comment_id = ?",
                                      [f"1234567890123_{n}"]) for n in (1, 2, 3))
    with pytest.raises(InvalidInput, match="Write the reply"):
        answers.reply_to_comment(store, hoa, "   ", actor="lan")
    with pytest.raises(InvalidInput, match="too long"):
        answers.reply_to_comment(store, hoa, "x" * 8001, actor="lan")
    with pytest.raises(InvalidInput, match="Facebook comment"):
        answers.reply_to_comment(store, by_hand, "Còn ạ", actor="lan")
    with pytest.raises(InvalidInput, match="7 days"):
        answers.reply_to_comment(store, old, "Còn ạ", actor="lan")
    with pytest.raises(NotFound):
        answers.reply_to_comment(store, 999, "Còn ạ", actor="lan")
    assert outbox.list_pushes(store, targets=["facebook"]) == []


def test_the_order_s_pushes_leave_its_facebook_answers_out(store, quiet_live, fake):
    """The order form's pushes box lists MShopKeeper and the webhook; the answers have the Messenger box."""
    turn_on(store, quiet_live, answers.AnswerSettings(reply_publicly=True, message_privately=True))
    fake.fail_answers(fb.DROP_AFTER_STORE, kind="message")
    feed_facebook(store, quiet_live, fb_comment(1, "Lan", "chốt A1 M"))
    deliver(store)
    order_id = the_order(store)
    assert outbox.pushes_of_order(store, order_id) == []
    everything = outbox.pushes_of_order(store, order_id, targets=outbox.TARGETS)
    assert sorted((p["action"], p["state"]) for p in everything) == [
        ("message", "may_have_been_sent"), ("reply", "delivered")]


def test_the_stream_tells_which_comments_can_be_answered(store, quiet_live, fake):
    """The stream's rows carry each comment's source; answers.answerable is the rule reply_to_comment keeps."""
    from core.services import comments as ingest

    feed_facebook(store, quiet_live, fb_comment(1, "Hoa", "A1 còn không?"))
    feed_facebook(store, quiet_live, fb_comment(2, "Mai", "A1 còn không?"), source="hand")
    feed_facebook(store, quiet_live, fb_comment(3, "Lan", "A1 còn không?"), source="file")
    rows = {row["customer"]: row for row in ingest.comment_stream(store, quiet_live)}
    assert {name: row["source"] for name, row in rows.items()} == {"Hoa": "facebook", "Mai": "hand", "Lan": "file"}
    can = {name: answers.answerable("facebook", row["source"]) for name, row in rows.items()}
    assert can == {"Hoa": True, "Mai": False, "Lan": False}
    assert not answers.answerable("tiktok", "facebook") and not answers.answerable("facebook", "demo")
    for name, row in rows.items():  # what the stream offers is what core takes
        if can[name]:
            assert answers.reply_to_comment(store, row["id"], "Còn ạ", actor="lan")
        else:
            with pytest.raises(InvalidInput, match="Facebook comment"):
                answers.reply_to_comment(store, row["id"], "Còn ạ", actor="lan")


def test_can_message_tells_the_orders_send_order_message_takes(store, quiet_live, fake):
    """One rule for both: a comment read from Facebook inside the window, with no private reply spent."""
    feed_facebook(store, quiet_live, fb_comment(1, "Hoa", "chốt A1 M"))
    feed_facebook(store, quiet_live, fb_comment(2, "Mai", "chốt A1 M"), source="hand")
    feed_facebook(store, quiet_live, fb_comment(3, "Lan", "chốt A1 M", age=timedelta(days=7, hours=1)))
    hoa, mai, lan = (store.scalar("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
                                  "WHERE c.display_name = ?", [name]) for name in ("Hoa", "Mai", "Lan"))
    assert (answers.can_message(store, hoa), answers.can_message(store, mai), answers.can_message(store, lan)) == (
        True, False, False)
    for order_id in (mai, lan):
        with pytest.raises(InvalidInput, match="7 days"):
            answers.send_order_message(store, order_id, actor="lan")
    answers.send_order_message(store, hoa, actor="lan")
    assert not answers.can_message(store, hoa)  # Hoa's one comment has its private reply on the way
    assert not answers.can_message(store, 999)
