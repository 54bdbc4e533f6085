"""The browser bench's script in the page (bench/browser.py INSTRUMENT) sees what it times: a press in the grid's
frame, the grid's redraws, and a load's result check. Playwright runs init scripts in a component frame's first,
empty document only: a watcher installed there saw nothing of the grid, and every action was timed without it."""

import re

from playwright.sync_api import expect

from bench.browser import (
    GRID,
    INSTRUMENT,
    STATE,
    WATCH,
    all_checks,
    button_check,
    message_check,
    orders_seen_check,
    rows_check,
)
from bench.browser_labels import label, pattern
from tests.e2e.conftest import login, until_idle


def test_the_bench_sees_a_press_in_the_grid_its_redraws_and_a_loads_result(browser, shop_app):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        login(page, shop_app, "/orders")
        until_idle(page)
        page.evaluate(WATCH, orders_seen_check(label("orders.edit_order")))
        page.goto(shop_app.url + "/orders")
        rows = page.frame_locator(GRID).first.locator(".ag-center-cols-container .ag-row")
        rows.first.wait_for()
        until_idle(page)
        loaded = page.evaluate(STATE)
        assert loaded["seen"] is not None and loaded["seen"] <= loaded["now"]  # noted across the page load
        assert loaded["frames"] > 0  # the grid's drawing

        rows.first.locator('input[type="checkbox"]').first.click()
        page.get_by_text(pattern("orders.selected", count="1")).wait_for()
        until_idle(page)
        ticked = page.evaluate(STATE)
        assert ticked["press"] is not None and ticked["press"] > loaded["now"]  # the click inside the grid's frame

        search = page.get_by_role("textbox", name=label("orders.search"))
        search.fill(rows.first.inner_text().split()[0])  # the first row's order code
        search.press("Enter")
        expect(rows).to_have_count(1)
        until_idle(page)
        assert page.evaluate(STATE)["frames"] > ticked["now"]  # the search redrew the grid's rows
    finally:
        context.close()


def test_the_page_side_checks_of_the_clicks_hold_when_the_result_is_on_screen_and_not_before(browser, shop_app):
    """Each timed click's result is also noted by the page (bench.browser button_check, message_check, rows_check):
    each check is false before its result shows and true once it does."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_default_timeout(30_000)

    def holds(check: str) -> bool:
        return page.evaluate(f"({check})()")

    try:
        login(page, shop_app, "/orders")
        until_idle(page)
        rows = page.frame_locator(GRID).first.locator(".ag-center-cols-container .ag-row")
        row = rows.filter(has_text="Hồ Bích")
        code = re.search(r"L\d+-\d+", row.inner_text()).group(0)
        edit_order, save = label("orders.edit_order"), label("orders.action.save")
        ticked = all_checks(message_check(pattern("orders.selected", count="1")), button_check(edit_order, enabled=True))
        assert holds(button_check(edit_order)) and not holds(ticked)  # shown, but not enabled
        assert holds(rows_check(f"texts => texts.some(text => text.includes({code!r}))"))
        assert not holds(rows_check("texts => texts.length === 0"))
        row.locator('input[type="checkbox"]').first.click()
        page.get_by_text(pattern("orders.selected", count="1")).wait_for()
        assert holds(ticked)
        assert holds(button_check(save, shown=False))
        page.get_by_role("button", name=edit_order).click()
        page.get_by_role("button", name=save, exact=True).wait_for()
        assert holds(button_check(save)) and not holds(button_check(save, shown=False))
        done = message_check(pattern("order_form.done", action=save, code=code))
        assert not holds(done)
        until_idle(page)
        page.get_by_role("button", name=save, exact=True).click()
        page.get_by_text(pattern("order_form.done", action=save, code=code)).first.wait_for()
        assert holds(done)
    finally:
        page.close()
