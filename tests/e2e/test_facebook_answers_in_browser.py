"""Facebook answers (issue 16) in a real browser: Setup's answer settings with their previews; the stream's
↩ ✉ 🙈 marks once the app's worker has delivered the answers to a local fake Graph server; a one-off reply to a
question; the order form's Messenger box (sent, and may have been sent); in English and Vietnamese, with
screenshots (emoji show as boxes in headless Chromium without an emoji font)."""

import re

import pytest
from playwright.sync_api import expect

from core.db.store import open_store
from core.domain.users import SYSTEM_USER
from core.services import answers, sources
from tests.e2e.conftest import login, running_app, screenshot
from tests.integration import fake_facebook
from tests.integration.answer_fixtures import ALL_ON, fb_comment, feed_facebook


@pytest.fixture
def answering_app(tmp_path, monkeypatch):
    """The demo shop whose livestream reads a local fake Facebook, every answer on, and three comments read from
    Facebook a few minutes ago: Trần Mai's order with her phone, Lê Huy's question, Phạm Vy's order. The first
    private message reaches Facebook but its answer is lost (so it may have been sent)."""
    fake = fake_facebook.FakeFacebook().start()
    fake.fail_answers(fake_facebook.DROP_AFTER_STORE, kind="message")
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", fake.url)
    monkeypatch.setenv("CHOTDON_FACEBOOK_STREAM_URL", fake.url)
    monkeypatch.delenv("CHOTDON_FACEBOOK_PAGE_TOKEN", raising=False)

    def prepare(db):
        store = open_store(str(db))
        try:
            sources.save_source(store, 1, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
            answers.save_settings(store, 1, ALL_ON, by=SYSTEM_USER)
            answers.set_rate_limit(store, 200, by=SYSTEM_USER)
            feed_facebook(store, 1, fb_comment(1, "Trần Mai", "chốt A1 M 2 0912345678"),
                          fb_comment(2, "Lê Huy", "A1 còn size L không shop?"), fb_comment(3, "Phạm Vy", "K3 3"))
        finally:
            store.close()

    try:
        with running_app(tmp_path, prepare=prepare) as app:
            yield fake, app
    finally:
        fake.close()


def name_line(page, pattern: str):
    """The stream's line of a customer's name, with its marks (the comment's time is on the next line)."""
    return page.locator("[data-testid='stMarkdownContainer'] p").filter(has_text=re.compile(pattern, re.MULTILINE))


def to_top(locator) -> None:
    """Scrolls the page so that `locator` is at the top of the screen (for a screenshot of what follows it)."""
    locator.evaluate("element => element.scrollIntoView({block: 'start'})")


def row_of(page, comment_text: str):
    message = page.get_by_text(comment_text, exact=True).first
    return message.locator("xpath=ancestor::div[@data-testid='stHorizontalBlock'][1]")


def test_the_stream_shows_what_was_answered_and_the_order_form_the_messenger_state(page, answering_app):
    fake, app = answering_app
    login(page, app)
    # Mai: replied and hidden (her message in doubt, so no ✉); Vy: replied and messaged; the stream refreshes alone.
    expect(name_line(page, r"Trần Mai\s+↩ 🙈$")).to_be_visible(timeout=40_000)
    expect(name_line(page, r"Phạm Vy\s+↩ ✉$")).to_be_visible(timeout=40_000)
    expect(name_line(page, r"Lê Huy$")).to_be_visible()
    expect(page.get_by_text("Answers on Facebook: ↩ replied · ✉ order sent in Messenger · 🙈 hidden")).to_be_visible()
    screenshot(page, "17-livestream-answer-marks")

    row_of(page, "A1 còn size L không shop?").get_by_role("button", name="↩ Reply").click()
    expect(page.get_by_text("Reply to Lê Huy on Facebook")).to_be_visible()
    page.get_by_role("textbox", name="Your reply").fill("Dạ còn size L ạ, chị/anh chốt nhé")
    screenshot(page, "17-livestream-reply-to-a-question")
    page.get_by_role("button", name="Reply on Facebook").click()
    expect(page.get_by_text("Your reply is on its way to Facebook", exact=False)).to_be_visible()
    expect(name_line(page, r"Lê Huy\s+↩$")).to_be_visible(timeout=40_000)
    assert [post.payload.get("message") for post in fake.answers("reply", stored=True)
            if post.comment.endswith("_2")] == ["Dạ còn size L ạ, chị/anh chốt nhé"]

    row_of(page, "K3 3").get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Sent · "))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Chào Phạm Vy, shop gửi chị/anh đơn L1-\d+:"))).to_be_visible()
    to_top(page.get_by_text("✉ Messenger"))
    screenshot(page, "17-order-form-messenger-sent")

    row_of(page, "chốt A1 M 2 0912345678").get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_text(re.compile(r"^May have been sent: check Messenger · "))).to_be_visible()
    expect(page.get_by_role("button", name="Send order in Messenger")).to_have_count(0)
    to_top(page.get_by_text("✉ Messenger"))
    screenshot(page, "17-order-form-messenger-in-doubt")

    page.get_by_test_id("stSidebar").get_by_role("radio", name="Tiếng Việt").click()
    expect(page.get_by_text(re.compile(r"^Có thể đã gửi: kiểm tra Messenger · "))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Trả lời trên Facebook: ↩ đã trả lời · ✉ đã gửi đơn qua Messenger · 🙈 đã ẩn")).to_be_visible()
    to_top(page.get_by_text("✉ Messenger"))
    screenshot(page, "17-order-form-messenger-in-doubt-vi")
    page.get_by_role("button", name="✕ Đóng", exact=True).click()
    expect(page.get_by_text("✉ Messenger")).to_have_count(0)
    expect(name_line(page, r"Phạm Vy\s+↩ ✉$")).to_be_visible()
    screenshot(page, "17-livestream-answer-marks-vi")

    # Integrations: the answers with their states and tries, like any push.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Kết nối", exact=True).click()
    expect(page.get_by_text("Trả lời khách: trả lời dưới bình luận", exact=False)).to_be_visible(timeout=30_000)
    page.get_by_test_id("stRadioGroup").get_by_text("Tất cả", exact=True).click()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.wait_for_timeout(800)  # the table draws on a canvas once the page settles
    screenshot(page, "17-integrations-facebook-answers-vi")
    page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()
    expect(page.get_by_text("Answers to customers: replies under comments", exact=False)).to_be_visible(
        timeout=30_000)
    page.wait_for_timeout(800)
    screenshot(page, "17-integrations-facebook-answers")


def test_setup_shows_the_answer_settings_with_previews_in_both_languages(page, shop_app):
    login(page, shop_app, "/setup")
    expect(page.get_by_role("heading", name="⚙️ Setup")).to_be_visible(timeout=30_000)
    reply = page.get_by_text("Reply publicly under a comment that made or changed an order")
    expect(reply).to_be_visible()
    expect(page.get_by_text("Nguyễn Thị Lan").first).to_be_visible()  # the previews' sample order
    reply.scroll_into_view_if_needed()
    screenshot(page, "16-setup-facebook-answers")

    page.get_by_test_id("stSidebar").get_by_role("radio", name="Tiếng Việt").click()
    reply_vi = page.get_by_text("Trả lời công khai dưới bình luận tạo hoặc đổi đơn hàng")
    expect(reply_vi).to_be_visible(timeout=30_000)
    reply_vi.scroll_into_view_if_needed()
    screenshot(page, "16-setup-facebook-answers-vi")
    page.get_by_text("Ẩn bình luận có số điện thoại").scroll_into_view_if_needed()
    screenshot(page, "16-setup-facebook-answers-vi-2")
