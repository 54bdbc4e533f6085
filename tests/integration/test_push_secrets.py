"""No secret is stored from a push's answers: receivers that echo the request (its Authorization header, its URL
with a token, the body) or their own secret, and MShopKeeper echoing its bearer token in an error message. Every
text column of the outbox and its tries is searched."""

import base64

import pytest

from core.base import redact
from core.runtime import deliveries
from core.services import outbox
from tests.integration import fake_servers as faults
from tests.integration.fake_servers import EchoingWebhookReceiver
from tests.integration.push_fixtures import (  # noqa: F401
    FAST,
    act,
    make_due_now,
    make_orders,
    mshop,
    no_integrations,
    pushes,
    shop,
)

USER, PASSWORD, URL_TOKEN = "hook-user", "hook-pass-123", "tok-abc-123"


def stored_text(store) -> str:
    """Every text column of outbox and outbox_attempts, every row, as one text."""
    parts = []
    for table in ("outbox", "outbox_attempts"):
        columns = [r["column_name"] for r in store.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND data_type = 'VARCHAR'",
            [table])]
        assert columns, table
        for row in store.query(f"SELECT {', '.join(columns)} FROM {table}"):
            parts += [str(value) for value in row.values() if value is not None]
    return "\n".join(parts)


@pytest.fixture
def echoing(monkeypatch, no_integrations):
    server = EchoingWebhookReceiver(status=500).start()
    host = server.url.removeprefix("http://")
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_URL",
                       f"http://{USER}:{PASSWORD}@{host}/ocm/events?token={URL_TOKEN}&shop=demo")
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_SECRET", server.secret)
    yield server
    server.stop()


def test_an_echoing_webhook_receiver_gets_no_credential_or_secret_stored(store, shop, echoing):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    deliveries.deliver_due(store, policy=FAST)  # 500: tried again later, its answer kept
    echoing.status = 422
    make_due_now(store)
    deliveries.deliver_due(store, policy=FAST)  # 422: failed, its answer kept as the problem
    [push] = pushes(store, order_id=order_id)
    assert push["state"] == "failed" and len(outbox.attempts_of(store, push["id"])) == 2
    text = stored_text(store)
    assert "could not process" in text and "/ocm/events" in text  # the answers are kept, the secrets are not
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, URL_TOKEN, basic, echoing.secret):
        assert secret not in text, secret
    assert "token=" + redact.MASK in text


def test_mshopkeeper_echoing_its_bearer_token_in_an_error_gets_no_token_stored(store, shop, mshop):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "send_to_shop")
    mshop.queue_faults("create", faults.DONE_THEN_ERROR_100)
    deliveries.deliver_due(store, policy=FAST)
    [push] = pushes(store, order_id=order_id)
    assert push["in_doubt"] and "Lỗi hệ thống" in push["problem"]
    text = stored_text(store)
    assert mshop.tokens, "MShopKeeper gave no token"
    for secret in (*mshop.tokens, mshop.secret):
        assert secret not in text, secret
    assert "Authorization: " + redact.MASK in text


def test_rows_stored_before_scrubbing_are_read_without_their_secrets(store, shop, echoing):
    [order_id] = make_orders(store, shop, 1)
    act(store, order_id, "create_order")
    [push] = pushes(store, order_id=order_id)
    leaked = f"HTTP 500: Authorization: Bearer {URL_TOKEN}xyz; url http://{USER}:{PASSWORD}@x/?token={URL_TOKEN}"
    with store.transaction() as cur:
        cur.execute("UPDATE outbox SET last_answer = ?, problem = ? WHERE id = ?", [leaked, leaked, push["id"]])
        cur.execute("INSERT INTO outbox_attempts (outbox_id, happened_at, request, answer, outcome) "
                    "VALUES (?, now(), 'POST', ?, 'failed')", [push["id"], leaked])
    shown = [outbox.get_push(store, push["id"]), *outbox.list_pushes(store), *outbox.pushes_of_order(store, order_id),
             *outbox.attempts_of(store, push["id"])]
    text = "\n".join(str(value) for row in shown for value in row.values())
    assert "Authorization" in text
    for secret in (PASSWORD, URL_TOKEN):
        assert secret not in text, secret
