"""Facebook's Graph API as Chotdon reads it: the fields asked for, the errors it answers (in words), and the
server-sent events of the live comment stream. No decisions: core.runtime.facebook decides when to poll and wait."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from core.base.errors import ChotdonError
from core.base.i18n import Text

POLL_FIELDS = "id,from{id,name},message,created_time"
STREAM_FIELDS = "from{name,id},message,created_time"
PAGE_LIMIT = 100
# Graph error codes: 190 is an expired or invalid access token; 102 is the older "API session" form of it.
TOKEN_ERROR_CODES = {102, 190}
# Graph error codes that mean "too many calls, slow down".
RATE_LIMIT_CODES = {4, 17, 32, 613}

TOKEN_INVALID_MESSAGE = Text("facebook.token_invalid")


# -- errors ------------------------------------------------------------------------------------------------------
class FacebookProblem(ChotdonError):
    """A failed call to Facebook; `.text` is the message for the shop owner (str() its English). Retried with
    back-off."""


class TokenInvalid(FacebookProblem):
    """Facebook refused the access token (code 190): no retry until the worker is started again."""

    def __init__(self) -> None:
        super().__init__("facebook.token_invalid")


def problem_from_response(response: httpx.Response) -> FacebookProblem:
    """The words for a non-200 answer, from Graph's `{"error": {"message", "type", "code", ...}}` when present."""
    error = None
    try:
        body = json.loads(response.read() or b"null")
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
    except (ValueError, httpx.HTTPError):
        pass
    return problem_from_error(error, response.status_code)


def problem_from_error(error: dict | None, status_code: int | None = None) -> FacebookProblem:
    code = error.get("code") if error else None
    if code in TOKEN_ERROR_CODES:
        return TokenInvalid()
    if code in RATE_LIMIT_CODES or status_code == 429:
        return FacebookProblem("facebook.slow_down")
    if status_code is not None and status_code >= 500:
        return FacebookProblem("facebook.server_trouble", status=status_code)
    if error and error.get("message"):
        return FacebookProblem("facebook.refused_with_message", message=str(error["message"]), code=code)
    return FacebookProblem("facebook.refused", status=status_code)


def problem_from_transport(error: httpx.TransportError) -> FacebookProblem:
    # Never str(error): httpx puts the URL, with the access token in it, into some of its messages.
    if isinstance(error, httpx.TimeoutException):
        return FacebookProblem("facebook.timeout")
    return FacebookProblem("facebook.network_down")


# -- answering: the three calls (core.runtime.deliveries decides when, and what an answer means) ----------------
def _url(graph_url: str, *parts: str) -> str:
    return "/".join([graph_url.rstrip("/"), *(quote(part, safe="") for part in parts)])


def reply_to_comment(http: httpx.Client, graph_url: str, token: str, comment_id: str, text: str) -> httpx.Response:
    """A public reply under a comment: `POST /{comment-id}/comments` with `message`; the answer holds the new
    comment's `id`."""
    return http.post(_url(graph_url, comment_id, "comments"), params={"access_token": token},
                     data={"message": text})


def private_reply(http: httpx.Client, graph_url: str, token: str, comment_id: str, text: str) -> httpx.Response:
    """A private reply in Messenger to the person who wrote a comment: `POST /me/messages` (with a Page token,
    `me` is the Page) with `recipient.comment_id`; the answer holds `recipient_id` and `message_id`. Facebook
    allows one per comment, within 7 days of it."""
    body = {"recipient": {"comment_id": comment_id}, "message": {"text": text}}
    return http.post(_url(graph_url, "me", "messages"), params={"access_token": token},
                     content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                     headers={"Content-Type": "application/json; charset=utf-8"})


def hide_comment(http: httpx.Client, graph_url: str, token: str, comment_id: str) -> httpx.Response:
    """Hides a comment from everyone but its writer and their friends: `POST /{comment-id}` with `is_hidden`."""
    return http.post(_url(graph_url, comment_id), params={"access_token": token}, data={"is_hidden": "true"})


def graph_error(response: httpx.Response) -> dict | None:
    """The `error` object of a Graph answer, when it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def answer_ref(response: httpx.Response) -> str | None:
    """What Facebook made: the reply's comment id or the message's id (a hide answers `success` only)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    ref = body.get("id") or body.get("message_id")
    return str(ref) if ref else None


def unix_seconds(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


# -- server-sent events -------------------------------------------------------------------------------------------
def sse_data(lines: Iterable[str]) -> Iterator[str]:
    """The `data` of each server-sent event (the WHATWG rules: data lines joined by newlines, a blank line ends
    an event, lines starting with a colon are keep-alive comments)."""
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield "\n".join(data)
            data = []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if name == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    # An event cut off by a dropped connection has no blank line after it and is not dispatched.


