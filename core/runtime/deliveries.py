"""Delivering the outbox (core.services.outbox writes it): one try per due push, from a worker thread per target.

Never doubled: a try claims its row and marks it in doubt before the request goes out, and each HTTP exchange is
written to outbox_attempts with the try's result. When an answer may have been lost (a timeout, a dropped
connection, a 5xx, a crash before the answer was recorded), the next try of a MShopKeeper order first looks our
order number up there, creating the order only when it is not there. Webhook events carry the same
Idempotency-Key on every try; receivers dedupe on it.
"""

from __future__ import annotations

import atexit
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import duckdb
import httpx

from core.base import redact
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain.orders import CANCELLED
from core.integrations import mshopkeeper, webhook
from core.runtime import facebook_answers
from core.runtime.facebook_answers import Pacer, never_sent
from core.runtime.registry import Registry
from core.services.outbox import (
    DEAD,
    DELIVERED,
    FACEBOOK,
    FAILED,
    MAY_HAVE_BEEN_SENT,
    MSHOPKEEPER,
    OCM_WEBHOOK,
    PENDING,
    SENDING,
    TARGET_LABELS,
    TARGETS,
    WITHDRAWN,
    is_configured,
    stored_words,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard the worker tries. The tests pass short times; the defaults are for a shop."""

    first_backoff: float = 5.0  # seconds before the second try; doubles with each try, with jitter
    max_backoff: float = 15 * 60
    max_tries: int = 20  # then the push is dead (two to three hours with the defaults)
    max_retry_after: float = 60 * 60  # a longer Retry-After is cut to this
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    lease: float = 5 * 60  # a try older than this is taken as lost (only a stuck thread can be that slow)
    poll_seconds: float = 1.0
    answer_chars: int = 600  # how much of an answer is kept

    def backoff(self, tries: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.max_backoff, self.first_backoff * 2 ** max(0, tries - 1))
        return ceiling * (rng or random).uniform(0.5, 1.0)  # jitter: pushes that failed together spread out

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.read_timeout, connect=self.connect_timeout)


DEFAULT_POLICY = DeliveryPolicy()


@dataclass
class Claim:
    id: int
    order_id: int
    target: str
    action: str
    key: str
    payload: str
    tries: int  # including this try
    tries_at_last_retry: int
    was_in_doubt: bool
    token: str


@dataclass
class Outcome:
    state: str  # DELIVERED, PENDING (try again), FAILED or WITHDRAWN; _finish turns PENDING into DEAD
    problem: Text | None = None
    in_doubt: bool = False
    retry_after: float | None = None
    remote_ref: str | None = None


@dataclass
class DeliveryReport:
    tried: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    skipped_targets: list[str] = field(default_factory=list)  # not configured

    def add(self, state: str) -> None:
        self.tried += 1
        self.by_state[state] = self.by_state.get(state, 0) + 1

    def to_json(self) -> dict:
        return {"tried": self.tried, **{state: self.by_state.get(state, 0) for state in
                                        (DELIVERED, PENDING, FAILED, DEAD, WITHDRAWN, MAY_HAVE_BEEN_SENT)},
                "not_configured": self.skipped_targets}


def deliver_due(store: Store, *, targets=None, policy: DeliveryPolicy | None = None, http: httpx.Client | None = None,
                rng: random.Random | None = None, pacer: Pacer | None = None) -> DeliveryReport:
    """One pass: every push that is due now gets one try, oldest first. A push waits while an earlier push of
    the same order to the same target is still waiting, so a receiver gets an order's events in order. Answers on
    Facebook go out at most N a minute per page, evenly spaced (`pacer`; the worker keeps one across passes)."""
    policy = policy or DEFAULT_POLICY
    pacer = pacer or Pacer()
    recover_interrupted(store)
    report = DeliveryReport()
    for target in targets or TARGETS:
        if not is_configured(target):
            report.skipped_targets.append(target)
            continue
        client = http or httpx.Client(timeout=policy.timeout())
        try:
            for candidate in _due(store, target):
                if target == FACEBOOK:
                    facebook_answers.wait_turn(store, candidate[0], pacer)  # N a minute per page, evenly
                claim = _claim(store, candidate, policy)
                if claim is None:
                    continue  # changed since the list was read (a Retry, another thread): its new state rules
                exchanges = _Exchanges(claim.id, policy.answer_chars)
                outcome = _try(store, claim, client, exchanges, policy)
                report.add(_finish(store, claim, outcome, exchanges, policy, rng))
        finally:
            if http is None:
                client.close()
    return report


_DUE = """
SELECT p.id, p.state, p.in_doubt FROM outbox p
WHERE p.target = ?
  AND ((p.state = 'pending' AND coalesce(p.next_try_at, p.created_at) <= ?)
       OR (p.state = 'sending' AND p.lease_until < ?))
  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.target = p.target AND e.order_id = p.order_id AND e.id < p.id
                  AND e.state IN ('pending', 'sending'))
ORDER BY p.id
"""
# Answers on Facebook stand alone: a reply that waits does not hold up the order's private message.
_DUE_ANSWERS = """
SELECT p.id, p.state, p.in_doubt FROM outbox p
WHERE p.target = ?
  AND ((p.state = 'pending' AND coalesce(p.next_try_at, p.created_at) <= ?)
       OR (p.state = 'sending' AND p.lease_until < ?))
ORDER BY p.id
"""


def _due(store: Store, target: str) -> list[tuple]:
    now = utc_now()
    cur = store.cursor()
    try:
        return cur.execute(_DUE_ANSWERS if target == FACEBOOK else _DUE, [target, now, now]).fetchall()
    finally:
        cur.close()


def _claim(store: Store, candidate: tuple, policy: DeliveryPolicy) -> Claim | None:
    """Takes one push for a try, if it is still as it was listed. in_doubt goes TRUE before any request leaves:
    if this process dies mid-try, the next try asks the target first."""
    push_id, state, was_in_doubt = candidate
    now = utc_now()
    token = uuid.uuid4().hex
    with store.transaction() as cur:
        claimed = cur.execute(
            "UPDATE outbox SET state = 'sending', claim_token = ?, lease_until = ?, tries = tries + 1, "
            "updated_at = ?, in_doubt = TRUE WHERE id = ? AND state = ? AND in_doubt = ? "
            "AND ((state = 'pending' AND coalesce(next_try_at, created_at) <= ?) OR "
            "(state = 'sending' AND lease_until < ?)) "
            "RETURNING id, order_id, target, action, idempotency_key, payload, tries, tries_at_last_retry",
            [token, now + timedelta(seconds=policy.lease), now, push_id, state, was_in_doubt, now, now],
        ).fetchone()
        if claimed is not None and state == SENDING:
            _record_lost_tries(cur, [push_id], Text("outbox.lost_lease"))
    if claimed is None:
        return None
    return Claim(*claimed, was_in_doubt=bool(was_in_doubt), token=token)


# Answers are kept and shown; the secrets in them are not: MShopKeeper's login answer carries a token, a receiver
# may echo the Authorization header, the URL's token or the signing key. Everything a try stores goes through
# core.base.redact.scrub first, with the configured secrets and the MShopKeeper token in use.
def _secrets() -> tuple[str, ...]:
    return redact.known_secrets(*mshopkeeper.known_tokens())


def _scrubbed(value, secrets: tuple[str, ...] | None = None):
    return redact.scrub(value, _secrets() if secrets is None else secrets)


def _record_lost_tries(cur, push_ids: list[int], words: Text) -> None:
    """An attempt row for each try that ended without its exchanges being recorded (see _Exchanges)."""
    cur.execute(
        "INSERT INTO outbox_attempts (outbox_id, happened_at, request, answer, outcome) "
        "SELECT id, coalesce(updated_at, created_at), ?, ?, ? "
        "FROM outbox WHERE id IN (SELECT unnest(?::BIGINT[]))",
        [Text("outbox.lost_request").to_json(), Text("outbox.lost_answer").to_json(),
         Text("outbox.lost_in_doubt", words=words).to_json(), push_ids],
    )


class _Exchanges:
    """Runs the HTTP requests of one try and keeps each one's request, status, duration and truncated answer;
    _finish writes them to outbox_attempts with the try's result, in one transaction.

    Writing each before it went out would not make delivery safer (the claim already marked the push in doubt,
    which is what the next try acts on) and would double the writes, which share one lock with the shop's
    actions. A try cut short by a crash gets one row saying so when the push is recovered."""

    def __init__(self, push_id: int, answer_chars: int):
        self.push_id = push_id
        self.answer_chars = answer_chars
        self.records: list[list] = []  # [happened_at, request, status_code, duration_ms, answer, outcome]
        self.last_answer: Text | str | None = None  # our words (no answer) or the target's answer

    def __call__(self, request: Text | str, send: Callable[[], httpx.Response]) -> httpx.Response:
        happened_at = utc_now()
        started = time.perf_counter()
        try:
            response = send()
        except httpx.HTTPError as error:
            self.last_answer = _scrubbed(Text("outbox.no_answer", error=mshopkeeper.describe_http_error(error)))
            self._keep(happened_at, request, None, started, self.last_answer)
            raise
        text = _scrubbed(response.text)  # before it is cut: a secret cut in two would no longer be recognised
        self.last_answer = f"HTTP {response.status_code}: {text}"[: self.answer_chars]
        self._keep(happened_at, request, response.status_code, started, text[: self.answer_chars])
        return response

    def _keep(self, happened_at, request: Text | str, status: int | None, started: float, answer) -> None:
        millis = int((time.perf_counter() - started) * 1000)
        self.records.append([happened_at, request, status, millis, answer, None])

    def note(self, outcome: Text) -> None:
        """What Chotdon made of the last exchange, when it is not the push's final word (a lookup, a login)."""
        if self.records:
            self.records[-1][5] = outcome

    def write(self, cur, final_words: Text) -> None:
        if not self.records:
            return
        last = self.records[-1]
        last[5] = Text("outbox.outcome_then", note=last[5], then=final_words) if last[5] else final_words
        secrets = _secrets()
        cur.execute(
            "INSERT INTO outbox_attempts (outbox_id, happened_at, request, status_code, duration_ms, answer, outcome) "
            "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(self.records)),
            [stored_words(_scrubbed(value, secrets)) for record in self.records
             for value in [self.push_id, *record]],
        )


def parse_retry_after(value: str | None, *, limit: float) -> float | None:
    """Retry-After in seconds, from its seconds or HTTP-date form; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    return min(max(0.0, seconds), limit)


def _outcome_of_status(response: httpx.Response, label: Text, *, in_doubt: bool, policy: DeliveryPolicy) -> Outcome:
    code = response.status_code
    short = " ".join(_scrubbed(response.text).split())[:200]  # the target's own words, kept as they came
    if code in (429, 503):
        wait = parse_retry_after(response.headers.get("Retry-After"), limit=policy.max_retry_after)
        busy = (Text("outbox.busy_asking", target=label, code=code, seconds=f"{wait:g}") if wait is not None
                else Text("outbox.busy", target=label, code=code))
        return Outcome(PENDING, busy, in_doubt=in_doubt, retry_after=wait)
    if code == 408 or code >= 500:
        return Outcome(PENDING, Text("outbox.server_error_answer", target=label, code=code, answer=short) if short
                       else Text("outbox.server_error", target=label, code=code), in_doubt=in_doubt)
    if code == 401:
        return Outcome(PENDING, Text("outbox.bad_credentials", target=label), in_doubt=in_doubt)
    return Outcome(FAILED, Text("outbox.refused_answer", target=label, code=code, answer=short) if short
                   else Text("outbox.refused", target=label, code=code), in_doubt=in_doubt)


def _try(store: Store, claim: Claim, http: httpx.Client, exchanges: _Exchanges, policy: DeliveryPolicy) -> Outcome:
    try:
        if claim.target == FACEBOOK:
            return Outcome(*facebook_answers.try_answer(store, claim, http, exchanges, policy))
        if claim.target == MSHOPKEEPER:
            return _try_mshopkeeper(store, claim, http, exchanges, policy)
        return _try_webhook(claim, http, exchanges, policy)
    except Exception as error:  # a bug must not leave the push claimed until its lease runs out
        log.exception("push %s: unexpected error", claim.id)
        problem = Text("outbox.could_not_try", kind=type(error).__name__, error=str(error))
        if facebook_answers.once_only(claim):  # it may have gone out: never a second private reply
            return Outcome(MAY_HAVE_BEEN_SENT, Text("answers.may_have_been_sent", why=problem), in_doubt=True)
        return Outcome(PENDING, problem, in_doubt=True)


def _try_mshopkeeper(store: Store, claim: Claim, http: httpx.Client, exchanges: _Exchanges,
                     policy: DeliveryPolicy) -> Outcome:
    label = TARGET_LABELS[MSHOPKEEPER]
    connection = mshopkeeper.connection_from_settings()
    if connection is None:
        return Outcome(PENDING, Text("outbox.mshopkeeper_not_configured"), in_doubt=claim.was_in_doubt)
    client = mshopkeeper.Client(connection, http, exchange=exchanges)
    body = json.loads(claim.payload)
    number = mshopkeeper.order_no(body)
    in_doubt = claim.was_in_doubt
    creating = False
    try:
        cancelled = store.scalar("SELECT status FROM orders WHERE id = ?", [claim.order_id]) == CANCELLED
        if in_doubt:
            found = client.find_order(number)
            if found is not None:
                exchanges.note(Text("outbox.found_earlier"))
                why = mshopkeeper.differs(found, body)
                if why:
                    return Outcome(FAILED, Text("outbox.number_taken", number=number, why=why), in_doubt=True)
                problem = Text("outbox.cancel_there_too") if cancelled else None
                return Outcome(DELIVERED, problem, remote_ref=mshopkeeper.remote_id(found))
            exchanges.note(Text("outbox.not_found_safe"))
            in_doubt = False
        if cancelled:
            return Outcome(WITHDRAWN, Text("outbox.withdrawn"))
        creating = True
        data = client.create_order(claim.payload.encode("utf-8"))
        return Outcome(DELIVERED, remote_ref=mshopkeeper.remote_id(data))
    except mshopkeeper.SameRequestRunning as error:
        return Outcome(PENDING, error.text, in_doubt=True)  # the request still running may create it
    except mshopkeeper.Refused as error:
        return Outcome(FAILED, error.text, in_doubt=in_doubt)  # a clearly refused create made nothing
    except mshopkeeper.UnclearFailure as error:
        # An internal error, an unknown error type or none: a create may have stored the order before failing, so
        # the push is in doubt like a timeout, and its next try (or Retry) looks the number up before creating.
        doubt = in_doubt or creating
        if error.internal:  # MShopKeeper's own trouble: tried again by itself
            return Outcome(PENDING, Text("outbox.may_be_done_try_later" if creating else "outbox.try_later",
                                         problem=error.text), in_doubt=doubt)
        return Outcome(FAILED, Text("outbox.may_be_done_retry", problem=error.text) if creating else error.text,
                       in_doubt=doubt)
    except mshopkeeper.LookupInconclusive as error:
        return Outcome(FAILED, error.text, in_doubt=True)
    except mshopkeeper.UnexpectedAnswer as error:
        response = error.response
        if response.is_success:  # a success status without MISA's envelope: what happened is unknown
            return Outcome(PENDING, Text("outbox.try_later", problem=error.text), in_doubt=in_doubt or creating)
        uncertain = creating and response.status_code >= 500
        return _outcome_of_status(response, label, in_doubt=in_doubt or uncertain, policy=policy)
    except httpx.HTTPError as error:
        uncertain = creating and not never_sent(error)
        return Outcome(PENDING, Text("outbox.network_try_later", target=label,
                                     error=mshopkeeper.describe_http_error(error)), in_doubt=in_doubt or uncertain)


def _try_webhook(claim: Claim, http: httpx.Client, exchanges: _Exchanges, policy: DeliveryPolicy) -> Outcome:
    label = TARGET_LABELS[OCM_WEBHOOK]
    endpoint = webhook.endpoint_from_settings()
    if endpoint is None:
        return Outcome(PENDING, Text("outbox.webhook_not_configured"))
    body = claim.payload.encode("utf-8")
    try:
        response = exchanges(f"POST {claim.action}", lambda: webhook.post(
            http, endpoint, body, idempotency_key=claim.key, event=claim.action))
    except httpx.HTTPError as error:
        return Outcome(PENDING, Text("outbox.network_try_later", target=label,
                                     error=mshopkeeper.describe_http_error(error)), in_doubt=not never_sent(error))
    if response.is_success:
        return Outcome(DELIVERED)
    return _outcome_of_status(response, label, in_doubt=response.status_code >= 500, policy=policy)


def _finish(store: Store, claim: Claim, outcome: Outcome, exchanges: _Exchanges, policy: DeliveryPolicy,
            rng: random.Random | None) -> str:
    now = utc_now()
    state, problem, next_try = outcome.state, outcome.problem, None
    if state == PENDING:
        used = claim.tries - claim.tries_at_last_retry
        if used >= policy.max_tries:
            state = DEAD
            problem = Text("outbox.gave_up", tries=used, last=problem)
        else:
            delay = outcome.retry_after if outcome.retry_after is not None else policy.backoff(used, rng)
            next_try = now + timedelta(seconds=delay)
    words = {DELIVERED: Text("outbox.outcome_delivered"), FAILED: Text("outbox.outcome_failed"),
             DEAD: Text("outbox.outcome_dead"), WITHDRAWN: Text("outbox.outcome_withdrawn"),
             MAY_HAVE_BEEN_SENT: Text("answers.outcome_may_have_been_sent")}.get(state)
    if state == PENDING:
        words = Text("outbox.outcome_try_again", seconds=f"{(next_try - now).total_seconds():.3g}")
    if outcome.in_doubt and state != DELIVERED:
        words = Text("outbox.outcome_in_doubt", outcome=words)
    secrets = _secrets()
    last_answer, problem = _scrubbed(exchanges.last_answer, secrets), _scrubbed(problem, secrets)
    with store.transaction() as cur:
        updated = cur.execute(
            "UPDATE outbox SET state = ?, next_try_at = ?, last_answer = coalesce(?, last_answer), problem = ?, "
            "in_doubt = ?, remote_ref = coalesce(?, remote_ref), delivered_at = ?, claim_token = NULL, "
            "lease_until = NULL, updated_at = ? WHERE id = ? AND claim_token = ? RETURNING id",
            [state, next_try, stored_words(last_answer), stored_words(problem), outcome.in_doubt and state != DELIVERED,
             outcome.remote_ref, now if state == DELIVERED else None, now, claim.id, claim.token],
        ).fetchall()
        if updated:
            exchanges.write(cur, words)
    if not updated:
        log.warning("push %s: its claim ran out before the try ended; the newer try decides", claim.id)
    return state


_recovered: set[str] = set()
_recovered_lock = threading.Lock()


def recover_interrupted(store: Store) -> int:
    """Once per process and database, before the first try: a push left 'sending' was being tried by a process
    that stopped (DuckDB lets one process open the file, so no one else can be trying it now). It goes back to
    waiting, in doubt, so its next try asks the target first; a private reply on Facebook, which has no second
    chance, becomes "may have been sent" instead. Returns how many were recovered."""
    with _recovered_lock:
        if store.path in _recovered:
            return 0
        with store.transaction() as cur:
            ids = [r[0] for r in cur.execute("SELECT id FROM outbox WHERE state = 'sending'").fetchall()]
            if ids:
                _record_lost_tries(cur, ids, Text("outbox.lost_stopped"))
                facebook_answers.recover_private_replies(cur, ids)
                ids = [r[0] for r in cur.execute("SELECT id FROM outbox WHERE state = 'sending'").fetchall()]
                cur.execute(
                    "UPDATE outbox SET state = 'pending', next_try_at = ?, claim_token = NULL, lease_until = NULL, "
                    "in_doubt = TRUE, updated_at = ?, problem = ? WHERE id IN (SELECT unnest(?::BIGINT[]))",
                    [utc_now(), utc_now(), Text("outbox.interrupted").to_json(), ids],
                )
        _recovered.add(store.path)
        return len(ids)


FACEBOOK_IDLE_SECONDS = 1.0


# -- the worker ----------------------------------------------------------------------------------------------------
class OutboxWorker:
    """Delivers the outbox from background threads, one per target, so that a target that is down does not hold
    up the other. One per process and database, shared by every browser session (start_worker)."""

    def __init__(self, store: Store, policy: DeliveryPolicy = DEFAULT_POLICY):
        self.store = store
        self.policy = policy
        self._stop = threading.Event()
        self._wake = {target: threading.Event() for target in TARGETS}
        self._threads: dict[str, threading.Thread] = {}
        self.last_error: str | None = None
        self.last_pass_at: datetime | None = None
        self.pacer = Pacer(sleep=self._stop.wait)  # answers per page spread over passes; a stop cuts a wait short

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads.values())

    def start(self) -> None:
        self._stop.clear()
        for target in TARGETS:
            thread = self._threads.get(target)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self._run, args=(target,), name=f"outbox-{target}", daemon=True)
                self._threads[target] = thread
                thread.start()

    def stop(self, wait: float | None = None) -> None:
        self._stop.set()
        self.wake()
        if wait is not None:
            self.join(wait)

    def join(self, timeout: float | None = None) -> None:
        for thread in self._threads.values():
            thread.join(timeout)

    def wake(self) -> None:
        for event in self._wake.values():
            event.set()

    def _idle_wait(self, target: str) -> float:
        """Answers are written by ingest, which the Facebook reader follows with a wake: between wakes the
        facebook thread looks at most once a second (a busy live's answers are already due when the wake comes)."""
        return max(self.policy.poll_seconds, FACEBOOK_IDLE_SECONDS) if target == FACEBOOK else self.policy.poll_seconds

    def _run(self, target: str) -> None:
        http = httpx.Client(timeout=self.policy.timeout())
        try:
            while not self._stop.is_set():
                tried = 0
                try:
                    self.store.cursor().close()  # raises once the store is closed: this worker's job is over
                    tried = deliver_due(self.store, targets=[target], policy=self.policy, http=http,
                                        pacer=self.pacer).tried
                    self.last_error = None
                except duckdb.ConnectionException:
                    return
                except Exception as error:  # shown on the Integrations screen; the worker goes on
                    log.exception("outbox worker (%s)", target)
                    self.last_error = _scrubbed(f"{type(error).__name__}: {error}")
                self.last_pass_at = utc_now()
                if not tried:
                    self._wake[target].wait(self._idle_wait(target))
                    self._wake[target].clear()
        finally:
            http.close()


_workers: Registry[OutboxWorker] = Registry(lambda store, _key: OutboxWorker(store, DEFAULT_POLICY))


def start_worker(store: Store, policy: DeliveryPolicy | None = None) -> OutboxWorker:
    """The process's one worker for this database, started if it is not running."""
    worker = _workers.get(store, replaced=lambda stale: stale.stop())
    if policy is not None:
        worker.policy = policy
    worker.start()
    return worker


def worker_for(store: Store) -> OutboxWorker | None:
    return _workers.find(store)


def wake_worker(store: Store) -> None:
    worker = worker_for(store)
    if worker is not None:
        worker.wake()


def stop_worker(store: Store, wait: float | None = 5.0) -> None:
    _workers.stop(store, wait=wait)


# At exit each worker gets a moment to finish its try (a try cut short is merely retried).
atexit.register(_workers.stop_all, 2.0)
