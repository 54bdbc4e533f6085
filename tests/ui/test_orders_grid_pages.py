"""The Livestream orders grid on a long live: the browser gets one page of the list (not every order), the list is
kept between runs until its data changes, and the column-wise grid frame reads exactly as the per-row formatting
it replaced."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui.i18n
from core.base import i18n
from core.base.errors import localize
from core.base.formatting import shop_time_text
from core.base.phones import format_vn_phone
from core.domain.users import SYSTEM_USER
from core.services import assignment, auth, customers, orders, staff
from tests.ui.helpers import demo_shop, order_id_of, sign_in
from tests.ui.test_orders_vietnamese import grid_of
from ui import grid

ROOT = Path(__file__).resolve().parents[2]


def per_row(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """The grid frame as ui.grid built it before, one Python call per row and per word (kept here as the reference)."""
    def t(key: str) -> str:
        return i18n.translate(key, language)

    attention = []
    for blank, missing_shipping, waitlisted, held in zip(frame["blank_items"], frame["missing_shipping"],
                                                         frame["waitlisted"], frame["hold_reason"].notna()):
        reasons = []
        if held:
            reasons.append(t("grid.held"))
        if blank:
            reasons.append(t("grid.pick_item"))
        if missing_shipping:
            reasons.append(t("grid.shipping_info"))
        if waitlisted:
            reasons.append(t("grid.waitlist"))
        attention.append((reasons, bool(blank or missing_shipping)))
    return pd.DataFrame({
        "code": frame["code"],
        "time": [shop_time_text(moment, language=language) for moment in frame["first_comment_at"]],
        "customer": [("⛔ " if blacklisted else "") + name
                     for name, blacklisted in zip(frame["customer"], frame["blacklisted"])],
        "items": frame["items"],
        "total": frame["total"].astype("int64"),
        "status": [localize(orders.STATUS_LABELS[s], language) for s in frame["status"]],
        "check": [" · ".join(reasons) for reasons, _ in attention],
        "staff": frame["staff"],
        "phone": [format_vn_phone(p) for p in frame["receiver_phone"]],
        "address": frame["receiver_address"],
        "order_id": frame["order_id"].astype("int64"),
        "attention": [needs_work for _, needs_work in attention],
        "blank_item": (frame["blank_items"] > 0).tolist(),
        "cancelled": (frame["status"] == orders.CANCELLED).tolist(),
    })


def sample() -> pd.DataFrame:
    """Rows in the shape of list_orders with every case the grid marks: held, blacklisted, blank items, missing
    shipping info, waitlisted, cancelled, phones of every length, and times on both sides of a DST change."""
    times = [datetime(2026, 3, 29, 0, 59, 59), datetime(2026, 3, 29, 1, 0, 1), datetime(2026, 10, 25, 0, 30),
             datetime(2026, 10, 25, 1, 30), datetime(2026, 11, 20, 13, 0, 0), datetime(2026, 11, 20, 23, 59, 59)]
    rows = []
    for index, moment in enumerate(times * 3):
        rows.append({
            "order_id": index + 1, "code": f"L1-{index + 1:03d}", "status": orders.STATUSES[index % len(orders.STATUSES)],
            "customer": ["Nguyễn Lan", "Bé Na Shop 🍓", "Trần Mai"][index % 3], "staff": ["", "Hà"][index % 2],
            "first_comment_at": moment, "items": "A1 M ×2, Z9? ×1" if index % 4 else "",
            "total": 149000 * index, "blank_items": index % 3, "waitlisted": (index // 2) % 2,
            "receiver_phone": ["0912345678", "", "912345678", "+84912345678", "09123456ab"][index % 5],
            "receiver_address": "" if index % 4 == 1 else "12 Lý Thường Kiệt", "blacklisted": index % 5 == 2,
            "hold_reason": "blacklisted" if index % 6 == 4 else None, "missing_shipping": index % 4 == 1,
        })
    frame = pd.DataFrame(rows)
    frame["first_comment_at"] = pd.to_datetime(frame["first_comment_at"])  # as DuckDB's .df() gives it
    return frame


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Europe/Berlin"])
@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_grid_frame_reads_as_the_per_row_formatting_did(monkeypatch, zone, language):
    monkeypatch.setenv("CHOTDON_TIMEZONE", zone)
    monkeypatch.setattr(ui.i18n, "language", lambda: language)
    frame = sample()
    built = grid.grid_frame(frame)
    expected = per_row(frame, language)
    assert list(built.columns) == list(expected.columns)
    for column in expected.columns:
        assert built[column].tolist() == expected[column].tolist(), column


@pytest.fixture
def long_live(tmp_path, monkeypatch):
    """450 customers with one order each, a second apart, in the demo shop."""
    comments = [(f"Khách {number:03d}", "K3 1") for number in range(450)]
    with demo_shop(tmp_path, monkeypatch, *comments) as shop:
        yield shop


def orders_page() -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page("pages/orders.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def codes_shown(at: AppTest) -> list[str]:
    return [row["code"] for row in grid_of(at)[1]]


def test_the_grid_gets_one_page_of_a_long_list_and_the_page_control_turns_it(long_live):
    store, livestream_id = long_live
    every = orders.list_orders(store, livestream_id)["code"].tolist()  # in comment time order
    at = orders_page()
    assert any(caption.value.startswith("450 orders · ") for caption in at.caption)
    assert codes_shown(at) == every[:grid.PAGE_SIZE]
    assert any(caption.value.startswith("of 3 pages · orders 1–200 of 450 · ") for caption in at.caption), \
        [c.value for c in at.caption]
    at.number_input(key="orders_page").set_value(3).run()
    assert codes_shown(at) == every[2 * grid.PAGE_SIZE:]
    assert any(caption.value.startswith("of 3 pages · orders 401–450 of 450 · ") for caption in at.caption)
    # Other filters start again at the first page (here the same orders).
    at.text_input(key="filter_search").set_value("Khách").run()
    assert at.number_input(key="orders_page").value == 1
    assert codes_shown(at) == every[:grid.PAGE_SIZE]


def test_a_short_list_has_no_page_control(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "Z9 2")):
        at = orders_page()
        assert len(codes_shown(at)) == 2
        assert not at.number_input


@pytest.fixture
def reads(monkeypatch) -> list:
    """One entry per list_orders query the app makes."""
    made = []
    list_orders = orders.list_orders
    monkeypatch.setattr(orders, "list_orders", lambda *args, **kwargs: made.append(1) or list_orders(*args, **kwargs))
    return made


def test_the_list_is_read_again_only_when_its_data_changes(long_live, reads):
    store, livestream_id = long_live
    at = orders_page()
    assert len(reads) == 1
    at.run()
    at.number_input(key="orders_page").set_value(2).run()
    assert len(reads) == 1  # a rerun and a page turn reuse the list

    def row_of(customer: str) -> dict:
        at.number_input(key="orders_page").set_value(1).run()
        [row] = [row for row in grid_of(at)[1] if row["customer"].endswith(customer)]
        return row

    order_id = order_id_of(store, livestream_id, "Khách 000")
    reads.clear()
    orders.save(store, order_id, actor="owner")  # another tab saves an order
    assert row_of("Khách 000")["status"] == "Awaiting confirmation"
    assert len(reads) == 1
    # Moving an order to other staff leaves its version alone; the list sees it all the same.
    before = row_of("Khách 000")["staff"]
    other = next(user for user in staff.list_users(store) if user["display_name"] != before)
    assignment.assign_order(store, order_id, other["id"], by=auth.user_by_username(store, "owner"))
    assert row_of("Khách 000")["staff"] == other["display_name"]
    assert len(reads) == 2
    # So does a customer blacklisted on the Customers screen.
    customer_id = store.scalar("SELECT id FROM customers WHERE display_name = 'Khách 001'")
    customers.set_blacklisted(store, customer_id, "bom hàng", by=SYSTEM_USER)
    assert row_of("Khách 001")["customer"] == "⛔ Khách 001"
    assert len(reads) == 3


def test_another_session_opening_the_same_list_reuses_it(long_live, reads):
    store, livestream_id = long_live
    first = orders_page()
    second = orders_page()  # a reload, another tab, a colleague: a session of its own
    assert len(reads) == 1
    assert codes_shown(second) == codes_shown(first)
    second.text_input(key="filter_search").set_value("Khách 00").run()  # other filters: a list of their own
    assert len(reads) == 2 and len(codes_shown(second)) == 10
    orders.save(store, order_id_of(store, livestream_id, "Khách 000"), actor="owner")
    third = orders_page()  # the data moved on: read again
    assert len(reads) > 2
    assert [row["status"] for row in grid_of(third)[1] if row["customer"] == "Khách 000"] == ["Awaiting confirmation"]
