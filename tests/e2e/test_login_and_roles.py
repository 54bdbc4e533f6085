"""Access in a real browser: every page asks for a login, the session cookie survives a refresh and dies on logout
(on the server too), staff see only their pages and are refused on the owner's, and a first start sets up the
owner."""


import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _cli, login, running_app, screenshot

STAFF_PAGES = {"": "Livestream", "/orders": "Livestream orders", "/shipping-book": "Shipping book",
               "/shop-inbox": "Shop inbox", "/customers": "Customers"}
OWNER_PAGES = {"/setup": "Setup", "/integrations": "Integrations", "/reports": "Reports"}
STAFF, STAFF_PASSWORD = "lan", "lan-e2e-password"


@pytest.fixture(scope="module")
def access_app(tmp_path_factory):
    """The demo shop with a password for the owner and for the staff member Lan."""
    tmp_path = tmp_path_factory.mktemp("access")
    with running_app(tmp_path, prepare=lambda db: _cli(db, "user", "password", STAFF,
                                                       input=STAFF_PASSWORD + "\n")) as app:
        yield app


def session_cookie(context) -> dict:
    return next(c for c in context.cookies() if c["name"].startswith("chotdon_"))


def test_every_page_asks_for_a_login_and_shows_nothing_else(page, access_app):
    for path in [*STAFF_PAGES, *OWNER_PAGES]:
        page.goto(access_app.url + path)
        expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", level=1)).to_have_text("🛒 Chotdon")
        expect(page.get_by_role("link", name="Livestream orders")).to_have_count(0)
        expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.wait_for_timeout(500)
    screenshot(page, "12-login")


def test_a_wrong_password_is_refused_in_words(page, access_app):
    page.goto(access_app.url)
    page.get_by_role("textbox", name="Username").fill("nobody")
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_the_session_survives_a_refresh_and_dies_on_logout_on_the_server_too(page, access_app, browser):
    login(page, access_app, "/orders")
    expect(page.get_by_role("heading", name="Livestream orders")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Livestream orders")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    cookie = session_cookie(page.context)
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
    assert not [c for c in page.context.cookies() if c["name"] == cookie["name"] and c["value"]]

    # A copy of the old cookie is worth nothing: logging out ended the session on the server.
    other = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        other.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
        tab = other.new_page()
        tab.goto(access_app.url + "/orders")
        expect(tab.get_by_role("button", name="Log in")).to_be_visible(timeout=30_000)
        expect(tab.get_by_role("heading", name="Livestream orders")).to_have_count(0)
    finally:
        other.close()


def test_staff_see_only_their_pages_and_are_refused_on_the_owners(page, access_app):
    login(page, access_app, username=STAFF, password=STAFF_PASSWORD)
    menu = page.get_by_test_id("stSidebarNav")
    for title in STAFF_PAGES.values():
        expect(menu.get_by_role("link", name=title, exact=True)).to_be_visible()
    for title in OWNER_PAGES.values():
        expect(menu.get_by_role("link", name=title, exact=True)).to_have_count(0)
    for path, title in OWNER_PAGES.items():
        page.goto(access_app.url + path)
        expect(page.get_by_text(f"{title} is for the shop owner only")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name=f"⛔ {title}")).to_be_visible()
    expect(page.get_by_role("button", name="Save items")).to_have_count(0)
    expect(page.get_by_role("button", name="Add staff member")).to_have_count(0)
    page.goto(access_app.url + "/orders")
    expect(page.get_by_role("heading", name="Livestream orders")).to_be_visible(timeout=30_000)
    staff_filter = page.get_by_test_id("stMultiSelect").filter(has_text="Staff in charge")
    expect(staff_filter).to_contain_text("Nguyễn Thị Lan")  # staff start with their own orders


def test_a_first_start_sets_up_the_owner_account_then_asks_for_its_password(page, tmp_path):
    with running_app(tmp_path, owner_password=None) as app:
        page.goto(app.url + "/setup")
        expect(page.get_by_role("button", name="Create the owner account")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("textbox", name="Username")).to_have_value("owner")
        page.get_by_role("textbox", name="Your name").fill("Chị Hoa")
        page.get_by_role("textbox", name="Password (at least 8 characters)").fill("hoa-shop-2026")
        page.get_by_role("textbox", name="Password again").fill("hoa-shop-2026")
        page.get_by_role("button", name="Create the owner account").click()
        expect(page.get_by_role("heading", name="Setup")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Chị Hoa")).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        expect(page.get_by_role("button", name="Create the owner account")).to_have_count(0)
        login(page, app, "/setup", password="hoa-shop-2026")
        expect(page.get_by_role("heading", name="Setup")).to_be_visible()

