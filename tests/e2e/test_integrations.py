"""Integrations in a real browser: the app talks to a test MShopKeeper on 127.0.0.1 that refuses one product, while
the OCM webhook is down. The shop keeps working; the Integrations screen and the order show the failed push; Retry
sends it once the cause is fixed; Ship picks a carrier from the owner's list and prints labels."""

import re
import time
from contextlib import ExitStack

import pytest
from playwright.sync_api import expect

from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.integrations.comment_files import IncomingComment
from core.services import orders, shipping
from core.services.comments import ingest_comments
from tests.e2e.conftest import login, running_app, screenshot
from tests.integration.fake_servers import FakeMShopKeeper
from tests.integration.helpers import START
from ui.grid import GRID_FRAME

GRID = GRID_FRAME
CUSTOMERS = [  # (name, comment, what staff do)
    ("Lê Huy", "K3 3", "send_to_shop"),  # K3's SKU is unknown at the test MShopKeeper: refused
    ("Nguyễn Lan", "A1 M 2", "send_to_shop"),
    ("Trần Mai", "SP12 Nâu 1", "create_order"),
    ("Phạm Vy", "G07 38 1", "create_order"),
]


def prepare(db) -> None:
    """Carriers, and four orders moved by staff while MShopKeeper and the webhook are configured (so each
    action's pushes are written with it); the app delivers them once it runs."""
    store = Store(str(db))
    try:
        shipping.add_carrier(store, "GHN", by=SYSTEM_USER, default_fee=22000,
                             tracking_url="https://donhang.ghn.vn/?order_code={tracking}")
        shipping.add_carrier(store, "Viettel Post", by=SYSTEM_USER, default_fee=25000)
        ingest_comments(store, 1, [
            IncomingComment(f"i{n}", f"ui{n}", name, text, START.replace(second=n))
            for n, (name, text, _action) in enumerate(CUSTOMERS)], source="test")
        frame = orders.list_orders(store, 1)
        for n, (name, _text, action) in enumerate(CUSTOMERS):
            order_id = int(frame[frame["customer"] == name]["order_id"].iloc[0])
            edits = orders.OrderEdits(receiver_name=name, receiver_phone=f"09120001{n:02d}",
                                      receiver_address=f"{n + 5} Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh")
            orders.perform_action(store, action, order_id, actor="lan", edits=edits)
    finally:
        store.close()


@pytest.fixture(scope="module")
def connected_app(tmp_path_factory):
    mshop = FakeMShopKeeper(unknown_products=("PK-KEP-03",)).start()
    with ExitStack() as running, pytest.MonkeyPatch.context() as env:
        env.setenv("CHOTDON_MSHOPKEEPER_URL", mshop.url)
        env.setenv("CHOTDON_MSHOPKEEPER_DOMAIN", mshop.domain)
        env.setenv("CHOTDON_MSHOPKEEPER_SECRET", mshop.secret)
        env.setenv("CHOTDON_MSHOPKEEPER_BRANCH", "b-1")
        env.setenv("CHOTDON_OCM_WEBHOOK_URL", "http://127.0.0.1:9/ocm/events")  # nothing listens: the OCM is down
        env.setenv("CHOTDON_OCM_WEBHOOK_SECRET", "khóa")
        # The app takes the settings when it starts; it keeps running after they are unset, until the yield ends.
        app = running.enter_context(running_app(tmp_path_factory.mktemp("integrations"), prepare=prepare))
        env.undo()
        yield app, mshop
    mshop.stop()


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_integrations_screen_shows_what_reached_each_system_and_what_failed(page, connected_app):
    app, mshop = connected_app
    login(page, app, "/integrations")  # the first page served starts the app's delivery worker
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible(timeout=30_000)
    wait_for(lambda: len(mshop.create_requests) == 2)
    page.reload()
    expect(page.get_by_text("1 delivered · 0 waiting · 1 failed or given up")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("0 delivered · 2 waiting · 0 failed or given up")).to_be_visible()
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    page.get_by_role("combobox", name="Tries of a push").click()
    page.get_by_role("option").first.click()
    expect(page.get_by_text(re.compile("Idempotency key mshopkeeper:L1-"))).to_be_visible()
    page.wait_for_timeout(1500)  # the tables draw on a canvas after the page settles
    screenshot(page, "10-integrations")
    assert list(mshop.orders) == ["L1-002"] and mshop.duplicate_creates == []


def test_an_order_with_a_failed_push_shows_it_and_retry_sends_it_once(page, connected_app):
    app, mshop = connected_app
    login(page, app, "/orders")
    grid = page.frame_locator(GRID)
    row = grid.locator(".ag-center-cols-container .ag-row").filter(has_text="Lê Huy").first
    expect(row).to_be_visible(timeout=30_000)
    grid.locator(f'.ag-row[row-index="{row.get_attribute("row-index")}"] input[type="checkbox"]').first.click()
    page.get_by_role("button", name="✏️ Edit order").click()
    failed = page.get_by_text("MShopKeeper did not get this order")
    expect(failed).to_be_visible()
    expect(page.get_by_text(re.compile("Mã hàng PK-KEP-03 không tồn tại trên MShopKeeper"))).to_be_visible()
    failed.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    screenshot(page, "11-order-failed-push")

    mshop.unknown_products.clear()  # the owner adds the product at MShopKeeper
    page.get_by_role("button", name="Retry", exact=True).click()
    expect(page.get_by_text(re.compile(r"MShopKeeper: order L1-\d+ is being sent again"))).to_be_visible()
    wait_for(lambda: "L1-001" in mshop.orders)
    assert mshop.create_requests["L1-001"] == 2 and mshop.duplicate_creates == []


def test_ship_picks_a_carrier_from_the_list_and_prints_the_labels(page, connected_app):
    app, _mshop = connected_app
    login(page, app, "/shipping-book")
    expect(page.get_by_role("heading", name="Shipping book")).to_be_visible(timeout=30_000)
    page.get_by_role("combobox", name="Orders handed to the carrier").click()
    page.keyboard.type("Trần Mai")
    page.keyboard.press("Enter")
    page.keyboard.type("Phạm Vy")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("combobox", name="Carrier", exact=True).click()
    page.get_by_role("option", name=re.compile("^GHN")).click()
    page.get_by_label("Fee the carrier charges ₫").fill("23000")
    page.get_by_role("button", name="Ship", exact=True).click()
    expect(page.get_by_text(re.compile(r"Shipped: L1-003, L1-004"))).to_be_visible()
    labels = page.frame_locator('iframe[title="st.iframe"]')
    expect(labels.get_by_text("Mã vận đơn:").first).to_be_visible(timeout=20_000)
    expect(labels.get_by_text("Trần Mai", exact=True)).to_be_visible()
    expect(labels.get_by_text("NỘI DUNG HÀNG", exact=False).first).to_be_visible()
    page.locator('iframe[title="st.iframe"]').scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    screenshot(page, "14-shipping-labels")
