"""The Integrations screen, Setup's MShopKeeper tab and the Shipping book through AppTest, logged in as the owner,
against the test MShopKeeper on 127.0.0.1."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.db.store import open_store
from core.domain.users import SYSTEM_USER
from core.runtime import deliveries
from core.services import orders, outbox, shipping
from core.services.demo import create_demo_shop
from tests.integration.push_fixtures import (  # noqa: F401
    ITEMS_CSV,
    act,
    deliver_until_settled,
    make_orders,
    mshop,
    no_integrations,
    pushes,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def owners_shop(tmp_path, monkeypatch):
    path = str(tmp_path / "screens.duckdb")
    monkeypatch.setenv("CHOTDON_DB", path)
    monkeypatch.setenv("CHOTDON_DEMO", "0")
    store = open_store(path)
    create_demo_shop(store)
    from core.services import livestreams

    livestream_id = livestreams.create_livestream(store, "Live kết nối", items=livestreams.items_from_csv(ITEMS_CSV))
    yield store, livestream_id
    deliveries.stop_worker(store)
    store.close()


def app(page: str) -> AppTest:
    from tests.ui.helpers import sign_in

    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_integrations_screen_lists_a_refused_push_and_retry_sends_it(owners_shop, mshop):
    store, livestream_id = owners_shop
    [order_id] = make_orders(store, livestream_id, 1, message="Z9 1")
    act(store, order_id, "send_to_shop")
    deliver_until_settled(store)
    at = app("pages/integrations.py")
    [table] = [frame.value for frame in at.dataframe][:1]
    assert table["State"].tolist() == ["⛔ failed"]
    assert "Mã hàng KHONG-TON-TAI không tồn tại" in table["Problem"].iloc[0]
    assert any("0 delivered · 0 waiting · 1 failed or given up" in c.value for c in at.caption)

    mshop.unknown_products.clear()
    at.button(key="retry_pushes").click().run()
    assert not at.exception
    deliver_until_settled(store)
    [push] = pushes(store)
    assert push["state"] == outbox.DELIVERED and len(mshop.orders) == 1


def test_setup_test_connection_logs_in_and_lists_the_branches(owners_shop, mshop):
    at = app("pages/setup.py")
    at.button(key="test_mshopkeeper").click().run()
    assert not at.exception
    assert any(s.value.startswith("Logged in to testshop") for s in at.success), [e.value for e in at.error]
    assert [row for row in at.dataframe[-1].value.itertuples(index=False)] == [("b-1", "Chi nhánh Quận 1"),
                                                                               ("b-2", "Kho Thủ Đức")]
    assert mshop.logins == 1


def test_setup_test_connection_says_what_misa_answered_to_a_wrong_secret(owners_shop, mshop, monkeypatch):
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_SECRET", "sai")
    at = app("pages/setup.py")
    at.button(key="test_mshopkeeper").click().run()
    assert any("chữ ký" in e.value for e in at.error)


def test_the_shipping_book_ships_with_a_listed_carrier_and_a_fee_and_offers_the_labels(owners_shop, no_integrations):
    store, livestream_id = owners_shop
    carrier_id = shipping.add_carrier(store, "GHN", by=SYSTEM_USER, default_fee=22000)
    [order_id] = make_orders(store, livestream_id, 1)
    act(store, order_id, "create_order")
    at = app("pages/shipping_book.py")
    at.multiselect(key="ship_orders").set_value([order_id])
    at.selectbox(key="ship_carrier_id").set_value(carrier_id)
    at.number_input(key="ship_fee").set_value(19000)
    at.button(key="ship_submit").click().run()
    assert not at.exception
    assert orders.get_order(store, order_id).status == orders.SHIPPED
    assert shipping.shipment_of(store, order_id)["fee"] == 19000
    assert at.multiselect(key="print_orders").value == [order_id]  # the just-shipped orders, ready to print
