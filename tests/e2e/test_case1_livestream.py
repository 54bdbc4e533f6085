"""Case 1 in a real browser: the comment stream, Edit on a comment, and every Case 1 button."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PRICE_COLUMN, line_cell, login, pick_line_item, screenshot

ORDER_ROW = re.compile(r"^🛒 (?!made)")


def wait_for_app(page):
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=30_000)


def open_order_from_comment(page, customer: str, comment_text: str):
    message = page.get_by_text(comment_text, exact=True).first
    row = message.locator("xpath=ancestor::div[@data-testid='stHorizontalBlock'][1]")
    row.get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_text(re.compile(rf"L1-\d+ · {customer}$"))).to_be_visible()
    expect(page.get_by_label("Address")).to_have_count(1)  # the previous order's form has gone


def press(page, label: str):
    page.get_by_role("button", name=label, exact=True).click()


def test_play_demo_live_shows_comments_with_order_icons(page, empty_demo_app):
    login(page, empty_demo_app)
    wait_for_app(page)
    expect(page.get_by_text("No comments yet")).to_be_visible()
    page.get_by_role("button", name="▶ Play demo live").click()
    expect(page.get_by_text(ORDER_ROW).first).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Edit", exact=True).first).to_be_visible()
    page.wait_for_timeout(3000)
    screenshot(page, "1-livestream-demo-playing")
    page.get_by_role("button", name="⏹ Stop demo").click()
    expect(page.get_by_role("button", name="▶ Play demo live")).to_be_visible()


def test_ship_refuses_an_incomplete_order_and_says_what_is_missing(page, shop_app):
    login(page, shop_app)
    wait_for_app(page)
    open_order_from_comment(page, "Bùi An", "D9 L 0977123456")
    press(page, "Ship")
    expect(page.get_by_text("receiver address").first).to_be_visible()
    expect(page.get_by_text("Draft", exact=False).first).to_be_visible()


def test_ship_with_shipping_info_ships_the_order(page, shop_app):
    login(page, shop_app)
    wait_for_app(page)
    open_order_from_comment(page, "Nguyễn Lan", "chốt A1 M 2")
    expect(page.get_by_label("Phone")).to_have_value("0912 345 678")
    page.get_by_label("Address").fill("12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")
    page.get_by_label("Carrier (for Ship)").fill("GHN")
    page.get_by_label("Shipping fee ₫").fill("30000")
    screenshot(page, "2-livestream-edit-form")
    press(page, "Ship")
    expect(page.get_by_text(re.compile(r"Ship: order L1-\d+ is now shipped")).first).to_be_visible()
    expect(page.get_by_text("🚚 Shipped").first).to_be_visible()
    expect(page.get_by_text("Total 328.000 ₫")).to_be_visible()
    # The shipped order's form: read-only, with its carrier, and no button to press again.
    expect(page.get_by_text(re.compile("this order is closed"))).to_be_visible()
    expect(page.get_by_label("Carrier", exact=True)).to_have_value("GHN")
    expect(page.get_by_label("Carrier", exact=True)).to_be_disabled()
    expect(page.get_by_label("Address")).to_be_disabled()
    for label in ("Ship", "Send to shop", "Save to shipping book", "Cancel", "Save draft"):
        expect(page.get_by_role("button", name=label, exact=True)).to_have_count(0)
    page.get_by_label("Carrier", exact=True).scroll_into_view_if_needed()
    page.mouse.move(5, 5)
    screenshot(page, "order-form-shipped")


def test_picking_the_item_for_an_unknown_code_and_saving_a_draft(page, shop_app):
    login(page, shop_app)
    wait_for_app(page)
    open_order_from_comment(page, "Trần Mai", "Z9 2")
    expect(page.get_by_text(re.compile("Pick the item for Z9"))).to_be_visible()
    pick_line_item(page, page, 0, "K3 ·")
    # Priced at once, before any save, and the warning gone.
    expect(line_cell(page, 0, PRICE_COLUMN)).to_have_text(re.compile("30[.,]?000"))
    expect(page.get_by_text(re.compile("Pick the item for Z9"))).to_have_count(0)
    press(page, "Save draft")
    expect(page.get_by_text(re.compile(r"Save draft: order L1-\d+ is now draft")).first).to_be_visible()
    expect(page.get_by_text(re.compile("Pick the item for Z9"))).to_have_count(0)
    expect(page.get_by_text("Total 60.000 ₫")).to_be_visible()


def test_send_to_shop_save_to_shipping_book_and_cancel(page, shop_app):
    login(page, shop_app)
    wait_for_app(page)
    for customer, comment, button, outcome in [
        ("Lê Huy", "K3 3 0987654321", "Send to shop", "sent to shop"),
        ("Phạm Vy", "SP12 nâu 0903111222", "Save to shipping book", "in shipping book"),
        ("Đỗ Hà", "G07 38 0905111222", "Cancel", "cancelled"),
    ]:
        open_order_from_comment(page, customer, comment)
        if button != "Cancel":
            page.get_by_label("Address").fill("45 Nguyễn Trãi, Phường Bến Thành, TP Hồ Chí Minh")
        press(page, button)
        expect(page.get_by_text(re.compile(rf"{button}: order L1-\d+ is now {outcome}")).first).to_be_visible()


def test_importing_a_comment_file_counts_bad_lines_and_adds_the_rest(page, shop_app, tmp_path):
    import json

    path = tmp_path / "more-comments.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "f1", "user_id": "u50", "user_name": "Khách Mới", "message": "chốt K3 2",
                    "created_at": "2026-11-20T20:10:00+07:00"}, ensure_ascii=False),
        "this line is not JSON",
        json.dumps({"id": "f2", "user_id": "u51", "user_name": "Khách Hai", "message": "A1 L",
                    "created_at": "2026-11-20T20:10:05+07:00"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    login(page, shop_app)
    wait_for_app(page)
    page.get_by_text("📄 Import a comment file (CSV or JSONL)").click()
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name="Import comments").click()
    expect(page.get_by_text(re.compile(r"New comments: 2, already stored: 0, new orders: 2"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"line 2: not valid JSON"))).to_be_visible()
    expect(page.get_by_text("chốt K3 2", exact=True)).to_be_visible()


def stream_row(page, comment_text: str):
    message = page.get_by_text(comment_text, exact=True).first
    return message.locator("xpath=ancestor::div[@data-testid='stHorizontalBlock'][1]")


def test_the_panel_beside_the_stream_opens_acts_and_closes_without_moving_the_stream(page, shop_app):
    login(page, shop_app)
    wait_for_app(page)
    expect(page.get_by_text("Press Edit on a comment")).to_be_visible()
    row = stream_row(page, "A2 L 0933444555")
    expect(row.get_by_text("Draft")).to_be_visible()
    width = row.bounding_box()["width"]
    open_order_from_comment(page, "Hồ Bích", "A2 L 0933444555")
    assert stream_row(page, "A2 L 0933444555").bounding_box()["width"] == width  # the columns keep their width
    press(page, "Cancel")
    # The result at the top of the form and under its buttons; the stream shows the new status by itself.
    done = page.get_by_text(re.compile(r"Cancel: order L1-\d+ is now cancelled"))
    expect(done).to_have_count(2)
    expect(stream_row(page, "A2 L 0933444555").get_by_text("Cancelled")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="✕ Close").click()
    expect(page.get_by_text("Press Edit on a comment")).to_be_visible()
    expect(page.get_by_label("Address")).to_have_count(0)


def test_a_switch_of_language_keeps_the_payment_choice_readable(page, shop_app):
    login(page, shop_app)
    wait_for_app(page)
    open_order_from_comment(page, "Vũ Hạnh", "V3 M 0944555666")
    expect(page.get_by_role("radio", name="COD")).to_be_checked()
    page.get_by_text("Tiếng Việt", exact=True).click()
    # Streamlit keeps a radio's value as its label: after the switch "COD" matched no Vietnamese option, and the
    # form showed (and saved) no payment.
    expect(page.get_by_role("radio", name="COD (thu hộ)")).to_be_checked()
    press(page, "Lưu nháp")
    expect(page.get_by_text(re.compile(r"Lưu nháp: đơn L1-\d+")).first).to_be_visible()
