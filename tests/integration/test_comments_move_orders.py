"""How comments move orders (DESIGN.md), stock and the waitlist, blank items, and re-ingest idempotency."""

import json

from core.domain.users import SYSTEM_USER
from core.services import livestreams, orders
from core.services.comments import ingest_comments, ingest_text
from tests.integration.helpers import comment, feed


def _orders(store, livestream_id, statuses=orders.STATUSES):
    frame = orders.list_orders(store, livestream_id, statuses=statuses)
    return [orders.get_order(store, int(i)) for i in frame["order_id"]]


def _only(store, livestream_id, customer):
    found = [o for o in _orders(store, livestream_id) if o.customer_name == customer]
    assert len(found) == 1, found
    return found[0]


def _lines(order):
    return [(l.item_code or l.code_typed, l.size, l.color, l.qty) for l in order.lines]


def test_later_order_comments_of_a_customer_go_into_the_same_draft(store, livestream_id):
    summary = feed(store, livestream_id, ("Lan", "A1 M"), ("Lan", "lấy 2 K3"), ("Mai", "SP12 nâu"))
    assert (summary.orders_created, summary.new, summary.kinds["order"]) == (2, 3, 3)
    lan = _only(store, livestream_id, "Lan")
    assert _lines(lan) == [("A1", "M", None, 1), ("K3", None, None, 2)]


def test_the_same_order_comment_twice_counts_once_but_a_them_word_adds(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"), ("Lan", "a1 m"), ("Lan", "thêm A1 M"))
    assert _lines(_only(store, livestream_id, "Lan")) == [("A1", "M", None, 1), ("A1", "M", None, 1)]
    effects = [r["effect"] for r in store.query("SELECT effect FROM comments ORDER BY commented_at")]
    assert effects == ["created", "repeat", "added"]


def test_a_customer_adding_items_to_an_order_awaiting_confirmation_sends_it_back_to_draft(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"))
    order = _only(store, livestream_id, "Lan")
    orders.save(store, order.id, actor="lan")
    feed(store, livestream_id, ("Lan", "K3 2"), start=10)
    after = orders.get_order(store, order.id)
    assert after.status == orders.DRAFT
    assert "customer_added_items" in [e["action"] for e in orders.order_events(store, order.id)]


def test_cancel_comment_removes_the_named_lines_from_the_draft(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"), ("Lan", "K3 2"), ("Lan", "hủy K3"))
    assert _lines(_only(store, livestream_id, "Lan")) == [("A1", "M", None, 1)]


def test_cancel_comment_without_a_code_cancels_the_whole_draft(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"), ("Lan", "huỷ đơn nha shop"))
    order = _only(store, livestream_id, "Lan")
    assert order.status == orders.CANCELLED and order.lines == []


def test_cancel_comment_on_an_order_in_the_shipping_book_only_records_a_request(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"))
    order = _only(store, livestream_id, "Lan")
    orders.create_order(store, order.id, actor="lan", edits=orders.OrderEdits(
        receiver_phone="0912345678", receiver_address="Hà Nội"))
    feed(store, livestream_id, ("Lan", "hủy A1"), start=20)
    after = orders.get_order(store, order.id)
    assert after.status == orders.AWAITING_SHIPMENT and len(after.lines) == 1
    assert orders.order_events(store, order.id)[-1]["action"] == "cancel_requested"


def test_a_phone_comment_goes_to_the_customer_and_the_open_order(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"), ("Lan", "sdt em 0909 123 456 nha"))
    assert _only(store, livestream_id, "Lan").receiver_phone == "0909123456"
    assert store.scalar("SELECT phone FROM customers WHERE display_name = 'Lan'") == "0909123456"


def test_questions_and_reviews_change_no_order(store, livestream_id):
    summary = feed(store, livestream_id, ("Lan", "A1 còn không shop"), ("Mai", "A1 đẹp quá"))
    assert summary.orders_created == 0
    assert _orders(store, livestream_id) == []


def test_unknown_code_leaves_item_blank_until_staff_pick_and_the_pick_is_remembered(store, livestream_id):
    feed(store, livestream_id, ("Lan", "Z9 2"), ("Mai", "chốt z-09 M"))
    lan = _only(store, livestream_id, "Lan")
    assert lan.lines[0].item_id is None and lan.lines[0].item_name is None and lan.has_blank_item
    k3 = next(i for i in livestreams.list_items(store, livestream_id) if i.code == "K3")
    line = lan.lines[0]
    picked = orders.save_draft(store, lan.id, actor="lan", expected_version=lan.version, edits=orders.OrderEdits(
        lines=(orders.LineEdit(id=line.id, code_typed=line.code_typed, item_id=k3.id, qty=2, unit_price=None),)))
    assert (picked.lines[0].item_code, picked.lines[0].unit_price) == ("K3", 30000)
    # Mai's open order with the same code (typed differently) is filled too.
    assert _only(store, livestream_id, "Mai").lines[0].item_code == "K3"
    # And the next comment with that code resolves by itself.
    feed(store, livestream_id, ("Huy", "Z9 3"), start=30)
    huy = _only(store, livestream_id, "Huy")
    assert (huy.lines[0].item_code, huy.lines[0].qty) == ("K3", 3)


def test_adding_the_missing_item_in_setup_fills_blank_lines(store, livestream_id):
    feed(store, livestream_id, ("Lan", "Q15 M"))
    items = livestreams.list_items(store, livestream_id)
    items.append(livestreams.LiveItem(id=None, code="Q15", name="Quần short", price=120000, sizes=("M", "L")))
    result = livestreams.save_items(store, livestream_id, items, actor="owner", by=SYSTEM_USER)
    assert result["blank_lines_filled"] == 1
    assert result["comments_reparsed"] == 1  # "Q15 M" now reads as the known item Q15
    line = _only(store, livestream_id, "Lan").lines[0]
    assert (line.item_name, line.unit_price) == ("Quần short", 120000)


def test_claims_beyond_stock_are_waitlisted_and_a_cancel_hands_stock_to_the_earliest(store, livestream_id):
    # SP12 has 5 in stock.
    feed(store, livestream_id, ("Lan", "SP12 3"), ("Mai", "SP12 2"), ("Huy", "SP12 1"), ("Vy", "SP12 1"))
    assert [l.waitlisted_qty for l in _only(store, livestream_id, "Huy").lines] == [1]
    vy = _only(store, livestream_id, "Vy")
    assert vy.lines[0].waitlisted_qty == 1
    assert any("waitlisted" in m for m in vy.missing_for_completion())
    mai = _only(store, livestream_id, "Mai")
    orders.cancel(store, mai.id, actor="lan")
    assert _only(store, livestream_id, "Huy").lines[0].waitlisted_qty == 0
    assert _only(store, livestream_id, "Vy").lines[0].waitlisted_qty == 0
    events = [e["action"] for e in orders.order_events(store, _only(store, livestream_id, "Huy").id)]
    assert "stock_assigned" in events


def test_stock_left_is_stock_minus_what_is_served_and_a_cancel_gives_it_back(store, livestream_id):
    # SP12 has 5 in stock, A1 20, K3 100; claims beyond the stock wait and take nothing.
    feed(store, livestream_id, ("Lan", "SP12 3"), ("Mai", "SP12 4"), ("Huy", "A1 M 2"))
    codes = {item.code: item.id for item in livestreams.list_items(store, livestream_id)}
    left = livestreams.stock_left(store, livestream_id)
    assert set(left) == set(codes.values())
    assert (left[codes["SP12"]], left[codes["A1"]], left[codes["K3"]]) == (0, 18, 100)
    orders.cancel(store, _only(store, livestream_id, "Lan").id, actor="lan")
    left = livestreams.stock_left(store, livestream_id)
    assert (left[codes["SP12"]], left[codes["A1"]]) == (1, 18)  # Mai's 4 are served now


def test_a_late_arriving_earlier_comment_is_served_by_its_comment_time(store, livestream_id):
    ingest_comments(store, livestream_id, [comment(10, "Mai", "SP12 5")], source="test")
    assert _only(store, livestream_id, "Mai").lines[0].waitlisted_qty == 0
    ingest_comments(store, livestream_id, [comment(5, "Lan", "SP12 1")], source="test")  # written first
    assert _only(store, livestream_id, "Lan").lines[0].waitlisted_qty == 0
    assert _only(store, livestream_id, "Mai").lines[0].waitlisted_qty == 1


def test_reingesting_a_file_adds_nothing_and_bad_lines_are_counted(store, livestream_id, tmp_path):
    lines = [
        json.dumps({"id": "f1", "user_id": "u1", "user_name": "Lan", "message": "A1 M 2",
                    "created_at": "2026-11-20T20:00:01+07:00"}, ensure_ascii=False),
        json.dumps({"id": "f2", "from": {"id": "u2", "name": "Mai"}, "message": "K3 2",
                    "created_time": "2026-11-20T13:00:02+0000"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "f3", "user_id": "u3", "user_name": "Huy", "message": "A2 L"}),  # no time
        json.dumps({"id": "f4", "user_id": "u1", "user_name": "Lan", "message": "0912345678",
                    "created_at": "2026-11-20T20:00:09+07:00"}),
    ]
    text = "\n".join(lines) + "\n"
    first = ingest_text(store, livestream_id, text, filename="c.jsonl").to_json()
    assert (first["comments"], first["new"], first["bad_lines"], first["orders_created"]) == (5, 3, 2, 2)
    assert [e["line"] for e in first["errors"]] == [3, 4]
    assert first["kinds"]["order"] == 2 and first["kinds"]["contact"] == 1
    again = ingest_text(store, livestream_id, text, filename="c.jsonl").to_json()
    assert (again["new"], again["duplicates"], again["orders_created"], again["orders_updated"]) == (0, 3, 0, 0)
    assert store.scalar("SELECT count(*) FROM comments") == 3
    assert store.scalar("SELECT count(*) FROM order_lines") == 2


def test_csv_comment_files_use_the_flat_form(store, livestream_id):
    text = ("id,user_id,user_name,message,created_at\n"
            "k1,u1,Lan,\"A1 M, K3 2\",2026-11-20T20:00:01+07:00\n"
            "k2,u2,Mai,hello shop,2026-11-20T20:00:02+07:00\n")
    summary = ingest_text(store, livestream_id, text, filename="c.csv").to_json()
    assert (summary["new"], summary["orders_created"]) == (2, 1)
    assert _lines(_only(store, livestream_id, "Lan")) == [("A1", "M", None, 1), ("K3", None, None, 2)]


def test_new_customers_are_shared_between_staff_in_turn(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1"), ("Mai", "A2"), ("Huy", "K3"), ("Vy", "B5 30"))
    staff_names = [o.staff_name for o in _orders(store, livestream_id)]
    assert sorted(staff_names) == sorted(["Nguyễn Thị Lan", "Đỗ Thu Hằng"] * 2)


def test_changing_items_rereads_stored_comments_but_keeps_lines_staff_edited(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A2 XS"), ("Mai", "Z7 2"), ("Huy", "Z7 1"))
    assert store.scalar("SELECT kind FROM comments WHERE message = 'A2 XS'") == "review"  # A2 has no XS
    huy = _only(store, livestream_id, "Huy")
    line = huy.lines[0]
    # Staff edit Huy's blank line by hand (quantity), leaving the item blank.
    orders.save_draft(store, huy.id, actor="lan", expected_version=huy.version, edits=orders.OrderEdits(
        lines=(orders.LineEdit(id=line.id, code_typed="Z7", item_id=None, qty=3),)))
    items = livestreams.list_items(store, livestream_id)
    items = [livestreams.LiveItem(**{**i.__dict__, "sizes": ("XS",) + i.sizes}) if i.code == "A2" else i
             for i in items]
    items.append(livestreams.LiveItem(id=None, code="Z7", name="Khăn lụa", price=90000))
    result = livestreams.save_items(store, livestream_id, items, actor="owner", by=SYSTEM_USER)
    assert store.scalar("SELECT kind FROM comments WHERE message = 'A2 XS'") == "order"
    assert result["comments_reparsed"] == 3
    assert _only(store, livestream_id, "Mai").lines[0].item_name == "Khăn lụa"
    assert _only(store, livestream_id, "Huy").lines[0].item_id is None  # edited by hand: left to staff


def test_a_review_comment_corrected_by_staff_becomes_order_lines(store, livestream_id):
    from core.base.errors import InvalidInput
    from core.services.comments import explain_comment, order_from_corrected_comment

    feed(store, livestream_id, ("Lan", "A1 đẹp quá"))
    comment_id = store.scalar("SELECT id FROM comments WHERE message = 'A1 đẹp quá'")
    assert any("đẹp quá" in reason for reason in explain_comment(store, livestream_id, "A1 đẹp quá").reasons)
    import pytest

    with pytest.raises(InvalidInput, match="not an order"):
        order_from_corrected_comment(store, comment_id, "A1 còn không shop?", actor="lan")
    assert _orders(store, livestream_id) == []
    made = order_from_corrected_comment(store, comment_id, "A1 M 2", actor="lan")
    assert made["created"]
    assert _lines(_only(store, livestream_id, "Lan")) == [("A1", "M", None, 2)]
    assert store.scalar("SELECT effect FROM comments WHERE id = ?", [comment_id]) == "created"
    with pytest.raises(InvalidInput, match="already made order lines"):
        order_from_corrected_comment(store, comment_id, "A1 M 2", actor="lan")


def test_waitlisted_lines_know_their_place_in_the_queue(store, livestream_id):
    feed(store, livestream_id, ("Lan", "SP12 5"), ("Mai", "SP12 1"), ("Huy", "SP12 2"))
    mai, huy = _only(store, livestream_id, "Mai"), _only(store, livestream_id, "Huy")
    places = orders.waitlist_places(store, [mai.lines[0].id, huy.lines[0].id])
    assert places == {mai.lines[0].id: 1, huy.lines[0].id: 2}


def test_readings_stored_with_spaces_are_not_read_differently(store, livestream_id):
    """Readings stored before they were compact JSON say the same thing: saving the items reads none of them
    differently, only the one the new item changes."""
    feed(store, livestream_id, ("Lan", "A1 M 1"), ("Mai", "Q15 M"))
    with store.transaction() as cur:
        for comment_id, reading in cur.execute("SELECT id, parse_result FROM comments").fetchall():
            cur.execute("UPDATE comments SET parse_result = ? WHERE id = ?",
                        [json.dumps(json.loads(reading), ensure_ascii=False), comment_id])
    assert store.scalar("SELECT count(*) FROM comments WHERE parse_result LIKE '%\": %'") == 2
    items = livestreams.list_items(store, livestream_id)
    items.append(livestreams.LiveItem(id=None, code="Q15", name="Quần short", price=120000, sizes=("M", "L")))
    result = livestreams.save_items(store, livestream_id, items, actor="owner", by=SYSTEM_USER)
    assert result["comments_reparsed"] == 1
