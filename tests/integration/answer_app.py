"""A stand-in for the running app, as a process of its own that a test can kill -9:

    python -m tests.integration.answer_app DB deliver          the outbox worker's delivery loop, nothing else
    python -m tests.integration.answer_app DB live LIVESTREAM  the Facebook Live reader and the outbox worker

Both run until killed. The Graph URL comes from CHOTDON_FACEBOOK_GRAPH_URL, the token from the database."""

from __future__ import annotations

import sys
import time

from core.db.store import Store
from core.runtime import deliveries
from core.runtime.facebook import FacebookLiveWorker
from core.runtime.facebook_answers import Pacer

POLICY = deliveries.DeliveryPolicy(first_backoff=0.05, max_backoff=0.5, max_tries=50, connect_timeout=1.0,
                                   read_timeout=30.0, poll_seconds=0.05)


def main(path: str, mode: str, livestream_id: str | None = None) -> None:
    store = Store(path)
    if mode == "deliver":
        pacer = Pacer(sleep=lambda seconds: None)
        while True:
            deliveries.deliver_due(store, targets=["facebook"], policy=POLICY, pacer=pacer)
            time.sleep(0.02)
    reader = FacebookLiveWorker(store, int(livestream_id), listen_to_stream=False, poll_interval=0.2,
                                overlap_seconds=5, request_timeout=5.0, backoff_initial=0.05, backoff_max=0.5)
    reader.start()
    deliveries.start_worker(store, POLICY)
    print("started", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main(*sys.argv[1:])
