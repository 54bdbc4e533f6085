"""Two people on one order, in two browser contexts: the owner (A) and Hằng (B) open the same order's form on
Livestream orders; A saves (or ships) first, then B saves. B is told what changed and by whom, B's typing stays on
screen, and B applies it on top of A's change or drops it."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    _cli,
    login,
    running_app,
    screenshot,
    until_idle,
    write_comments,
)
from tests.e2e.test_case2_orders import GRID, grid_row, tick

HANG, HANG_PASSWORD = "hang", "e2e-hang-password-2026"
# Orders of the e2e shop whose staff in charge is Hằng (the rotation gives her every second customer).
HANGS = ("Phạm Vy", "Bùi An", "Vũ Hạnh")
A_PHONE = "0911 222 333"
B_ADDRESS = "45 Nguyễn Trãi, Phường Bến Thành, TP Hồ Chí Minh"


def _prepare(db, tmp_path) -> None:
    write_comments(db, tmp_path)
    _cli(db, "user", "password", HANG, input=HANG_PASSWORD + "\n")
    staff = {order["customer"]: order["staff"] for order in json.loads(_cli(db, "orders", "--livestream", "1", "--json"))}
    assert all(staff[customer] == "Đỗ Thu Hằng" for customer in HANGS), staff


@pytest.fixture(scope="module")
def two_people_app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("two-people")
    with running_app(tmp_path, prepare=lambda db: _prepare(db, tmp_path)) as app:
        yield app


@pytest.fixture
def two_tabs(browser):
    """A (the owner) and B (Hằng), each in a browser context of their own (own cookies, own session)."""
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US",
                                    timezone_id="Asia/Ho_Chi_Minh") for _ in range(2)]
    tabs = [context.new_page() for context in contexts]
    for tab in tabs:
        tab.set_default_timeout(20_000)
    expect.set_options(timeout=15_000)
    yield tabs
    for context in contexts:
        context.close()


def open_form(tab, app, customer: str, *, logged_in: bool = False, **credentials) -> None:
    if logged_in:
        tab.goto(app.url + "/orders")
    else:
        login(tab, app, "/orders", **credentials)
    grid = tab.frame_locator(GRID)
    expect(grid_row(grid, customer)).to_have_count(1, timeout=30_000)
    tick(grid, customer)
    until_idle(tab)
    tab.get_by_role("button", name="✏️ Edit order").click()
    expect(tab.get_by_text(re.compile(rf"L1-\d+ · {customer}$"))).to_be_visible()
    until_idle(tab)


def a_saves_a_new_phone(a) -> None:
    a.get_by_label("Phone").fill(A_PHONE)
    until_idle(a)
    a.get_by_role("button", name="Save", exact=True).click()
    expect(a.get_by_text(re.compile(r"Save: order L1-\d+ is now awaiting confirmation")).first).to_be_visible()


def b_types_an_address_and_saves(b) -> None:
    b.get_by_label("Address").fill(B_ADDRESS)
    until_idle(b)
    b.get_by_role("button", name="Save", exact=True).click()
    expect(b.get_by_text(re.compile(r"was changed by owner after you opened it"))).to_be_visible()
    until_idle(b)


def test_b_is_told_what_a_changed_keeps_the_typing_and_applies_it_on_top(two_tabs, two_people_app):
    a, b = two_tabs
    open_form(b, two_people_app, "Phạm Vy", username=HANG, password=HANG_PASSWORD)
    open_form(a, two_people_app, "Phạm Vy")
    a_saves_a_new_phone(a)
    b_types_an_address_and_saves(b)

    conflict = b.get_by_role("alert").filter(has_text="after you opened it")
    expect(conflict).to_contain_text("owner: Save; Draft → Awaiting confirmation; changed: phone")
    expect(conflict).not_to_contain_text("You both changed")  # B changed the address only
    expect(b.get_by_label("Address")).to_have_value(B_ADDRESS)  # B's typing is still there
    expect(b.get_by_label("Phone")).to_have_value("0903 111 222")  # as B opened it: nothing swapped under B
    expect(b.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    b.get_by_role("button", name="Apply my changes on top (Save)").scroll_into_view_if_needed()
    conflict.scroll_into_view_if_needed()
    b.mouse.move(5, 5)
    b.wait_for_timeout(300)
    screenshot(b, "two-people-1-b-told-what-changed")

    b.get_by_role("button", name="Apply my changes on top (Save)").click()
    expect(b.get_by_text(re.compile(r"Save: order L1-\d+ is now awaiting confirmation")).first).to_be_visible()
    until_idle(b)
    # The form opens the order afresh: A's phone and B's address, and B's save in the history after A's.
    expect(b.get_by_label("Phone")).to_have_value("0911 222 333")
    expect(b.get_by_label("Address")).to_have_value(B_ADDRESS)
    expect(b.get_by_role("alert").filter(has_text="after you opened it")).to_have_count(0)
    b.get_by_text("🕘 History").click()  # loaded when opened
    expect(b.get_by_text(re.compile(r"hang: Save; changed: address$"))).to_be_visible()
    expect(b.get_by_text(re.compile(r"owner: Save; Draft → Awaiting confirmation; changed: phone$"))).to_be_visible()

    open_form(a, two_people_app, "Phạm Vy", logged_in=True)  # A, opening it again, sees both too
    expect(a.get_by_label("Phone")).to_have_value("0911 222 333")
    expect(a.get_by_label("Address")).to_have_value(B_ADDRESS)


def test_b_drops_the_typing_and_sees_a_values(two_tabs, two_people_app):
    a, b = two_tabs
    open_form(b, two_people_app, "Bùi An", username=HANG, password=HANG_PASSWORD)
    open_form(a, two_people_app, "Bùi An")
    a_saves_a_new_phone(a)
    b_types_an_address_and_saves(b)
    expect(b.get_by_label("Address")).to_have_value(B_ADDRESS)

    b.get_by_role("button", name="Drop my changes").click()
    until_idle(b)
    expect(b.get_by_role("alert").filter(has_text="after you opened it")).to_have_count(0)
    expect(b.get_by_label("Phone")).to_have_value("0911 222 333")
    expect(b.get_by_label("Address")).to_have_value("")
    expect(b.get_by_role("button", name="Save", exact=True)).to_be_visible()


def test_b_saving_an_order_a_shipped_is_told_it_was_shipped_by_a_and_keeps_the_typing(two_tabs, two_people_app):
    a, b = two_tabs
    open_form(b, two_people_app, "Vũ Hạnh", username=HANG, password=HANG_PASSWORD)
    # A ships it from the Livestream screen (Case 1 has Ship).
    login(a, two_people_app)
    message = a.get_by_text("V3 M 0944555666", exact=True).first
    message.locator("xpath=ancestor::div[@data-testid='stHorizontalBlock'][1]").get_by_role(
        "button", name="Edit", exact=True).click()
    expect(a.get_by_text(re.compile(r"L1-\d+ · Vũ Hạnh$"))).to_be_visible()
    a.get_by_label("Address").fill("12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")
    a.get_by_label("Carrier (for Ship)").fill("GHN")
    until_idle(a)
    a.get_by_role("button", name="Ship", exact=True).click()
    expect(a.get_by_text(re.compile(r"Ship: order L1-\d+ is now shipped")).first).to_be_visible()

    b.get_by_label("Note").fill("giao giờ hành chính")
    until_idle(b)
    b.get_by_role("button", name="Save", exact=True).click()
    moved = b.get_by_role("alert").filter(has_text="It can no longer be edited")
    expect(moved).to_contain_text(re.compile(r"Order L1-\d+ is now 🚚 Shipped: owner did it at"))
    until_idle(b)
    expect(b.get_by_label("Note")).to_have_value("giao giờ hành chính")  # the typing stays, after every rerun
    expect(b.get_by_role("button", name="Save", exact=True)).to_have_count(0)  # only Reload the order is offered
    moved.scroll_into_view_if_needed()
    b.mouse.move(5, 5)
    b.wait_for_timeout(300)
    screenshot(b, "two-people-2-b-told-it-was-shipped")
    b.get_by_role("button", name="Reload the order").click()
    until_idle(b)
    expect(moved).to_have_count(0)
    expect(b.get_by_label("Note")).to_have_value("")
