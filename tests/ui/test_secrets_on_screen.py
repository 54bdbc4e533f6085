"""AppTest: the Integrations screen shows the webhook URL with its user, password and token masked, and no secret
from a push's stored answers (rows stored before answers were scrubbed included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.base import redact
from core.services import outbox
from tests.integration.push_fixtures import act, make_orders, no_integrations  # noqa: F401
from tests.ui.helpers import demo_shop, screen_text, shown, sign_in

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD, URL_TOKEN, KEY = "hook-user", "hook-pass-123", "tok-abc-123", "khóa-bí-mật-webhook"
# Port 9 (discard): nothing listens, so the worker the page starts fails fast and stores its own tries too.
URL = f"http://{USER}:{PASSWORD}@127.0.0.1:9/ocm/events?token={URL_TOKEN}&shop=demo"


@pytest.fixture
def shop(tmp_path, monkeypatch, no_integrations):
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_URL", URL)
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_SECRET", KEY)
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2")) as shop:
        yield shop


def test_integrations_masks_the_webhook_url_and_the_secrets_in_stored_answers(shop):
    store, livestream_id = shop
    [order_id] = make_orders(store, livestream_id, 1)
    act(store, order_id, "create_order")
    [push] = outbox.pushes_of_order(store, order_id)
    leaked = (f"HTTP 401: bad key {KEY}; Authorization: Bearer {URL_TOKEN}; "
              f"you called http://{USER}:{PASSWORD}@127.0.0.1:9/ocm/events?token={URL_TOKEN}")
    with store.transaction() as cur:  # as a version without scrubbing would have stored it
        cur.execute("UPDATE outbox SET state = 'failed', last_answer = ?, problem = ? WHERE id = ?",
                    [leaked, leaked, push["id"]])
        cur.execute("INSERT INTO outbox_attempts (outbox_id, happened_at, request, status_code, answer, outcome) "
                    "VALUES (?, now(), 'POST order.entered_shipping_book', 401, ?, 'failed')", [push["id"], leaked])

    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page("pages/integrations.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="push_details").set_value(push["id"]).run()
    assert not at.exception, at.exception
    text = screen_text(at)
    masked = f"http://{redact.MASK}:{redact.MASK}@127.0.0.1:9/ocm/events?token={redact.MASK}&shop=demo"
    assert any(masked in shown(m.value) for m in at.markdown), [m.value for m in at.markdown]
    assert "bad key" in text and "you called" in text  # the answers are shown, their secrets are not
    for secret in (PASSWORD, URL_TOKEN, KEY):
        assert secret not in text, secret
