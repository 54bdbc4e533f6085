"""The OCM webhook against a test receiver on 127.0.0.1 that checks the signature and counts each event."""

import pytest

from core.domain.users import SYSTEM_USER
from core.integrations import webhook
from core.runtime import deliveries
from core.services import orders, outbox, shipping
from tests.integration import fake_servers as faults
from tests.integration.push_fixtures import (  # noqa: F401
    FAST,
    act,
    deliver_until_settled,
    make_due_now,
    make_orders,
    no_integrations,
    pushes,
    receiver,
    shop,
)


def events_of(store, order_id):
    return [p["action"] for p in pushes(store, order_id=order_id, target=outbox.OCM_WEBHOOK)]


def received(receiver, code):
    return [e["event"] for e in sorted(receiver.processed.values(), key=lambda e: e["event_id"])
            if e["order"]["code"] == code]


def test_entering_the_shipping_book_posts_a_signed_event_with_its_idempotency_key(store, shop, receiver):
    [order_id] = make_orders(store, shop, 1, message="A1 M 2")
    order = act(store, order_id, "create_order", note="gọi trước khi giao")
    [push] = pushes(store, order_id=order_id)
    assert (push["target"], push["action"], push["state"]) == ("ocm_webhook", "order.entered_shipping_book",
                                                                "pending")
    deliver_until_settled(store)
    event = receiver.processed[push["idempotency_key"]]
    assert receiver.deliveries[push["idempotency_key"]] == 1 and receiver.bad_signatures == 0
    assert event["event"] == "order.entered_shipping_book" and event["event_id"] == push["idempotency_key"]
    assert event["order"]["code"] == order.code
    assert (event["order"]["status"], event["order"]["previous_status"]) == ("awaiting_shipment", "draft")
    assert event["order"]["note"] == "gọi trước khi giao" and event["actor"] == "lan"
    assert event["customer"]["name"] == "Khách Hàng 1"
    assert event["receiver"] == {"name": "Nguyễn Thị Khách 1", "phone": "0912000001",
                                 "address": "1 Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội"}
    assert event["lines"] == [{"code": "A1", "sku": "AT-BASIC", "name": "Áo thun basic", "size": "M", "color": None,
                               "qty": 2, "unit_price": 150000, "amount": 300000}]
    assert event["totals"] == {"items": 300000, "shipping_fee": 0, "discount": 0, "total": 300000,
                               "cod_amount": 300000}
    assert event["shipment"] is None


def test_each_move_into_through_or_out_of_the_shipping_book_posts_its_event(store, shop, receiver):
    carrier_id = shipping.add_carrier(store, "GHN", by=SYSTEM_USER, default_fee=22000,
                                      tracking_url="https://donhang.ghn.vn/?order_code={tracking}")
    ids = make_orders(store, shop, 6)
    shipped, cancelled, back, direct, to_shop, changed = ids
    act(store, shipped, "create_order", n=1)
    result = shipping.ship_orders(store, [shipped], actor="lan", carrier_id=carrier_id, tracking_number="GHN123",
                                  fee=25000)
    assert result.failed == []
    act(store, cancelled, "save_to_shipping_book", n=2)
    orders.cancel(store, cancelled, actor="lan")
    act(store, back, "create_order", n=3)
    act(store, back, "save", n=3)
    act(store, direct, "ship", n=4, shipment=orders.Shipment(carrier="GHN"))
    act(store, to_shop, "create_order", n=5)
    act(store, to_shop, "send_to_shop", n=5)
    act(store, changed, "create_order", n=6)
    orders.perform_action(store, "create_order", changed, actor="hang",
                          edits=orders.OrderEdits(shipping_fee=30000))
    deliver_until_settled(store)

    assert received(receiver, orders.get_order(store, shipped).code) == ["order.entered_shipping_book",
                                                                          "order.shipped"]
    assert received(receiver, orders.get_order(store, cancelled).code) == ["order.entered_shipping_book",
                                                                            "order.left_shipping_book"]
    assert received(receiver, orders.get_order(store, back).code) == ["order.entered_shipping_book",
                                                                       "order.left_shipping_book"]
    assert received(receiver, orders.get_order(store, direct).code) == ["order.shipped"]
    assert received(receiver, orders.get_order(store, to_shop).code) == ["order.entered_shipping_book",
                                                                          "order.left_shipping_book"]
    assert received(receiver, orders.get_order(store, changed).code) == ["order.entered_shipping_book",
                                                                          "order.updated_in_shipping_book"]
    by_key = receiver.processed
    ship_event = next(e for e in by_key.values() if e["event"] == "order.shipped"
                      and e["order"]["code"] == orders.get_order(store, shipped).code)
    assert ship_event["shipment"]["carrier"] == "GHN" and ship_event["shipment"]["tracking_number"] == "GHN123"
    assert ship_event["shipment"]["fee"] == 25000 and ship_event["shipment"]["cod_amount"] == 150000
    assert ship_event["shipment"]["tracking_url"] == "https://donhang.ghn.vn/?order_code=GHN123"
    direct_event = next(e for e in by_key.values() if e["order"]["code"] == orders.get_order(store, direct).code)
    assert direct_event["shipment"]["fee"] == 22000  # the carrier's usual fee when none is given
    left = next(e for e in by_key.values() if e["event"] == "order.left_shipping_book"
                and e["order"]["code"] == orders.get_order(store, back).code)
    assert (left["order"]["previous_status"], left["order"]["status"]) == ("awaiting_shipment",
                                                                            "awaiting_confirmation")
    updated = next(e for e in by_key.values() if e["event"] == "order.updated_in_shipping_book")
    assert updated["totals"]["shipping_fee"] == 30000 and updated["actor"] == "hang"
    assert all(count == 1 for count in receiver.deliveries.values())


def test_orders_that_never_touch_the_shipping_book_post_nothing(store, shop, receiver):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "save")
    act(store, order_id, "save_draft")
    act(store, order_id, "send_to_shop")
    assert pushes(store) == []


def test_without_a_webhook_url_nothing_is_written(store, shop, no_integrations):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    assert pushes(store) == []


@pytest.mark.parametrize("fault", [faults.DONE_THEN_HANG, faults.DONE_THEN_DROP])
def test_a_lost_answer_brings_the_same_key_again_and_the_receiver_applies_it_once(store, shop, receiver, fault):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    receiver.queue_faults("event", fault)
    deliveries.deliver_due(store, policy=FAST)
    [push] = pushes(store)
    assert push["state"] == "pending" and push["in_doubt"]
    make_due_now(store)
    deliver_until_settled(store)
    [push] = pushes(store)
    assert push["state"] == "delivered" and push["tries"] == 2
    assert receiver.deliveries[push["idempotency_key"]] == 2 and len(receiver.processed) == 1


def test_the_signature_is_the_hmac_of_the_exact_body(store, shop, receiver):
    body = b'{"event":"order.shipped"}'
    value = webhook.signature(body, "khóa-webhook")
    assert value.startswith("sha256=") and len(value) == 7 + 64
    assert webhook.signature_is_valid(body, "khóa-webhook", value)
    assert not webhook.signature_is_valid(body + b" ", "khóa-webhook", value)
    assert not webhook.signature_is_valid(body, "other", value)


def test_a_receiver_with_another_secret_refuses_and_the_push_waits_for_the_fix(store, shop, receiver, monkeypatch):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_SECRET", "an old secret")
    deliveries.deliver_due(store, policy=FAST)
    [push] = pushes(store)
    assert push["state"] == "pending" and "HTTP 401" in push["problem"] and receiver.bad_signatures == 1
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_SECRET", receiver.secret)
    make_due_now(store)
    deliver_until_settled(store)
    assert pushes(store)[0]["state"] == "delivered"


@pytest.mark.parametrize("fault", [faults.HTTP_408, faults.HTTP_429, faults.HTTP_503, faults.HTTP_500])
def test_408_429_503_and_5xx_are_tried_again(store, shop, receiver, fault):
    receiver.retry_after = "0"
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    receiver.queue_faults("event", fault)
    deliver_until_settled(store)
    [push] = pushes(store)
    assert push["state"] == "delivered" and push["tries"] == 2


def test_other_4xx_fail_at_once_with_the_answer_and_stay_failed(store, shop, receiver):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order", note="từ chối")  # the test receiver refuses such orders with 422
    deliver_until_settled(store)
    deliveries.deliver_due(store, policy=FAST)
    [push] = pushes(store)
    assert push["state"] == "failed" and push["tries"] == 1
    assert push["problem"] == 'OCM webhook refused the push with HTTP 422: {"error": "this order cannot be accepted"}'
    assert push["last_answer"].startswith("HTTP 422:")
    assert orders.get_order(store, order_id).status == orders.AWAITING_SHIPMENT


def test_a_redirect_is_not_followed(store, shop, receiver, monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Moved(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(301)
            self.send_header("Location", receiver.url + "/ocm/events")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_URL", f"http://127.0.0.1:{server.server_address[1]}/old")
        [order_id] = make_orders(store, shop, 1)
        act(store, order_id, "create_order")
        deliver_until_settled(store)
    finally:
        server.shutdown()
        server.server_close()
    [push] = pushes(store)
    assert push["state"] == "failed" and "HTTP 301" in push["problem"] and receiver.processed == {}
