"""kill -9 of the process that sends the answers, in the middle of a private reply: after a restart, the reply
whose request Facebook held is "may have been sent" and is not sent again; everything else goes out once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.services import answers, livestreams, outbox, sources
from tests.conftest import PUBLIC_ITEMS_CSV
from tests.integration import fake_facebook as fb
from tests.integration.answer_fixtures import deliver, fake, fb_comment, feed_facebook, turn_on  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def app_process(path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.integration.answer_app", str(path), *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)


def test_a_worker_killed_while_facebook_holds_a_private_reply_never_sends_it_twice(tmp_path, fake):
    path = tmp_path / "shop.duckdb"
    store = Store(str(path))
    live = livestreams.create_livestream(store, "Live", platform="facebook",
                                         items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV))
    sources.save_source(store, live, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
    turn_on(store, live)
    feed_facebook(store, live, *[fb_comment(n, f"Khách {n}", "chốt A1 M") for n in range(1, 4)])
    store.close()
    fake.fail_answers(fb.HOLD_AFTER_STORE, kind="message")  # Facebook has the first message, answers nothing
    worker = app_process(path, "deliver")
    try:
        assert fake.holding.wait(60), "the worker never sent a private reply"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(30)
    fake.release()

    store = Store(str(path))
    try:
        deliver(store)  # the restarted app: recovers the try cut short, then delivers what waits
        rows = outbox.list_pushes(store, targets=[outbox.FACEBOOK])
        messages = {r["idempotency_key"]: r["state"] for r in rows if r["action"] == "message"}
        assert messages == {"facebook:message:1234567890123_1": outbox.MAY_HAVE_BEEN_SENT,
                            "facebook:message:1234567890123_2": outbox.DELIVERED,
                            "facebook:message:1234567890123_3": outbox.DELIVERED}
        assert {r["state"] for r in rows if r["action"] == "reply"} == {outbox.DELIVERED}
        assert Counter(p.comment for p in fake.answers("message")) == {
            f"1234567890123_{n}": 1 for n in range(1, 4)}
        held = next(r for r in rows if r["idempotency_key"] == "facebook:message:1234567890123_1")
        assert answers.messenger_state(store, held["order_id"]).state == "may_have_been_sent"
        tries = outbox.attempts_of(store, held["id"])
        assert "stopped during this try" in str(tries[-1]["outcome"])
    finally:
        store.close()
