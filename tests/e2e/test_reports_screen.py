"""Reports in a real browser: the figures of a played demo live, the comparison across lives, the SQL console."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from core.db.store import Store
from core.services import orders
from tests.e2e.conftest import ROOT, login, running_app, screenshot, until_idle

DEMO_COMMENTS = ROOT / "data" / "demo" / "comments.jsonl"


def prepare_shop(db, tmp_path) -> None:
    """The demo live with all its comments, some orders moved on by staff, and an earlier live a week before it."""
    store = Store(str(db))
    try:
        from core.integrations.comment_files import IncomingComment
        from core.services import livestreams
        from core.services.comments import ingest_comments
        from core.services.demo import demo_comments

        comments = demo_comments()
        earlier = livestreams.create_livestream(
            store, "Live tuần trước", platform="facebook", items=livestreams.list_items(store, 1))
        ingest_comments(store, earlier, [
            IncomingComment(f"week-{c.comment_id}", c.user_id, c.user_name, c.message, c.commented_at - timedelta(7))
            for c in comments[:180]], source="demo")
        ingest_comments(store, 1, comments, source="demo")
        frame = orders.list_orders(store, 1)
        ready = frame[(frame["status"] == orders.DRAFT) & (frame["blank_items"] == 0) & (frame["waitlisted"] == 0)
                      & (frame["receiver_phone"] != "")]
        for index, order_id in enumerate(ready["order_id"].tolist()[:24]):
            edits = orders.OrderEdits(receiver_name="Khách", receiver_address="1 Lê Lợi, Phường Bến Thành, TP.HCM")
            action = ("ship", "create_order", "send_to_shop", "save")[index % 4]
            orders.perform_action(store, action, int(order_id), actor="lan", edits=edits,
                                      shipment=orders.Shipment(carrier="GHN") if action == "ship" else None)
        with store.transaction() as cur:
            cur.execute("UPDATE livestreams SET status = 'ended', started_at = ? WHERE id = 1",
                        [datetime(2026, 11, 27, 13, 0, 0)])
            # Set up a week earlier too, so that the sidebar opens on the newer demo live.
            cur.execute("UPDATE livestreams SET status = 'ended', created_at = created_at - INTERVAL 7 DAY "
                        "WHERE id = ?", [earlier])
            cur.execute("UPDATE customers SET blacklisted = TRUE, blacklist_reason = 'Bom hàng 2 lần' "
                        "WHERE id = (SELECT customer_id FROM orders WHERE livestream_id = 1 ORDER BY id LIMIT 1)")
    finally:
        store.close()


@pytest.fixture(scope="module")
def reports_app(tmp_path_factory):
    """One running app for this module: the shop prepared above."""
    tmp_path = tmp_path_factory.mktemp("reports")
    with running_app(tmp_path, prepare=lambda db: prepare_shop(db, tmp_path)) as app:
        yield app


def open_reports(page, app):
    login(page, app, "/reports")
    expect(page.get_by_role("heading", name="Reports")).to_be_visible(timeout=30_000)


def metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).first


def test_the_figures_of_the_live_render(page, reports_app):
    open_reports(page, reports_app)
    expect(metric(page, "Comments")).to_contain_text("337")
    expect(metric(page, "Order comments")).to_contain_text("152")
    expect(metric(page, "Revenue confirmed")).to_contain_text("₫")
    expect(page.get_by_text("Comments and order comments per minute (shop time)")).to_be_visible()
    # The charts are drawn (vega renders into a canvas or an svg).
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    screenshot(page, "8-reports-live")


def test_the_table_view_of_a_chart_and_its_download(page, reports_app):
    open_reports(page, reports_app)
    # The timeline is the first chart: wait for it, or the first Table tab may be another chart's while the page draws.
    expect(page.get_by_text("Comments and order comments per minute (shop time)")).to_be_visible(timeout=30_000)
    until_idle(page)
    page.get_by_role("tab", name="🔢 Table").first.click()
    with page.expect_download() as download:
        page.get_by_role("button", name="⬇ CSV").first.click()
    assert download.value.suggested_filename.endswith(".csv")
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert content.splitlines()[0] == "Minute,Comments,Order comments,New orders"  # the titles the table shows


def test_across_lives_compares_the_two_lives(page, reports_app):
    open_reports(page, reports_app)
    page.get_by_role("tab", name="🗓 Across lives").click()
    expect(page.get_by_text("Each livestream side by side")).to_be_visible(timeout=30_000)
    expect(metric(page, "Livestreams")).to_contain_text("2")
    expect(page.get_by_text(re.compile(r"Returning customers: orders in 2 or more lives \(\d+\)"))).to_be_visible()
    expect(page.get_by_text("Blacklist hits: blacklisted customers with orders (1)")).to_be_visible()


def test_the_sql_console_runs_a_query_and_refuses_a_change(page, reports_app):
    open_reports(page, reports_app)
    page.get_by_role("tab", name="🧮 SQL console").click()
    editor = page.get_by_label("SQL", exact=True)
    expect(editor).to_be_visible(timeout=30_000)
    editor.fill("DELETE FROM orders")
    page.get_by_role("button", name="▶ Run").click()
    expect(page.get_by_text(re.compile("DELETE statements are refused"))).to_be_visible()

    page.get_by_label("Open a saved query or an example").click()
    page.get_by_role("option", name=re.compile("Best-selling items")).click()
    expect(editor).to_have_value(re.compile("sum\\(qty\\) AS units"))
    page.get_by_role("button", name="▶ Run").click()
    expect(page.get_by_text(re.compile(r"^8 rows in"))).to_be_visible()
    expect(page.get_by_text("DELETE statements are refused")).to_have_count(0)
    page.get_by_role("tab", name="📈 Quick chart").click()
    expect(page.locator('[data-testid="stVegaLiteChart"]').last).to_be_visible()
    page.get_by_role("tab", name="🔢 Result").click()
    page.wait_for_timeout(800)
    screenshot(page, "9-sql-console")


def test_exports_offer_the_three_formats(page, reports_app):
    open_reports(page, reports_app)
    page.get_by_role("tab", name="⬇ Exports").click()
    expect(page.get_by_text(re.compile(r"^\d+ rows · text a spreadsheet"))).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="⬇ Excel").click()
    assert download.value.suggested_filename == "chotdon-orders-livestream-1.xlsx"
    import openpyxl

    with open(download.value.path(), "rb") as handle:  # the saved download has no file extension
        sheet = openpyxl.load_workbook(handle).active
    assert sheet["A1"].value == "Order code" and sheet.title == "Orders" and sheet.max_row > 50


def test_the_demo_page_opens_with_no_comments_yet(page, empty_demo_app):
    open_reports(page, empty_demo_app)
    expect(metric(page, "Comments")).to_contain_text("0")
    expect(page.get_by_text("Nothing yet.").first).to_be_visible()


def test_a_huge_console_result_is_cut_with_a_notice(page, reports_app):
    open_reports(page, reports_app)
    page.get_by_role("tab", name="🧮 SQL console").click()
    editor = page.get_by_label("SQL", exact=True)
    expect(editor).to_be_visible(timeout=30_000)
    editor.fill("SELECT repeat('x', 100000) AS s FROM range(10000)")
    page.get_by_role("button", name="▶ Run").click()
    expect(page.get_by_text(re.compile(r"cut at [\d,]+ rows / 32 MB"))).to_be_visible(timeout=60_000)
    page.wait_for_timeout(800)
    screenshot(page, "9b-sql-console-cut")


def test_the_owner_refreshes_the_reporting_copy(page, reports_app):
    open_reports(page, reports_app)
    page.get_by_role("tab", name="⬇ Exports").click()
    page.get_by_role("button", name="Refresh the reporting copy now").click()
    expect(page.get_by_text(re.compile(r"^Reporting copy refreshed: \d+ tables"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile(r"^Last refreshed: "))).to_be_visible()
    assert (reports_app.db.with_name(reports_app.db.stem + ".reporting") / "chotdon.duckdb").exists()
    page.get_by_text("Refresh the reporting copy now").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    screenshot(page, "10b-reporting-copy")
