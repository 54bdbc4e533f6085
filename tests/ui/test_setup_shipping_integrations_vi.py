"""AppTest: Setup, the Shipping book and Integrations in Vietnamese, with core messages (errors, MShopKeeper's
answers, the problems and tries of a push kept in the database) rendered in the reader's language, and no raw
translation key on screen. The printed labels and packing slips follow the language picked for the print."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.base.formatting import vnd
from core.services import auth, orders, outbox, shipping
from tests.integration.push_fixtures import ITEMS_CSV, act, deliver_until_settled, make_orders, mshop, no_integrations  # noqa: F401
from tests.ui.helpers import demo_shop, order_id_of, raw_keys, raw_keys_in, shown, sign_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path, monkeypatch, no_integrations):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2")) as (store, livestream_id):
        owner = auth.user_by_username(store, "owner")
        auth.set_user_language(store, owner.id, "vi")
        yield store, livestream_id


def page(path: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def lan_in_the_shipping_book(store, livestream_id: int, address: str) -> int:
    """Nguyễn Lan's order, created with a phone and `address` (so it waits in the shipping book); returns its id."""
    lan = order_id_of(store, livestream_id, "Nguyễn Lan")
    orders.create_order(store, lan, actor="lan",
                        edits=orders.OrderEdits(receiver_phone="0912345678", receiver_address=address))
    return lan


def test_setup_is_in_vietnamese_with_its_core_errors(shop):
    store, livestream_id = shop
    at = page("pages/setup.py")
    assert [t.value for t in at.title] == ["⚙️ Thiết lập"]
    assert [tab.label for tab in at.tabs] == ["Livestream", "Sản phẩm của livestream", "Nhân viên",
                                              "Đơn vị vận chuyển", "MShopKeeper"]
    labels = {b.key: b.label for b in at.button if b.key}
    assert labels["create_livestream"] == "Tạo livestream" and labels["save_items"] == "Lưu sản phẩm"
    assert labels["add_staff"] == "Thêm nhân viên" and labels["save_carriers"] == "Lưu đơn vị vận chuyển"
    assert at.selectbox(key="new_livestream_platform").options == ["Facebook", "TikTok", "khác"]
    assert not raw_keys(at), sorted(raw_keys(at))

    at.text_input(key="new_staff_username").set_value("Sai Tên!")
    at.text_input(key="new_staff_name").set_value("Ai đó")
    at.button(key="add_staff").click().run()
    assert any("Tên đăng nhập dài 2–32 ký tự" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key="new_staff_username").set_value("thu")
    at.text_input(key="new_staff_name").set_value("Lê Thu")
    at.button(key="add_staff").click().run()
    assert any("Giờ có thể chọn Lê Thu làm nhân viên phụ trách" in s.value for s in at.success)

    from core.services.livestreams import get_livestream

    base = f"syntax-{livestream_id}-v{get_livestream(store, livestream_id)['catalog_version']}"
    assert at.button(key=f"{base}-save").label == "Lưu cú pháp"
    at.text_input(key=f"{base}-pattern").set_value("(a+)+[0-9]")
    at.button(key=f"{base}-save").click().run()
    assert any(e.value.startswith("Chưa lưu cú pháp bình luận") for e in at.error), [e.value for e in at.error]
    assert not raw_keys(at), sorted(raw_keys(at))


def test_setup_test_connection_says_what_happened_in_vietnamese(shop, mshop, monkeypatch):
    at = page("pages/setup.py")
    at.button(key="test_mshopkeeper").click().run()
    assert any(s.value.startswith("Đã đăng nhập testshop") for s in at.success), [e.value for e in at.error]
    assert list(at.dataframe[-1].value.columns) == ["ID chi nhánh", "Chi nhánh"]
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_SECRET", "sai")
    at.button(key="test_mshopkeeper").click().run()
    [error] = [e.value for e in at.error]
    assert "MShopKeeper từ chối đăng nhập" in error and "chữ ký" in error and "mã lỗi 4" in error
    assert not raw_keys(at), sorted(raw_keys(at))


def test_the_shipping_book_ships_and_prints_in_vietnamese(shop):
    store, livestream_id = shop
    lan = lan_in_the_shipping_book(store, livestream_id, "Hà Nội")
    at = page("pages/shipping_book.py")
    assert [t.value for t in at.title] == ["📦 Sổ giao hàng"]
    assert at.button(key="ship_submit").label == "Giao hàng"
    assert any(c.value.startswith("1 đơn chờ giao · COD cần thu") for c in at.caption)
    assert "Người nhận" in at.dataframe[0].value.columns
    at.button(key="ship_submit").click().run()
    assert [w.value for w in at.warning] == ["Chọn ít nhất một đơn để giao."]
    at.multiselect(key="ship_orders").set_value([lan])
    at.text_input(key="ship_carrier").set_value("GHTK")
    at.button(key="ship_submit").click().run()
    assert not at.exception
    assert orders.get_order(store, lan).status == orders.SHIPPED
    assert any(shown(s.value).startswith("Đã giao: L1") for s in at.success), [s.value for s in at.success]
    assert at.multiselect(key="print_orders").value == [lan]
    assert at.selectbox(key="print_language").value == "vi"
    assert not raw_keys(at), sorted(raw_keys(at))


def test_labels_and_packing_slips_print_in_the_language_picked(shop):
    store, livestream_id = shop
    lan = lan_in_the_shipping_book(store, livestream_id, "Hà <b>Nội</b>")
    english = shipping.labels_html(store, [lan], language="en") + shipping.packing_slips_html(store, [lan], "en")
    vietnamese = shipping.labels_html(store, [lan]) + shipping.packing_slips_html(store, [lan])
    assert "Tracking number:" in english and "PACKING SLIP" in english and "Cash on delivery (COD)" in english
    assert "Mã vận đơn:" in vietnamese and "PHIẾU ĐÓNG GÓI" in vietnamese and "Thu hộ (COD)" in vietnamese
    assert '<html lang="en">' in english and '<html lang="vi">' in vietnamese
    for page_text in (english, vietnamese):
        assert "Hà &lt;b&gt;Nội&lt;/b&gt;" in page_text and "<b>Nội" not in page_text
        assert not raw_keys_in(page_text)
        assert vnd(orders.get_order(store, lan).total) in page_text


def test_integrations_shows_a_refused_push_and_its_tries_in_vietnamese(shop, mshop):
    store, livestream_id = shop
    from core.services import livestreams

    live = livestreams.create_livestream(store, "Live kết nối", items=livestreams.items_from_csv(ITEMS_CSV))
    [order_id] = make_orders(store, live, 1, message="Z9 1")
    act(store, order_id, "send_to_shop")
    deliver_until_settled(store)
    [push] = outbox.list_pushes(store)
    assert push["problem"].startswith("MShopKeeper refused to create the order: Mã hàng KHONG-TON-TAI")  # English
    at = page("pages/integrations.py")
    assert [t.value for t in at.title] == ["🔌 Kết nối"]
    assert any("0 đã nhận · 0 đang chờ · 1 bị từ chối hoặc đã ngừng thử" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert table["Trạng thái"].tolist() == ["⛔ bị từ chối"]
    assert table["Nội dung"].tolist() == ["tạo đơn"]
    problem = table["Sự cố"].iloc[0]
    assert problem.startswith("MShopKeeper từ chối tạo đơn: Mã hàng KHONG-TON-TAI không tồn tại") and "mã lỗi 1" in problem
    assert at.button(key="retry_pushes").label == "Gửi lại"
    at.selectbox(key="push_details").set_value(push["id"]).run()
    tries = at.dataframe[1].value
    assert tries["Yêu cầu"].tolist() == ["đăng nhập", "tạo đơn"]
    assert tries["Kết quả"].tolist()[-1] == "bị từ chối"
    assert not raw_keys(at), sorted(raw_keys(at))
