"""The demo shop shipped in data/demo, and the demo live that plays its comments in at live speed or faster."""

from __future__ import annotations

import csv
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.services import livestreams, staff
from core.services.auth import SYSTEM_USER
from core.base.config import PROJECT_ROOT
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.ingest import IncomingComment, IngestSummary, comment_from_record, ingest_comments, said
from core.db.store import Store

DEMO_DIR = PROJECT_ROOT / "data" / "demo"


def demo_comments() -> list[IncomingComment]:
    with (DEMO_DIR / "comments.jsonl").open(encoding="utf-8") as handle:
        return [comment_from_record(json.loads(line)) for line in handle if line.strip()]


def is_empty(store: Store) -> bool:
    return not store.scalar("SELECT count(*) FROM livestreams")


def create_demo_shop(store: Store) -> int:
    """Staff, and one livestream with the demo items; returns the livestream id. Comments come from the replay."""
    meta = json.loads((DEMO_DIR / "livestream.json").read_text(encoding="utf-8"))
    items = livestreams.items_from_csv((DEMO_DIR / "items.csv").read_text(encoding="utf-8"))
    existing = {user["username"] for user in staff.list_users(store, active_only=False)}
    with (DEMO_DIR / "staff.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["username"] not in existing:
                staff.add_user(store, row["username"], row["display_name"], row["role"], by=SYSTEM_USER)
    livestream_id = livestreams.create_livestream(
        store, meta["title"], platform=meta.get("platform", "other"), source_ref=meta.get("source_ref"), items=items
    )
    return livestream_id


def ensure_demo_shop(store: Store) -> int | None:
    """Creates the demo shop on an empty database; None when the shop already has livestreams."""
    if is_empty(store):
        return create_demo_shop(store)
    return None


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


_replays: dict[tuple[str, int], DemoReplay] = {}
_replays_lock = threading.Lock()


def demo_replay(store: Store, livestream_id: int) -> DemoReplay:
    """The process's one replay for this livestream, shared by every browser session."""
    with _replays_lock:
        key = (store.path, livestream_id)
        replay = _replays.get(key)
        if replay is None:
            replay = DemoReplay(store=store, livestream_id=livestream_id)
            _replays[key] = replay
        return replay
