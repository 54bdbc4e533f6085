"""Facebook answers (issue 16) in a real browser: Setup's answer settings with their previews, in both languages."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot


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
