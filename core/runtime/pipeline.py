"""The live pipeline: comments arriving one by one (Facebook, TikTok, hand entry) go into orders in micro-batches.

A batch is whatever has arrived while the previous batch was being written (at most `max_batch` comments), so a
quiet live commits each comment almost at once and a burst is absorbed in larger, cheaper batches. Every batch
is one transaction of core.services.comments; a comment that fails stays counted in `error` and the worker keeps going.
"""

from __future__ import annotations

import queue
import threading
import time

from core.base.errors import said
from core.base.i18n import Text
from core.db.store import Store
from core.integrations.comment_files import IncomingComment
from core.services.comments import IngestSummary, ingest_comments, prepare

MAX_LIVE_BATCH = 2000


def next_batch(inbox: queue.Queue, *, wait: float, max_batch: int = MAX_LIVE_BATCH) -> list | None:
    """The next live batch: the first item to arrive (None after `wait` seconds of nothing), with whatever else
    is already waiting. A quiet live stores each comment at once; a burst is absorbed in larger, cheaper batches,
    as large as what arrived while the previous batch was being written."""
    try:
        batch = [inbox.get(timeout=wait)]
    except queue.Empty:
        return None
    while len(batch) < max_batch:
        try:
            batch.append(inbox.get_nowait())
        except queue.Empty:
            break
    return batch


class LivePipeline:
    def __init__(self, store: Store, livestream_id: int, *, source: str, max_batch: int = MAX_LIVE_BATCH,
                 max_wait: float = 0.2):
        self.store = store
        self.livestream_id = livestream_id
        self.source = source
        self.max_batch = max_batch
        self.max_wait = max_wait  # how long an idle worker sleeps between checks for a stop request
        self.summary = IngestSummary()
        self.latencies: list[float] = []  # seconds from submit() to commit, per comment
        self.batches = 0
        self.error: str | None = None  # a Text
        self._queue: queue.Queue[tuple[float, IncomingComment]] = queue.Queue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            prepare(self.store, self.livestream_id)
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name=f"live-pipeline-{self.livestream_id}",
                                            daemon=True)
            self._thread.start()

    def submit(self, comment: IncomingComment) -> None:
        self._queue.put((time.perf_counter(), comment))

    def stop(self, drain: bool = True, timeout: float = 30) -> None:
        """Stops the worker; with drain, after everything submitted so far is committed."""
        if drain:
            deadline = time.monotonic() + timeout
            while not self._queue.empty() and time.monotonic() < deadline:
                time.sleep(0.01)
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not (self._stopping.is_set() and self._queue.empty()):
            batch = next_batch(self._queue, wait=self.max_wait, max_batch=self.max_batch)
            if batch is None:
                continue
            try:
                ingest_comments(self.store, self.livestream_id, [comment for _, comment in batch],
                                source=self.source, summary=self.summary, batch_size=self.max_batch)
            except Exception as error:  # shown to staff; the comments stay in the source to be read again
                self.error = Text("ingest.batch_not_stored", count=len(batch), error=said(error))
                continue
            committed = time.perf_counter()
            self.latencies.extend(committed - arrived for arrived, _ in batch)
            self.batches += 1
