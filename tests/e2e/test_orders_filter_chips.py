"""Livestream orders' staff filter at 1366×768 in Vietnamese: two staff picked, both names are in sight."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot, until_idle


def test_two_staff_names_fit_in_the_staff_filter(page, shop_app):
    login(page, shop_app, "/orders")
    page.get_by_test_id("stSidebar").get_by_role("radio", name="Tiếng Việt").click()
    until_idle(page)
    for name in ("Nguyễn Thị Lan", "Đỗ Thu Hằng"):
        page.get_by_role("combobox", name="Nhân viên phụ trách").click()
        page.get_by_role("option", name=name).click()
        until_idle(page)
    page.keyboard.press("Escape")
    until_idle(page)
    staff_filter = page.get_by_test_id("stMultiSelect").first
    box = staff_filter.bounding_box()
    for name in ("Nguyễn Thị Lan", "Đỗ Thu Hằng"):
        chip = staff_filter.get_by_text(name, exact=True)
        expect(chip).to_be_attached()
        found = chip.bounding_box()
        assert box["x"] <= found["x"] and found["x"] + found["width"] <= box["x"] + box["width"], (name, box, found)
    screenshot(page, "orders-vi-staff-filter-two-names")
