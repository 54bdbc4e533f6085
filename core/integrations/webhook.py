"""The OCM webhook: every order that enters the shipping book, changes there, is shipped or leaves it, POSTed as
signed JSON to CHOTDON_OCM_WEBHOOK_URL (the README documents the payload for receivers).

Each event has its own Idempotency-Key, the same on every try, so a receiver that remembers the keys it has
processed never applies one event twice, even when an answer is lost and the event comes again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field

import httpx

from core.base import config
from core.base.i18n import Text
from core.domain.orders import AWAITING_SHIPMENT, SHIPPED

SIGNATURE_HEADER = "X-Chotdon-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_HEADER = "X-Chotdon-Event"
USER_AGENT = "Chotdon-webhook/1"

ENTERED = "order.entered_shipping_book"
UPDATED = "order.updated_in_shipping_book"
SHIPPED_EVENT = "order.shipped"
LEFT = "order.left_shipping_book"
EVENTS = {
    ENTERED: Text("webhook.event_entered"),
    UPDATED: Text("webhook.event_updated"),
    SHIPPED_EVENT: Text("webhook.event_shipped"),
    LEFT: Text("webhook.event_left"),
}


def event_for_transition(from_status: str, to_status: str) -> str | None:
    """The shipping-book event of a status change, or None when the shipping book is not concerned."""
    if to_status == SHIPPED:
        return SHIPPED_EVENT
    if to_status == AWAITING_SHIPMENT:
        return UPDATED if from_status == AWAITING_SHIPMENT else ENTERED
    if from_status == AWAITING_SHIPMENT:
        return LEFT  # cancelled, sent to the shop, or moved back to draft / awaiting confirmation
    return None


@dataclass(frozen=True)
class Endpoint:
    url: str
    secret: str | None = field(default=None, repr=False)


def endpoint_from_settings() -> Endpoint | None:
    url = (config.get("CHOTDON_OCM_WEBHOOK_URL") or "").strip()
    if not url:
        return None
    return Endpoint(url=url, secret=config.get("CHOTDON_OCM_WEBHOOK_SECRET") or None)


def is_configured() -> bool:
    return endpoint_from_settings() is not None


def event_payload(snapshot: dict, *, event: str, event_id: str, occurred_at: str, actor: str,
                  previous_status: str) -> dict:
    """The JSON body of one event: the order as it is right after the change (frozen in the outbox)."""
    order = dict(snapshot["order"])
    order["previous_status"] = previous_status
    return {
        "event": event,
        "event_id": event_id,
        "occurred_at": occurred_at,
        "actor": actor,
        "order": order,
        "customer": snapshot["customer"],
        "receiver": snapshot["receiver"],
        "lines": snapshot["lines"],
        "totals": snapshot["totals"],
        "shipment": snapshot["shipment"],
    }


def body_text(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def signature(body: bytes, secret: str) -> str:
    """The X-Chotdon-Signature value: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed by the secret>."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_is_valid(body: bytes, secret: str, header_value: str | None) -> bool:
    """What a receiver does with the header (constant-time comparison)."""
    return bool(header_value) and hmac.compare_digest(signature(body, secret), header_value.strip())


def post(http: httpx.Client, endpoint: Endpoint, body: bytes, *, idempotency_key: str, event: str) -> httpx.Response:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        IDEMPOTENCY_HEADER: idempotency_key,
        EVENT_HEADER: event,
    }
    if endpoint.secret:
        headers[SIGNATURE_HEADER] = signature(body, endpoint.secret)
    return http.post(endpoint.url, content=body, headers=headers)
