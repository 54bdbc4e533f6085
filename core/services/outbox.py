"""The outbox, written: every push to another system (MShopKeeper, the OCM webhook) is a row written in the
transaction of the action that causes it, its body frozen at that moment (enqueue_for_transition), and read back
for the Integrations screen and the order form. core.runtime.deliveries delivers the rows.

Never lost: the row commits with the action, or neither does. Failures never undo what the shop did: the action
has committed; its push waits, retries with growing back-off, and when it fails for good it shows on the
Integrations screen and on its order, with a Retry button.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime

from core.base import redact
from core.base.errors import NotFound
from core.base.formatting import utc_now
from core.base.i18n import Text, from_stored
from core.db.store import Store
from core.domain.orders import CANCELLED, SENT_TO_SHOP
from core.integrations import mshopkeeper, webhook
from core.records.history import latest_event_id
from core.records.snapshots import iso_utc, order_snapshot

log = logging.getLogger(__name__)

# -- targets and states ------------------------------------------------------------------------------------------
MSHOPKEEPER = "mshopkeeper"
OCM_WEBHOOK = "ocm_webhook"
FACEBOOK = "facebook"  # answers to customers (core.services.answers): a row per answer, comment_id the comment
TARGETS = (MSHOPKEEPER, OCM_WEBHOOK, FACEBOOK)
TARGET_LABELS = {MSHOPKEEPER: Text("outbox.target_mshopkeeper"), OCM_WEBHOOK: Text("outbox.target_ocm_webhook"),
                 FACEBOOK: Text("answers.target_facebook")}
CREATE_ORDER = "create_order"  # MShopKeeper's one action; webhook rows carry their event name as action
# Facebook's actions: a public reply under the comment, a private reply (Messenger), hiding the comment.
REPLY, PRIVATE_MESSAGE, HIDE = "reply", "message", "hide"
FACEBOOK_ACTIONS = {REPLY: Text("answers.action_reply"), PRIVATE_MESSAGE: Text("answers.action_message"),
                    HIDE: Text("answers.action_hide")}

PENDING = "pending"  # waiting for its first or next try
SENDING = "sending"  # a try is under way
DELIVERED = "delivered"  # the target has it
FAILED = "failed"  # the target refused it: not retried by itself (Retry on the Integrations screen)
DEAD = "dead"  # no success within the policy's number of tries (Retry gives it another round)
WITHDRAWN = "withdrawn"  # not sent, and never will be: the order was cancelled first, or (answers) past the window
# A private reply whose try may have reached Facebook (no answer came back): Facebook allows one per comment, so it
# is never sent again, by the worker or by Retry; staff check the Page's Messenger inbox.
MAY_HAVE_BEEN_SENT = "may_have_been_sent"
STATES = (PENDING, SENDING, DELIVERED, FAILED, DEAD, WITHDRAWN, MAY_HAVE_BEEN_SENT)
STATE_LABELS = {PENDING: Text("outbox.state_pending"), SENDING: Text("outbox.state_sending"),
                DELIVERED: Text("outbox.state_delivered"), FAILED: Text("outbox.state_failed"),
                DEAD: Text("outbox.state_dead"), WITHDRAWN: Text("outbox.state_withdrawn"),
                MAY_HAVE_BEEN_SENT: Text("answers.state_may_have_been_sent")}
NEEDS_ATTENTION = (FAILED, DEAD, MAY_HAVE_BEEN_SENT)
RETRYABLE = (PENDING, FAILED, DEAD)  # never MAY_HAVE_BEEN_SENT


def is_configured(target: str) -> bool:
    """Facebook answers are always delivered: each livestream has its own Page token (a push without one waits)."""
    if target == FACEBOOK:
        return True
    return mshopkeeper.is_configured() if target == MSHOPKEEPER else webhook.is_configured()


def describe(target: str, action: str) -> Text | str:
    """What a push does, in words (a Text): "create the order", "entered the shipping book"."""
    if target == MSHOPKEEPER:
        return Text("outbox.create_order") if action == CREATE_ORDER else action
    if target == FACEBOOK:
        return FACEBOOK_ACTIONS.get(action, action)
    return webhook.EVENTS.get(action, action)


def stored_words(value):
    """Our words go to the database as a Text's JSON (core.base.i18n.from_stored reads them back in any language);
    other systems' answers as they came."""
    return value.to_json() if isinstance(value, Text) else value


def _read(rows: list[dict], *columns: str) -> list[dict]:
    """Stored words read back for a screen, without secrets (rows stored before scrubbing existed included)."""
    secrets = redact.known_secrets(*mshopkeeper.known_tokens())
    for row in rows:
        for column in columns:
            if column in row:
                row[column] = redact.scrub(from_stored(row[column]), secrets)
    return rows


def read_problem(stored: str | None):
    """A problem kept with a push, read back for a screen (without secrets)."""
    return _read([{"problem": stored}], "problem")[0]["problem"]


# -- writing pushes (inside the action's transaction) --------------------------------------------------------------
def enqueue_for_transition(cur, *, order_before, to_status: str, action: str, actor: str) -> list[int]:
    """Called by every staff action inside its transaction, right after its order_events row.

    Withdraws the unsent MShopKeeper push of a cancelled order, and writes the pushes this status change causes,
    bodies frozen now (a Ship's shipment is recorded before, so its event carries it). A target that is not
    configured gets nothing: Send to shop then lands in the Shop inbox only."""
    from_status = order_before.status
    order_id = order_before.id
    if to_status == CANCELLED:
        _withdraw_unsent(cur, order_id)
    event = webhook.event_for_transition(from_status, to_status)
    endpoint = webhook.endpoint_from_settings() if event else None
    connection = None
    if to_status == SENT_TO_SHOP and from_status != SENT_TO_SHOP:
        connection = mshopkeeper.connection_from_settings()
    if endpoint is None and connection is None:
        return []
    snapshot = order_snapshot(cur, order_id)
    code = snapshot["order"]["code"]
    now = utc_now()
    ids = []
    if connection is not None:
        body = mshopkeeper.order_json(snapshot, branch_id=connection.branch_id)
        # One MShopKeeper order per Chotdon order, ever: the key is the order number MShopKeeper gets.
        ids.append(insert_push(cur, order_id=order_id, target=MSHOPKEEPER, action=CREATE_ORDER,
                           key=f"mshopkeeper:{code}", payload=json.dumps(body, ensure_ascii=False,
                                                                         separators=(",", ":")),
                           actor=actor, now=now))
    if endpoint is not None:
        event_row = latest_event_id(cur, order_id)
        event_id = f"chotdon-{code}-e{event_row}-{uuid.uuid4().hex[:12]}"
        payload = webhook.event_payload(snapshot, event=event, event_id=event_id, occurred_at=iso_utc(now),
                                        actor=actor, previous_status=from_status)
        ids.append(insert_push(cur, order_id=order_id, target=OCM_WEBHOOK, action=event, key=event_id,
                           payload=webhook.body_text(payload), actor=actor, now=now))
    return ids


def insert_push(cur, *, order_id: int | None, target: str, action: str, key: str, payload: str, actor: str,
            now: datetime, comment_id: int | None = None) -> int:
    return cur.execute(
        "INSERT INTO outbox (order_id, target, action, idempotency_key, payload, state, tries, next_try_at, "
        "created_at, updated_at, caused_by, comment_id) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?) "
        "RETURNING id",
        [order_id, target, action, key, payload, now, now, now, actor, comment_id],
    ).fetchone()[0]


def enqueue_answers(cur, rows: list[dict], *, actor: str, now: datetime) -> int:
    """Facebook answers (core.services.answers builds them), in the caller's transaction: each a dict of
    order_id, comment_id, action, key, payload. A key already in the outbox is skipped (an answer is written
    once: a comment read again adds nothing). Returns how many were written."""
    if not rows:
        return 0
    written = 0
    for start in range(0, len(rows), 500):
        values = [[r["order_id"], FACEBOOK, r["action"], r["key"], r["payload"], now, now, now, actor,
                   r["comment_id"]] for r in rows[start:start + 500]]
        written += len(cur.execute(
            "INSERT INTO outbox (order_id, target, action, idempotency_key, payload, state, tries, next_try_at, "
            "created_at, updated_at, caused_by, comment_id) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)"] * len(values))
            + " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [value for row in values for value in row],
        ).fetchall())
    return written


def _withdraw_unsent(cur, order_id: int) -> None:
    # A push in doubt may already have created the order: the deliverer looks it up and only then decides.
    cur.execute(
        "UPDATE outbox SET state = 'withdrawn', next_try_at = NULL, updated_at = ?, problem = ? "
        "WHERE order_id = ? AND target = ? AND list_contains(?::VARCHAR[], state) AND NOT in_doubt",
        [utc_now(), Text("outbox.withdrawn").to_json(), order_id, MSHOPKEEPER, list(RETRYABLE)],
    )


# -- reading -----------------------------------------------------------------------------------------------------
_PUSH_COLUMNS = (
    "p.id, p.order_id, coalesce(o.code, '') AS order_code, p.target, p.action, p.state, p.tries, p.next_try_at, "
    "p.last_answer, p.problem, p.in_doubt, p.remote_ref, p.idempotency_key, p.caused_by, p.created_at, p.updated_at, "
    "p.delivered_at, p.comment_id"
)


def list_pushes(store: Store, *, states=None, targets=None, search: str | None = None, limit: int = 500
                ) -> list[dict]:
    """Pushes, newest first."""
    where, params = ["TRUE"], []
    states = list(states or [])
    if states:
        where.append(f"p.state IN ({','.join('?' * len(states))})")
        params += states
    targets = list(targets or [])
    if targets:
        where.append(f"p.target IN ({','.join('?' * len(targets))})")
        params += targets
    if search and search.strip():
        where.append("(o.code ILIKE ? OR p.idempotency_key ILIKE ?)")
        params += [f"%{search.strip()}%"] * 2
    return _read(store.query(
        f"SELECT {_PUSH_COLUMNS} FROM outbox p LEFT JOIN orders o ON o.id = p.order_id "
        f"WHERE {' AND '.join(where)} ORDER BY p.id DESC LIMIT ?",
        params + [int(limit)],
    ), "problem", "last_answer")


ORDER_TARGETS = (MSHOPKEEPER, OCM_WEBHOOK)  # what the order form's pushes box shows (answers have their own box)


def pushes_of_order(store: Store, order_id: int, *, targets=ORDER_TARGETS) -> list[dict]:
    """The order's pushes to `targets`, oldest first. By default MShopKeeper's and the webhook's only: Facebook
    answers show in the order form's Messenger box (core.services.answers.messenger_state), on the stream's marks
    and on the Integrations screen, and a private message in doubt must never be offered a Retry."""
    return _read(store.query(f"SELECT {_PUSH_COLUMNS} FROM outbox p LEFT JOIN orders o ON o.id = p.order_id "
                             "WHERE p.order_id = ? AND list_contains(?::VARCHAR[], p.target) ORDER BY p.id",
                             [order_id, list(targets)]), "problem", "last_answer")


def get_push(store: Store, push_id: int) -> dict:
    rows = store.query(f"SELECT {_PUSH_COLUMNS}, p.payload FROM outbox p LEFT JOIN orders o ON o.id = p.order_id "
                       "WHERE p.id = ?", [push_id])
    if not rows:
        raise NotFound("outbox.push_not_found", id=push_id)
    return _read(rows, "problem", "last_answer")[0]


def attempts_of(store: Store, push_id: int) -> list[dict]:
    return _read(store.query("SELECT id, happened_at, request, status_code, duration_ms, answer, outcome "
                             "FROM outbox_attempts WHERE outbox_id = ? ORDER BY id", [push_id]),
                 "request", "answer", "outcome")


def state_counts(store: Store) -> dict[tuple[str, str], int]:
    return {(r["target"], r["state"]): r["n"] for r in store.query(
        "SELECT target, state, count(*) AS n FROM outbox GROUP BY target, state")}


def retry(store: Store, push_ids, *, actor: str) -> int:
    """Retry: the pushes are tried again now, with a new round of tries. Delivered ones are left alone."""
    ids = [int(i) for i in push_ids]
    if not ids:
        return 0
    now = utc_now()
    with store.transaction() as cur:
        changed = cur.execute(
            "UPDATE outbox SET state = ?, next_try_at = ?, tries_at_last_retry = tries, updated_at = ? "
            "WHERE id IN (SELECT unnest(?::BIGINT[])) AND list_contains(?::VARCHAR[], state) RETURNING id",
            [PENDING, now, now, ids, list(RETRYABLE)],
        ).fetchall()
    log.info("retry of pushes %s asked by %s", [r[0] for r in changed], actor)
    return len(changed)  # the delivery worker polls every second; the screens also wake it (core.runtime.deliveries)
