"""The process's background workers, one per database and key, shared by every browser session (each rerun is a
new thread, so a worker must outlive it): the outbox deliverer, each livestream's Facebook reader and demo replay."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from core.db.store import Store

Worker = TypeVar("Worker")


class Registry(Generic[Worker]):
    """Workers by (database path, key). A worker made for a store that has since been closed and opened again is
    replaced, so no worker keeps using a closed connection."""

    def __init__(self, make: Callable[[Store, Hashable], Worker]):
        self._make = make
        self._workers: dict[tuple[str, Hashable], Worker] = {}
        self._lock = threading.Lock()

    def get(self, store: Store, key: Hashable = None, *, replaced: Callable[[Worker], None] | None = None) -> Worker:
        """This store's worker for `key`, made if there is none; `replaced` is called on a stale one."""
        with self._lock:
            worker = self._workers.get((store.path, key))
            if worker is None or worker.store is not store:
                if worker is not None and replaced is not None:
                    replaced(worker)
                worker = self._make(store, key)
                self._workers[(store.path, key)] = worker
            return worker

    def find(self, store: Store, key: Hashable = None) -> Worker | None:
        with self._lock:
            worker = self._workers.get((store.path, key))
        return worker if worker is not None and worker.store is store else None

    def pop(self, store: Store, key: Hashable = None) -> Worker | None:
        with self._lock:
            return self._workers.pop((store.path, key), None)

    def pop_all(self) -> list[Worker]:
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        return workers

    def stop(self, store: Store, key: Hashable = None, wait: float | None = 5.0) -> None:
        """Stops and forgets this store's worker for `key`, if any (waiting up to `wait` seconds for it)."""
        worker = self.pop(store, key)
        if worker is not None:
            worker.stop(wait)

    def stop_all(self, wait: float) -> None:
        """Every worker at once, then each given up to `wait` seconds to end (at exit: daemon threads are cut off
        wherever they are, and one frozen inside DuckDB makes its bindings complain)."""
        workers = self.pop_all()
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.join(wait)
