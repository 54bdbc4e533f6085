"""What the ingest process keeps in memory between batches (customers, order keys, drawn ids) never changes the
outcome: a batch after someone else wrote the file gives the same orders as a fresh process would."""

import pytest

from core.base.formatting import utc_now
from core.db.store import Store
from core.records import orders as order_records
from core.records import stock
from core.services import comments as ingest
from core.services import livestreams
from tests.conftest import PUBLIC_ITEMS_CSV
from tests.integration.helpers import comment, feed


def _orders_of(store, livestream_id):
    """Each order as (customer, its lines as code × qty, status, waitlisted units)."""
    rows = store.query(
        "SELECT cu.display_name AS customer, o.status, string_agg(l.code_typed || '×' || l.qty, ' ' "
        "ORDER BY l.claimed_at, l.code_typed) AS lines, coalesce(sum(l.waitlisted_qty), 0) AS waiting "
        "FROM orders o JOIN customers cu ON cu.id = o.customer_id LEFT JOIN order_lines l ON l.order_id = o.id "
        "WHERE o.livestream_id = ? GROUP BY ALL", [livestream_id])
    return {(r["customer"], r["lines"], r["status"], r["waiting"]) for r in rows}


def test_a_customer_added_behind_the_memorys_back_is_found_and_the_batch_goes_in(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M 1"))
    # Another writer (an older version, a script) adds a customer this process has never seen.
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (platform, platform_user_id, display_name, created_at) "
                    "SELECT platform, 'u-Mai', 'Mai', ? FROM livestreams WHERE id = ?", [utc_now(), livestream_id])
    summary = feed(store, livestream_id, ("Mai", "A1 M 2"), ("Lan", "B2 1"), start=2)
    assert summary.new == 2 and summary.kinds["order"] == 2 and summary.orders_created == 1
    assert store.scalar("SELECT count(*) FROM customers WHERE platform_user_id = 'u-Mai'") == 1
    assert {(customer, lines) for customer, lines, _, _ in _orders_of(store, livestream_id)} == {
        ("Lan", "A1×1 B2×1"), ("Mai", "A1×2")}


def test_memory_forgotten_between_batches_gives_the_same_orders(store, livestream_id, tmp_path):
    messages = [("Lan", "A1 M 1"), ("Mai", "A1 M 1"), ("Lan", "A1 M 1"), ("Lan", "hủy"), ("Mai", "0912345678"),
                ("Lan", "B2 2"), ("Hoa", "A1 L 1"), ("Mai", "thêm A1 M 1")]
    for index, message in enumerate(messages, start=1):
        feed(store, livestream_id, message, start=index)
        if index % 2:
            ingest.forget_process_memory(store)
    remembered = _orders_of(store, livestream_id)
    assert len(remembered) == 4  # Lan cancelled her first order and made a second

    fresh = Store(str(tmp_path / "fresh.duckdb"))
    fresh_id = livestreams.create_livestream(fresh, "again", platform="facebook",
                                             items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV))
    ingest.ingest_comments(fresh, fresh_id, [comment(i, user, text) for i, (user, text) in
                                             enumerate(messages, start=1)], source="test")
    assert _orders_of(fresh, fresh_id) == remembered
    fresh.close()


def test_claims_served_at_the_end_of_the_queue_match_a_full_recount(tmp_path):
    """Small batches of a busy live, with cancels, late comments and a blacklisted customer's held orders: after
    every batch, recounting every item's whole queue (orders.rebalance_stock) changes nothing."""
    import random

    from bench.comment_generator import catalog_csv, generate
    from core.domain.users import SYSTEM_USER
    from core.integrations.comment_files import comment_from_record
    from core.services import customers
    from core.services.comments import ingest_comments

    shop = Store(str(tmp_path / "queue.duckdb"))
    live = livestreams.create_livestream(shop, "queue", platform="facebook",
                                         items=livestreams.items_from_csv(catalog_csv()))
    # Little stock, so that queues form early.
    with shop.transaction() as cur:
        cur.execute("UPDATE live_items SET stock = 3 WHERE stock IS NOT NULL")
    comments = [comment_from_record(c) for c in generate(3000, customers=150, seed=5, live_video_id="q")]
    rng = random.Random(3)
    batches = [comments[i:i + 37] for i in range(0, len(comments), 37)]
    for index in range(0, len(batches) - 1, 9):  # some comments arrive a batch late
        late = batches[index][:5]
        batches[index], batches[index + 1] = batches[index][5:], late + batches[index + 1]
    item_ids = [item.id for item in livestreams.list_items(shop, live)]
    for number, batch in enumerate(batches):
        rng.shuffle(batch)
        ingest_comments(shop, live, batch, source="test")
        if number == 5:  # customers who have not ordered yet: their orders will be held, queued last
            for row in shop.query("SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM orders) "
                                  "ORDER BY id LIMIT 15"):
                customers.set_blacklisted(shop, row["id"], "bom hàng", by=SYSTEM_USER)
        before = shop.scalar("SELECT count(*) FROM order_events")
        with shop.transaction() as cur:
            stock.rebalance_stock(cur, item_ids, actor="recount")
        assert shop.scalar("SELECT count(*) FROM order_events") == before, f"batch {number} left a queue wrong"
    assert shop.scalar("SELECT count(*) FROM order_lines WHERE waitlisted_qty > 0") > 50
    assert shop.scalar("SELECT count(*) FROM orders WHERE hold_reason IS NOT NULL") > 0
    shop.close()


def test_a_comment_already_stored_under_another_livestream_is_a_repeat_not_an_error(store, livestream_id):
    other = livestreams.create_livestream(store, "Other", platform="facebook",
                                          items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV))
    feed(store, livestream_id, ("Lan", "A1 M 1"), ("Mai", "B2 1"))
    feed(store, other, ("Hoa", "A1 M 1"), start=10)  # this livestream's stored ids are now in memory
    summary = ingest.ingest_comments(store, other, [comment(1, "Lan", "A1 M 1"), comment(11, "Hoa", "B2 1")],
                                     source="test")
    assert (summary.new, summary.duplicates) == (1, 1)
    assert store.scalar("SELECT count(*) FROM comments") == 4
    again = ingest.ingest_comments(store, other, [comment(11, "Hoa", "B2 1")], source="test")
    assert (again.new, again.duplicates) == (0, 1)


def test_an_order_staff_made_between_batches_does_not_take_a_number_twice(store, livestream_id):
    from core.domain.users import SYSTEM_USER

    feed(store, livestream_id, ("Lan", "A1 M 1"))
    customer = store.scalar("SELECT id FROM customers WHERE display_name = 'Lan'")
    with store.transaction() as cur:  # as Fix does, beside the comment pipeline
        order_records.create_draft(cur, livestream_id=livestream_id, customer_id=customer, first_comment_at=utc_now(),
                            actor=SYSTEM_USER.username)
    feed(store, livestream_id, ("Mai", "B2 1"), start=2)
    codes = [row["code"] for row in store.query("SELECT code FROM orders ORDER BY number")]
    assert len(codes) == len(set(codes)) == 3


def test_reading_ahead_for_a_live_keeps_what_the_file_says(store, livestream_id):
    """A live source reads customers and order keys ahead (ingest.prepare); what it read must be the file's: a
    repeated order comment after a restart still counts once, a known customer is not added again."""
    feed(store, livestream_id, ("Lan", "A1 M 1"))
    ingest.forget_process_memory(store)  # as after a restart of the app
    ingest.prepare(store, livestream_id)
    summary = feed(store, livestream_id, ("Lan", "A1 M 1"), ("Lan", "B2 1"), start=2)
    assert summary.kinds["order"] == 2 and summary.orders_created == 0
    effects = [row["effect"] for row in store.query("SELECT effect FROM comments ORDER BY id")]
    assert effects == ["created", "repeat", "added"]
    assert store.scalar("SELECT count(*) FROM customers") == 1


def test_a_file_pauses_the_cycle_collector_only_while_it_goes_in(store, livestream_id, monkeypatch):
    import gc

    seen = []
    real_batch = ingest._ingest_batch
    monkeypatch.setattr(ingest, "_ingest_batch", lambda *args: (seen.append(gc.isenabled()), real_batch(*args)))
    ingest.ingest_text(store, livestream_id, '{"id": "f1", "from": {"id": "u1", "name": "Lan"}, "message": "A1 M 1", '
                                             '"created_time": "2026-11-20T13:00:00+0000"}\n')
    assert seen == [False] and gc.isenabled()

    def broken(*args):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(ingest, "_ingest_batch", broken)
    with pytest.raises(RuntimeError):
        ingest.ingest_text(store, livestream_id, '{"id": "f2", "from": {"id": "u1", "name": "Lan"}, '
                                                 '"message": "B2 1", "created_time": "2026-11-20T13:00:01+0000"}\n')
    assert gc.isenabled()


def test_stored_ids_are_kept_for_a_few_livestreams_only(store, livestream_id):
    lives = [livestream_id] + [livestreams.create_livestream(store, f"Live {n}", platform="facebook",
                                                             items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV))
                               for n in range(4)]
    for index, live in enumerate(lives):
        feed(store, live, ("Lan", "A1 M 1"), start=100 * index)
    kept = ingest.memory_of(store).stored_livestreams()
    assert kept == lives[-ingest._STORED_IDS_KEPT:]
    again = feed(store, lives[0], ("Lan", "A1 M 1"), start=0)  # forgotten: read from the file again
    assert (again.new, again.duplicates) == (0, 1)


def test_a_file_goes_in_a_small_batch_first_then_the_largest(store, livestream_id, monkeypatch):
    """The progress bar moves after the first small batch; the rest go in batches of the largest size."""
    sizes, progress = [], []
    real_batch = ingest._ingest_batch
    monkeypatch.setattr(ingest, "_ingest_batch", lambda store, live, batch, *rest: (
        sizes.append(len(batch)), real_batch(store, live, batch, *rest)))
    monkeypatch.setattr(ingest, "_LARGEST_FILE_BATCH", 30)
    text = "".join(f'{{"id": "g{n}", "from": {{"id": "u{n % 7}", "name": "Khách {n % 7}"}}, "message": "A1 M 1", '
                   f'"created_time": "2026-11-20T13:00:{n % 60:02d}+0000"}}\n' for n in range(100))
    summary = ingest.ingest_lines(store, livestream_id, text.splitlines(keepends=True), filename="c.jsonl",
                                  batch_size=10, progress=progress.append)
    assert sizes == [10, 30, 30, 30] and summary.new == 100
    assert progress == [10, 40, 70, 100, 100]


def test_live_batches_pause_the_cycle_collector_too(store, livestream_id, monkeypatch):
    import gc

    seen = []
    real_batch = ingest._ingest_batch
    monkeypatch.setattr(ingest, "_ingest_batch", lambda *args: (seen.append(gc.isenabled()), real_batch(*args)))
    feed(store, livestream_id, ("Lan", "A1 M 1"))
    assert seen == [False] and gc.isenabled()


def test_what_a_text_means_is_remembered_per_catalog_not_per_livestream_number(tmp_path):
    """Two shops, each with livestream 1 at catalog version 1, with different items: the same comment is read
    against each shop's own items (the parse cache once took the first shop's reading for both)."""
    shops, lines = [], []
    for name, code in (("first", "A1"), ("second", "A2")):
        shop = Store(str(tmp_path / f"{name}.duckdb"))
        live = livestreams.create_livestream(shop, name, platform="facebook", items=[
            livestreams.LiveItem(id=None, code=code, name="Áo", price=100_000, stock=5)])
        assert live == 1
        feed(shop, live, ("Lan", "A1 2"))
        lines.append(shop.query("SELECT l.code_typed, l.item_id IS NOT NULL AS item, "
                                "json_extract(c.parse_result, '$.lines[0].known')::BOOLEAN AS known "
                                "FROM order_lines l JOIN comments c ON c.id = l.source_comment_id"))
        shops.append(shop)
    assert lines == [[{"code_typed": "A1", "item": True, "known": True}],
                     [{"code_typed": "A1", "item": False, "known": False}]]
    for shop in shops:
        shop.close()


@pytest.mark.parametrize("as_file", [False, True])
def test_comments_of_one_batch_are_served_by_comment_time_not_arrival(tmp_path, as_file):
    """Lan's comment arrives first but Mai wrote hers earlier: within one batch, Mai gets the last piece and Lan
    waits, live or from a file."""
    import json

    shop = Store(str(tmp_path / "shop.duckdb"))
    live = livestreams.create_livestream(shop, "one left", platform="facebook", items=[
        livestreams.LiveItem(id=None, code="A1", name="Áo", price=100_000, stock=1)])
    arrivals = [comment(1, "Lan", "A1 1", seconds=50), comment(2, "Mai", "A1 1", seconds=20),
                comment(3, "Hoa", "hello", seconds=30)]
    if as_file:
        text = "".join(json.dumps({"id": c.comment_id, "from": {"id": c.user_id, "name": c.user_name},
                                   "message": c.message,
                                   "created_time": c.commented_at.strftime("%Y-%m-%dT%H:%M:%S+0000")}) + "\n"
                       for c in arrivals)
        ingest.ingest_text(shop, live, text, filename="c.jsonl")
    else:
        ingest.ingest_comments(shop, live, arrivals, source="test")
    served = shop.query("SELECT cu.display_name AS who, o.code, l.waitlisted_qty AS waiting FROM order_lines l "
                        "JOIN orders o ON o.id = l.order_id JOIN customers cu ON cu.id = o.customer_id ORDER BY o.code")
    assert [(row["who"], row["waiting"]) for row in served] == [("Mai", 0), ("Lan", 1)]
    assert shop.query("SELECT platform_comment_id FROM comments ORDER BY id") == [
        {"platform_comment_id": "c2"}, {"platform_comment_id": "c3"}, {"platform_comment_id": "c1"}]
    shop.close()


def test_a_customer_takes_the_name_of_their_latest_comment(store, livestream_id):
    """A viewer who renames themselves mid-live: within a batch and in a later one, the customer carries the name
    of their latest comment (a hidden name never replaces a real one)."""
    from core.integrations.comment_files import HIDDEN_NAME, IncomingComment

    def said(n, name, seconds):
        return IncomingComment(f"r{n}", "u-7", name, "A1 M 1" if n == 1 else "đẹp quá",
                               comment(n, "x", "").commented_at.replace(second=seconds))

    ingest.ingest_comments(store, livestream_id, [said(1, "Lan", 1), said(2, "Lan Nguyễn", 3),
                                                  said(3, "Lan N.", 2)], source="test")
    assert store.scalar("SELECT display_name FROM customers WHERE platform_user_id = 'u-7'") == "Lan Nguyễn"
    ingest.ingest_comments(store, livestream_id, [said(4, HIDDEN_NAME, 4)], source="test")
    ingest.ingest_comments(store, livestream_id, [said(5, "Lan Trần", 5)], source="test")
    assert store.scalar("SELECT display_name FROM customers WHERE platform_user_id = 'u-7'") == "Lan Trần"
    assert store.scalar("SELECT count(*) FROM customers WHERE platform_user_id = 'u-7'") == 1
