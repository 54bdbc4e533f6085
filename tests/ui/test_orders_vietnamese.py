"""AppTest: the Livestream orders page, its order form and grid, and the Shop inbox in Vietnamese, with no raw key
on screen; core's order messages (what an order lacks, refusals, its history) render in Vietnamese too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from core.base import errors
from core.base.errors import ActionNotAllowed, IncompleteOrder, InvalidInput
from core.domain.users import SYSTEM_USER
from core.services import auth, customers, orders
from tests.ui.helpers import demo_shop, nodes, order_id_of, raw_keys, shown, sign_in

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = orders.OrderEdits(receiver_name="Nguyễn Lan", receiver_phone="0912 345 678",
                             receiver_address="12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")


def app() -> AppTest:
    return sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60))


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "Z9 2"),
                   ("Bùi An", "K3 1")) as (store, livestream_id):
        owner = auth.user_by_username(store, "owner")
        auth.set_user_language(store, owner.id, "vi")
        yield store, livestream_id


def grid_of(at: AppTest) -> tuple[list[dict], list[dict]]:
    """The AgGrid's column definitions and rows, as the page sent them to the browser."""
    for node in nodes(at._tree):
        args = getattr(getattr(node, "proto", None), "json_args", "")
        if args and "gridOptions" in args:
            sent = json.loads(args)
            [table] = [arg.arrow_dataframe.data.data for arg in node.proto.special_args
                       if arg.HasField("arrow_dataframe")]
            return sent["gridOptions"]["columnDefs"], pa.ipc.open_stream(table).read_all().to_pylist()
    raise AssertionError("no grid on the page")


def orders_page(store, livestream_id: int, customer: str) -> AppTest:
    at = app().run()
    at.switch_page("pages/orders.py").run()
    at.session_state["list_edit_order"] = order_id_of(store, livestream_id, customer)
    return at.run()


def test_the_orders_page_and_its_form_are_in_vietnamese(shop):
    store, livestream_id = shop
    an = store.scalar("SELECT id FROM customers WHERE display_name = 'Bùi An'")
    customers.set_blacklisted(store, an, "bom 2 đơn", by=SYSTEM_USER)
    mai = orders.get_order(store, order_id_of(store, livestream_id, "Trần Mai"))
    orders.save_draft(store, mai.id, actor="lan", edits=orders.OrderEdits(receiver_address="Hà Nội"))
    at = orders_page(store, livestream_id, "Trần Mai")
    assert not at.exception, [e.value for e in at.exception]
    assert not raw_keys(at), sorted(raw_keys(at))
    assert at.title[0].value == "🧾 Đơn hàng livestream"
    mai = orders.get_order(store, mai.id)
    base = f"list-{mai.id}-f0"  # the form as first opened
    assert [b.label for b in at.button if b.key and b.key.startswith(base)] == ["Lưu", "Tạo đơn", "Gửi cửa hàng"]
    assert at.text_input(key=f"{base}-phone").label == "Số điện thoại"
    assert at.text_input(key=f"{base}-address").label == "Địa chỉ"
    assert any("Chọn sản phẩm cho Z9" in w.value for w in at.warning)
    assert any("**Tổng tiền" in m.value for m in at.markdown)
    assert at.multiselect(key="filter_status").label == "Trạng thái"
    assert at.multiselect(key="filter_status").options == [
        "Nháp", "Chờ khách xác nhận", "Trong sổ giao hàng", "Đã gửi cửa hàng", "Đã giao hàng", "Đã hủy"]
    count = len(orders.list_orders(store, livestream_id))
    assert any(c.value.startswith(f"{count} đơn · dòng màu vàng") for c in at.caption)
    # The grid: headers in Vietnamese, fields (data keys) unchanged, statuses and the Check column translated.
    columns, rows = grid_of(at)
    headers = {column["field"]: column.get("headerName") for column in columns if not column.get("hide")}
    assert headers == {"code": "Mã đơn", "time": "Giờ", "customer": "Khách hàng", "items": "Sản phẩm",
                       "total": "Tổng tiền", "status": "Trạng thái", "staff": "Nhân viên", "check": "Cần xử lý",
                       "phone": "Số điện thoại", "address": "Địa chỉ"}
    mai_row = next(row for row in rows if row["customer"] == "Trần Mai")
    assert (mai_row["status"], mai_row["check"]) == ("Nháp", "⚠ chọn sản phẩm · ⚠ thông tin giao hàng")
    assert next(row for row in rows if "Bùi An" in row["customer"])["customer"] == "⛔ Bùi An"
    assert at.expander[0].label == "🕘 Lịch sử"
    at.session_state[f"list-{mai.id}-history"] = True  # staff open the history (it loads when opened)
    at.run()
    history = [text.value for text in at.text]
    assert any("tạo đơn từ bình luận" in line for line in history), history
    assert any("Lưu nháp; đã sửa: địa chỉ" in line for line in history), history

    # Create order on an incomplete order: the refusal lists what is missing, in Vietnamese.
    at.button(key=f"{base}-create_order").click().run()
    assert not at.exception
    top, under_the_buttons = [e.value for e in at.error]  # the refusal shows at the top and under the buttons
    assert top == under_the_buttons
    error = top
    assert error.startswith("**Tạo đơn**: đơn L"), error
    assert "chưa đủ thông tin" in error and "số điện thoại người nhận" in error
    assert "dòng 1 (Z9): chọn sản phẩm, mã Z9 không có trong phiên live này" in shown(error)


def test_a_done_action_flashes_in_vietnamese(shop):
    store, livestream_id = shop
    lan = order_id_of(store, livestream_id, "Nguyễn Lan")
    at = orders_page(store, livestream_id, "Nguyễn Lan")
    lan_order = orders.get_order(store, lan)
    base = f"list-{lan_order.id}-f0"  # the form as first opened
    at.text_input(key=f"{base}-address").set_value("12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")
    at.text_input(key=f"{base}-phone").set_value("0912 345 678")
    at.button(key=f"{base}-send_to_shop").click().run()
    assert not at.exception
    flashes = [shown(s.value) for s in at.success]  # shown as plain text: Markdown escapes
    assert any(re.match(r"Gửi cửa hàng: đơn L\d+-001 đã gửi cửa hàng\.", flash) for flash in flashes), flashes
    assert orders.get_order(store, lan).status == orders.SENT_TO_SHOP


def test_the_shop_inbox_is_in_vietnamese(shop):
    store, livestream_id = shop
    lan = order_id_of(store, livestream_id, "Nguyễn Lan")
    orders.send_to_shop(store, lan, actor="lan", edits=COMPLETE)
    at = app().run()
    at.switch_page("pages/shop_inbox.py").run()
    assert not at.exception
    assert not raw_keys(at), sorted(raw_keys(at))
    assert at.title[0].value == "🏪 Hộp đơn cửa hàng"
    assert at.button(key=f"handled-{lan}").label == "Đánh dấu đã xử lý"
    assert list(at.dataframe[0].value.columns) == ["Mã", "Sản phẩm", "Size", "Màu", "SL", "Giá", "Thành tiền"]
    assert any("Người nhận: Nguyễn Lan" in m.value and "COD (thu hộ)" in m.value for m in at.markdown)
    at.button(key=f"handled-{lan}").click().run()
    assert any("là đã xử lý" in s.value for s in at.success), [s.value for s in at.success]
    at.toggle(key="inbox_show_handled").set_value(True).run()
    assert any("đã xử lý lúc" in m.value for m in at.markdown)


def test_core_order_messages_read_as_english_and_render_in_vietnamese(store, livestream_id):
    from tests.integration.helpers import feed

    feed(store, livestream_id, ("Lan", "chốt A1 M 2"))
    frame = orders.list_orders(store, livestream_id)
    draft = orders.get_order(store, int(frame["order_id"].iloc[0]))
    with pytest.raises(IncompleteOrder) as refused:
        orders.ship(store, draft.id, actor="lan")
    assert str(refused.value) == ("Ship: order L1-001 is not complete. "
                                  "Missing: receiver phone; receiver address.").replace("L1", f"L{livestream_id}")
    assert errors.localize(refused.value, "vi").startswith("Giao hàng: đơn L")
    assert "số điện thoại người nhận; địa chỉ người nhận" in errors.localize(refused.value, "vi")
    with pytest.raises(InvalidInput) as bad:
        orders.save_draft(store, draft.id, actor="lan", edits=orders.OrderEdits(receiver_phone="0123", discount=-1))
    assert str(bad.value) == ("Nothing was saved: the phone '0123' is not a valid Vietnamese number; "
                              "the discount must be a whole number of 0 ₫ or more.")
    assert errors.localize(bad.value, "vi") == ("Chưa lưu gì: số điện thoại '0123' không phải số Việt Nam hợp lệ; "
                                              "giảm giá phải là số nguyên từ 0 ₫ trở lên.")
    orders.cancel(store, draft.id, actor="lan")
    with pytest.raises(ActionNotAllowed) as refused_ship:
        orders.ship(store, draft.id, actor="lan")
    assert "is cancelled, so it cannot be changed" in str(refused_ship.value)
    assert "đã hủy, nên không thể thay đổi" in errors.localize(refused_ship.value, "vi")
    described = [orders.describe_event(event) for event in orders.order_events(store, draft.id)]
    assert described[0] == "order created from a comment; → Draft"
    assert described[-1] == "Cancel; Draft → Cancelled"
    assert described[-1].render("vi") == "Hủy; Nháp → Đã hủy"
    assert orders.STATUS_LABELS[orders.AWAITING_SHIPMENT] == "In shipping book"
