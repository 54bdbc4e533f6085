"""Answers written by ingest (core.services.answers.enqueue_for_comments), in the comments' own transaction: a
public reply per order comment, one private message per order, a hide per phone comment; none for the blacklist,
for old comments, or for comments that did not come from Facebook."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from core.domain.users import SYSTEM_USER
from core.services import answers, customers
from tests.integration.answer_fixtures import answers_written, fb_comment, feed_facebook, turn_on


def test_nothing_is_written_while_every_answer_is_off(store, livestream_id):
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M 0912345678"))
    assert answers_written(store) == []


def test_an_order_comment_gets_a_reply_a_message_and_its_phone_hidden(store, livestream_id):
    turn_on(store, livestream_id)
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M 0912345678"))
    written = answers_written(store)
    assert [row["action"] for row in written] == ["reply", "message", "hide"]
    order_id = store.scalar("SELECT id FROM orders")
    assert {row["order_id"] for row in written} == {order_id}
    reply = written[0]["payload"]
    assert reply["comment"] == "1234567890123_1"
    assert reply["text"] == "Shop đã nhận đơn L1-001 của Lan ạ, shop nhắn tin chị/anh nhé"
    assert written[1]["payload"]["text"] is None  # the message is written when it is sent
    assert written[1]["idempotency_key"] == "facebook:message:1234567890123_1"


def test_a_public_reply_never_holds_the_comment_text(store, livestream_id):
    turn_on(store, livestream_id, answers.AnswerSettings(reply_publicly=True, reply_template="Đã nhận {code} - {name}"))
    feed_facebook(store, livestream_id, fb_comment(1, "Bé Na 0987 654 321", "chốt A1 M 0912345678"))
    reply = answers_written(store)[0]
    assert reply["action"] == "reply"
    assert reply["payload"]["text"] == "Đã nhận L1-001 - Bé Na"  # neither the phone in the name nor the comment


def test_lines_added_later_get_a_reply_but_no_second_message(store, livestream_id):
    turn_on(store, livestream_id)
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M"))
    feed_facebook(store, livestream_id, fb_comment(2, "Lan", "thêm K3 2"), fb_comment(3, "Hoa", "B5 30"))
    actions = Counter((row["order_id"], row["action"]) for row in answers_written(store))
    lan, hoa = (store.scalar("SELECT id FROM orders WHERE code = ?", [code]) for code in ("L1-001", "L1-002"))
    assert actions == {(lan, "reply"): 2, (lan, "message"): 1, (hoa, "reply"): 1, (hoa, "message"): 1}


def test_a_question_or_a_contact_comment_gets_no_reply_but_a_phone_is_hidden(store, livestream_id):
    turn_on(store, livestream_id)
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "A1 còn size M không shop?"),
                  fb_comment(2, "Hoa", "sđt 0912345678"))
    assert [(row["action"], row["payload"]["comment"]) for row in answers_written(store)] == [
        ("hide", "1234567890123_2")]


def test_a_blacklisted_customer_gets_no_answer_but_their_phone_is_still_hidden(store, livestream_id):
    turn_on(store, livestream_id)
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "sđt 0912345678"))
    customer_id = store.scalar("SELECT id FROM customers WHERE display_name = 'Lan'")
    customers.set_blacklisted(store, customer_id, "bom hàng 3 lần", by=SYSTEM_USER)
    feed_facebook(store, livestream_id, fb_comment(2, "Lan", "chốt A1 M 0912345678"))
    assert [row["action"] for row in answers_written(store)] == ["hide", "hide"]


def test_comments_older_than_the_window_get_no_answer(store, livestream_id):
    turn_on(store, livestream_id)
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M 0912345678", age=timedelta(days=8)))
    assert answers_written(store) == []


def test_comments_not_read_from_facebook_get_no_answer(store, livestream_id):
    turn_on(store, livestream_id)
    for source in ("hand", "file", "demo"):
        feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M 0912345678"), source=source)
    assert answers_written(store) == []


def test_a_comment_read_again_adds_no_answer(store, livestream_id):
    turn_on(store, livestream_id)
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M 0912345678"))
    feed_facebook(store, livestream_id, fb_comment(1, "Lan", "chốt A1 M 0912345678"))
    assert len(answers_written(store)) == 3
