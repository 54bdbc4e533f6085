"""An action's result, under the form's buttons, is brought into view on Livestream (the form in its column runs
below a 1366×768 screen): the script that scrolls to it runs in the page itself (st.html), as components.html, which
Streamlit retires, did in a frame of its own."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login, until_idle
from tests.e2e.test_case1_livestream import open_order_from_comment, press


def test_the_result_of_save_draft_scrolls_into_view_under_the_buttons(page, shop_app):
    login(page, shop_app)
    until_idle(page)
    open_order_from_comment(page, "Lê Huy", "K3 3 0987654321")
    until_idle(page)
    page.locator('[data-testid="stMain"]').evaluate("main => main.scrollTo(0, 0)")
    until_idle(page)
    press(page, "Save draft")
    result = page.locator('[class*="st-key-live-"][class*="-result"]').filter(has_text=re.compile("Save draft: order"))
    expect(result.last).to_be_in_viewport()
