"""AppTest: the login gate before every page, the first-start owner set-up, the staff refusal on owner pages, the
owner's unlock and password reset, and the Customers screen and order form controls for staff in charge and the
blacklist."""

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.base.errors import LoginRefused
from core.base.formatting import utc_now
from core.domain.users import SYSTEM_USER
from core.services import auth, customers, orders
from tests.integration.helpers import feed
from tests.ui.helpers import demo_shop, sign_in
from ui.access import TOKEN_KEY

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/livestream.py", "pages/orders.py", "pages/shipping_book.py", "pages/shop_inbox.py",
         "pages/customers.py", "pages/setup.py", "pages/reports.py", "pages/integrations.py"]
OWNER_PASSWORD, LAN_PASSWORD = "owner-password", "lan-password"


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Bùi An", "K3 1")) as shop:
        yield shop


def with_passwords(store):
    for username, password in (("owner", OWNER_PASSWORD), ("lan", LAN_PASSWORD)):
        auth.set_password(store, auth.user_by_username(store, username).id, password, by=SYSTEM_USER)


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.mark.parametrize("page", PAGES)
def test_without_a_login_every_page_shows_only_the_login_form(shop, page):
    store, _ = shop
    with_passwords(store)
    at = app().run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["🛒 Chotdon"]
    assert at.button(key="login_submit").label == "Log in"
    assert not [b for b in at.button if b.key == "log_out"]


def test_the_login_form_logs_in_and_actions_are_recorded_under_the_logged_in_user(shop):
    store, livestream_id = shop
    with_passwords(store)
    at = app().run()
    at.text_input(key="login_username").set_value("lan")
    at.text_input(key="login_password").set_value("wrong-password")
    at.button(key="login_submit").click().run()
    assert any("Wrong username or password" in e.value for e in at.error)
    with pytest.raises(LoginRefused, match="wait"):  # the next try must wait a second
        auth.log_in(store, "lan", LAN_PASSWORD, client="127.0.0.1")  # the app sees this computer
    with store.transaction() as cur:  # skip the one-second wait instead of sleeping
        cur.execute("UPDATE login_limits SET next_try_at = ?", [utc_now() - timedelta(seconds=1)])
    at.text_input(key="login_password").set_value(LAN_PASSWORD)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    assert at.session_state[TOKEN_KEY]
    lan_order = orders.list_orders(store, livestream_id)
    order_id = int(lan_order[lan_order["customer"] == "Nguyễn Lan"]["order_id"].iloc[0])
    at.session_state["live_edit_order"] = order_id
    at.run()
    at.button(key=f"live-{order_id}-f0-save_draft").click().run()  # the form as first opened
    assert orders.order_events(store, order_id)[-1]["actor"] == "lan"


def test_a_first_start_asks_for_the_owner_account_and_logs_the_owner_in(shop):
    store, _ = shop
    at = app().run()
    assert at.button(key="setup_submit").label == "Create the owner account"
    assert at.text_input(key="setup_username").value == "owner"
    at.text_input(key="setup_name").set_value("Chị Hoa")
    at.text_input(key="setup_password").set_value("hoa-shop-2026")
    at.text_input(key="setup_password_again").set_value("hoa-shop-2026x")
    at.button(key="setup_submit").click().run()
    assert any("differ" in e.value for e in at.error)
    assert auth.owner_setup_needed(store)
    at.text_input(key="setup_password_again").set_value("hoa-shop-2026")
    at.button(key="setup_submit").click().run()
    assert not at.exception, at.exception
    assert not auth.owner_setup_needed(store)
    assert at.session_state["user"].display_name == "Chị Hoa"
    assert [t.value for t in at.title] == ["🔴 Live xả hàng thu đông 27/11 – Áo, váy, túi, giày"]


@pytest.mark.parametrize("page, title", [("pages/setup.py", "Setup"), ("pages/reports.py", "Reports"),
                                         ("pages/integrations.py", "Integrations")])
def test_staff_are_refused_on_the_owners_pages(shop, page, title):
    at = sign_in(app(), "lan").run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [f"⛔ {title}"]
    assert any("for the shop owner only" in e.value for e in at.error)
    assert not [b for b in at.button if b.key in ("save_items", "add_staff", "console_run")]


def test_the_owner_unlocks_a_locked_account_and_sets_a_new_password_in_setup(shop):
    store, _ = shop
    with_passwords(store)
    lan = auth.user_by_username(store, "lan")
    moment = utc_now() - timedelta(minutes=1)
    for failures in range(1, auth.FAILURES_BEFORE_LOCK + 1):
        with pytest.raises(LoginRefused):
            auth.log_in(store, "lan", "wrong", now=moment)
        moment += auth.wait_after(failures)
    at = sign_in(app()).run()
    at.switch_page("pages/setup.py").run()
    at.selectbox(key="manage_user").set_value(lan.id).run()
    at.button(key="unlock_user").click().run()
    assert lan.id not in auth.lock_states(store)
    assert auth.log_in(store, "lan", LAN_PASSWORD).user == lan
    at.selectbox(key="manage_user").set_value(lan.id).run()
    at.text_input(key="reset_password_value").set_value("a-new-lan-password")
    at.button(key="reset_password_submit").click().run()
    assert auth.log_in(store, "lan", "a-new-lan-password").user == lan


def test_staff_blacklist_a_customer_and_claim_one_on_the_customers_screen(shop):
    store, _ = shop
    an = store.scalar("SELECT id FROM customers WHERE display_name = 'Bùi An'")
    store_lan = auth.user_by_username(store, "lan")
    at = sign_in(app(), "hang").run()
    at.switch_page("pages/customers.py").run()
    at.session_state["customer_id"] = an
    at.run()
    assert not at.exception, at.exception
    at.button(key=f"cust-{an}-blacklist").click().run()
    assert any("Say why" in e.value for e in at.error)
    at.text_input(key=f"cust-{an}-blacklist-reason").set_value("refused 2 parcels")
    at.button(key=f"cust-{an}-blacklist").click().run()
    assert customers.get_customer(store, an).blacklist_reason == "refused 2 parcels"
    assert any("refused 2 parcels" in e.value for e in at.error)  # the red mark on the customer
    assert customers.get_customer(store, an).staff_name == "Đỗ Thu Hằng"  # hers: the second new customer
    at.button(key=f"cust-{an}-release").click().run()
    assert customers.get_customer(store, an).staff_id is None
    lan_at = sign_in(app(), "lan").run()
    lan_at.switch_page("pages/customers.py").run()
    lan_at.session_state["customer_id"] = an
    lan_at.run()
    lan_at.button(key=f"cust-{an}-claim").click().run()
    assert customers.get_customer(store, an).staff_id == store_lan.id


def test_the_order_form_marks_a_blacklisted_customer_and_accepts_a_held_order(shop):
    store, livestream_id = shop
    an = store.scalar("SELECT id FROM customers WHERE display_name = 'Bùi An'")
    customers.set_blacklisted(store, an, "refused 2 parcels", by=SYSTEM_USER)
    orders.cancel(store, store.scalar("SELECT id FROM orders WHERE customer_id = ?", [an]), actor="lan")
    feed(store, livestream_id, ("Bùi An", "A1 L"), start=20)
    held = orders.get_order(store, store.scalar(
        "SELECT id FROM orders WHERE customer_id = ? AND status = 'draft'", [an]))
    at = sign_in(app(), "lan").run()
    assert any(m.value.startswith("🛒 ⛔ **Bùi An**") for m in at.markdown)  # the mark in the comment stream
    at.session_state["live_edit_order"] = held.id
    at.run()
    assert any("Blacklisted customer" in e.value for e in at.error)
    assert any("Held for review" in w.value for w in at.warning)
    at.button(key=f"head-live-{held.id}-f0-accept-hold").click().run()
    assert orders.get_order(store, held.id).hold_reason is None
    assert orders.order_events(store, held.id)[-1]["actor"] == "lan"
    # Accepting is this form's own change: the form takes the new version, and its next Save is no conflict.
    at.button(key=f"live-{held.id}-f0-save_draft").click().run()
    assert not [w for w in at.warning if "after you opened it" in w.value]
    assert orders.order_events(store, held.id)[-1]["action"] == "save_draft"


def test_the_order_form_offers_the_customers_last_shipping_info(shop):
    store, livestream_id = shop
    frame = orders.list_orders(store, livestream_id)
    first = int(frame[frame["customer"] == "Nguyễn Lan"]["order_id"].iloc[0])
    orders.ship(store, first, actor="lan", edits=orders.OrderEdits(
        receiver_name="Nguyễn Lan", receiver_phone="0912345678",
        receiver_address="12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"))
    feed(store, livestream_id, ("Nguyễn Lan", "K3 2"), start=30)
    second_id = store.scalar(
        "SELECT id FROM orders WHERE status = 'draft' AND customer_id = (SELECT customer_id FROM orders WHERE id = ?)",
        [first])
    # A new order starts with the customer's address; here staff had typed another one, now wrong.
    second = orders.save_draft(store, second_id, actor="lan", edits=orders.OrderEdits(receiver_address="?"))
    at = sign_in(app(), "lan").run()
    at.session_state["live_edit_order"] = second.id
    at.run()
    base = f"live-{second.id}-f0"  # the form as first opened
    at.button(key=f"head-{base}-use-last").click().run()
    assert at.text_input(key=f"{base}-address").value == "12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"
    assert at.text_input(key=f"{base}-phone").value == "0912 345 678"
    at.button(key=f"{base}-save_draft").click().run()
    assert orders.get_order(store, second.id).receiver_address == "12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"


def test_picking_a_ward_in_the_order_form_writes_the_address_in_the_2025_form(shop):
    store, livestream_id = shop
    frame = orders.list_orders(store, livestream_id)
    order = orders.get_order(store, int(frame[frame["customer"] == "Nguyễn Lan"]["order_id"].iloc[0]))
    at = sign_in(app(), "lan").run()
    at.session_state["live_edit_order"] = order.id
    at.run()
    base = f"live-{order.id}-f0"  # the form as first opened
    at.selectbox(key=f"{base}-province").set_value("01").run()  # the ward list narrows to Hà Nội's
    wards = at.selectbox(key=f"{base}-ward-01").options
    assert "Phường Hoàn Kiếm" in wards and len(wards) < 200, len(wards)
    at.text_input(key=f"{base}-address").set_value("số 5 ngõ 2 Hàng Trống, P. Hàng Trống, Q. Hoàn Kiếm, Hà Nội")
    at.selectbox(key=f"{base}-ward-01").set_value("00070")
    at.button(key=f"{base}-save_draft").click().run()
    assert orders.get_order(store, order.id).receiver_address == (
        "số 5 ngõ 2 Hàng Trống, Phường Hoàn Kiếm, Thành phố Hà Nội")
    again = sign_in(app(), "lan").run()  # opened afresh: the pickers start where the saved address reads
    again.session_state["live_edit_order"] = order.id
    again.run()
    assert again.selectbox(key=f"{base}-province").value == "01"
    assert again.selectbox(key=f"{base}-ward-01").value == "00070"


def test_the_login_page_on_the_shops_computer_takes_the_one_time_code_of_the_command_line(shop):
    store, _ = shop
    with_passwords(store)
    at = app().run()
    assert not [b for b in at.button if b.key == "code_submit"]  # no code waiting: no form
    code = auth.write_access_code(store.path, "owner", "password")
    at = app().run()  # AppTest's browser is this computer
    at.text_input(key="code_username").set_value("owner")
    at.text_input(key="code_value").set_value(code)
    at.text_input(key="code_password").set_value("a-fresh-owner-secret-3")
    at.button(key="code_submit").click().run()
    assert not at.exception, at.exception
    assert any("Done for owner" in s.value for s in at.success), [e.value for e in at.error]
    assert auth.log_in(store, "owner", "a-fresh-owner-secret-3", client="10.0.0.9").user.username == "owner"
    assert not auth.access_code_waiting(store)
