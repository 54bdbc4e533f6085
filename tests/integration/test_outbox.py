"""The outbox: pushes commit with their action, wait while a target is down, go in order, and a few hundred orders
through random faults reach MShopKeeper and the webhook receiver exactly once each."""

import random
import time

import pytest

from core.base.errors import ConcurrentChange, IncompleteOrder
from core.runtime import deliveries
from core.services import orders, outbox
from tests.integration import fake_servers as faults
from tests.integration.push_fixtures import (  # noqa: F401
    FAST,
    act,
    deliver_until_settled,
    make_orders,
    mshop,
    no_integrations,
    pushes,
    receiver,
    shop,
)


def test_a_refused_action_writes_no_push(store, shop, mshop, receiver):
    [order_id] = make_orders(store, shop, 1)
    with pytest.raises(IncompleteOrder):
        orders.send_to_shop(store, order_id, actor="lan")  # no address yet
    stale = orders.get_order(store, order_id)
    act(store, order_id, "save", n=1)
    with pytest.raises(ConcurrentChange):
        orders.create_order(store, order_id, actor="hang", expected_version=stale.version)
    assert pushes(store) == []


def test_a_target_that_is_down_leaves_the_shop_working_and_its_pushes_waiting(store, shop, no_integrations,
                                                                             monkeypatch):
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_DOMAIN", "shop.mshopkeeper.vn")
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_SECRET", "s")
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_URL", "http://127.0.0.1:9/events")
    first, second = make_orders(store, shop, 2)
    assert act(store, first, "send_to_shop", n=1).status == orders.SENT_TO_SHOP
    assert act(store, second, "create_order", n=2).status == orders.AWAITING_SHIPMENT
    for _ in range(3):
        deliveries.deliver_due(store, policy=FAST)
        time.sleep(0.1)
    rows = pushes(store)
    assert [(r["target"], r["state"]) for r in rows] == [("mshopkeeper", "pending"), ("ocm_webhook", "pending")]
    assert all("connection was refused" in r["problem"] and r["tries"] >= 2 for r in rows)
    assert not rows[0]["in_doubt"]  # the request never left: no lookup needed
    act(store, second, "ship", n=2)  # the shop goes on while the webhook is down
    assert orders.get_order(store, second).status == orders.SHIPPED


def test_the_events_of_one_order_go_in_the_order_they_happened(store, shop, receiver):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    receiver.queue_faults("event", faults.HTTP_500)
    deliveries.deliver_due(store, policy=FAST)  # the first event waits for its back-off
    act(store, order_id, "ship", shipment=orders.Shipment(carrier="GHTK"))
    with store.transaction() as cur:  # the shipped event is due now, the first one not yet
        cur.execute("UPDATE outbox SET next_try_at = now() + INTERVAL 1 HOUR WHERE action = ?",
                    ["order.entered_shipping_book"])
    report = deliveries.deliver_due(store, policy=FAST)
    assert report.tried == 0 and receiver.processed == {}
    with store.transaction() as cur:
        cur.execute("UPDATE outbox SET next_try_at = created_at")
    deliver_until_settled(store)
    assert [e["event"] for e in receiver.processed.values()] == ["order.entered_shipping_book", "order.shipped"]


def test_each_exchange_is_recorded_with_status_duration_and_a_truncated_answer(store, shop, receiver):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    receiver.queue_faults("event", faults.HTTP_500, faults.DONE_THEN_HANG, faults.HTTP_502_LONG)
    deliver_until_settled(store)
    [push] = pushes(store)
    attempts = outbox.attempts_of(store, push["id"])
    assert [a["status_code"] for a in attempts] == [500, None, 502, 200]
    assert all(a["duration_ms"] is not None and a["request"] == "POST order.entered_shipping_book" for a in attempts)
    assert attempts[0]["answer"] == '{"Message": "An error has occurred."}'
    assert attempts[0]["outcome"].startswith("in doubt, try again in ")  # a 500 may come after the work
    assert attempts[1]["answer"].startswith("no answer: no answer within the time limit")
    assert attempts[1]["outcome"].startswith("in doubt, try again in ")
    assert len(attempts[2]["answer"]) == FAST.answer_chars and attempts[2]["answer"].startswith('{"Message": "Bad')
    assert len(push["last_answer"]) <= FAST.answer_chars
    assert attempts[3]["outcome"] == "delivered" and push["tries"] == 4


def test_the_worker_starts_once_per_process_and_database_and_delivers_in_the_background(store, shop, receiver):
    worker = deliveries.start_worker(store, FAST)
    try:
        assert deliveries.start_worker(store) is worker and deliveries.worker_for(store) is worker and worker.running
        [order_id] = make_orders(store, shop, 1)
        act(store, order_id, "create_order")
        deadline = time.monotonic() + 10
        while not receiver.processed and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(receiver.processed) == 1
    finally:
        deliveries.stop_worker(store)
    assert not worker.running


def test_a_few_hundred_orders_through_random_faults_reach_each_system_exactly_once(store, shop, mshop, receiver):
    mshop.hang_seconds = receiver.hang_seconds = 0.5  # past the client's 0.3 s read timeout
    mshop.random_faults(seed=5, rates={
        "login": {faults.HTTP_500: 0.05, faults.DROP: 0.03},
        "create": {faults.SAME_REQUEST_RUNNING: 0.06, faults.HTTP_500: 0.05, faults.UNAUTHORIZED: 0.05,
                   faults.HTTP_429: 0.03, faults.DONE_THEN_HANG: 0.04, faults.DONE_THEN_DROP: 0.04, faults.DROP: 0.03},
        "lookup": {faults.HTTP_500: 0.08, faults.DROP: 0.03, faults.UNAUTHORIZED: 0.03},
    })
    receiver.random_faults(seed=6, rates={"event": {
        faults.HTTP_500: 0.05, faults.HTTP_503: 0.03, faults.HTTP_429: 0.03, faults.HTTP_408: 0.03,
        faults.DONE_THEN_HANG: 0.04, faults.DONE_THEN_DROP: 0.04, faults.DROP: 0.03}})
    rng = random.Random(20261120)
    ids = make_orders(store, shop, 190) + make_orders(store, shop, 10, message="Z9 1", first=191)
    unknown_at_misa = set(ids[190:])
    entered, shipped, left, updated = ("order.entered_shipping_book", "order.shipped", "order.left_shipping_book",
                                       "order.updated_in_shipping_book")
    plans = {  # name: (weight, steps, final status, webhook events)
        "send_to_shop": (30, ["send_to_shop"], orders.SENT_TO_SHOP, []),
        "book_then_ship": (20, ["create_order", "ship"], orders.SHIPPED, [entered, shipped]),
        "book_then_cancel": (8, ["create_order", "cancel"], orders.CANCELLED, [entered, left]),
        "book_then_back": (8, ["save_to_shipping_book", "save"], orders.AWAITING_CONFIRMATION, [entered, left]),
        "book_then_shop": (6, ["create_order", "send_to_shop"], orders.SENT_TO_SHOP, [entered, left]),
        "book_change_ship": (6, ["create_order", "create_order", "ship"], orders.SHIPPED, [entered, updated, shipped]),
        "ship_at_once": (10, ["ship"], orders.SHIPPED, [shipped]),
        "book_only": (6, ["create_order"], orders.AWAITING_SHIPMENT, [entered]),
        "shop_then_cancel": (6, ["send_to_shop", "cancel"], orders.CANCELLED, []),
    }
    names = list(plans)
    weights = [plans[name][0] for name in names]
    planned: dict[int, tuple[str, bool]] = {}
    started = time.monotonic()
    deliveries.start_worker(store, FAST)  # delivering while the shop works, as in the app
    try:
        for n, order_id in enumerate(ids, start=1):
            plan = rng.choices(names, weights)[0]
            refused_by_receiver = plans[plan][3] != [] and rng.random() < 0.04
            planned[order_id] = (plan, refused_by_receiver)
            for step in plans[plan][1]:
                act(store, order_id, step, n=n, note="từ chối" if refused_by_receiver else None,
                    **({"shipment": orders.Shipment(carrier="GHN")} if step == "ship" else {}))
        acted = time.monotonic()
        deadline = time.monotonic() + 90
        while store.scalar("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"):
            assert time.monotonic() < deadline, pushes(store, state="pending")[:3]
            time.sleep(0.05)
        settled = time.monotonic()
    finally:
        deliveries.stop_worker(store)

    rows = pushes(store)
    states = {state: sum(1 for r in rows if r["state"] == state) for state in outbox.STATES}
    print(f"\n{len(ids)} orders, {len(rows)} pushes: {states}; actions {acted - started:.1f} s, all settled after "
          f"{settled - started:.1f} s; {store.scalar('SELECT count(*) FROM outbox_attempts')} exchanges; "
          f"faults at MShopKeeper {sum(mshop.faults_served.values())}, at the receiver "
          f"{sum(receiver.faults_served.values())}")
    assert mshop.faults_served and receiver.faults_served
    assert states[outbox.DEAD] == 0
    for row in rows:
        assert row["state"] in (outbox.DELIVERED, outbox.FAILED, outbox.WITHDRAWN), row
        if row["state"] != outbox.DELIVERED:
            assert row["problem"], row

    # Nothing the shop did was undone.
    for order_id, (plan, _refused) in planned.items():
        assert orders.get_order(store, order_id).status == plans[plan][2]

    # MShopKeeper: every order sent to the shop exactly once; refused ones visibly failed; cancelled ones at most once.
    codes = {order_id: orders.get_order(store, order_id).code for order_id in ids}
    assert mshop.duplicate_creates == []
    for order_id, (plan, _refused) in planned.items():
        code = codes[order_id]
        mine = [r for r in rows if r["order_id"] == order_id and r["target"] == outbox.MSHOPKEEPER]
        if "send_to_shop" not in plans[plan][1]:
            assert mine == [] and code not in mshop.orders
        elif plan == "shop_then_cancel":  # cancelled before or after its push went out
            assert [r["state"] for r in mine] in ([outbox.WITHDRAWN], [outbox.DELIVERED], [outbox.FAILED]), mine
            assert (code in mshop.orders) == (mine[0]["state"] == outbox.DELIVERED)
        elif order_id in unknown_at_misa:
            assert [r["state"] for r in mine] == [outbox.FAILED] and code not in mshop.orders
            assert "KHONG-TON-TAI không tồn tại" in mine[0]["problem"]
        else:
            assert [r["state"] for r in mine] == [outbox.DELIVERED], mine
            assert mshop.orders[code]["OrderNo"] == code and mine[0]["remote_ref"] == mshop.orders[code]["OrderId"]

    # The receiver: each event of each order processed once, in order; refused orders visibly failed.
    for order_id, (plan, refused) in planned.items():
        mine = [r for r in rows if r["order_id"] == order_id and r["target"] == outbox.OCM_WEBHOOK]
        assert [r["action"] for r in mine] == plans[plan][3]
        if refused:
            assert all(r["state"] == outbox.FAILED and "HTTP 422" in r["problem"] for r in mine)
            assert not any(r["idempotency_key"] in receiver.processed for r in mine)
        else:
            assert all(r["state"] == outbox.DELIVERED for r in mine), mine
            assert [receiver.processed[r["idempotency_key"]]["event"] for r in mine] == plans[plan][3]
    delivered_keys = {r["idempotency_key"] for r in rows if r["target"] == outbox.OCM_WEBHOOK
                      and r["state"] == outbox.DELIVERED}
    assert set(receiver.processed) == delivered_keys
    assert receiver.bad_signatures == 0
