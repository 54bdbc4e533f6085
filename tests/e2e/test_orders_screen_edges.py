"""The Livestream orders screen as a new user meets it, at 1366×768: a click on a row selects it, the order opens in
a dialog on screen, the grid fits with its Check column, one order is "1 order", an inverted time range is said,
Delete asks first and cancels, and a cancelled row is grey."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, until_idle
from tests.e2e.test_case2_orders import GRID, grid_row, open_orders, tick

YELLOW, GREY = "rgb(255, 246, 220)", "rgb(238, 238, 238)"


def background(row) -> str:
    return row.evaluate("element => getComputedStyle(element).backgroundColor")


def test_a_click_on_a_row_selects_it_and_the_order_opens_in_a_dialog_on_screen(page, shop_app):
    grid = open_orders(page, shop_app)
    expect(page.get_by_role("button", name="Create order (0 ticked)")).to_be_disabled()
    grid_row(grid, "Trần Mai").locator('[col-id="customer"]').click()  # the row, not its checkbox
    expect(page.get_by_text("1 selected")).to_be_visible()
    expect(grid_row(grid, "Trần Mai").locator('input[type="checkbox"]').first).to_be_checked()
    # The bulk buttons say what they act on: not to be confused with the form's Create order.
    expect(page.get_by_role("button", name="Create order (1 ticked)")).to_be_enabled()
    until_idle(page)
    page.get_by_role("button", name="✏️ Edit order").click()
    dialog = page.get_by_role("dialog")
    heading = dialog.get_by_text(re.compile(r"L1-\d+ · Trần Mai$"))
    expect(heading).to_be_in_viewport()  # where the user is looking, not below the grid
    expect(dialog.get_by_role("button", name="Create order", exact=True)).to_be_visible()
    expect(dialog.get_by_role("button", name=re.compile(r"Delete \(cancel\) this order"))).to_be_visible()
    until_idle(page)
    screenshot(page, "orders-edit-dialog")
    dialog.get_by_role("button", name="✕ Close the order").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_the_grid_fits_1366_with_its_check_column_and_one_order_is_one(page, shop_app):
    grid = open_orders(page, shop_app)
    frame_box = page.locator(GRID).bounding_box()
    for column in ("check", "address"):
        header = grid.locator(f'.ag-header-cell[col-id="{column}"]').bounding_box()
        assert header is not None and header["x"] + header["width"] <= frame_box["x"] + frame_box["width"] + 1, \
            (column, header, frame_box)
    overflow = grid.locator(".ag-center-cols-viewport").evaluate("element => element.scrollWidth - element.clientWidth")
    assert overflow <= 0, f"the grid scrolls sideways by {overflow} px"
    page.get_by_label("Search").fill("nguyen lan")
    page.get_by_label("Search").press("Enter")
    expect(page.get_by_text(re.compile(r"^1 order · "))).to_be_visible()
    expect(page.get_by_text("1 orders")).to_have_count(0)


def test_the_grid_draws_without_a_warning_or_an_error_in_the_console(page, shop_app):
    said = []
    page.on("console", lambda message: said.append(message.text) if message.type in ("warning", "error") else None)
    grid = open_orders(page, shop_app)
    tick(grid, "Bùi An")
    until_idle(page)
    assert not [text for text in said if "AG Grid" in text], said


def test_an_inverted_time_range_says_it_is_read_as_crossing_midnight(page, shop_app):
    open_orders(page, shop_app)
    for label, value in (("From", "20:10"), ("To", "2000")):
        page.get_by_label(label, exact=True).fill(value)
        page.get_by_label(label, exact=True).press("Enter")
        until_idle(page)
    expect(page.get_by_text(re.compile(r"To 20:00 is before From 20:10: .* crossed midnight"))).to_be_visible()


def test_delete_asks_first_says_it_cancels_and_the_cancelled_row_is_grey(page, shop_app):
    grid = open_orders(page, shop_app)
    expect(grid_row(grid, "Bùi An")).to_contain_text("shipping info")
    assert background(grid_row(grid, "Bùi An")) == YELLOW  # needs shipping info
    tick(grid, "Bùi An")
    tick(grid, "Phạm Vy")
    until_idle(page)
    page.get_by_role("button", name="Delete (2 ticked)…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("They are cancelled, not erased")
    until_idle(page)
    screenshot(page, "orders-delete-confirmation")
    dialog.get_by_role("button", name="No, keep as it is").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(grid_row(grid, "Bùi An")).to_have_count(1)  # nothing happened
    until_idle(page)
    page.get_by_role("button", name="Delete (2 ticked)…").click()
    page.get_by_role("dialog").get_by_role("button", name="Yes, cancel 2 orders").click()
    expect(page.get_by_text(re.compile(r"Delete: cancelled L1-\d+, L1-\d+"))).to_be_visible()
    expect(grid_row(grid, "Bùi An")).to_have_count(0)  # cancelled orders are hidden by default
    page.get_by_role("combobox", name="Status").click()
    for status in ("Draft", "Cancelled"):
        page.keyboard.type(status)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(grid_row(grid, "Bùi An")).to_contain_text("Cancelled")
    expect(grid_row(grid, "Nguyễn Lan")).to_contain_text("Draft")
    assert background(grid_row(grid, "Bùi An")) == GREY
    until_idle(page)
    screenshot(page, "orders-cancelled-row")
