"""The Customers screen in a real browser: finding a customer, their orders across livestreams, an old address read
into the 2025 units, and the blacklist mark that then shows on their comments and orders."""

import re

import pytest
from playwright.sync_api import expect

from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.services import customers, orders
from tests.e2e.conftest import login, running_app, screenshot, write_comments
from ui.grid import GRID_FRAME


def prepare_shop(db, tmp_path) -> None:
    """The e2e shop, with Nguyễn Lan's order shipped to a saved address and a second one cancelled."""
    write_comments(db, tmp_path)
    store = Store(str(db))
    try:
        frame = orders.list_orders(store, 1)
        lan = int(frame[frame["customer"] == "Nguyễn Lan"]["order_id"].iloc[0])
        orders.ship(store, lan, actor="lan", shipment=orders.Shipment(carrier="GHN"), edits=orders.OrderEdits(
            receiver_name="Nguyễn Lan", receiver_address="12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"))
        customer_id = orders.get_order(store, lan).customer_id
        customers.update_customer(store, customer_id, by=SYSTEM_USER, tags="vip, size M",
                                  notes="Thích màu đen; gọi trước khi giao.")
        huy = int(frame[frame["customer"] == "Lê Huy"]["order_id"].iloc[0])
        orders.cancel(store, huy, actor="lan")
    finally:
        store.close()


@pytest.fixture(scope="module")
def customers_app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("customers")
    with running_app(tmp_path, prepare=lambda db: prepare_shop(db, tmp_path)) as app:
        yield app


def open_customer(page, app, name: str):
    login(page, app, "/customers")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    page.get_by_role("textbox", name="Search").fill(name)
    page.get_by_role("textbox", name="Search").press("Enter")
    expect(page.get_by_text(re.compile(r"^1 customers"))).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    page.wait_for_timeout(800)  # the table draws on a canvas once the page settles
    box = table.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the row's selection box, first row under the header
    expect(page.get_by_role("heading", name=name, level=3)).to_be_visible()


def test_a_customer_shows_their_details_orders_and_figures(page, customers_app):
    open_customer(page, customers_app, "Nguyễn Lan")
    expect(page.get_by_text("Phones used: 0912 345 678")).to_be_visible()
    expect(page.get_by_role("textbox", name="Tags (separated by commas)")).to_have_value("vip, size M")
    expect(page.get_by_text("1 order for 298.000 ₫ · 1 shipped · 0 cancelled · 0 returned")).to_be_visible()
    expect(page.get_by_role("combobox", name="Province / city", exact=True)).to_have_value("Thành phố Hà Nội")
    expect(page.get_by_role("combobox", name="Ward / commune", exact=True)).to_have_value("Phường Hoàn Kiếm")
    page.get_by_role("heading", name="Nguyễn Lan", level=3).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1200)
    screenshot(page, "13-customers")


def test_an_old_address_is_read_into_the_2025_units_and_saved(page, customers_app):
    open_customer(page, customers_app, "Trần Mai")
    page.get_by_text("📍 Read an address written in the old form").click()
    page.get_by_role("textbox", name="Old address").fill("Số 5 ngõ 2 Hàng Trống, P. Hàng Trống, Q. Hoàn Kiếm, Hà Nội")
    page.get_by_role("button", name="Match to the 2025 units").click()
    expect(page.get_by_text(re.compile("carries the name of the old Q. Hoàn Kiếm"))).to_be_visible()
    expect(page.get_by_role("combobox", name="Ward / commune", exact=True)).to_have_value("Phường Hoàn Kiếm")
    expect(page.get_by_role("textbox", name="Street, house number")).to_have_value("Số 5 ngõ 2 Hàng Trống")
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_text("Trần Mai saved.")).to_be_visible()
    page.get_by_role("textbox", name="Search").fill("ngõ 2 Hàng Trống, Phường Hoàn Kiếm")
    page.get_by_role("textbox", name="Search").press("Enter")
    expect(page.get_by_text(re.compile(r"^1 customers"))).to_be_visible()  # found by the address as saved


def test_blacklisting_a_customer_marks_their_comments_and_orders(page, customers_app):
    open_customer(page, customers_app, "Bùi An")
    page.get_by_role("textbox", name="Reason").fill("refused 2 parcels")
    page.get_by_role("button", name="⛔ Blacklist").click()
    expect(page.get_by_text("Bùi An is blacklisted")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Blacklisted \(bom hàng\): refused 2 parcels"))).to_be_visible()
    page.goto(customers_app.url)
    expect(page.get_by_text(re.compile("^🛒 ⛔ Bùi An$", re.MULTILINE)).first).to_be_visible(timeout=30_000)  # the time under it
    page.goto(customers_app.url + "/orders")
    grid = page.frame_locator(GRID_FRAME)
    expect(grid.locator(".ag-row").filter(has_text="⛔ Bùi An")).to_have_count(1, timeout=30_000)
