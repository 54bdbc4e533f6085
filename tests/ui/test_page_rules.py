"""The rules the pages used to hold, now core functions (and ui.setup_tables): each tested without a page."""

from __future__ import annotations

from datetime import datetime, time

import pandas as pd
import pytest

from core.base.errors import InvalidInput
from core.domain import comment_rules
from core.domain.catalog import LiveItem
from core.services import customers, orders, shipping
from core.services.shipping import Carrier
from tests.integration.helpers import START, feed
from ui.setup_tables import carriers_from_table, carriers_table, items_from_table, items_table

SHIPPING = orders.OrderEdits(receiver_name="Nguyễn Lan", receiver_phone="0912 345 678",
                             receiver_address="12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")


def order_id_of(store, livestream_id, name):
    frame = orders.list_orders(store, livestream_id)
    return int(frame[frame["customer"] == name]["order_id"].iloc[0])


def test_the_time_window_is_on_the_livestreams_day_and_to_takes_in_its_whole_minute(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M 2"))  # 20:00 on 20 Nov 2026 in the shop's zone (START is UTC)
    since, until = orders.time_window(store, livestream_id, time(20, 0), time(20, 30))
    assert since == START
    assert until == datetime(2026, 11, 20, 13, 30, 59)
    assert orders.time_window(store, livestream_id, None, None) == (None, None)


def test_a_to_before_from_means_the_live_crossed_midnight(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M 2"))
    since, until = orders.time_window(store, livestream_id, time(23, 0), time(0, 30))
    assert since == datetime(2026, 11, 20, 16, 0)
    assert until == datetime(2026, 11, 20, 17, 30, 59)  # 00:30 on the next day, shop time


def test_no_status_picked_lists_every_status_but_cancelled():
    assert orders.CANCELLED not in orders.listed_statuses([])
    assert set(orders.listed_statuses(None)) == set(orders.STATUSES) - {orders.CANCELLED}
    assert orders.listed_statuses([orders.CANCELLED]) == [orders.CANCELLED]


def test_review_and_question_comments_can_be_fixed_until_their_lines_went_into_an_order():
    assert comment_rules.comment_can_be_fixed("review", "none")
    assert comment_rules.comment_can_be_fixed("question", "none")
    assert not comment_rules.comment_can_be_fixed("review", "added")
    assert not comment_rules.comment_can_be_fixed("order", "none")
    assert comment_rules.comment_needs_reasons("review", "none")
    assert not comment_rules.comment_needs_reasons("question", "none")
    assert not comment_rules.comment_needs_reasons("review", "created")


def test_the_cod_total_counts_only_orders_paid_on_delivery():
    book = pd.DataFrame({"payment": ["cod", "transfer", "cod"], "total": [100_000, 250_000, 30_000]})
    assert shipping.cod_total(book) == 130_000
    assert shipping.cod_total(book.iloc[0:0]) == 0


def test_only_shipped_orders_not_yet_back_can_be_marked_returned(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M 2"), ("Mai", "K3 1"))
    lan = order_id_of(store, livestream_id, "Lan")
    orders.ship(store, lan, actor="lan", edits=SHIPPING)
    customer = store.scalar("SELECT id FROM customers WHERE display_name = 'Lan'")
    assert customers.returnable_orders(customers.customer_orders(store, customer))["order_id"].tolist() == [lan]
    orders.mark_returned(store, lan, actor="lan")
    assert customers.returnable_orders(customers.customer_orders(store, customer)).empty


def test_the_items_table_gives_back_the_items_and_skips_blank_rows():
    items = [LiveItem(id=1, code="A1", name="Áo", price=150000, stock=20, sizes=("S", "M"), colors=("Đen",),
                      sku="SKU-1"),
             LiveItem(id=2, code="K3", name="Kẹp", price=30000)]
    table = items_table(items)
    blank = pd.DataFrame({column: [pd.NA] for column in table.columns})
    edited = pd.concat([table, blank], ignore_index=True)
    back = items_from_table(edited)
    assert [(i.id, i.code, i.name, i.price, i.stock, i.sizes, i.colors) for i in back] == [
        (1, "A1", "Áo", 150000, 20, ("S", "M"), ("Đen",)), (2, "K3", "Kẹp", 30000, None, ("",), ("",))]
    assert back[0].sku == "SKU-1"


def test_the_carriers_table_keeps_a_saved_carrier_whose_name_was_emptied_and_skips_a_blank_new_row():
    table = carriers_table([Carrier(id=3, name="GHN", default_fee=30000, tracking_url=None, active=False)])
    table.loc[0, "name"] = ""
    edited = pd.concat([table, pd.DataFrame({"id": pd.array([None], dtype="Int64"), "name": [pd.NA],
                                             "default_fee": [pd.NA], "tracking_url": [pd.NA],
                                             "active": [pd.NA]})], ignore_index=True)
    back = carriers_from_table(edited)
    assert [(c.id, c.name, c.default_fee, c.tracking_url, c.active) for c in back] == [(3, "", 30000, "", False)]


def test_the_items_table_shows_prices_as_money_and_an_unlimited_stock_in_words():
    table = items_table([LiveItem(id=1, code="A1", name="Áo", price=149000, stock=1234),
                         LiveItem(id=2, code="K3", name="Kẹp", price=30000)])
    assert table["price"].tolist() == ["149.000 ₫", "30.000 ₫"]
    assert table["stock"].tolist() == ["1,234", "unlimited"]  # not Streamlit's grey None


def test_the_items_table_reads_back_prices_and_stocks_as_typed_and_refuses_words():
    table = items_table([LiveItem(id=1, code="A1", name="Áo", price=149000, stock=5)])
    for price, stock, expected in [("149.000 ₫", "1.234", (149000, 1234)), ("149000", "không giới hạn", (149000, None)),
                                   ("149,000đ", " Unlimited ", (149000, None)), ("", "", (0, None))]:
        table.loc[0, ["price", "stock"]] = [price, stock]
        [item] = items_from_table(table)
        assert (item.price, item.stock) == expected, (price, stock)
    table.loc[0, ["price", "stock"]] = ["149000", "lots"]
    with pytest.raises(InvalidInput) as refused:
        items_from_table(table)
    assert refused.value.text.key == "setup.bad_stock"
    assert refused.value.text.params == {"code": "A1", "value": "lots"}
    table.loc[0, ["price", "stock"]] = ["-5", "3"]
    with pytest.raises(InvalidInput):
        items_from_table(table)
