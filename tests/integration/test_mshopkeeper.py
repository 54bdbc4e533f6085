"""Send to shop against a test MShopKeeper on 127.0.0.1: login, tokens, order creation, and every fault that
could lose an order or make it twice."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.db.store import Store
from core.integrations import mshopkeeper
from core.runtime import deliveries
from core.services import orders, outbox
from tests.integration import fake_servers as faults
from tests.integration.push_fixtures import (  # noqa: F401
    FAST,
    act,
    deliver_until_settled,
    make_due_now,
    make_orders,
    mshop,
    no_integrations,
    pushes,
    receiver,
    shop,
)

ROOT = Path(__file__).resolve().parents[2]


def sent_to_shop(store, shop, count=1, **kwargs):
    ids = make_orders(store, shop, count, **kwargs)
    for n, order_id in enumerate(ids, start=1):
        act(store, order_id, "send_to_shop", n=n)
    return [orders.get_order(store, order_id) for order_id in ids]


def the_push(store, order):
    [push] = pushes(store, order_id=order.id, target=outbox.MSHOPKEEPER)
    return push


def test_login_is_signed_and_one_token_serves_later_calls(mshop):
    connection = mshopkeeper.connection_from_settings()
    with httpx.Client(timeout=2) as http:
        client = mshopkeeper.Client(connection, http)
        assert client.token().environment == "g9"
        assert [b["Name"] for b in client.branches()] == ["Chi nhánh Quận 1", "Kho Thủ Đức"]
        client.branches()
    assert (mshop.logins, mshop.refused_logins) == (1, 0)


def test_a_wrong_secret_is_refused_and_test_connection_says_what_misa_said(mshop, monkeypatch):
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_SECRET", "not-the-secret")
    check = mshopkeeper.check_connection()
    assert not check.ok
    assert "chữ ký" in check.message and "error type 4" in check.message
    assert mshop.refused_logins == 1


def test_test_connection_logs_in_and_lists_the_branches(mshop):
    check = mshopkeeper.check_connection()
    assert check.ok, check.message
    assert "Logged in to testshop.mshopkeeper.vn" in check.message and "environment g9" in check.message
    assert check.branches == [("b-1", "Chi nhánh Quận 1"), ("b-2", "Kho Thủ Đức")]


def test_test_connection_says_when_mshopkeeper_cannot_be_reached(mshop, monkeypatch):
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    check = mshopkeeper.check_connection(timeout=1)
    assert not check.ok and "Could not reach http://127.0.0.1:9" in check.message


def test_send_to_shop_creates_the_order_with_our_code_as_order_no(store, shop, mshop):
    [order] = sent_to_shop(store, shop, message="A1 M 2, K3 1")
    push = the_push(store, order)
    assert (push["state"], push["action"], push["idempotency_key"]) == ("pending", "create_order",
                                                                        f"mshopkeeper:{order.code}")
    deliver_until_settled(store)
    created = mshop.orders[order.code]
    assert created["OrderNo"] == order.code
    assert created["TotalAmount"] == order.total == 330000
    assert created["BranchId"] == "b-1"
    assert created["Customer"] == {"Name": "Khách Hàng 1", "Tel": "0912000001",
                                   "Address": "1 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"}
    assert created["OrderDelivery"] == {"Receiver": {"Name": "Nguyễn Thị Khách 1", "Tel": "0912000001",
                                                     "Address": "1 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"},
                                        "DeliveryAmount": 0}
    assert created["OrderDetails"] == [
        {"ProductCode": "AT-BASIC", "ProductName": "Áo thun basic (M)", "Quantity": 2, "SellingPrice": 150000,
         "Amount": 300000},
        {"ProductCode": "K3", "ProductName": "Kẹp tóc ngọc trai", "Quantity": 1, "SellingPrice": 30000,
         "Amount": 30000},
    ]
    push = the_push(store, order)
    assert push["state"] == "delivered" and push["remote_ref"] == created["OrderId"] and push["tries"] == 1
    assert [a["request"] for a in outbox.attempts_of(store, push["id"])] == ["login", "create the order"]


def test_without_mshopkeeper_settings_send_to_shop_goes_to_the_shop_inbox_only(store, shop, no_integrations):
    [order] = sent_to_shop(store, shop)
    assert order.status == orders.SENT_TO_SHOP
    assert pushes(store) == []
    assert [o.code for o in orders.list_shop_inbox(store)] == [order.code]


def test_the_body_is_frozen_when_staff_press_send_to_shop(store, shop, mshop, monkeypatch):
    [order] = sent_to_shop(store, shop)
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_BRANCH", "b-2")  # changed after the press: not this order's branch
    deliver_until_settled(store)
    assert mshop.orders[order.code]["BranchId"] == "b-1"


def test_a_token_that_expires_midway_is_renewed_and_the_order_goes_once(store, shop, mshop):
    first, second = sent_to_shop(store, shop, 2)
    deliveries.deliver_due(store, policy=FAST)
    assert set(mshop.orders) == {first.code, second.code}
    third, = sent_to_shop(store, shop, 1, first=3)
    mshop.expire_tokens()
    deliver_until_settled(store)
    assert mshop.logins == 2 and mshop.create_requests[third.code] == 2  # refused with 401, then created
    assert len(mshop.orders) == 3 and mshop.duplicate_creates == []
    assert the_push(store, third)["tries"] == 1  # the new login is part of the same try
    assert [a["request"] for a in outbox.attempts_of(store, the_push(store, third)["id"])] == [
        "create the order", "login", "create the order"]


def test_a_token_past_its_lifetime_is_renewed_before_it_is_refused(mshop, monkeypatch):
    monkeypatch.setattr(mshopkeeper, "TOKEN_LIFETIME_SECONDS", 0.2)
    mshop.token_seconds = 0.3  # MShopKeeper's own limit comes a little later
    with httpx.Client(timeout=2) as http:
        client = mshopkeeper.Client(mshopkeeper.connection_from_settings(), http)
        client.branches()
        time.sleep(0.25)
        client.branches()
    assert mshop.logins == 2 and ("branches", "/g9/api/v1/branchs/all") in mshop.requests
    assert [kind for kind, _path in mshop.requests] == ["login", "branches", "login", "branches"]


def test_error_type_102_waits_then_asks_before_creating_again(store, shop, mshop):
    [order] = sent_to_shop(store, shop)
    mshop.queue_faults("create", faults.SAME_REQUEST_RUNNING)
    deliveries.deliver_due(store, policy=FAST)
    push = the_push(store, order)
    assert push["state"] == "pending" and push["in_doubt"]
    assert "error type 102" in push["problem"]
    make_due_now(store)
    deliver_until_settled(store)
    assert mshop.lookups[order.code] == 1 and mshop.create_requests[order.code] == 2
    assert len(mshop.orders) == 1 and the_push(store, order)["state"] == "delivered"


def test_a_refusal_shows_misas_message_and_is_not_retried_until_retry(store, shop, mshop):
    [order] = sent_to_shop(store, shop, message="Z9 1")
    deliver_until_settled(store)
    push = the_push(store, order)
    assert push["state"] == "failed" and push["tries"] == 1 and not push["in_doubt"]
    assert "Mã hàng KHONG-TON-TAI không tồn tại trên MShopKeeper" in push["problem"]
    assert "error type 1" in push["problem"]
    deliveries.deliver_due(store, policy=FAST)
    assert mshop.create_requests[order.code] == 1
    assert orders.get_order(store, order.id).status == orders.SENT_TO_SHOP  # the shop's action stands

    mshop.unknown_products.clear()  # the owner adds the product in MShopKeeper, then presses Retry
    assert outbox.retry(store, [push["id"]], actor="owner") == 1
    deliver_until_settled(store)
    assert the_push(store, order)["state"] == "delivered" and order.code in mshop.orders


@pytest.mark.parametrize("fault", [faults.DONE_THEN_HANG, faults.DONE_THEN_DROP])
def test_an_answer_that_never_came_is_followed_by_a_lookup_not_a_second_order(store, shop, mshop, fault):
    [order] = sent_to_shop(store, shop)
    mshop.queue_faults("create", fault)
    deliveries.deliver_due(store, policy=FAST)
    push = the_push(store, order)
    assert push["state"] == "pending" and push["in_doubt"]
    assert order.code in mshop.orders  # stored at MShopKeeper; Chotdon just never heard
    make_due_now(store)
    deliver_until_settled(store)
    push = the_push(store, order)
    assert push["state"] == "delivered" and push["remote_ref"] == mshop.orders[order.code]["OrderId"]
    assert mshop.create_requests[order.code] == 1 and mshop.duplicate_creates == []
    steps = [(a["request"], a["outcome"]) for a in outbox.attempts_of(store, push["id"])]
    assert steps[-1] == ("look the order up", "found at MShopKeeper: an earlier try had created it; delivered")


@pytest.mark.parametrize("fault", [faults.DONE_THEN_ERROR_100, faults.DONE_THEN_UNKNOWN_ERROR,
                                   faults.DONE_THEN_NO_ERROR_TYPE])
def test_an_error_answer_that_is_not_a_clear_refusal_leaves_the_push_in_doubt_and_retry_finds_the_order(
        store, shop, mshop, fault):
    [order] = sent_to_shop(store, shop)
    mshop.queue_faults("create", fault)
    deliveries.deliver_due(store, policy=FAST)
    push = the_push(store, order)
    assert push["in_doubt"] and push["state"] in ("pending", "failed"), push
    assert order.code in mshop.orders  # MShopKeeper stored it before answering the error
    assert outbox.retry(store, [push["id"]], actor="owner") == 1  # the owner presses Retry at once
    deliveries.deliver_due(store, policy=FAST)
    push = the_push(store, order)
    assert push["state"] == "delivered" and push["remote_ref"] == mshop.orders[order.code]["OrderId"]
    assert len(mshop.orders) == 1
    assert mshop.create_requests[order.code] == 1 and mshop.duplicate_creates == []
    assert mshop.lookups[order.code] == 1


def test_error_type_100_is_tried_again_by_itself_after_a_lookup(store, shop, mshop):
    [order] = sent_to_shop(store, shop)
    mshop.queue_faults("create", faults.DONE_THEN_ERROR_100)
    deliveries.deliver_due(store, policy=FAST)
    push = the_push(store, order)
    assert push["state"] == "pending" and push["in_doubt"]
    assert "error type 100" in push["problem"]
    make_due_now(store)
    deliver_until_settled(store)
    assert the_push(store, order)["state"] == "delivered"
    assert mshop.create_requests[order.code] == 1 and mshop.duplicate_creates == []


@pytest.mark.parametrize(("answer", "clear"), [
    ({"Success": False, "ErrorType": 1, "ErrorMessage": "Thiếu OrderNo"}, True),
    ({"Success": False, "ErrorType": 6, "ErrorMessage": None}, True),
    ({"Success": False, "ErrorType": 7}, True),
    ({"Success": False, "ErrorType": 100, "ErrorMessage": "Lỗi hệ thống"}, False),
    ({"Success": False, "ErrorType": 57}, False),
    ({"Success": False, "ErrorType": None}, False),
    ({"Success": False, "ErrorType": 0}, False),
    ({"Success": False, "ErrorType": "1"}, False),
    ({"Success": False}, False),
])
def test_only_misas_validation_error_types_are_clear_refusals(answer, clear):
    with pytest.raises(mshopkeeper.MShopKeeperError) as raised:
        mshopkeeper._check_success(answer, "create the order")
    assert isinstance(raised.value, mshopkeeper.Refused) is clear
    assert isinstance(raised.value, mshopkeeper.UnclearFailure) is not clear


def test_a_dropped_connection_before_storing_creates_the_order_after_the_lookup(store, shop, mshop):
    [order] = sent_to_shop(store, shop)
    mshop.queue_faults("create", faults.DROP)
    deliveries.deliver_due(store, policy=FAST)
    make_due_now(store)
    deliver_until_settled(store)
    assert mshop.lookups[order.code] == 1 and mshop.create_requests[order.code] == 2
    assert len(mshop.orders) == 1 and the_push(store, order)["state"] == "delivered"


def test_429_waits_as_long_as_retry_after_says(store, shop, mshop):
    [order] = sent_to_shop(store, shop)
    mshop.retry_after = "3"
    mshop.queue_faults("create", faults.HTTP_429)
    deliveries.deliver_due(store, policy=FAST)
    push = the_push(store, order)
    waited = (push["next_try_at"] - push["updated_at"]).total_seconds()
    assert push["state"] == "pending" and 2.9 <= waited <= 3.1
    assert not push["in_doubt"]  # a 429 created nothing: no lookup needed
    assert "asking to wait 3 s" in push["problem"]


def test_500s_are_retried_with_growing_back_off_then_the_push_dies_visibly(store, shop, mshop):
    [order] = sent_to_shop(store, shop)
    policy = deliveries.DeliveryPolicy(first_backoff=10, max_backoff=1000, max_tries=4, read_timeout=1)
    waits = []
    for _ in range(4):
        mshop.queue_faults("create", faults.HTTP_500)
        mshop.queue_faults("lookup", faults.HTTP_500)
        make_due_now(store)
        deliveries.deliver_due(store, policy=policy)
        push = the_push(store, order)
        if push["next_try_at"]:
            waits.append((push["next_try_at"] - push["updated_at"]).total_seconds())
    assert 5 <= waits[0] <= 10 and 10 <= waits[1] <= 20 and 20 <= waits[2] <= 40
    push = the_push(store, order)
    assert push["state"] == "dead" and push["tries"] == 4
    assert push["problem"].startswith("Gave up after 4 tries. The last: MShopKeeper answered HTTP 500")
    assert mshop.orders == {}
    assert outbox.retry(store, [push["id"]], actor="owner") == 1
    deliver_until_settled(store)
    assert the_push(store, order)["state"] == "delivered" and len(mshop.orders) == 1
    assert mshop.duplicate_creates == []


def test_a_cancel_before_delivery_withdraws_the_push_and_sends_nothing(store, shop, mshop):
    [order] = sent_to_shop(store, shop)
    orders.cancel(store, order.id, actor="lan")
    deliver_until_settled(store)
    push = the_push(store, order)
    assert push["state"] == "withdrawn" and mshop.requests == []


def test_a_cancel_while_in_doubt_looks_up_and_never_creates(store, shop, mshop):
    first, second = sent_to_shop(store, shop, 2)
    mshop.queue_faults("create", faults.DONE_THEN_DROP, faults.DROP)  # first stored, second not
    deliveries.deliver_due(store, policy=FAST)
    for order in (first, second):
        orders.cancel(store, order.id, actor="lan")
    make_due_now(store)
    deliver_until_settled(store)
    assert the_push(store, first)["state"] == "delivered"
    assert "cancel it there too" in the_push(store, first)["problem"]
    assert the_push(store, second)["state"] == "withdrawn"
    assert set(mshop.orders) == {first.code} and mshop.create_requests == {first.code: 1, second.code: 1}


def test_a_process_killed_between_sending_and_recording_does_not_create_a_second_order(tmp_path, mshop):
    path = str(tmp_path / "killed.duckdb")
    store = Store(path)
    from core.services import livestreams
    from tests.integration.push_fixtures import ITEMS_CSV

    livestream_id = livestreams.create_livestream(store, "Live", items=livestreams.items_from_csv(ITEMS_CSV))
    [order] = sent_to_shop(store, livestream_id)
    store.close()  # DuckDB lets one process open the file: the deliverer's

    mshop.hang_seconds = 60
    mshop.queue_faults("create", faults.DONE_THEN_HANG)
    env = {k: v for k, v in os.environ.items()}
    deliverer = subprocess.Popen([sys.executable, "-m", "core", "--db", path, "push", "--once"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert mshop.order_stored.wait(30), "the deliverer never sent the order"
    finally:
        os.kill(deliverer.pid, signal.SIGKILL)  # after MShopKeeper stored it, before Chotdon recorded the answer
        deliverer.wait(10)
    mshop.release_hangs()
    assert order.code in mshop.orders

    store = Store(path)
    try:
        push = the_push(store, order)
        assert push["state"] == "sending" and push["in_doubt"]  # what the killed process left
        deliver_until_settled(store)
        push = the_push(store, order)
        assert push["state"] == "delivered" and push["remote_ref"] == mshop.orders[order.code]["OrderId"]
        assert mshop.create_requests[order.code] == 1 and mshop.duplicate_creates == []
        outcomes = [a["outcome"] for a in outbox.attempts_of(store, push["id"])]
        assert "no answer: Chotdon stopped during this try (in doubt)" in outcomes
    finally:
        store.close()


def test_push_once_on_the_command_line_prints_what_it_did(tmp_path, mshop):
    path = str(tmp_path / "cli.duckdb")
    store = Store(path)
    from core.services import livestreams
    from tests.integration.push_fixtures import ITEMS_CSV

    livestream_id = livestreams.create_livestream(store, "Live", items=livestreams.items_from_csv(ITEMS_CSV))
    sent_to_shop(store, livestream_id, 2)
    store.close()
    result = subprocess.run([sys.executable, "-m", "core", "--db", path, "push", "--once"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["delivered"] == 2 and summary["tried"] == 2 and summary["not_configured"] == ["ocm_webhook"]
    assert len(mshop.orders) == 2
