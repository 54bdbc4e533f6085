"""Reports on a small hand-made shop: every expected figure below is worked out by hand from the comments.

Items (tests/conftest.py): A1 150.000 ₫ stock 20, B5 320.000 ₫ stock 8, SP12 450.000 ₫ stock 5,
G07 550.000 ₫ stock 6, K3 30.000 ₫ stock 100. START is 20:00 in Ho Chi Minh City (13:00 UTC).

Live 1 (20/11):                                          order after the comments and staff actions
  20:00:05 Lan   A1 M 2          creates Lan's order      Lan: A1×2 + K3×3 = 390.000, +30.000 ship −10.000
  20:00:30 Mai   SP12 3          creates Mai's order           discount = 410.000, shipped           (confirmed)
  20:01:10 Khoa  a question                               Mai: SP12×3 = 1.350.000, in shipping book (confirmed)
  20:01:20 Vy    SP12 4          creates Vy's order       Vy:  SP12×4 = 1.800.000 (2 served, 2 waitlisted), draft
  20:02:00 Lan   K3 3            adds to Lan's order                                                 (pending)
  20:02:30 Hà    G07 38          creates Hà's order       Hà:  cancelled by her comment, no lines left
  20:03:10 Hà    huỷ đơn         cancels it
  20:03:40 Bình  chào shop       chatter
Live 2 (27/11): Lan A1 L 1 (150.000), Tú K3 2 (60.000), Mai B5 29 (320.000), all drafts.
"""

from datetime import date, datetime, timedelta

import pytest

from core.base import errors
from core.base.errors import InvalidInput
from core.integrations.comment_files import IncomingComment
from core.services import orders, reports
from core.services.comments import ingest_comments
from core.services.livestreams import create_livestream, items_from_csv
from tests.conftest import PUBLIC_ITEMS_CSV
from tests.integration.helpers import START

LIVE_1 = [
    (5, "Lan", "A1 M 2"), (30, "Mai", "SP12 3"), (70, "Khoa", "A1 còn size L không shop?"), (80, "Vy", "SP12 4"),
    (120, "Lan", "K3 3"), (150, "Hà", "G07 38"), (190, "Hà", "huỷ đơn nha shop"), (220, "Bình", "chào shop"),
]
LIVE_2 = [(10, "Lan", "A1 L 1"), (20, "Tú", "K3 2"), (40, "Mai", "B5 29")]
WEEK = 7 * 24 * 3600


def feed_at(store, livestream_id, rows, *, offset=0, prefix="c"):
    """Ingests (seconds after START, user, message) rows as comments {prefix}0, {prefix}1, ..."""
    ingest_comments(store, livestream_id, [
        IncomingComment(f"{prefix}{index}", f"u-{user}", user, text, START + timedelta(seconds=offset + seconds))
        for index, (seconds, user, text) in enumerate(rows)
    ], source="test")


def execute(store, sql, params=None):
    with store.transaction() as cur:
        cur.execute(sql, params or [])


def order_of(store, livestream_id, customer):
    frame = orders.list_orders(store, livestream_id, statuses=orders.STATUSES)
    return orders.get_order(store, int(frame[frame["customer"] == customer]["order_id"].iloc[0]))


@pytest.fixture
def shop(store, livestream_id):
    feed_at(store, livestream_id, LIVE_1)
    lan = order_of(store, livestream_id, "Lan")
    orders.ship(store, lan.id, actor="lan", shipment=orders.Shipment(carrier="GHN"), edits=orders.OrderEdits(
        receiver_name="Lan", receiver_phone="0912 345 678", receiver_address="12 Lý Thường Kiệt, Hà Nội",
        shipping_fee=30000, discount=10000))
    mai = order_of(store, livestream_id, "Mai")
    orders.create_order(store, mai.id, actor="hang", edits=orders.OrderEdits(
        receiver_name="Mai", receiver_phone="0987 654 321", receiver_address="8 Trần Hưng Đạo, Hà Nội"))
    second = create_livestream(store, "Live 2", platform="facebook", items=items_from_csv(PUBLIC_ITEMS_CSV))
    feed_at(store, second, LIVE_2, offset=WEEK, prefix="w")
    return livestream_id, second


def test_figures_of_one_live_match_the_hand_count(store, shop):
    live, _ = shop
    report = reports.live_report(store, live)
    figures = report.figures
    assert (figures.comments, figures.order_comments, figures.comments_into_orders, figures.cancel_comments) == \
        (8, 5, 5, 1)
    assert (figures.orders, figures.cancelled_orders, figures.customers_ordered) == (3, 1, 3)
    assert (figures.items_claimed, figures.items_waitlisted) == (12, 2)
    assert figures.revenue_confirmed == 410_000 + 1_350_000
    assert figures.revenue_pending == 1_800_000
    assert figures.average_order_value == round((410_000 + 1_350_000 + 1_800_000) / 3) == 1_186_667
    assert figures.comment_to_order_share == 5 / 8


def test_orders_by_status_lists_every_status_with_counts_and_values(store, shop):
    live, _ = shop
    by_status = reports.live_report(store, live).by_status.set_index("status")
    assert list(by_status.index) == list(orders.STATUSES)
    assert by_status["orders"].to_dict() == {
        "draft": 1, "awaiting_confirmation": 0, "awaiting_shipment": 1, "sent_to_shop": 0, "shipped": 1,
        "cancelled": 1}
    assert by_status.loc["shipped", "value"] == 410_000
    assert by_status.loc["awaiting_shipment", "value"] == 1_350_000
    assert by_status.loc["cancelled", "value"] == 0


def test_timeline_counts_per_minute_in_shop_time(store, shop):
    live, _ = shop
    timeline = reports.live_report(store, live).timeline
    assert [t.strftime("%H:%M") for t in timeline["minute"]] == ["20:00", "20:01", "20:02", "20:03"]
    assert timeline["comments"].tolist() == [2, 2, 2, 2]
    assert timeline["order_comments"].tolist() == [2, 1, 2, 0]
    assert timeline["new_orders"].tolist() == [2, 1, 1, 0]


def test_timeline_fills_quiet_minutes_with_zeros(store, livestream_id):
    feed_at(store, livestream_id, [(0, "Lan", "A1 M 1"), (185, "Mai", "K3 1")])
    timeline = reports.live_report(store, livestream_id).timeline
    assert [t.strftime("%H:%M") for t in timeline["minute"]] == ["20:00", "20:01", "20:02", "20:03"]
    assert timeline["comments"].tolist() == [1, 0, 0, 1]


def test_top_items_show_claims_waitlist_and_stock_left(store, shop):
    live, _ = shop
    items = reports.live_report(store, live).top_items.set_index("code")
    assert list(items.index[:3]) == ["SP12", "K3", "A1"]
    assert items.loc["SP12", ["claimed", "waitlisted", "served", "stock_left"]].tolist() == [7, 2, 5, 0]
    assert items.loc["SP12", "claimed_value"] == 7 * 450_000
    assert items.loc["K3", ["claimed", "stock_left"]].tolist() == [3, 97]
    assert items.loc["A1", ["claimed", "stock_left", "customers"]].tolist() == [2, 18, 1]
    assert items.loc["G07", ["claimed", "stock_left"]].tolist() == [0, 6]  # Hà's line went with her cancel


def test_sales_by_staff_add_up_each_staff_members_orders(store, shop):
    live, _ = shop
    staff_of = {name: order_of(store, live, name).staff_name for name in ("Lan", "Mai", "Vy", "Hà")}
    expected: dict[str, dict] = {}
    for name, confirmed, pending, live_order in (("Lan", 410_000, 0, 1), ("Mai", 1_350_000, 0, 1),
                                                  ("Vy", 0, 1_800_000, 1), ("Hà", 0, 0, 0)):
        row = expected.setdefault(staff_of[name], {"orders": 0, "revenue_confirmed": 0, "revenue_pending": 0,
                                                   "cancelled_orders": 0})
        row["orders"] += live_order
        row["cancelled_orders"] += 1 - live_order
        row["revenue_confirmed"] += confirmed
        row["revenue_pending"] += pending
    by_staff = reports.live_report(store, live).by_staff.set_index("staff")
    columns = ["orders", "revenue_confirmed", "revenue_pending", "cancelled_orders"]
    assert by_staff[columns].to_dict("index") == expected


def test_largest_customers_come_first(store, shop):
    live, _ = shop
    largest = reports.live_report(store, live, largest=2).largest_customers
    assert largest["customer"].tolist() == ["Vy", "Mai"]
    # Each customer's orders are counted (not cancelled), one per code listed.
    assert largest["orders"].tolist() == [len(codes.split(", ")) for codes in largest["order_codes"]]
    assert largest["orders"].tolist() == [
        store.query("SELECT count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id "
                    "WHERE o.livestream_id = ? AND c.display_name = ? AND o.status <> 'cancelled'", [live, name])[0]["n"]
        for name in ["Vy", "Mai"]]
    assert largest["value"].tolist() == [1_800_000, 1_350_000]
    assert largest["waitlisted"].tolist() == [2, 0]


def test_a_livestream_without_comments_has_zero_figures(store, livestream_id):
    report = reports.live_report(store, livestream_id)
    assert report.figures.comments == 0 and report.figures.average_order_value is None
    assert report.figures.comment_to_order_share is None
    assert report.timeline.empty and report.by_staff.empty
    assert report.top_items["claimed"].tolist() == [0] * 6


def test_across_lives_puts_each_live_side_by_side(store, shop):
    live, second = shop
    report = reports.across_lives_report(store, date(2026, 11, 20), date(2026, 11, 27))
    lives = report.lives.set_index("livestream_id")
    assert list(lives.index) == [live, second]
    assert lives.loc[live, ["comments", "orders", "revenue_confirmed", "revenue_pending"]].tolist() == \
        [8, 3, 1_760_000, 1_800_000]
    assert lives.loc[second, ["comments", "orders", "revenue_confirmed", "revenue_pending"]].tolist() == \
        [3, 3, 0, 530_000]
    assert lives.loc[second, "average_order_value"] == round(530_000 / 3)
    assert lives.loc[live, ["orders_draft", "orders_shipped", "orders_cancelled"]].tolist() == [1, 1, 1]
    assert report.totals.orders == 6 and report.totals.revenue == 1_760_000 + 1_800_000 + 530_000


def test_the_date_range_is_in_shop_days(store, shop):
    live, second = shop
    assert reports.livestream_ids_in_range(store, date(2026, 11, 21), date(2026, 11, 27)) == [second]
    assert reports.livestream_ids_in_range(store, date(2026, 11, 20), date(2026, 11, 20)) == [live]
    # Shop day 20/11 is 19/11 17:00 to 20/11 17:00 in UTC.
    assert reports.utc_bounds(date(2026, 11, 20), date(2026, 11, 20)) == (
        datetime(2026, 11, 19, 17, 0), datetime(2026, 11, 20, 17, 0))
    assert reports.held_date_span(store) == (date(2026, 11, 20), date(2026, 11, 27))


def test_items_that_sell_in_every_live_by_code(store, shop):
    report = reports.across_lives_report(store, date(2026, 11, 20), date(2026, 11, 27))
    items = report.items.set_index("code")
    assert sorted(items.index[items["in_every_live"]]) == ["A1", "K3"]
    assert items.loc["A1", ["lives_sold", "lives_offered", "claimed"]].tolist() == [2, 2, 3]
    assert items.loc["SP12", ["lives_sold", "claimed"]].tolist() == [1, 7]
    assert items.loc["G07", "lives_sold"] == 0


def test_items_can_be_matched_across_lives_by_name(store, shop):
    live, second = shop
    # Live 2 calls the jeans Q5 instead of B5: by code they are two items, by name one.
    execute(store, "UPDATE live_items SET code = 'Q5', code_key = 'q5' WHERE livestream_id = ? AND code = 'B5'",
            [second])
    by_code = reports.across_lives_report(store, date(2026, 11, 20), date(2026, 11, 27)).items
    by_name = reports.across_lives_report(store, date(2026, 11, 20), date(2026, 11, 27), item_grouping="name").items
    assert {"b5", "q5"} <= set(by_code["item_key"])
    jeans = by_name.set_index("item_key").loc["quan jean ong suong"]
    assert (jeans["lives_offered"], jeans["lives_sold"], jeans["code"]) == (2, 1, "Q5")


def test_returning_customers_ordered_in_two_lives(store, shop):
    report = reports.across_lives_report(store, date(2026, 11, 20), date(2026, 11, 27))
    returning = report.returning_customers
    assert returning["customer"].tolist() == ["Mai", "Lan"]
    assert returning["value"].tolist() == [1_350_000 + 320_000, 410_000 + 150_000]
    assert returning["lives"].tolist() == [2, 2]


def test_blacklist_hits_list_blacklisted_customers_with_orders(store, shop):
    execute(store, "UPDATE customers SET blacklisted = TRUE, blacklist_reason = 'bom hàng' "
                   "WHERE display_name IN ('Vy', 'Hà', 'Bình')")
    hits = reports.across_lives_report(store, date(2026, 11, 20), date(2026, 11, 27)).blacklist_hits
    assert hits["customer"].tolist() == ["Vy", "Hà"]  # Bình only chatted: no order, no hit
    assert hits[["orders", "cancelled_orders", "value"]].values.tolist() == [[1, 0, 1_800_000], [0, 1, 0]]


def test_an_empty_range_and_a_reversed_range(store, shop):
    report = reports.across_lives_report(store, date(2025, 1, 1), date(2025, 1, 31))
    assert report.lives.empty and report.items.empty and report.totals.orders == 0
    with pytest.raises(InvalidInput):
        reports.across_lives_report(store, date(2026, 11, 27), date(2026, 11, 20))


def test_reports_never_import_streamlit():
    import core.services.exports
    import core.services.sql_console

    for module in (reports, core.services.sql_console, core.services.exports):
        source = open(module.__file__, encoding="utf-8").read()
        assert "import streamlit" not in source and "from streamlit" not in source


def test_every_livestream_status_and_report_error_reads_in_both_languages():
    from core.base import i18n
    from core.services import livestreams

    for status in livestreams.LIVESTREAM_STATUSES:
        assert f"reports.live_status.{status}" in i18n.table("vi")
    with pytest.raises(InvalidInput) as backwards:
        reports.utc_bounds(date(2026, 11, 27), date(2026, 11, 20))
    assert str(backwards.value) == "The end of the date range is before its start."
    assert errors.localize(backwards.value, "vi") == "Ngày kết thúc đang ở trước ngày bắt đầu."
