"""AppTest: answers on Facebook on the Livestream screen (issue 16): the order form's Messenger panel (the state,
the message as it goes, "Send order in Messenger" by hand and its refusals), and the reply panel of a question."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.base.errors import InvalidInput
from core.domain.users import SYSTEM_USER
from core.runtime import deliveries
from core.runtime.facebook_answers import Pacer
from core.services import answers, auth, outbox, sources
from tests.integration import fake_facebook
from tests.integration.answer_fixtures import ALL_ON, answers_written, fb_comment, feed_facebook
from tests.integration.push_fixtures import FAST
from tests.ui.helpers import demo_shop, order_id_of, raw_keys, shown, sign_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """The demo shop (a Facebook livestream, every answer off) with Nguyễn Lan's old order from a comment file,
    and two comments read from Facebook a few minutes ago: Trần Mai's order and Lê Huy's question."""
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2")) as (store, livestream_id):
        feed_facebook(store, livestream_id, fb_comment(11, "Trần Mai", "chốt A1 M 2"),
                      fb_comment(12, "Lê Huy", "A1 còn size L không shop?"))
        yield store, livestream_id


@pytest.fixture
def answering(tmp_path, monkeypatch):
    """The demo livestream reading a local fake Facebook with its token, every answer on, the answers delivered
    there: yields (store, livestream id, fake)."""
    fake = fake_facebook.FakeFacebook().start()
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", fake.url)
    monkeypatch.delenv("CHOTDON_FACEBOOK_PAGE_TOKEN", raising=False)
    try:
        with demo_shop(tmp_path, monkeypatch) as (store, livestream_id):
            sources.save_source(store, livestream_id, by=SYSTEM_USER, live_video_id=fake.video_id,
                                page_token=fake.token)
            answers.save_settings(store, livestream_id, ALL_ON, by=SYSTEM_USER)
            yield store, livestream_id, fake
    finally:
        fake.close()


def deliver(store) -> None:
    """Passes over the Facebook answers until none waits (the pace per page is counted, not slept)."""
    pacer = Pacer(clock=lambda: 0.0, sleep=lambda seconds: None)
    for _ in range(200):
        deliveries.deliver_due(store, targets=[outbox.FACEBOOK], policy=FAST, pacer=pacer)
        if not store.scalar("SELECT count(*) FROM outbox WHERE target = 'facebook' AND state IN ('pending', "
                            "'sending')"):
            return
    raise AssertionError("answers still waiting")


def livestream_page(store, language: str = "en") -> AppTest:
    owner = auth.user_by_username(store, "owner")
    auth.set_user_language(store, owner.id, language)
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    assert not at.exception, at.exception
    return at


def open_order(at, order_id: int) -> AppTest:
    at.session_state["live_edit_order"] = order_id
    return at.run()


def texts(at, kind: str) -> list[str]:
    return [shown(element.value) for element in getattr(at, kind)]


def test_the_order_form_sends_the_order_in_messenger_by_hand_and_then_shows_it_waiting(shop):
    store, livestream_id = shop
    mai = order_id_of(store, livestream_id, "Trần Mai")
    at = open_order(livestream_page(store), mai)
    assert "No Messenger message for this order yet." in texts(at, "caption")
    send = at.button(key=f"live-messenger-send-{mai}")
    assert send.label == "Send order in Messenger"

    send.click().run()
    assert any(s.startswith("Order L1-002: the message is on its way") for s in texts(at, "success")), \
        texts(at, "error")
    assert [row["action"] for row in answers_written(store)] == ["message"]
    assert any(i.startswith("Waiting to be sent · ") for i in texts(at, "info")), texts(at, "info")
    message = [text.value for text in at.text if "L1-002" in text.value]
    assert message and "Trần Mai" in message[0] and "Total" not in message[0], message  # the answers' language: vi
    assert f"live-messenger-send-{mai}" not in [b.key for b in at.button]  # one private reply per comment


@pytest.mark.parametrize("language, why", [
    ("en", "Cannot be sent in Messenger: this order has no comment read from Facebook in the last 7 days"),
    ("vi", "Không gửi được qua Messenger: đơn này không có bình luận nào đọc từ Facebook trong 7 ngày qua"),
])
def test_an_order_without_a_recent_facebook_comment_offers_no_send_and_says_why(shop, language, why):
    store, livestream_id = shop
    lan = order_id_of(store, livestream_id, "Nguyễn Lan")  # from a comment file, days ago
    at = open_order(livestream_page(store, language), lan)
    assert f"live-messenger-send-{lan}" not in [b.key for b in at.button]
    # One line, not a box: "✉ Messenger · Cannot be sent in Messenger: …"
    assert any(c.startswith("**✉ Messenger** · " + why) for c in texts(at, "caption")), texts(at, "caption")
    assert not any(c == "**✉ Messenger**" for c in texts(at, "markdown")), texts(at, "markdown")
    assert not raw_keys(at), sorted(raw_keys(at))
    with pytest.raises(InvalidInput):  # core refuses it too (a stale tab)
        answers.send_order_message(store, lan, actor="owner")
    assert answers_written(store) == [] and answers.messenger_state(store, lan) is None


def test_a_question_from_facebook_gets_a_one_off_reply_from_the_reply_panel(shop):
    store, livestream_id = shop
    at = livestream_page(store)
    huy = store.scalar("SELECT id FROM comments WHERE platform_comment_id LIKE '%\\_12' ESCAPE '\\'")
    at.button(key=f"reply-comment-{huy}").click().run()
    assert any("Reply to Lê Huy on Facebook" in m for m in texts(at, "markdown")), texts(at, "markdown")
    at.button(key=f"reply-submit-{huy}").click().run()
    assert any("Write the reply first" in e for e in texts(at, "error")), texts(at, "error")
    assert answers_written(store) == []

    at.text_area(key=f"reply-text-{huy}").set_value("Dạ còn size L ạ")
    at.button(key=f"reply-submit-{huy}").click().run()
    assert any("Your reply is on its way to Facebook" in s for s in texts(at, "success")), texts(at, "error")
    written = answers_written(store)
    assert [(row["action"], row["comment_id"], row["payload"]["text"]) for row in written] == [
        ("reply", huy, "Dạ còn size L ạ")]
    assert f"reply-submit-{huy}" not in [b.key for b in at.button]  # the panel closed: no second reply by a click


def test_the_stream_marks_each_comment_with_the_answers_facebook_has(answering):
    store, livestream_id, fake = answering
    fake.fail_answers(fake_facebook.DROP_AFTER_STORE, kind="message")  # Mai's message: sent, its answer lost
    feed_facebook(store, livestream_id, fb_comment(1, "Trần Mai", "chốt A1 M 2 0912345678"),
                  fb_comment(2, "Lê Huy", "A1 còn size L không shop?"), fb_comment(3, "Phạm Vy", "K3 3"))
    deliver(store)
    at = livestream_page(store)
    names = [m.value.split("  \n")[0] for m in at.markdown if "**" in m.value]  # the name line (the time under it)
    # Mai: replied and hidden, her message in doubt (no ✉); Vy: replied and messaged; Huy's question: nothing.
    assert "🛒 **Trần Mai**  ↩ 🙈" in names and "🛒 **Phạm Vy**  ↩ ✉" in names and "❓ **Lê Huy**" in names, names
    assert any("↩ replied · ✉ order sent in Messenger · 🙈 hidden" in c for c in texts(at, "caption"))

    mai = order_id_of(store, livestream_id, "Trần Mai")
    at = open_order(at, mai)
    assert any(w.startswith("May have been sent: check Messenger · ") for w in texts(at, "warning")), \
        texts(at, "warning")
    assert any("Chotdon will not send it again" in c for c in texts(at, "caption"))
    assert f"live-messenger-send-{mai}" not in [b.key for b in at.button]  # never a second private reply
    # The pushes box is MShopKeeper's and the webhook's: no "Facebook did not get this order", no Retry for it.
    assert not [e for e in texts(at, "error") if "did not get this order" in e], texts(at, "error")
    assert not [b.key for b in at.button if b.key and "-retry-push-" in b.key]
    vy = order_id_of(store, livestream_id, "Phạm Vy")
    at.session_state["live_edit_order"] = vy
    at.run()
    assert any(s.startswith("Sent · ") for s in texts(at, "success")), texts(at, "success")
    sent = [post.payload["message"]["text"] for post in fake.answers("message", stored=True)]
    assert [text.value for text in at.text if "Phạm Vy" in text.value] == [t for t in sent if "Phạm Vy" in t]


@pytest.mark.parametrize("language, words", [
    ("en", {"state": "State", "what": "What", "system": "System", "tries": "Tries", "request": "Request",
            "reply": "reply under the comment", "message": "private message (Messenger)", "hide": "hide the comment",
            "delivered": "✅ delivered", "doubt": "❓ may have been sent", "card": "Answers to customers",
            "counts": "2 delivered · 0 waiting · 1 failed, given up or maybe sent"}),
    ("vi", {"state": "Trạng thái", "what": "Nội dung", "system": "Hệ thống", "tries": "Số lần thử",
            "request": "Yêu cầu", "reply": "trả lời dưới bình luận", "message": "tin nhắn riêng (Messenger)",
            "hide": "ẩn bình luận", "delivered": "✅ đã nhận", "doubt": "❓ có thể đã gửi", "card": "Trả lời khách",
            "counts": "2 đã nhận · 0 đang chờ · 1 bị từ chối, đã ngừng thử hoặc có thể đã gửi"}),
])
def test_integrations_lists_facebook_answers_with_their_tries_in_the_reader_s_language(answering, language, words):
    store, livestream_id, fake = answering
    fake.fail_answers(500, kind="reply")  # the reply goes on the second try
    fake.fail_answers(fake_facebook.DROP_AFTER_STORE, kind="message")  # the message: in doubt, never again
    feed_facebook(store, livestream_id, fb_comment(1, "Trần Mai", "chốt A1 M 2 0912345678"))
    deliver(store)
    at = livestream_page(store, language)
    at.switch_page("pages/integrations.py").run()
    assert not at.exception, at.exception
    assert any(words["card"] in m.value for m in at.markdown), [m.value for m in at.markdown]
    assert words["counts"] in [c.value for c in at.caption], [c.value for c in at.caption]
    attention = at.dataframe[0].value  # the first view: what needs attention
    assert attention[words["what"]].tolist() == [words["message"]]
    assert attention[words["state"]].tolist() == [words["doubt"]]
    assert "retry_pushes" not in [b.key for b in at.button]  # a message in doubt is never sent again

    at.radio(key=f"pushes_view-{language}").set_value("all").run()
    table = at.dataframe[0].value
    assert sorted(zip(table[words["what"]], table[words["state"]], table[words["tries"]])) == sorted([
        (words["reply"], words["delivered"], 2), (words["message"], words["doubt"], 1),
        (words["hide"], words["delivered"], 1)])
    assert set(table[words["system"]]) == {"Facebook"}
    reply = next(row["id"] for row in outbox.list_pushes(store) if row["action"] == "reply")
    at.selectbox(key="push_details").set_value(reply).run()
    tries = at.dataframe[1].value
    assert len(tries) == 2 and tries["HTTP"].tolist() == [500, 200], tries
    assert not raw_keys(at), sorted(raw_keys(at))


def test_a_question_not_read_from_facebook_offers_no_reply(shop):
    """Core answers only comments read from Facebook: a question typed in by hand (or from a file, or the demo
    live) in the same Facebook livestream gets no Reply button; the one read from Facebook keeps it."""
    store, livestream_id = shop
    feed_facebook(store, livestream_id, fb_comment(13, "Đỗ Hà", "G07 còn size 38 không?"), source="hand")
    huy = store.scalar("SELECT id FROM comments WHERE platform_comment_id LIKE '%\\_12' ESCAPE '\\'")
    at = livestream_page(store)
    assert "❓ **Đỗ Hà**" in [m.value.split("  \n")[0] for m in at.markdown]  # the question is on the stream
    replies = [b.key for b in at.button if b.key and b.key.startswith("reply-comment-")]
    assert replies == [f"reply-comment-{huy}"], replies  # not Đỗ Hà's typed question, nor Lan's file comment


def test_an_order_of_a_livestream_not_on_facebook_has_no_messenger_box(shop):
    store, _ = shop
    from core.services import livestreams

    tiktok = livestreams.create_livestream(store, "Live TikTok", platform="tiktok",
                                           items=livestreams.items_to_copy(store, 1))
    feed_facebook(store, tiktok, fb_comment(21, "Vũ Hạnh", "chốt A1 M 1"),
                  fb_comment(22, "Vũ Hạnh", "A1 còn size L không shop?"), source="tiktok")
    order = order_id_of(store, tiktok, "Vũ Hạnh")
    at = livestream_page(store)
    at.session_state["select_livestream_id"] = tiktok
    at = open_order(at, order)
    assert any("Vũ Hạnh" in m.value for m in at.markdown), "the order form is open"
    assert "❓ **Vũ Hạnh**" in [m.value.split("  \n")[0] for m in at.markdown]  # the question is on the stream
    assert not [m for m in at.markdown if "Messenger" in m.value]
    assert f"live-messenger-send-{order}" not in [b.key for b in at.button]
    assert not [b for b in at.button if b.key and b.key.startswith("reply-comment-")]  # no Reply off Facebook
