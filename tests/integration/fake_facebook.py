"""A local stand-in for Facebook's two live-comment endpoints, on a real HTTP server on 127.0.0.1.

It answers as Meta documents them (shared/docs/REFERENCE.md):
- `GET /{live-video-id}/comments`: pages of comment objects in chronological order, `since` in Unix seconds,
  `limit`, `paging.cursors.before/after` and an absolute `paging.next` URL back to this server, absent on the
  last page; `live_filter` other than `no_filter` hides the comments Facebook calls low quality;
- `GET /{live-video-id}/live_comments`: server-sent events, one comment object per event's `data:`;
- errors as `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`; code 190 for a bad token.

Tests script it: `add` a comment (visible to polling at once, later with `reveal`, or never), `send` events or
`DROP` down the open event stream, queue failing answers with `fail_polls` / `fail_streams`, `expire_token`.

It also takes the three answers (REFERENCE.md): `POST /{comment-id}/comments` (a public reply, form `message`),
`POST /me/messages` (a private reply, JSON `recipient.comment_id` and `message.text`) and `POST /{comment-id}`
(form `is_hidden=true`). Every POST is recorded in `posts`, with its payload and whether Facebook "stored" it,
before any fault is applied; `fail_answers` queues faults for the next POSTs (of one kind, or any).
"""

from __future__ import annotations

import base64
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

START = datetime(2026, 11, 20, 13, 0, 0, tzinfo=UTC)  # 20:00 in Ho Chi Minh City
DROP = "drop"  # sent down the event stream: the server closes the connection there
CUT_EVENT = "cut"  # sent down the event stream: half an event, then the connection closes

TOKEN_ERROR = {"error": {
    "message": "Error validating access token: Session has expired on Friday, 20-Nov-26 05:00:00 PST.",
    "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbCdEfGhIjK",
}}
SERVER_ERROR = {"error": {
    "message": "An unknown error has occurred.", "type": "OAuthException", "code": 1, "is_transient": True,
    "fbtrace_id": "AzYxWvUtSrQ",
}}


@dataclass
class Published:
    record: dict  # the Graph comment object
    at: datetime
    polled: bool  # listed by /comments yet (Graph can list a comment a little after it was written)
    low_quality: bool = False


# Faults for answers (fail_answers). Statuses 500 / 503 / 429 and Graph's rate-limit codes answer at once;
# AFTER_STORE_* store the answer first and then lose it on the way back; BEFORE_STORE_DROP loses the request.
TIMEOUT_AFTER_STORE = "timeout_after_store"  # stored, then no answer for longer than the client waits
DROP_AFTER_STORE = "drop_after_store"  # stored, then the connection closes without an answer
DROP_BEFORE_STORE = "drop_before_store"  # read, not stored, the connection closes without an answer
HOLD_AFTER_STORE = "hold_after_store"  # stored, then held until `release()` (a worker is killed meanwhile)
RATE_LIMIT_CODES = (4, 17, 32, 613)


@dataclass
class Post:
    kind: str  # reply | message | hide | unknown
    comment: str  # the comment answered
    payload: dict  # the form fields or the JSON body
    token_ok: bool
    stored: bool = False  # Facebook did it (the reply is there, the message delivered, the comment hidden)
    fault: object = None


@dataclass
class SeenRequest:
    path: str
    params: dict[str, str]
    at: float = field(default_factory=time.monotonic)


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _cursor(comment_id: str) -> str:
    return base64.urlsafe_b64encode(comment_id.encode()).decode()


def _uncursor(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor.encode()).decode()


class FakeFacebook:
    def __init__(self, video_id: str = "1234567890123", token: str = "EAAGfakepagetoken" + "x" * 40,
                 port: int = 0):
        self.video_id = video_id
        self.token = token
        self.port = port
        self.comments: dict[str, Published] = {}
        self.requests: list[SeenRequest] = []
        self.poll_failures: list[tuple[int, dict]] = []
        self.stream_failures: list[tuple[int, dict]] = []
        self.stream_connections = 0
        self._lock = threading.Lock()
        self._streams: list[queue.Queue] = []  # one per open event stream, the newest last
        self._pending: list = []  # sent while no stream was open: goes to the next one
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.start_time = START  # `add`'s seconds count from here (answers need comments younger than 7 days)
        self.posts: list[Post] = []
        self.answer_faults: list[tuple[str | None, object]] = []  # (kind or None for any, fault)
        self.fault_hold = 3.0  # seconds TIMEOUT_AFTER_STORE waits before answering
        self.holding = threading.Event()  # set while a HOLD_AFTER_STORE request is held
        self._release = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeFacebook:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server name)
                fake._handle(self)

            def do_POST(self):  # noqa: N802
                fake._handle_post(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def close(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- scripting -----------------------------------------------------------------------------------------------
    def add(self, number: int, user: str | None, message: str, second: float, *, polled: bool = True,
            low_quality: bool = False) -> dict:
        """A comment written `second` seconds after START; user None hides `from`, as privacy settings do."""
        at = self.start_time + timedelta(seconds=second)
        record = {"id": f"{self.video_id}_{number}", "message": message, "created_time": graph_time(at)}
        if user is not None:
            record["from"] = {"id": f"fb-{user}", "name": user}
        with self._lock:
            self.comments[record["id"]] = Published(record, at, polled, low_quality)
        return record

    def reveal(self, *records: dict) -> None:
        with self._lock:
            for record in records:
                self.comments[record["id"]].polled = True

    def send(self, *items) -> None:
        """Comment objects (or DROP / CUT_EVENT, or an error object) down the newest open event stream, else the
        next one opened."""
        with self._lock:
            if self._streams:
                for item in items:
                    self._streams[-1].put(item)
            else:
                self._pending.extend(items)

    def fail_polls(self, *answers: int) -> None:
        """The next polls answer these statuses (190 means a 400 with the token error)."""
        with self._lock:
            self.poll_failures.extend(_failure(status) for status in answers)

    def fail_streams(self, *answers: int) -> None:
        with self._lock:
            self.stream_failures.extend(_failure(status) for status in answers)

    def expire_token(self) -> None:
        """Every call now fails with code 190, and the open event streams close."""
        with self._lock:
            self.token = "expired:" + self.token
            for stream in self._streams:
                stream.put(DROP)

    def fail_answers(self, *faults, kind: str | None = None) -> None:
        """The next POSTs (of `kind`, else any) meet these faults in turn: an HTTP status (500, 503, 429), a Graph
        rate-limit code (4, 17, 32, 613: HTTP 400 with that code, nothing done), ("refuse", code), or one of
        TIMEOUT_AFTER_STORE, DROP_AFTER_STORE, DROP_BEFORE_STORE, HOLD_AFTER_STORE. A 5xx stores the answer first
        when given as ("stored", 500): Facebook did it, then answered an error."""
        with self._lock:
            self.answer_faults.extend((kind, fault) for fault in faults)

    def release(self) -> None:
        self._release.set()

    def answers(self, kind: str | None = None, *, stored: bool | None = None) -> list[Post]:
        with self._lock:
            return [p for p in self.posts if (kind is None or p.kind == kind)
                    and (stored is None or p.stored == stored)]

    def polls(self) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/comments")]

    def stream_requests(self) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/live_comments")]

    @property
    def open_streams(self) -> int:
        with self._lock:
            return len(self._streams)

    # -- serving ---------------------------------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(SeenRequest(parts.path, params))
            token_ok = params.get("access_token") == self.token
        if parts.path == f"/{self.video_id}/comments":
            self._comments(handler, params, token_ok)
        elif parts.path == f"/{self.video_id}/live_comments":
            self._live_comments(handler, params, token_ok)
        else:
            _json(handler, 404, {"error": {
                "message": "Unsupported get request. Object does not exist.", "type": "GraphMethodException",
                "code": 100, "error_subcode": 33, "fbtrace_id": "AnOtFoUnD"}})

    def _handle_post(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        post = _read_post(parts.path, raw, handler.headers.get("Content-Type", ""))
        with self._lock:
            self.requests.append(SeenRequest(parts.path, params))
            post.token_ok = params.get("access_token") == self.token
            fault = next(((kind, f) for kind, f in self.answer_faults if kind in (None, post.kind)), None)
            if fault is not None:
                self.answer_faults.remove(fault)
                post.fault = fault[1]
            self.posts.append(post)
        fault = post.fault
        if fault is None:
            if not post.token_ok:
                return _json(handler, 400, TOKEN_ERROR)
            if post.kind == "unknown":
                return _json(handler, 404, {"error": {"message": "Unknown path", "type": "GraphMethodException",
                                                      "code": 100}})
            return self._store(handler, post)
        self._answer_with_fault(handler, post, fault)

    def _store(self, handler, post: Post, *, answer: bool = True) -> None:
        with self._lock:
            post.stored = True
            number = len(self.posts)
        if not answer:
            return
        body = {"reply": {"id": f"{post.comment}_r{number}"},
                "message": {"recipient_id": "fb-recipient", "message_id": f"m_{number}"},
                "hide": {"success": True}}[post.kind]
        _json(handler, 200, body)

    def _answer_with_fault(self, handler, post: Post, fault) -> None:
        if fault in RATE_LIMIT_CODES:
            return _json(handler, 400, {"error": {"message": f"(#{fault}) Too many calls", "type": "OAuthException",
                                                  "code": fault, "fbtrace_id": "RaTeLiMiT"}})
        if isinstance(fault, tuple) and fault[0] == "refuse":
            return _json(handler, 400, {"error": {"message": f"(#{fault[1]}) This person isn't available",
                                                  "type": "OAuthException", "code": fault[1]}})
        if isinstance(fault, tuple) and fault[0] == "stored":
            self._store(handler, post, answer=False)
            return _json(handler, fault[1], SERVER_ERROR)
        if isinstance(fault, int):
            return _json(handler, fault, SERVER_ERROR if fault >= 500 else {"error": {
                "message": "Too many requests", "type": "OAuthException", "code": 4}})
        if fault == DROP_BEFORE_STORE:
            handler.close_connection = True
            return
        self._store(handler, post, answer=False)
        if fault == TIMEOUT_AFTER_STORE:
            self._closing.wait(self.fault_hold)
        elif fault == HOLD_AFTER_STORE:
            self.holding.set()
            while not (self._release.is_set() or self._closing.is_set()):
                self._release.wait(0.05)
        if fault in (TIMEOUT_AFTER_STORE, HOLD_AFTER_STORE):
            try:
                _json(handler, 200, {"recipient_id": "late", "message_id": "late"})
            except OSError:
                pass  # the client has gone
        handler.close_connection = True

    def _comments(self, handler, params: dict, token_ok: bool) -> None:
        with self._lock:
            failure = self.poll_failures.pop(0) if self.poll_failures else None
        if failure is not None:
            return _json(handler, *failure)
        if not token_ok:
            return _json(handler, 400, TOKEN_ERROR)
        since = int(params["since"]) if params.get("since") else None
        limit = int(params.get("limit") or 25)
        with self._lock:
            visible = [
                c for c in self.comments.values()
                if c.polled and (since is None or c.at.timestamp() >= since)
                and (params.get("live_filter") == "no_filter" or not c.low_quality)
            ]
        if params.get("order") == "chronological":
            visible.sort(key=lambda c: (c.at, c.record["id"]))
        else:
            visible.sort(key=lambda c: (c.at, c.record["id"]), reverse=True)
        start = 0
        if params.get("after"):
            after_id = _uncursor(params["after"])
            ids = [c.record["id"] for c in visible]
            start = ids.index(after_id) + 1 if after_id in ids else len(ids)
        page = visible[start:start + limit]
        fields = params.get("fields", "")
        body: dict = {"data": [_with_fields(c.record, fields) for c in page]}
        if page:
            body["paging"] = {"cursors": {"before": _cursor(page[0].record["id"]),
                                          "after": _cursor(page[-1].record["id"])}}
            if start + limit < len(visible):
                following = dict(params, after=_cursor(page[-1].record["id"]))
                body["paging"]["next"] = f"{self.url}/{self.video_id}/comments?{urlencode(following)}"
        _json(handler, 200, body)

    def _live_comments(self, handler, params: dict, token_ok: bool) -> None:
        with self._lock:
            failure = self.stream_failures.pop(0) if self.stream_failures else None
        if failure is not None:
            return _json(handler, *failure)
        if not token_ok:
            return _json(handler, 400, TOKEN_ERROR)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.end_headers()
        events: queue.Queue = queue.Queue()
        with self._lock:
            self.stream_connections += 1
            for item in self._pending:
                events.put(item)
            self._pending = []
            self._streams.append(events)
        fields = params.get("fields", "")
        try:
            while not self._closing.is_set():
                try:
                    item = events.get(timeout=0.2)
                except queue.Empty:
                    handler.wfile.write(b": ping\n\n")  # keep-alive; also finds a client that went away
                    handler.wfile.flush()
                    continue
                if item == DROP:
                    return
                is_comment = isinstance(item, dict) and "error" not in item
                record = json.dumps(_with_fields(item, fields) if is_comment else item, ensure_ascii=False)
                if item == CUT_EVENT:
                    handler.wfile.write(b'data: {"id": "half')
                    handler.wfile.flush()
                    return
                handler.wfile.write(f"data: {record}\n\n".encode())
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self._streams.remove(events)
                # The rest of the script (comments, and drops) goes to the next connection.
                leftovers = []
                while not events.empty():
                    leftovers.append(events.get())
                self._pending = leftovers + self._pending
            handler.close_connection = True


def _read_post(path: str, raw: bytes, content_type: str) -> Post:
    if "json" in content_type:
        payload = json.loads(raw or b"{}")
    else:
        payload = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
    pieces = [p for p in path.split("/") if p]
    if pieces == ["me", "messages"] or (len(pieces) == 2 and pieces[1] == "messages"):
        return Post("message", str(payload.get("recipient", {}).get("comment_id")), payload, False)
    if len(pieces) == 2 and pieces[1] == "comments":
        return Post("reply", pieces[0], payload, False)
    if len(pieces) == 1 and payload.get("is_hidden") in ("true", True):
        return Post("hide", pieces[0], payload, False)
    return Post("unknown", path, payload, False)


def _failure(status: int) -> tuple[int, dict]:
    return (400, TOKEN_ERROR) if status == 190 else (status, SERVER_ERROR)


def _with_fields(record: dict, fields: str) -> dict:
    """The record cut to the requested fields (the id always comes, as Graph returns it)."""
    wanted = {name.split("{")[0] for name in _top_level_fields(fields)} | {"id"}
    return {key: value for key, value in record.items() if key in wanted}


def _top_level_fields(fields: str) -> list[str]:
    names, depth, current = [], 0, ""
    for ch in fields:
        if ch == "," and depth == 0:
            names.append(current)
            current = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        current += ch
    if current:
        names.append(current)
    return names


def _json(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=UTF-8")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
