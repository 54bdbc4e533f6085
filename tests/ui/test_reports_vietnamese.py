"""AppTest: the Reports page in Vietnamese: its figures, charts, tables, the SQL console and exports, with no raw
translation key on screen and Vietnamese column titles in the tables and in the export preview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.base import errors
from core.services import auth, orders
from tests.ui.helpers import assert_no_raw_key, demo_shop, screen_text, sign_in
from tests.ui.helpers import shown as as_read

ROOT = Path(__file__).resolve().parents[2]
TABS = {"across": "🗓 So sánh các phiên live", "console": "🧮 Truy vấn SQL", "exports": "⬇ Xuất dữ liệu"}


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "SP12 đen 1"),
                   ("Lê Khoa", "A1 còn size L không?"), ("Nguyễn Lan", "0912 345 678")) as (store, livestream_id):
        auth.set_user_language(store, auth.user_by_username(store, "owner").id, "vi")
        yield store, livestream_id


def unescaped(markdown: str) -> str:
    return as_read(markdown)


def table_titles(at: AppTest) -> list[list[str]]:
    return [[str(column) for column in frame.value.columns] for frame in at.dataframe]


def reports_page(tab: str | None = None) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page("pages/reports.py").run()
    if tab:
        at.session_state["reports_tab"] = TABS[tab]
        at.run()
    assert not at.exception, at.exception
    return at


def test_the_livestream_figures_charts_and_tables_are_in_vietnamese(shop):
    at = reports_page()
    assert at.title[0].value == "📊 Báo cáo"
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Bình luận"] == "4" and shown["Bình luận chốt đơn"] == "2" and shown["Số đơn"] == "2"
    assert shown["Doanh thu chưa xác nhận"] == "748.000 ₫"
    assert any("Bình luận và bình luận chốt đơn mỗi phút" in m.value for m in at.markdown)
    titles = table_titles(at)
    assert ["Phút", "Bình luận", "Bình luận chốt đơn", "Đơn mới"] in titles
    assert ["Trạng thái", "Số đơn", "Số sản phẩm", "Giá trị"] in titles
    # The status column and the charts say the statuses in Vietnamese too.
    status_table = next(frame.value for frame in at.dataframe if "Trạng thái" in frame.value.columns)
    assert list(status_table["Trạng thái"]) == [errors.localize(orders.STATUS_LABELS[status], "vi")
                                                for status in orders.STATUSES]
    assert "mỗi phút" in screen_text(at)  # an axis title inside a chart
    assert_no_raw_key(at)


def test_the_comparison_across_lives_is_in_vietnamese(shop):
    at = reports_page("across")
    assert not at.error, [e.value for e in at.error]
    assert any(re.fullmatch(r"1 phiên live từ \d\d/\d\d/\d{4} đến \d\d/\d\d/\d{4}", c.value) for c in at.caption)
    assert "Phiên live" in {metric.label for metric in at.metric}
    assert any("Số phiên bán được" in titles for titles in table_titles(at))
    assert_no_raw_key(at)


def test_the_sql_console_answers_in_vietnamese(shop):
    at = reports_page("console")
    assert at.button(key="console_run").label == "▶ Chạy"
    assert any("Mọi bình luận của mọi phiên live." in e.label for e in at.expander)
    at.text_area(key="console_sql").set_value("SELECT code, status FROM orders ORDER BY code").run()
    at.button(key="console_run").click().run()
    assert not at.exception, at.exception
    assert any(re.fullmatch(r"2 dòng trong \d+,\d\d giây", c.value) for c in at.caption)

    at.text_area(key="console_sql").set_value("DROP TABLE orders").run()
    at.button(key="console_run").click().run()
    assert any("câu lệnh DROP bị từ chối" in unescaped(e.value) for e in at.error), [e.value for e in at.error]
    at.text_input(key="console_save_name").set_value("  ").run()
    at.button(key="console_save").click().run()
    assert any("Hãy đặt tên cho truy vấn." in unescaped(e.value) for e in at.error), [e.value for e in at.error]
    assert_no_raw_key(at)


def test_the_export_preview_has_vietnamese_titles(shop):
    at = reports_page("exports")
    assert not at.error, [e.value for e in at.error]
    preview = at.dataframe[-1].value
    assert list(preview.columns[:5]) == ["Mã đơn", "Mã phiên live", "Phiên live", "Trạng thái", "Khách hàng"]
    assert "draft" not in set(preview["Trạng thái"])
    assert any(re.match(r"\d+ dòng · ", c.value) for c in at.caption), [c.value for c in at.caption]
    assert_no_raw_key(at)
