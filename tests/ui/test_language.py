"""AppTest: every page runs in Vietnamese without an exception and without a raw translation key on screen; the
sidebar's switch saves the language for the user, and the login page's picker for the user who logs in next."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.domain.users import SYSTEM_USER
from core.services import auth, customers
from tests.ui.helpers import demo_shop, drive, order_id_of, raw_keys, sign_in

ROOT = Path(__file__).resolve().parents[2]
# Every page of app.py, with what to open on it so that more of its words are on screen.
PAGES = ["pages/livestream.py", "pages/orders.py", "pages/shipping_book.py", "pages/shop_inbox.py",
         "pages/customers.py", "pages/setup.py", "pages/integrations.py", "pages/reports.py"]
PASSWORD = "owner-password"


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "Z9 2"),
                   ("Lê Huy", "A1 còn size L không shop?"), ("Bùi An", "K3 1")) as shop:
        yield shop


def app() -> AppTest:
    """The app, recorded as the one driven even before it is signed in (the login page's tests)."""
    return drive(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_vietnamese_without_a_raw_key(shop, page):
    store, livestream_id = shop
    owner = auth.user_by_username(store, "owner")
    auth.set_user_language(store, owner.id, "vi")
    an = store.scalar("SELECT id FROM customers WHERE display_name = 'Bùi An'")
    customers.set_blacklisted(store, an, "bom 2 đơn", by=SYSTEM_USER)
    at = sign_in(app()).run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    # What a page shows once something is picked: the order form, a customer's details.
    opened = {"pages/livestream.py": ("live_edit_order", order_id_of(store, livestream_id, "Nguyễn Lan")),
              "pages/orders.py": ("list_edit_order", order_id_of(store, livestream_id, "Trần Mai")),
              "pages/customers.py": ("customer_id", an)}
    if page in opened:
        name, value = opened[page]
        at.session_state[name] = value
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "each page has a title"
    assert not raw_keys(at), f"{page} shows raw keys: {sorted(raw_keys(at))}"
    assert at.button(key="log_out").label == "Đăng xuất"
    assert at.segmented_control(key="language_switch").value == "vi"


def test_the_customers_screen_and_its_messages_are_in_vietnamese(shop):
    store, _ = shop
    owner = auth.user_by_username(store, "owner")
    auth.set_user_language(store, owner.id, "vi")
    an = store.scalar("SELECT id FROM customers WHERE display_name = 'Bùi An'")
    at = sign_in(app()).run()
    at.switch_page("pages/customers.py").run()
    at.session_state["customer_id"] = an
    at.run()
    assert [t.value for t in at.title] == ["👥 Khách hàng"]
    assert at.text_input(key="customers_search").label == "Tìm kiếm"
    at.button(key=f"cust-{an}-blacklist").click().run()
    assert any("Hãy ghi lý do" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key=f"cust-{an}-blacklist-reason").set_value("bom 2 đơn")
    at.button(key=f"cust-{an}-blacklist").click().run()
    assert any("Đã đưa Bùi An vào danh sách đen" in s.value for s in at.success), [s.value for s in at.success]
    assert any("Danh sách đen" in e.value and "bom 2 đơn" in e.value for e in at.error)
    assert not raw_keys(at)


def test_switching_the_language_in_the_sidebar_saves_it_for_the_user(shop):
    store, _ = shop
    owner = auth.user_by_username(store, "owner")
    at = sign_in(app()).run()
    at.switch_page("pages/customers.py").run()
    assert [t.value for t in at.title] == ["👥 Customers"]
    assert auth.user_language(store, owner.id) == "en"
    at.segmented_control(key="language_switch").set_value("vi").run()
    assert not at.exception, at.exception
    assert auth.user_language(store, owner.id) == "vi"
    assert [t.value for t in at.title] == ["👥 Khách hàng"]
    assert at.button(key="log_out").label == "Đăng xuất"
    # Another browser (a new session) of the same user opens in Vietnamese too.
    again = sign_in(app()).run()
    again.switch_page("pages/customers.py").run()
    assert [t.value for t in again.title] == ["👥 Khách hàng"]
    again.segmented_control(key="language_switch").set_value("en").run()
    assert auth.user_language(store, owner.id) == "en"
    assert [t.value for t in again.title] == ["👥 Customers"]


def test_the_language_picked_on_the_login_page_is_kept_for_the_user_who_logs_in(shop):
    store, _ = shop
    owner = auth.user_by_username(store, "owner")
    auth.set_password(store, owner.id, PASSWORD, by=SYSTEM_USER)
    at = app().run()
    assert at.button(key="login_submit").label == "Log in"
    at.segmented_control(key="login_language").set_value("vi").run()
    assert not at.exception, at.exception
    assert at.button(key="login_submit").label == "Đăng nhập"
    assert at.text_input(key="login_username").label == "Tên đăng nhập"
    assert not raw_keys(at)
    at.text_input(key="login_username").set_value("owner")
    at.text_input(key="login_password").set_value("wrong-password")
    at.button(key="login_submit").click().run()
    assert any("Sai tên đăng nhập hoặc mật khẩu" in e.value for e in at.error), [e.value for e in at.error]
    with store.transaction() as cur:  # skip the one-second wait after a wrong password
        cur.execute("DELETE FROM login_limits")
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    assert at.button(key="log_out").label == "Đăng xuất"
    assert auth.user_language(store, owner.id) == "vi"


def test_the_owner_set_up_page_offers_the_language_too(shop):
    at = app().run()
    at.segmented_control(key="login_language").set_value("vi").run()
    assert at.button(key="setup_submit").label == "Tạo tài khoản chủ shop"
    at.text_input(key="setup_password").set_value("hoa-shop-2026")
    at.text_input(key="setup_password_again").set_value("hoa-shop-2026x")
    at.button(key="setup_submit").click().run()
    assert any("không khớp" in e.value for e in at.error)
    assert not raw_keys(at)
