"""AppTest: the Livestream orders screen's words and its Delete: one order is "1 order", an inverted time range is
said on screen, Delete asks first and cancels (nothing is erased), the bulk buttons say how many orders they touch."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import auth, orders
from tests.ui.helpers import demo_shop, order_id_of, raw_keys, shown, sign_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "Z9 2"),
                   ("Bùi An", "K3 1")) as shop:
        yield shop


def orders_page(store, language: str = "en") -> AppTest:
    auth.set_user_language(store, auth.user_by_username(store, "owner").id, language)
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page("pages/orders.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(("language", "one", "three"), [
    ("en", "1 order · ", "3 orders · "),
    ("vi", "1 đơn · ", "3 đơn · "),  # Vietnamese has no plural
])
def test_one_order_is_counted_in_the_singular(shop, language, one, three):
    at = orders_page(shop[0], language)
    assert any(caption.value.startswith(three) for caption in at.caption), [c.value for c in at.caption]
    at.text_input(key="filter_search").set_value("Trần Mai").run()
    captions = [caption.value for caption in at.caption]
    assert any(caption.startswith(one) for caption in captions), captions
    assert not any("1 orders" in caption for caption in captions)


def test_an_inverted_time_range_says_it_is_read_as_crossing_midnight(shop):
    at = orders_page(shop[0])
    at.text_input(key="filter_from").input("20:10").run()
    at.text_input(key="filter_to").input("2000").run()
    assert [info.value for info in at.info] == [
        "To 20:00 is before From 20:10: the list reads it as a live that crossed midnight, from 20:10 until 20:00 "
        "the next day. For times within one day, set To after From."]
    at.text_input(key="filter_to").input("21h").run()
    assert not at.info  # a range within one day says nothing


def test_a_time_that_is_not_one_says_so_and_filters_nothing(shop):
    at = orders_page(shop[0])
    everything = [caption.value for caption in at.caption if " orders · " in caption.value]
    at.text_input(key="filter_from").input("25:10").run()
    assert not at.exception, at.exception
    assert [warning.value for warning in at.warning] == [
        "“25:10” is not a time of day: type it as hh:mm, e.g. 20:10."]
    assert [caption.value for caption in at.caption if " orders · " in caption.value] == everything
    at.text_input(key="filter_from").input("").run()
    assert not at.warning


def test_the_bulk_buttons_say_how_many_orders_they_act_on_and_differ_from_the_forms(shop):
    store, livestream_id = shop
    at = orders_page(store)
    assert at.button(key="bulk_create_order").label == "Create order (0 ticked)"
    assert at.button(key="bulk_send_to_shop").label == "Send to shop (0 ticked)"
    assert at.button(key="bulk_delete").label == "Delete (0 ticked)…"
    mai = order_id_of(store, livestream_id, "Trần Mai")
    at.session_state["list_edit_order"] = mai
    at.run()
    form = [b.label for b in at.button if b.key and b.key.startswith(f"list-{mai}-f0")]
    assert form == ["Save", "Create order", "Send to shop"]
    bulk = {at.button(key=key).label for key in ("bulk_create_order", "bulk_send_to_shop", "bulk_delete")}
    assert not bulk & set(form)


def test_delete_from_the_open_order_asks_first_and_cancels(shop):
    store, livestream_id = shop
    mai = order_id_of(store, livestream_id, "Trần Mai")
    at = orders_page(store)
    at.session_state["list_edit_order"] = mai
    at.run()
    code = orders.get_order(store, mai).code
    at.button(key="delete_list_order").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert orders.get_order(store, mai).status != orders.CANCELLED  # asked, not done
    [question] = [shown(m.value) for m in at.markdown if "cancelled" in m.value]
    assert question.startswith(f"Delete order {code}? It is **cancelled**, not erased")
    assert at.button(key="confirm_delete_yes").label == "Yes, cancel the order"
    at.button(key="confirm_delete_no").click().run()
    assert orders.get_order(store, mai).status != orders.CANCELLED
    assert at.button(key="delete_list_order")  # back in the order
    at.button(key="delete_list_order").click().run()
    at.button(key="confirm_delete_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert orders.get_order(store, mai).status == orders.CANCELLED  # cancelled, still there
    assert "list_edit_order" not in at.session_state
    assert [shown(s.value) for s in at.success] == [f"Delete: cancelled {code}; still in the list, under the status Cancelled."]


def test_the_delete_question_and_buttons_are_in_vietnamese(shop):
    store, livestream_id = shop
    lan = order_id_of(store, livestream_id, "Nguyễn Lan")
    at = orders_page(store, "vi")
    at.session_state["list_edit_order"] = lan
    at.run()
    assert at.button(key="delete_list_order").label == "🗑 Xóa (hủy) đơn này…"
    at.button(key="delete_list_order").click().run()
    assert not raw_keys(at), sorted(raw_keys(at))
    assert any("Đơn sẽ được **hủy**, không bị xóa mất" in m.value for m in at.markdown)
    assert at.button(key="confirm_delete_yes").label == "Đồng ý, hủy đơn"
    assert at.button(key="bulk_delete").label == "Xóa (đã chọn 0)…"
