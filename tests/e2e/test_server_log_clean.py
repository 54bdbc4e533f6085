"""Every page, visited as the owner in both languages, leaves no deprecation warning (nor any other warning) in the
server's log: Streamlit logs one each time a page uses a parameter it is retiring. Screenshots of every page in
both languages go to tests/e2e/screenshots/ (pages-<lang>-<page>.png)."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot, until_idle

PAGES = ["", "/orders", "/shipping-book", "/shop-inbox", "/customers", "/setup", "/integrations", "/reports"]
WARNING = re.compile(r"deprecat|warning", re.I)


def visit_every_page(page, app, language: str) -> None:
    for path in PAGES:
        page.goto(app.url + path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=30_000)
        until_idle(page, 3000)
        screenshot(page, f"pages-{language}-{path.strip('/') or 'livestream'}")


def test_no_page_logs_a_deprecation_warning(page, shop_app):
    login(page, shop_app)
    visit_every_page(page, shop_app, "en")
    page.get_by_test_id("stSidebar").get_by_role("radio", name="Tiếng Việt").click()
    until_idle(page)
    visit_every_page(page, shop_app, "vi")
    log = (shop_app.db.parent / "streamlit.log").read_text(encoding="utf-8")
    assert [line for line in log.splitlines() if WARNING.search(line)] == []
