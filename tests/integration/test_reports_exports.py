"""Exports: orders with lines, comments and customers, as CSV, Excel and Parquet; formula-like text stays text."""

import csv
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from core.base.errors import InvalidInput
from core.services import exports, orders
from tests.integration.helpers import feed

NASTY = "=HYPERLINK(\"http://x.example\",\"bấm\")"


@pytest.fixture
def shop(store, livestream_id):
    feed(store, livestream_id, (NASTY, "A1 M 2"), ("+84 Lan", "K3 3 0912345678"), ("@Mai", "-SP12 1"),
         ("Bình", "chào shop"))
    return store, livestream_id


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))


def test_orders_export_has_one_row_per_line_with_the_order(shop):
    store, live = shop
    frame = exports.export_frame(store, "orders", exports.Scope(livestream_id=live))
    assert len(frame) == 3
    lines = frame.set_index("customer")
    assert lines.loc[NASTY, ["line_item_code", "line_qty", "line_amount", "total"]].tolist() == ["A1", 2, 300_000,
                                                                                                 300_000]
    assert lines.loc["+84 Lan", "receiver_phone"] == "0912345678"
    assert frame["first_comment_at"].iloc[0].strftime("%H:%M") == "20:00"  # shop time


def test_formula_like_text_is_quoted_in_csv_and_numbers_stay_numbers(shop):
    store, live = shop
    rows = read_csv(exports.encode(exports.export_frame(store, "orders", exports.Scope(livestream_id=live)), "csv"))
    customers = [row["customer"] for row in rows]
    assert customers == ["'" + NASTY, "'+84 Lan", "'@Mai"]
    assert rows[0]["line_qty"] == "2" and rows[0]["total"] == "300000"


def test_formula_like_text_is_quoted_in_excel_and_numbers_stay_numbers(shop):
    store, live = shop
    frame = exports.export_frame(store, "comments", exports.Scope(livestream_id=live))
    sheet = read_xlsx(exports.encode(frame, "xlsx", sheet_name="comments"))
    header, rows = sheet[0], sheet[1:]
    by_name = {name: index for index, name in enumerate(header)}
    assert [row[by_name["customer"]] for row in rows] == ["'" + NASTY, "'+84 Lan", "'@Mai", "Bình"]
    assert [row[by_name["message"]] for row in rows][2] == "'-SP12 1"
    assert all(isinstance(row[by_name["comment_id"]], int) for row in rows)
    assert rows[0][by_name["commented_at"]].strftime("%H:%M:%S") == "20:00:01"
    workbook = openpyxl.load_workbook(io.BytesIO(exports.encode(frame, "xlsx")))
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_a_table_of_any_shape_is_made_formula_safe():
    frame = pd.DataFrame({
        "text": ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", None],
        "number": [1, -2, 3, 4, 5, 6, 7, 8],
        "money": [-150_000, 0, 1, 2, 3, 4, 5, 6],
    })
    rows = read_csv(exports.to_csv(frame))
    assert [row["text"] for row in rows][:5] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx"]
    assert rows[1]["number"] == "-2" and rows[0]["money"] == "-150000"
    sheet = read_xlsx(exports.to_xlsx(frame))
    assert [row[0] for row in sheet[1:]][:4] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)"]
    assert sheet[6][0].startswith("'")  # the carriage return case
    assert sheet[2][1] == -2 and sheet[1][2] == -150_000  # negative numbers stay numbers
    assert sheet[8][0] is None


def test_parquet_keeps_text_exactly(shop):
    store, live = shop
    frame = exports.export_frame(store, "customers", exports.Scope(livestream_id=live))
    back = pd.read_parquet(io.BytesIO(exports.encode(frame, "parquet")))
    assert NASTY in back["customer"].tolist()
    assert back.set_index("customer").loc["+84 Lan", "order_value"] == 90_000


def test_customers_export_counts_comments_and_orders_in_scope(shop):
    store, live = shop
    frame = exports.export_frame(store, "customers", exports.Scope(livestream_id=live)).set_index("customer")
    assert frame.loc["Bình", ["comments", "orders", "order_value"]].tolist() == [1, 0, 0]
    assert frame.loc["@Mai", ["comments", "orders", "order_value"]].tolist() == [1, 1, 450_000]


def test_control_characters_do_not_break_the_sheet():
    frame = pd.DataFrame({"message": ["bell\x07 and nul\x00 inside", "fine"], "n": [1, 2]})
    sheet = read_xlsx(exports.to_xlsx(frame))
    assert sheet[1][0] == "bell and nul inside"


def test_a_date_range_exports_the_livestreams_held_in_it(shop):
    store, live = shop
    scope = exports.Scope(since=date(2026, 11, 20), until=date(2026, 11, 20))
    assert len(exports.export_frame(store, "comments", scope)) == 4
    assert scope.slug == "2026-11-20_to_2026-11-20"
    assert exports.export_frame(store, "comments", exports.Scope(since=date(2026, 11, 21),
                                                                 until=date(2026, 11, 30))).empty


def test_a_scope_needs_one_livestream_or_a_whole_range():
    with pytest.raises(InvalidInput):
        exports.Scope()
    with pytest.raises(InvalidInput):
        exports.Scope(since=date(2026, 11, 20))
    with pytest.raises(InvalidInput):
        exports.Scope(since=date(2026, 11, 21), until=date(2026, 11, 20))


def test_cancelled_orders_are_exported_with_their_status(shop):
    store, live = shop
    frame = orders.list_orders(store, live)
    orders.cancel(store, int(frame["order_id"].iloc[0]), actor="lan")
    exported = exports.export_frame(store, "orders", exports.Scope(livestream_id=live))
    assert "cancelled" in exported["status"].tolist()


def test_a_preview_shows_the_first_rows_and_counts_them_all(shop):
    store, live = shop
    preview, total = exports.preview(store, "comments", exports.Scope(livestream_id=live), rows=2)
    assert total == 4 and preview["customer"].tolist() == [NASTY, "+84 Lan"]


def test_csv_and_excel_files_are_titled_in_the_readers_language_and_parquet_keeps_the_names(shop):
    store, live = shop
    scope = exports.Scope(livestream_id=live)
    workbook = openpyxl.load_workbook(io.BytesIO(exports.export_file(store, "orders", scope, "xlsx", "vi")))
    assert workbook.active.title == "Đơn hàng"
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    assert header[:5] == ("Mã đơn", "Mã phiên live", "Phiên live", "Trạng thái", "Khách hàng")
    by_name = {name: index for index, name in enumerate(header)}
    assert {row[by_name["Trạng thái"]] for row in rows} == {"Nháp"}
    assert rows[0][by_name["Khách hàng"]] == "'" + NASTY  # still formula-safe
    assert rows[0][by_name["Thành tiền"]] == 300_000  # still a number

    english = read_csv(exports.export_file(store, "orders", scope, "csv", "en"))
    assert english[0]["Order code"] and english[0]["Status"] == "Draft" and english[0]["Payment"] == "COD"
    frame = pd.read_parquet(io.BytesIO(exports.export_file(store, "orders", scope, "parquet", "vi")))
    assert list(frame.columns) == list(exports.export_frame(store, "orders", scope).columns)
    assert set(frame["status"]) == {orders.DRAFT}


def test_every_export_column_has_a_title_in_both_languages(shop):
    store, live = shop
    from core.base import i18n

    for kind in exports.KINDS:
        frame = exports.export_frame(store, kind, exports.Scope(livestream_id=live))
        for language in i18n.LANGUAGES:
            titled = exports.for_people(frame, language)
            assert len(set(titled.columns)) == len(frame.columns), (kind, language)
            assert not set(titled.columns) & set(frame.columns), (kind, language)


def cells_as_read_with(data: bytes, delimiter: str) -> list[str]:
    """Every cell of a CSV file as a spreadsheet reads it when its list separator is `delimiter` (Excel in a
    Vietnamese or European set-up uses `;`): quotes count only at the start of a field, as in Excel."""
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter)
            for cell in row]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_no_csv_cell_is_a_formula_whatever_the_readers_list_separator(delimiter):
    frame = pd.DataFrame({
        "n": [1, 2, 3, 4, 5, 6],
        "customer": ["Lan;=1+2;x", "Mai,+SUM(A1)", "Khoa\t@cmd", "Bình; -2+3+cmd|' /C calc'!A0", "Lan\n=1+2",
                     "A1 M 2, chào shop"],
        "=header;=1+1": ["ok"] * 6,
    })
    data = exports.to_csv(frame)
    cells = cells_as_read_with(data, delimiter)
    formulas = [cell for cell in cells if cell.lstrip(" ").startswith(("=", "+", "-", "@"))]
    assert formulas == []
    # Read as the file was written (commas), the text is as typed apart from the marks that keep it text.
    rows = read_csv(data)
    assert [row["customer"] for row in rows] == [
        "Lan;'=1+2;x", "Mai,'+SUM(A1)", "Khoa\t'@cmd", "Bình; '-2+3+cmd|' /C calc'!A0", "Lan\n'=1+2",
        "A1 M 2, chào shop"]
