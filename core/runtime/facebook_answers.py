"""One try of an answer on Facebook (core.services.answers writes them to the outbox; core.runtime.deliveries
claims them and calls try_answer), and the pace they go out at.

At most once, for a private reply. Facebook allows one private reply per comment, and a lost answer may already
have delivered it; there is no way to ask. So a private reply is sent only while nothing says it may have left
before: a try whose request may have reached Facebook (a timeout after sending, a connection dropped after the
request was written, a 5xx, Chotdon stopping while it was "sending") makes it "may have been sent", for staff to
check in the Page's Messenger inbox, never a second message. Only what proves nothing was sent is tried again: no
connection made (refused, DNS, a connect timeout) or a clear refusal (a rate-limit error, which Facebook answers
without doing the call).

Public replies and hides are tried again after any failure. Hiding twice leaves the comment hidden. A reply
tried again after a lost answer may, at worst, appear twice under the comment: the same short thank-you with the
order code, no customer data, which staff can delete. That is better than no answer at all, so they are
idempotent enough to repeat.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import NamedTuple

import httpx

from core.base import config
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.integrations import facebook_graph
from core.integrations.mshopkeeper import describe_http_error
from core.services import answers
from core.services.outbox import (
    DELIVERED,
    FACEBOOK,
    FAILED,
    HIDE,
    MAY_HAVE_BEEN_SENT,
    PENDING,
    PRIVATE_MESSAGE,
    REPLY,
    WITHDRAWN,
)

log = logging.getLogger(__name__)


class Answered(NamedTuple):
    """What a try came to (core.runtime.deliveries' Outcome, field for field)."""

    state: str
    problem: Text | None = None
    in_doubt: bool = False
    retry_after: float | None = None
    remote_ref: str | None = None


def never_sent(error: httpx.HTTPError) -> bool:
    """Errors that prove the request did not leave: no connection was made (refused, DNS, a connect timeout)."""
    return isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def once_only(claim) -> bool:
    return claim.target == FACEBOOK and claim.action == PRIVATE_MESSAGE


def _may_have_been_sent(why) -> Answered:
    return Answered(MAY_HAVE_BEEN_SENT, Text("answers.may_have_been_sent", why=why), in_doubt=True)


class Pacer:
    """At most N answers a minute per Facebook page, spread evenly: one every 60/N seconds, so a busy live's
    answers go out steadily instead of N at once and then a pause. A page is known by its token (one Page token
    speaks for one page). One Pacer per worker, in memory: after a restart the first answer goes at once."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], object] = time.sleep):
        self.clock, self.sleep = clock, sleep
        self._next: dict[str, float] = {}

    def wait_turn(self, page: str, per_minute: int) -> float:
        """Waits until `page` may send again and books its next turn; returns the seconds waited."""
        now = self.clock()
        turn = max(now, self._next.get(page, now))
        self._next[page] = turn + 60.0 / max(1, per_minute)
        if turn > now:
            self.sleep(turn - now)
        return turn - now


def page_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def wait_turn(store, push_id: int, pacer: Pacer) -> None:
    """Before an answer is claimed: waits for its page's turn. Waiting before the claim, not during the try,
    keeps a private reply from sitting "sending" while it waits (a stop then would make it "may have been
    sent" though nothing had left)."""
    token, per_minute = answers.page_token_of_push(store, push_id)
    if token is not None:
        pacer.wait_turn(page_of(token), per_minute)


def try_answer(store, claim, http: httpx.Client, exchanges, policy) -> Answered:
    """One try of one answer, in its page's turn (wait_turn): dropped when it may no longer go (past the window,
    cancelled, blacklisted), else sent, and what the answer means (see the module's docstring)."""
    private = claim.action == PRIVATE_MESSAGE
    if private and claim.was_in_doubt:  # an earlier try may have delivered it: never a second message
        return _may_have_been_sent(Text("answers.lost_earlier"))
    try:
        delivery = answers.prepare_delivery(store, claim.id, claim.token)
    except Exception as error:  # nothing has left yet: a plain try again, even for a private reply
        log.exception("answer %s: could not be prepared", claim.id)
        return Answered(PENDING, Text("outbox.could_not_try", kind=type(error).__name__, error=str(error)))
    if delivery.dropped is not None:
        return Answered(WITHDRAWN, delivery.dropped)
    if delivery.token is None:
        return Answered(PENDING, Text("answers.no_token"))
    graph_url = config.get("CHOTDON_FACEBOOK_GRAPH_URL") or ""
    calls = {
        REPLY: lambda: facebook_graph.reply_to_comment(http, graph_url, delivery.token, delivery.comment,
                                                       delivery.text),
        PRIVATE_MESSAGE: lambda: facebook_graph.private_reply(http, graph_url, delivery.token, delivery.comment,
                                                              delivery.text),
        HIDE: lambda: facebook_graph.hide_comment(http, graph_url, delivery.token, delivery.comment),
    }
    try:
        response = exchanges(f"POST {claim.action} {delivery.comment}", calls[claim.action])
    except httpx.HTTPError as error:
        words = describe_http_error(error)
        if never_sent(error):
            return Answered(PENDING, Text("answers.facebook_network", error=words))
        if private:
            return _may_have_been_sent(words)
        return Answered(PENDING, Text("answers.facebook_network", error=words))
    return answer_of(response, private=private, max_wait=policy.max_retry_after)


def answer_of(response: httpx.Response, *, private: bool, max_wait: float) -> Answered:
    """What Facebook's answer means. Rate limits (codes 4, 17, 32, 613; HTTP 429): the call was not done, try
    later. A 5xx: unknown whether it was done (a private reply is then in doubt). Another error: final."""
    if response.is_success:
        return Answered(DELIVERED, remote_ref=facebook_graph.answer_ref(response))
    error = facebook_graph.graph_error(response) or {}
    code, status = error.get("code"), response.status_code
    if code in facebook_graph.RATE_LIMIT_CODES or status == 429:
        wait = _retry_after(response, max_wait)
        return Answered(PENDING, Text("answers.facebook_slow_down", code=code or status), retry_after=wait)
    if status >= 500:
        if private:
            return _may_have_been_sent(Text("answers.facebook_server", status=status))
        return Answered(PENDING, Text("answers.facebook_server", status=status))
    if code in facebook_graph.TOKEN_ERROR_CODES:
        return Answered(FAILED, Text("answers.facebook_token"))
    if error.get("message"):
        return Answered(FAILED, Text("answers.facebook_refused", code=code, message=str(error["message"])[:300]))
    return Answered(FAILED, Text("answers.facebook_refused_status", status=status))


def _retry_after(response: httpx.Response, max_wait: float) -> float | None:
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return min(max(0.0, seconds), max_wait)


def recover_private_replies(cur, push_ids: list[int]) -> None:
    """Private replies left "sending" by a process that stopped may have gone out: "may have been sent"."""
    cur.execute(
        "UPDATE outbox SET state = ?, next_try_at = NULL, claim_token = NULL, lease_until = NULL, in_doubt = TRUE, "
        "updated_at = ?, problem = ? WHERE id IN (SELECT unnest(?::BIGINT[])) AND target = ? "
        "AND action = ?",
        [MAY_HAVE_BEEN_SENT, utc_now(), Text("answers.may_have_been_sent", why=Text("answers.lost_sending")).to_json(),
         push_ids, FACEBOOK, PRIVATE_MESSAGE])
