"""The language in a real browser: the sidebar's switch turns the menu and the pages to Vietnamese and the choice
survives a refresh (it is kept for the user); the login page's picker is kept for the user who logs in next."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _cli, login, running_app, screenshot, write_comments

STAFF, STAFF_PASSWORD = "lan", "lan-e2e-password"
# Menu entries (link names) in Vietnamese, by the English ones.
MENU_VI = {"Livestream orders": "Đơn hàng livestream", "Shipping book": "Sổ giao hàng",
           "Shop inbox": "Hộp đơn cửa hàng", "Customers": "Khách hàng", "Setup": "Thiết lập",
           "Integrations": "Kết nối", "Reports": "Báo cáo"}


@pytest.fixture(scope="module")
def language_app(tmp_path_factory):
    """The e2e shop (ten comments) with a password for the staff member Lan too."""
    tmp_path = tmp_path_factory.mktemp("language")

    def prepare(db):
        write_comments(db, tmp_path)
        _cli(db, "user", "password", STAFF, input=STAFF_PASSWORD + "\n")

    with running_app(tmp_path, prepare=prepare) as app:
        yield app


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def test_the_sidebar_switch_turns_the_app_vietnamese_and_a_refresh_keeps_it(page, language_app):
    login(page, language_app, "/customers")
    expect(page.get_by_role("heading", name="👥 Customers")).to_be_visible()
    sidebar(page).get_by_role("radio", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="👥 Khách hàng")).to_be_visible()
    for english, vietnamese in MENU_VI.items():
        expect(sidebar(page).get_by_role("link", name=vietnamese, exact=True)).to_be_visible()
        expect(sidebar(page).get_by_role("link", name=english, exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.get_by_role("textbox", name="Tìm kiếm")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="👥 Khách hàng")).to_be_visible(timeout=30_000)
    expect(sidebar(page).get_by_role("link", name="Đơn hàng livestream", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    # A customer's details in Vietnamese: find Nguyễn Lan and tick the row.
    page.get_by_role("textbox", name="Tìm kiếm").fill("Nguyễn Lan")
    page.get_by_role("textbox", name="Tìm kiếm").press("Enter")
    expect(page.get_by_text(re.compile(r"^1 khách hàng"))).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    page.wait_for_timeout(800)  # the table draws on a canvas once the page settles
    box = table.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    expect(page.get_by_role("heading", name="Nguyễn Lan", level=3)).to_be_visible()
    expect(page.get_by_text("Liên hệ và địa chỉ")).to_be_visible()
    expect(page.get_by_role("button", name="Lưu khách hàng")).to_be_visible()
    page.wait_for_timeout(1200)
    screenshot(page, "17_vietnamese_customers")

    sidebar(page).get_by_role("link", name="Livestream", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Live xả hàng", timeout=30_000)
    expect(page.get_by_text("Nguyễn Lan").first).to_be_visible()
    page.wait_for_timeout(2500)  # the comment stream and the order panel settle
    screenshot(page, "16_vietnamese_livestream")

    # Back to English: the switch is saved again.
    sidebar(page).get_by_role("radio", name="English").click()
    expect(sidebar(page).get_by_role("link", name="Livestream orders", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_login_page_picker_is_kept_for_the_user_who_logs_in(page, language_app):
    page.goto(language_app.url + "/customers")
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
    page.get_by_role("radio", name="Tiếng Việt").click()
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="Đăng nhập"))
    expect(form).to_be_visible()
    expect(form.get_by_role("textbox", name="Tên đăng nhập")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    form.get_by_role("textbox", name="Tên đăng nhập").fill(STAFF)
    form.get_by_role("textbox", name="Mật khẩu").fill("not the password")
    form.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.")).to_be_visible()
    page.wait_for_timeout(500)
    screenshot(page, "18_vietnamese_login")
    page.wait_for_timeout(1200)  # the slow-down after a wrong password: one second
    form.get_by_role("textbox", name="Mật khẩu").fill(STAFF_PASSWORD)
    form.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="👥 Khách hàng")).to_be_visible()
    expect(sidebar(page).get_by_role("link", name="Thiết lập", exact=True)).to_have_count(0)  # staff: no owner pages
    page.reload()
    expect(page.get_by_role("heading", name="👥 Khách hàng")).to_be_visible(timeout=30_000)
