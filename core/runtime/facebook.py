"""Facebook Live comments: a background worker per livestream, feeding the one ingest pipeline.

Two readers run side by side, as DESIGN.md "Other systems" says:
- the poller walks `GET {graph}/{live-video-id}/comments` page by page: the source of truth, because the
  streaming endpoint samples comments above its rate;
- the listener reads the server-sent events of `GET {stream}/{live-video-id}/live_comments`, for speed.
Both hand their comments to `ingest_comments(..., source="facebook")`, which drops the ones already stored (by
comment id) and serves stock claims by comment time, so arrival order does not change who gets an item.

The poller remembers in `facebook_sources.polled_through` the newest comment time a complete walk has covered,
and resumes from there (minus an overlap) after a restart. It is not max(commented_at) of the stored comments:
the listener may have stored a later comment while polls were failing, and resuming from that would skip the
comments in between, which the stream never sent.

Workers run inside the app process (DuckDB allows one writing process). `facebook_worker(store, livestream_id)`
hands every browser session the same worker.
"""

from __future__ import annotations

import json
import queue
import random
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import httpx

from core.base import config
from core.base.errors import said
from core.base.formatting import shop_time_text, utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.integrations.comment_files import IncomingComment, comment_from_record
from core.integrations.facebook_graph import (
    PAGE_LIMIT,
    POLL_FIELDS,
    STREAM_FIELDS,
    TOKEN_INVALID_MESSAGE,
    FacebookProblem,
    TokenInvalid,
    problem_from_error,
    problem_from_response,
    problem_from_transport,
    sse_data,
    unix_seconds,
)
from core.runtime.deliveries import wake_worker
from core.runtime.pipeline import next_batch
from core.runtime.registry import Registry
from core.services.comments import ingest_comments, prepare
from core.services.livestreams import get_livestream
from core.services.sources import load_source, save_polled_through

SOURCE = "facebook"
RECENT_IDS_KEPT = 5000


# -- back-off -----------------------------------------------------------------------------------------------------
class Backoff:
    """Waits between failed tries: doubling from `initial` up to `cap`, each drawn between half and all of that,
    so that the poller and the listener (and several livestreams) do not retry in step."""

    def __init__(self, initial: float, cap: float, rng: Callable[[], float] = random.random):
        self.initial, self.cap, self.rng = initial, cap, rng
        self.failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.initial * (2 ** min(self.failures, 30)))
        self.failures += 1
        return ceiling / 2 + ceiling / 2 * self.rng()

    def reset(self) -> None:
        self.failures = 0


# -- what the Livestream screen shows -----------------------------------------------------------------------------
PHASES = {
    "stopped": Text("facebook.phase_stopped"),
    "not_set_up": Text("facebook.phase_not_set_up"),
    "starting": Text("facebook.phase_starting"),
    "live": Text("facebook.phase_live"),
    "polling": Text("facebook.phase_polling"),
    "retrying": Text("facebook.phase_retrying"),
    "token_invalid": Text("facebook.phase_token_invalid"),
    "stopping": Text("facebook.phase_stopping"),
}


@dataclass(frozen=True)
class WorkerState:
    phase: str  # a key of PHASES
    running: bool
    stream_connected: bool
    last_checked_at: datetime | None  # the last complete check of /comments (naive UTC)
    last_comment_at: datetime | None  # the newest comment time seen (naive UTC)
    comments_received: int  # comments this worker stored (repeats not counted)
    error: str | None  # the latest problem in words (a Text), None while all is well
    stream_problem: str | None  # (a Text) why the live stream of comments is reconnecting (the poller still reads all)

    @property
    def headline(self) -> Text:
        return PHASES[self.phase]

    def detail_parts(self) -> list[Text]:
        """The facts for the shop owner, each a Text (a page renders them in the reader's language)."""
        count = self.comments_received
        parts = [Text("facebook.received_one" if count == 1 else "facebook.received_many", count=count)]
        if self.last_comment_at is not None:
            parts.append(Text("facebook.last_comment_at", time=shop_time_text(self.last_comment_at)))
        if self.last_checked_at is not None:
            parts.append(Text("facebook.last_checked_at", time=shop_time_text(self.last_checked_at)))
        return parts

    def details(self) -> str:
        """One line of facts for the shop owner, in English."""
        return " · ".join(self.detail_parts())


# -- the worker ---------------------------------------------------------------------------------------------------
class _Run:
    """One start of the worker: its stop signal and threads. A restart gets a new one, so threads of the previous
    run that are still finishing a request see their own stop signal, never the new run's."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.stream_response: httpx.Response | None = None
        self.inbox: queue.Queue[IncomingComment] = queue.Queue()


class FacebookLiveWorker:
    """Reads one livestream's Facebook comments in the background until stopped (or until the token fails).

    Everything left None is read at each start: the live video id and token from Setup (the token falls back to
    CHOTDON_FACEBOOK_PAGE_TOKEN), the base URLs from CHOTDON_FACEBOOK_GRAPH_URL / CHOTDON_FACEBOOK_STREAM_URL.
    """

    def __init__(
        self, store: Store, livestream_id: int, *, live_video_id: str | None = None, page_token: str | None = None,
        graph_url: str | None = None, stream_url: str | None = None, listen_to_stream: bool = True,
        poll_interval: float = 3.0, overlap_seconds: int = 10, request_timeout: float = 10.0,
        stream_idle_timeout: float = 90.0, backoff_initial: float = 1.0, backoff_max: float = 60.0,
    ):
        self.store = store
        self.livestream_id = livestream_id
        self.live_video_id, self.page_token = live_video_id, page_token
        self.graph_url, self.stream_url = graph_url, stream_url
        self.listen_to_stream = listen_to_stream
        self.poll_interval = poll_interval
        self.overlap_seconds = overlap_seconds
        self.request_timeout = request_timeout
        self.stream_idle_timeout = stream_idle_timeout
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max

        self._lock = threading.Lock()
        self._run: _Run | None = None
        self._phase = "stopped"
        self._stream_connected = False
        self._poll_ok = False
        self._last_checked_at: datetime | None = None
        self._last_comment_at: datetime | None = None
        self._comments_received = 0
        self._error: str | None = None
        self._fatal: str | None = None
        self._stream_problem: str | None = None
        self._recent_ids: OrderedDict[str, None] = OrderedDict()

    # -- control -------------------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        run = self._run
        return run is not None and not run.stop.is_set() and any(t.is_alive() for t in run.threads)

    def start(self) -> WorkerState:
        """Starts reading (no-op while running). Also the way out of a token error: it reads the token again."""
        with self._lock:
            if self.running:
                return self._state_locked()
            self._fatal = self._error = self._stream_problem = None
            self._stream_connected = self._poll_ok = False
            missing = self._settings_problem()
            if missing:
                self._phase, self._error = "not_set_up", missing
                return self._state_locked()
            video_id, token, graph_url, stream_url = self._settings()
            source = load_source(self.store, self.livestream_id)
            self._last_comment_at = self.store.scalar(
                "SELECT max(commented_at) FROM comments WHERE livestream_id = ? AND source = ?",
                [self.livestream_id, SOURCE],
            )
            run = _Run()
            self._run = run
            self._phase = "starting"
            targets = [("poll", lambda: self._poll_loop(run, graph_url, video_id, token, source.polled_through))]
            if self.listen_to_stream:
                targets.append(("listen", lambda: self._listen_loop(run, stream_url, video_id, token)))
                targets.append(("store", lambda: self._store_stream_loop(run)))
            for name, target in targets:
                thread = threading.Thread(target=target, name=f"facebook-{name}-{self.livestream_id}", daemon=True)
                run.threads.append(thread)
            for thread in run.threads:
                thread.start()
            return self._state_locked()

    def stop(self) -> None:
        """Asks the threads to end; they do within about a second (an open request is cut, not awaited)."""
        with self._lock:
            run = self._run
            if run is None:
                return
            run.stop.set()
            if self._fatal is None and self._phase != "not_set_up":
                self._phase = "stopping"
            response = run.stream_response
        _cut(response)

    def wait(self, timeout: float | None = None) -> bool:
        """Waits for the threads of the current run to end; True when they have."""
        run = self._run
        if run is None:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in run.threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        done = not any(t.is_alive() for t in run.threads)
        if done:
            with self._lock:
                if self._phase == "stopping":
                    self._phase = "stopped"
        return done

    def state(self) -> WorkerState:
        with self._lock:
            return self._state_locked()

    # -- settings ------------------------------------------------------------------------------------------------
    def _settings(self) -> tuple[str, str, str, str]:
        source = load_source(self.store, self.livestream_id)
        video_id = self.live_video_id or source.live_video_id
        token = self.page_token or source.page_token
        graph_url = (self.graph_url or config.get("CHOTDON_FACEBOOK_GRAPH_URL") or "").rstrip("/")
        stream_url = (self.stream_url or config.get("CHOTDON_FACEBOOK_STREAM_URL") or "").rstrip("/")
        return video_id, token, graph_url, stream_url  # type: ignore[return-value]

    def _settings_problem(self) -> str | None:
        livestream = get_livestream(self.store, self.livestream_id)
        if livestream["platform"] != "facebook":
            return Text("facebook.not_facebook_livestream")
        video_id, token, _graph, _stream = self._settings()
        if not video_id and not token:
            return Text("facebook.add_video_id_and_token")
        if not video_id:
            return Text("facebook.add_video_id")
        if not token:
            return Text("facebook.add_token")
        return None

    # -- state ---------------------------------------------------------------------------------------------------
    def _state_locked(self) -> WorkerState:
        phase = self._phase
        running = self.running
        if self._fatal is not None:
            phase = "token_invalid"
        elif phase in ("starting", "live", "polling", "retrying") and not running:
            phase = "stopped"
        elif phase == "stopping" and not any(t.is_alive() for t in self._run.threads):
            phase = "stopped"
        return WorkerState(
            phase=phase, running=running, stream_connected=self._stream_connected and running,
            last_checked_at=self._last_checked_at, last_comment_at=self._last_comment_at,
            comments_received=self._comments_received, error=self._fatal or self._error,
            stream_problem=self._stream_problem if running and not self._stream_connected else None,
        )

    def _refresh_phase(self) -> None:
        """Called with the lock held after any change of the readers' health."""
        if self._fatal is not None or self._phase in ("stopping", "stopped", "not_set_up"):
            return
        if self._poll_ok:
            self._phase = "live" if self._stream_connected or not self.listen_to_stream else "polling"
        elif self._error is not None:
            self._phase = "retrying"

    def _report(self, run: _Run, *, poll_ok: bool | None = None, stream_connected: bool | None = None,
                error: str | None | bool = False, stream_problem: str | None | bool = False) -> None:
        with self._lock:
            if run is not self._run:
                return  # a thread of an earlier run, still finishing
            if poll_ok is not None:
                self._poll_ok = poll_ok
                if poll_ok:
                    self._last_checked_at = utc_now()
            if stream_connected is not None:
                self._stream_connected = stream_connected
            if error is not False:
                self._error = error  # type: ignore[assignment]
            if stream_problem is not False:
                self._stream_problem = stream_problem  # type: ignore[assignment]
            self._refresh_phase()

    def _token_failed(self, run: _Run) -> None:
        with self._lock:
            if run is self._run:
                self._fatal = TOKEN_INVALID_MESSAGE
                self._phase = "token_invalid"
            run.stop.set()
            response = run.stream_response
        _cut(response)

    def _store(self, run: _Run, comments: list[IncomingComment]) -> None:
        if not comments:
            return
        newest = max(c.commented_at for c in comments)
        with self._lock:
            if self._last_comment_at is None or newest > self._last_comment_at:
                self._last_comment_at = newest
            # Each poll reads the overlap again, and the stream repeats what the poll brought: skip the comments
            # this worker stored recently without a database transaction. The pipeline still drops any repeat.
            fresh = [c for c in comments if c.comment_id not in self._recent_ids]
        if not fresh:
            return
        summary = ingest_comments(self.store, self.livestream_id, fresh, source=SOURCE)
        if summary.new:
            wake_worker(self.store)  # the answers these comments call for go out at once
        with self._lock:
            self._comments_received += summary.new
            for comment in fresh:
                self._recent_ids[comment.comment_id] = None
            while len(self._recent_ids) > RECENT_IDS_KEPT:
                self._recent_ids.popitem(last=False)

    # -- the poller: the source of truth ----------------------------------------------------------------------------
    def _poll_loop(self, run: _Run, graph_url: str, video_id: str, token: str,
                   polled_through: datetime | None) -> None:
        prepare(self.store, self.livestream_id)  # the live's first comments then go in as fast as the rest
        backoff = Backoff(self.backoff_initial, self.backoff_max)
        url = f"{graph_url}/{quote(video_id, safe='')}/comments"
        with httpx.Client(timeout=self.request_timeout, headers={"User-Agent": "Chotdon"}) as client:
            while not run.stop.is_set():
                try:
                    newest = self._poll_once(run, client, url, token, polled_through)
                    if newest is not None and (polled_through is None or newest > polled_through):
                        save_polled_through(self.store, self.livestream_id, newest)
                        polled_through = newest
                except TokenInvalid:
                    self._token_failed(run)
                    return
                except FacebookProblem as problem:
                    delay = backoff.next_delay()
                    self._report(run, poll_ok=False, error=Text("facebook.problem_retrying", problem=problem.text,
                                                                retry=_retry_words(delay)))
                    run.stop.wait(delay)
                    continue
                except Exception as error:  # the database, most likely; shown, and retried like the network
                    delay = backoff.next_delay()
                    self._report(run, poll_ok=False,
                                 error=Text("facebook.store_failed_retrying", kind=type(error).__name__,
                                            error=said(error), retry=_retry_words(delay)))
                    run.stop.wait(delay)
                    continue
                backoff.reset()
                self._report(run, poll_ok=True, error=None)
                run.stop.wait(self.poll_interval)

    def _poll_once(self, run: _Run, client: httpx.Client, url: str, token: str,
                   polled_through: datetime | None) -> datetime | None:
        """Walks every page from `since`, storing each page as it comes; returns the newest comment time seen."""
        params = {
            "fields": POLL_FIELDS, "filter": "stream", "order": "chronological", "live_filter": "no_filter",
            "limit": str(PAGE_LIMIT), "access_token": token,
        }
        if polled_through is not None:
            # Graph can list a comment a little after its time: look back a few seconds; repeats are dropped.
            params["since"] = str(unix_seconds(polled_through) - self.overlap_seconds)
        newest: datetime | None = None
        next_url: str | None = url
        seen_pages: set[str] = set()
        while next_url and not run.stop.is_set():
            try:
                response = client.get(next_url, params=params if next_url == url else None)
            except httpx.TransportError as error:
                raise problem_from_transport(error) from None
            if response.status_code != 200:
                raise problem_from_response(response)
            try:
                body = response.json()
            except ValueError:
                raise FacebookProblem("facebook.unreadable_answer") from None
            comments = _comments_of(body.get("data") or [])
            if comments:
                self._store(run, comments)
                page_newest = max(c.commented_at for c in comments)
                newest = page_newest if newest is None or page_newest > newest else newest
            seen_pages.add(next_url)
            next_url = (body.get("paging") or {}).get("next")
            if not body.get("data") or next_url in seen_pages:
                break  # an empty page ends the walk, and a link back to a page already read is not followed
        return newest

    # -- the listener: the fast path ----------------------------------------------------------------------------
    def _listen_loop(self, run: _Run, stream_url: str, video_id: str, token: str) -> None:
        backoff = Backoff(self.backoff_initial, self.backoff_max)
        url = f"{stream_url}/{quote(video_id, safe='')}/live_comments"
        params = {"access_token": token, "comment_rate": "ten_per_second", "fields": STREAM_FIELDS}
        timeout = httpx.Timeout(self.request_timeout, read=self.stream_idle_timeout)
        with httpx.Client(timeout=timeout, headers={"User-Agent": "Chotdon", "Accept": "text/event-stream"}) as client:
            while not run.stop.is_set():
                problem: FacebookProblem | None = None
                try:
                    with client.stream("GET", url, params=params) as response:
                        if response.status_code != 200:
                            raise problem_from_response(response)
                        with self._lock:
                            run.stream_response = response
                        if run.stop.is_set():
                            break
                        self._report(run, stream_connected=True, stream_problem=None)
                        response.encoding = "utf-8"  # what the event-stream format prescribes
                        for data in sse_data(response.iter_lines()):
                            if run.stop.is_set():
                                break
                            backoff.reset()
                            record = _json_or_none(data)
                            if isinstance(record, dict) and isinstance(record.get("error"), dict):
                                raise problem_from_error(record["error"])  # an error sent as an event
                            for comment in _comments_of([record]):
                                run.inbox.put(comment)
                    problem = FacebookProblem("facebook.stream_closed")
                except TokenInvalid:
                    self._token_failed(run)
                    return
                except FacebookProblem as error:
                    problem = error
                except httpx.TransportError as error:
                    problem = problem_from_transport(error)
                except Exception as error:  # anything else: retried, never a silently dead thread
                    problem = FacebookProblem("facebook.stream_failed", kind=type(error).__name__)
                finally:
                    with self._lock:
                        run.stream_response = None
                if run.stop.is_set():
                    break
                # The poller still finds every comment; only the speed suffers, so this is a note, not an error.
                self._report(run, stream_connected=False, stream_problem=problem.text)
                run.stop.wait(backoff.next_delay())
        self._report(run, stream_connected=False)

    def _store_stream_loop(self, run: _Run) -> None:
        """Stores what the listener received as it comes (core.runtime.pipeline.next_batch): each batch is one
        transaction, and comments that arrived out of order within a batch are applied in comment time order."""
        while True:
            batch = next_batch(run.inbox, wait=0.2)
            if batch is None:
                if run.stop.is_set():
                    return
                continue
            try:
                self._store(run, batch)
            except Exception as error:  # the poller will bring these comments in again
                self._report(run, error=Text("facebook.store_failed", kind=type(error).__name__, error=said(error)))


def _retry_words(delay: float) -> Text:
    return Text("facebook.retry_soon") if delay < 1.5 else Text("facebook.retry_in", seconds=f"{delay:.0f}")


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _comments_of(records: list) -> list[IncomingComment]:
    """The readable comments of a page or an event; an unreadable record is skipped (the next poll brings it
    again, and it is skipped again, rather than stopping the live)."""
    comments = []
    for record in records:
        try:
            comments.append(comment_from_record(record))
        except ValueError:
            continue
    return comments


def _cut(response: httpx.Response | None) -> None:
    """Ends a blocked read of the event stream at once: shutting the socket down makes the read return."""
    if response is None:
        return
    try:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass


# -- one worker per livestream per process ---------------------------------------------------------------------------
_workers: Registry[FacebookLiveWorker] = Registry(lambda store, livestream_id: FacebookLiveWorker(store, livestream_id))


def facebook_worker(store: Store, livestream_id: int) -> FacebookLiveWorker:
    """The process's one Facebook worker for this livestream, shared by every browser session."""
    return _workers.get(store, livestream_id)
