"""Every staff action, its guard, its event, and the version check, on a real DuckDB file."""

import threading

import pytest

from core.base.errors import ActionNotAllowed, ConcurrentChange, IncompleteOrder, InvalidInput, NotFound
from core.db.store import Store
from core.services import orders
from tests.integration.helpers import feed

COMPLETE = orders.OrderEdits(receiver_name="Nguyễn Lan", receiver_phone="0912 345 678",
                             receiver_address="12 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội")


def _order_of(store, livestream_id, customer):
    frame = orders.list_orders(store, livestream_id, statuses=orders.STATUSES)
    row = frame[frame["customer"] == customer].iloc[0]
    return orders.get_order(store, int(row["order_id"]))


def _events(store, order_id):
    return [e["action"] for e in orders.order_events(store, order_id)]


@pytest.fixture
def draft(store, livestream_id):
    feed(store, livestream_id, ("Lan", "chốt A1 M 2"))
    return _order_of(store, livestream_id, "Lan")


def test_migrations_are_recorded_and_applied_once(tmp_path):
    path = str(tmp_path / "m.duckdb")
    from core.db.schema import MIGRATIONS

    first = Store(path)
    versions = [row["version"] for row in first.query("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [number for number, _, _ in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    first.close()
    again = Store(path)
    assert again.migrate() == []
    assert again.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)
    again.close()


def test_order_comment_makes_a_draft_with_the_item_price_and_the_customer_as_receiver(store, livestream_id, draft):
    assert draft.status == orders.DRAFT
    assert draft.code == f"L{livestream_id}-001"
    assert [(l.item_code, l.size, l.qty, l.unit_price) for l in draft.lines] == [("A1", "M", 2, 150000)]
    assert draft.receiver_name == "Lan"
    assert draft.total == 300000
    assert draft.staff_name in ("Nguyễn Thị Lan", "Đỗ Thu Hằng")


@pytest.mark.parametrize("action, status", [
    ("ship", orders.SHIPPED), ("send_to_shop", orders.SENT_TO_SHOP),
    ("create_order", orders.AWAITING_SHIPMENT), ("save_to_shipping_book", orders.AWAITING_SHIPMENT),
])
def test_completing_actions_refuse_an_incomplete_order_and_change_nothing(store, draft, action, status):
    with pytest.raises(IncompleteOrder) as refused:
        orders.perform_action(store, action, draft.id, actor="lan", expected_version=draft.version)
    assert "receiver phone" in refused.value.missing
    assert "receiver address" in refused.value.missing
    after = orders.get_order(store, draft.id)
    assert (after.status, after.version) == (orders.DRAFT, draft.version)
    assert action not in _events(store, draft.id)

    done = orders.perform_action(store, action, draft.id, actor="lan", expected_version=draft.version, edits=COMPLETE)
    assert done.status == status
    assert done.receiver_phone == "0912345678"
    assert _events(store, draft.id)[-1] == action
    event = orders.order_events(store, draft.id)[-1]
    assert (event["actor"], event["from_status"], event["to_status"]) == ("lan", orders.DRAFT, status)


@pytest.mark.parametrize("action, status", [
    ("save_draft", orders.DRAFT), ("save", orders.AWAITING_CONFIRMATION),
    ("cancel", orders.CANCELLED), ("delete", orders.CANCELLED),
])
def test_saving_and_cancelling_take_an_incomplete_order(store, draft, action, status):
    done = orders.perform_action(store, action, draft.id, actor="hang", expected_version=draft.version)
    assert done.status == status
    assert done.version == draft.version + 1
    assert _events(store, draft.id)[-1] == action


def test_a_shipped_order_cannot_be_cancelled_or_edited(store, draft):
    shipped = orders.ship(store, draft.id, actor="lan", expected_version=draft.version, edits=COMPLETE,
                          shipment=orders.Shipment(carrier="GHN", tracking_number="GHN123"))
    assert (shipped.carrier, shipped.tracking_number) == ("GHN", "GHN123")
    with pytest.raises(ActionNotAllowed):
        orders.cancel(store, draft.id, actor="lan")
    with pytest.raises(ActionNotAllowed):
        orders.save_draft(store, draft.id, actor="lan", edits=COMPLETE)


def test_negative_quantity_is_refused_and_nothing_changes(store, draft):
    line = draft.lines[0]
    bad = orders.OrderEdits(lines=(orders.LineEdit(id=line.id, code_typed="A1", item_id=line.item_id, qty=-1),),
                            receiver_address="somewhere")
    with pytest.raises(InvalidInput, match="quantity"):
        orders.save_draft(store, draft.id, actor="lan", expected_version=draft.version, edits=bad)
    after = orders.get_order(store, draft.id)
    assert after.lines[0].qty == 2 and after.receiver_address is None and after.version == draft.version


def test_invalid_phone_is_refused_with_its_text(store, draft):
    with pytest.raises(InvalidInput, match="0123"):
        orders.save_draft(store, draft.id, actor="lan", edits=orders.OrderEdits(receiver_phone="0123"))


def test_empty_receiver_name_on_ship_says_what_is_missing(store, draft):
    edits = orders.OrderEdits(receiver_name="  ", receiver_phone="0912345678", receiver_address="Hà Nội")
    with pytest.raises(IncompleteOrder) as refused:
        orders.ship(store, draft.id, actor="lan", edits=edits)
    assert refused.value.missing == ["receiver name"]
    assert orders.get_order(store, draft.id).receiver_phone is None  # the edits were rolled back too


def test_a_stale_version_is_refused_as_a_concurrent_change(store, draft):
    orders.save(store, draft.id, actor="lan", expected_version=draft.version)
    with pytest.raises(ConcurrentChange):
        orders.save_draft(store, draft.id, actor="hang", expected_version=draft.version, edits=COMPLETE)
    assert orders.get_order(store, draft.id).receiver_phone is None


def test_two_staff_saving_the_same_order_at_once_one_wins_the_other_is_told(store, draft):
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(who: str, address: str) -> None:
        barrier.wait()
        try:
            orders.save_draft(store, draft.id, actor=who, expected_version=draft.version,
                              edits=orders.OrderEdits(receiver_address=address))
            outcomes[who] = "saved"
        except ConcurrentChange:
            outcomes[who] = "conflict"

    threads = [threading.Thread(target=edit, args=("lan", "Địa chỉ của Lan")),
               threading.Thread(target=edit, args=("hang", "Địa chỉ của Hằng"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
    after = orders.get_order(store, draft.id)
    assert after.receiver_address == ("Địa chỉ của Lan" if winner == "lan" else "Địa chỉ của Hằng")
    assert after.version == draft.version + 1


def test_a_comment_after_the_form_opened_makes_the_save_a_conflict(store, livestream_id, draft):
    feed(store, livestream_id, ("Lan", "thêm K3 2"), start=50)
    with pytest.raises(ConcurrentChange):
        orders.save_draft(store, draft.id, actor="lan", expected_version=draft.version, edits=COMPLETE)


def test_unknown_order_code_is_not_found(store, livestream_id):
    with pytest.raises(NotFound):
        orders.get_order_by_code(store, "L9-999")


def test_shop_inbox_lists_sent_orders_until_handled(store, draft):
    sent = orders.send_to_shop(store, draft.id, actor="lan", edits=COMPLETE)
    assert [o.code for o in orders.list_shop_inbox(store)] == [sent.code]
    orders.mark_handled(store, draft.id, actor="thu-ngan", expected_version=sent.version)
    assert orders.list_shop_inbox(store) == []
    assert [o.code for o in orders.list_shop_inbox(store, include_handled=True)] == [sent.code]
    with pytest.raises(ActionNotAllowed):
        orders.mark_handled(store, draft.id, actor="thu-ngan")


def test_shipping_book_lists_orders_waiting_for_shipping(store, livestream_id, draft):
    orders.create_order(store, draft.id, actor="lan", edits=COMPLETE)
    book = orders.list_shipping_book(store)
    assert book["code"].tolist() == [draft.code]
    orders.ship(store, draft.id, actor="lan")
    assert orders.list_shipping_book(store).empty


def test_bulk_action_moves_complete_orders_and_reports_the_others(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M"), ("Mai", "K3 2"))
    lan = _order_of(store, livestream_id, "Lan")
    mai = _order_of(store, livestream_id, "Mai")
    orders.save_draft(store, lan.id, actor="lan", edits=COMPLETE)
    result = orders.perform_bulk(store, "create_order", [lan.id, mai.id], actor="lan")
    assert result.done == [lan.code]
    assert [code for code, _ in result.failed] == [mai.code]
    assert "receiver phone" in result.failed[0][1]
    assert orders.get_order(store, mai.id).status == orders.DRAFT


def test_list_orders_filters_by_status_staff_and_search(store, livestream_id):
    feed(store, livestream_id, ("Nguyễn Lan", "A1 M 0912345678"), ("Trần Mai", "K3 2"), ("Lê Huy", "A2 L"))
    frame = orders.list_orders(store, livestream_id)
    assert frame["customer"].tolist() == ["Nguyễn Lan", "Trần Mai", "Lê Huy"]  # by first comment time
    assert orders.list_orders(store, livestream_id, search="nguyen lan")["customer"].tolist() == ["Nguyễn Lan"]
    assert orders.list_orders(store, livestream_id, search="345678")["customer"].tolist() == ["Nguyễn Lan"]
    code = frame["code"].iloc[2]
    assert orders.list_orders(store, livestream_id, search=code.lower())["customer"].tolist() == ["Lê Huy"]
    staff_id = int(frame["staff_id"].iloc[0])
    by_staff = orders.list_orders(store, livestream_id, staff_ids=[staff_id])
    assert set(by_staff["staff_id"]) == {staff_id}
    orders.save(store, int(frame["order_id"].iloc[1]), actor="lan")
    waiting = orders.list_orders(store, livestream_id, statuses=[orders.AWAITING_CONFIRMATION])
    assert waiting["customer"].tolist() == ["Trần Mai"]
    assert bool(frame["missing_shipping"].iloc[0])  # no address yet
