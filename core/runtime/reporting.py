"""The reporting copy's worker: rewrites the read-only reporting copy (core.services.reporting_copy) every few
minutes, one per process and database, shared by every browser session."""

from __future__ import annotations

import atexit
import logging
import threading

import duckdb

from core.base.formatting import utc_now
from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.runtime.registry import Registry
from core.services import reporting_copy

log = logging.getLogger(__name__)

REFRESH_SECONDS = 300.0
FIRST_DELAY_SECONDS = 10.0  # after the app starts, when there is no fresh copy yet


class ReportingCopyWorker:
    def __init__(self, store: Store, every: float = REFRESH_SECONDS):
        self.store = store
        self.every = every
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self._copied: tuple | None = None  # the fingerprint of what the last refresh wrote

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._stop.clear()
        if not self.running:
            self._thread = threading.Thread(target=self._run, name="reporting-copy", daemon=True)
            self._thread.start()

    def stop(self, wait: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if wait is not None and self._thread is not None:
            self._thread.join(wait)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _first_wait(self) -> float:
        """A copy younger than the interval (the app restarted) waits out its age; otherwise a short delay."""
        refreshed = reporting_copy.last_refreshed(self.store)
        if refreshed is None:
            return min(self.every, FIRST_DELAY_SECONDS)
        age = (utc_now() - refreshed).total_seconds()
        return max(min(self.every, FIRST_DELAY_SECONDS), self.every - age)

    def _run(self) -> None:
        wait = self._first_wait()
        while not self._stop.is_set():
            self._wake.wait(wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.store.cursor().close()  # raises once the store is closed: this worker's job is over
                self._refresh_if_changed()
                self.last_error = None
            except duckdb.ConnectionException:
                return
            except Exception as error:  # the next round tries again; Reports shows the copy's age
                log.exception("reporting copy")
                self.last_error = f"{type(error).__name__}: {error}"
            wait = self.every

    def _refresh_if_changed(self) -> None:
        """A quiet shop (between lives, at night) is not copied again and again: nothing changed, nothing written."""
        current = reporting_copy.fingerprint(self.store)
        if current == self._copied and reporting_copy.last_refreshed(self.store) is not None:
            return
        reporting_copy.refresh(self.store, by=SYSTEM_USER)
        self._copied = current


_workers: Registry[ReportingCopyWorker] = Registry(lambda store, _key: ReportingCopyWorker(store))


def start_worker(store: Store, every: float | None = None) -> ReportingCopyWorker | None:
    """The process's one reporting-copy worker for this database, started if it is not running (None for a
    database in memory, which has no folder to write beside)."""
    if store.path == ":memory:":
        return None
    worker = _workers.get(store, replaced=lambda stale: stale.stop())
    if every is not None:
        worker.every = every
    worker.start()
    return worker


def stop_worker(store: Store, wait: float | None = 5.0) -> None:
    _workers.stop(store, wait=wait)


# A refresh cut off at exit leaves only a temporary file, removed by the next refresh; give it a moment.
atexit.register(_workers.stop_all, 2.0)
