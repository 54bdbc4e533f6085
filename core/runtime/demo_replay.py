"""The demo live: the demo shop's recorded comments played into a livestream from a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from core.base.errors import said
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.integrations.comment_files import IncomingComment
from core.runtime.registry import Registry
from core.services import livestreams
from core.services.comments import IngestSummary, ingest_comments
from core.services.demo import demo_comments


@dataclass
class DemoReplay:
    """Plays the demo comments into one livestream from a background thread, as they would arrive in a live.

    Comment times are rebased to the moment they are played, so the stream reads like a live one. Ids are
    prefixed with the livestream id: playing again, or restarting the app, never stores a comment twice.
    """

    store: Store
    livestream_id: int
    speed: float = 10.0
    played: int = 0
    total: int = 0
    error: str | None = None  # a Text
    summary: IngestSummary = field(default_factory=IngestSummary)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"demo-live-{self.livestream_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            comments = demo_comments()
            self.total = len(comments)
            livestreams.set_livestream_status(self.store, self.livestream_id, "live")
            index = self.played
            if index >= len(comments):
                return
            first_time = comments[index].commented_at  # a restarted replay goes on from where it stopped
            started = time.monotonic()
            start_utc = utc_now()
            while index < len(comments) and not self._stop.is_set():
                due: list[IncomingComment] = []
                elapsed = (time.monotonic() - started) * self.speed
                while index < len(comments):
                    offset = (comments[index].commented_at - first_time).total_seconds()
                    if offset > elapsed:
                        break
                    original = comments[index]
                    due.append(IncomingComment(
                        comment_id=f"ls{self.livestream_id}-{original.comment_id}", user_id=original.user_id,
                        user_name=original.user_name, message=original.message,
                        commented_at=start_utc + (original.commented_at - first_time) / self.speed,
                    ))
                    index += 1
                if due:
                    ingest_comments(self.store, self.livestream_id, due, source="demo", summary=self.summary)
                    self.played = index
                self._stop.wait(0.25)
        except Exception as error:  # shown on the Livestream screen; the thread must not die silently
            self.error = Text("livestream.demo_stopped", error=said(error))


_replays: Registry[DemoReplay] = Registry(lambda store, livestream_id: DemoReplay(store, livestream_id))


def demo_replay(store: Store, livestream_id: int) -> DemoReplay:
    """The process's one replay for this livestream, shared by every browser session."""
    return _replays.get(store, livestream_id)
