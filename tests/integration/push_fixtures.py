"""Fixtures and builders shared by the outbox, MShopKeeper and webhook tests."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from core.base import config
from core.integrations import mshopkeeper
from core.integrations.comment_files import IncomingComment
from core.runtime import deliveries
from core.services import livestreams, orders, outbox
from core.services.comments import ingest_comments
from tests.integration.fake_servers import FakeMShopKeeper, FakeWebhookReceiver
from tests.integration.helpers import START

# Short everything: the tests run hundreds of pushes through faults in seconds.
FAST = deliveries.DeliveryPolicy(first_backoff=0.02, max_backoff=0.2, max_tries=25, max_retry_after=5.0,
                             connect_timeout=0.5, read_timeout=0.3, lease=30.0, poll_seconds=0.01)

ITEMS_CSV = """code,name,price,stock,sizes,colors,sku
A1,Áo thun basic,150000,,S|M|L|XL,Đen|Trắng,AT-BASIC
B5,Quần jean ống suông,320000,,28|29|30|31|32,,QJ-SUONG
K3,Kẹp tóc ngọc trai,30000,,,,
Z9,Hàng chưa có trên MShopKeeper,99000,,,,KHONG-TON-TAI
"""

SETTINGS = ("CHOTDON_MSHOPKEEPER_URL", "CHOTDON_MSHOPKEEPER_DOMAIN", "CHOTDON_MSHOPKEEPER_SECRET",
            "CHOTDON_MSHOPKEEPER_BRANCH", "CHOTDON_OCM_WEBHOOK_URL", "CHOTDON_OCM_WEBHOOK_SECRET")


@pytest.fixture
def no_integrations(monkeypatch):
    """Neither system configured, whatever the developer's own secrets.toml says."""
    monkeypatch.setattr(config, "_secrets_file", lambda: {})
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    mshopkeeper.forget_tokens()
    yield
    mshopkeeper.forget_tokens()


@pytest.fixture
def mshop(monkeypatch, no_integrations):
    server = FakeMShopKeeper(hang_seconds=0.6).start()
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_URL", server.url)
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_DOMAIN", server.domain)
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_SECRET", server.secret)
    monkeypatch.setenv("CHOTDON_MSHOPKEEPER_BRANCH", "b-1")
    yield server
    server.stop()


@pytest.fixture
def receiver(monkeypatch, no_integrations):
    server = FakeWebhookReceiver(hang_seconds=0.6).start()
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_URL", server.url + "/ocm/events")
    monkeypatch.setenv("CHOTDON_OCM_WEBHOOK_SECRET", server.secret)
    yield server
    server.stop()


@pytest.fixture
def shop(store):
    """A livestream whose items never run out, so any number of orders can be completed."""
    return livestreams.create_livestream(store, "Live thử kết nối", platform="facebook",
                                         items=livestreams.items_from_csv(ITEMS_CSV))


def phone_of(n: int) -> str:
    return f"0912{n:06d}"


def make_orders(store, livestream_id: int, count: int, *, message: str = "A1 M 1", first: int = 1) -> list[int]:
    """One draft order per customer, from one order comment each; returns the order ids in comment order."""
    comments = [
        IncomingComment(f"p{n}", f"u{n}", f"Khách Hàng {n}", f"{message} {phone_of(n)}",
                        START + timedelta(seconds=n))
        for n in range(first, first + count)
    ]
    ingest_comments(store, livestream_id, comments, source="test")
    frame = orders.list_orders(store, livestream_id)
    wanted = {f"Khách Hàng {n}" for n in range(first, first + count)}
    return [int(i) for i, customer in zip(frame["order_id"], frame["customer"]) if customer in wanted]


def shipping_info(n: int, *, note: str | None = None) -> orders.OrderEdits:
    return orders.OrderEdits(receiver_name=f"Nguyễn Thị Khách {n}", receiver_phone=phone_of(n),
                             receiver_address=f"{n} Lý Thường Kiệt, Phường Hoàn Kiếm, Hà Nội", note=note)


def act(store, order_id: int, action: str, *, n: int = 1, note: str | None = None, **kwargs) -> orders.Order:
    """Runs an action as staff would, with the shipping info filled in while the order can still be edited."""
    order = orders.get_order(store, order_id)
    edits = shipping_info(n, note=note) if order.status in orders.EDITABLE else None
    return orders.perform_action(store, action, order_id, actor="lan", expected_version=order.version,
                                 edits=edits, **kwargs)


def pushes(store, **where) -> list[dict]:
    rows = outbox.list_pushes(store, limit=100_000)
    return [r for r in reversed(rows) if all(r[k] == v for k, v in where.items())]


def deliver_until_settled(store, *, policy=FAST, timeout: float = 20.0, targets=None) -> None:
    """Passes of the deliverer until nothing waits any more (retries are due within the short back-offs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliveries.deliver_due(store, policy=policy, targets=targets)
        if not store.scalar("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"):
            return
        time.sleep(0.02)
    raise AssertionError("pushes still waiting: " + repr(pushes(store, state="pending")[:5]))


def make_due_now(store) -> None:
    """Skips the back-off of every waiting push (a test does not wait for real back-offs)."""
    with store.transaction() as cur:
        cur.execute("UPDATE outbox SET next_try_at = created_at WHERE state = 'pending'")
