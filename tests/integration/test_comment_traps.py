"""SYNTAX.md's traps (revision 2) through the services: ingest reads a cancel word typed bare by who wrote it,
re-reading keeps that, and Fix offers the joined reading of a spaced code and reads by the customer's name."""

import pytest

from core.base.errors import InvalidInput
from core.domain.users import SYSTEM_USER
from core.services import livestreams, orders
from core.services.comments import explain_comment, explain_comments, order_from_corrected_comment
from tests.integration.helpers import feed


def _only(store, livestream_id, customer):
    frame = orders.list_orders(store, livestream_id, statuses=orders.STATUSES)
    found = [order for order in (orders.get_order(store, int(i)) for i in frame["order_id"])
             if order.customer_name == customer]
    assert len(found) == 1, found
    return found[0]


def _lines(order):
    return [(line.item_code or line.code_typed, line.size, line.color, line.qty) for line in order.lines]


def _kind(store, comment_number: int) -> str:
    return store.scalar("SELECT kind FROM comments WHERE platform_comment_id = ?", [f"c{comment_number}"])


def test_a_bare_cancel_word_that_is_the_commenters_own_name_is_review_and_cancels_nothing(store, livestream_id):
    feed(store, livestream_id, ("Lê Huy", "A1 M"), ("Lan", "A1 M"), ("Lan", "K3 2"))
    # One batch, the same text from both: Huy's is his name, Lan's is a cancel of A1.
    feed(store, livestream_id, ("Lê Huy", "huy A1"), ("Lan", "huy A1"), ("Lê Huy", "Huy K3 2"), start=10)
    assert [_kind(store, n) for n in (10, 11, 12)] == ["review", "cancel", "review"]
    assert _lines(_only(store, livestream_id, "Lê Huy")) == [("A1", "M", None, 1)]
    assert _lines(_only(store, livestream_id, "Lan")) == [("K3", None, None, 2)]
    # Typed with its accents, hủy is a cancel whoever writes it.
    feed(store, livestream_id, ("Lê Huy", "hủy A1"), start=20)
    assert _kind(store, 20) == "cancel"


def test_re_reading_after_an_item_change_keeps_each_commenters_reading(store, livestream_id):
    feed(store, livestream_id, ("Lê Huy", "huy K3"), ("Lan", "huy K3"))
    items = livestreams.list_items(store, livestream_id)
    items.append(livestreams.LiveItem(id=None, code="Q15", name="Quần short", price=120000, sizes=("M", "L")))
    result = livestreams.save_items(store, livestream_id, items, actor="owner", by=SYSTEM_USER)
    assert result["comments_reparsed"] == 0
    assert [_kind(store, 1), _kind(store, 2)] == ["review", "cancel"]


def test_the_live_panel_explains_a_name_with_the_commenters_name(store, livestream_id):
    explained = explain_comments(store, livestream_id, ["huy A1 M", "huy A1 M"], ["Lê Huy", "Lan"])
    assert [result.kind for result in explained] == ["review", "cancel"]
    assert any("name" in reason for reason in explained[0].reasons)


def test_fix_offers_the_joined_code_of_a_spaced_code_and_makes_that_order(store, livestream_id):
    feed(store, livestream_id, ("Lan", "SP 12 đen"))
    assert _kind(store, 1) == "review"
    comment_id = store.scalar("SELECT id FROM comments WHERE platform_comment_id = 'c1'")
    read = explain_comment(store, livestream_id, "SP 12 đen", "Lan")
    assert read.suggestion == "SP12 đen"
    assert any("SP12" in reason for reason in read.reasons)
    made = order_from_corrected_comment(store, comment_id, read.suggestion, actor="lan")
    assert made["created"]
    assert _lines(_only(store, livestream_id, "Lan")) == [("SP12", None, "Đen", 1)]


def test_fix_reads_the_corrected_text_by_the_customers_name(store, livestream_id):
    feed(store, livestream_id, ("Lê Huy", "Huy K3 2"))
    comment_id = store.scalar("SELECT id FROM comments WHERE platform_comment_id = 'c1'")
    with pytest.raises(InvalidInput, match="not an order"):
        order_from_corrected_comment(store, comment_id, "Huy lấy K3 2", actor="lan")
    made = order_from_corrected_comment(store, comment_id, "K3 2", actor="lan")
    assert _lines(_only(store, livestream_id, "Lê Huy")) == [("K3", None, None, 2)] and made["created"]


def test_a_spaced_code_alone_never_cancels_a_whole_draft(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"), ("Lan", "bỏ SP 12"))
    assert _kind(store, 2) == "review"
    assert _lines(_only(store, livestream_id, "Lan")) == [("A1", "M", None, 1)]
