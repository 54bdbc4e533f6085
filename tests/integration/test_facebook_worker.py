"""The Facebook Live worker against a real local server speaking both of Meta's endpoints (fake_facebook.py).

What counts is what ends up in the database: every comment exactly once, and orders as if the comments had come
in the order viewers wrote them, whatever the event stream and the Graph API did on the way.
"""

from __future__ import annotations

import dataclasses
import random
import socket
import time
from collections import Counter
from datetime import timedelta

import pytest

from core.base.errors import InvalidInput
from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.integrations.comment_files import comment_from_record
from core.integrations.facebook_graph import TOKEN_INVALID_MESSAGE, sse_data
from core.runtime.facebook import Backoff, FacebookLiveWorker, facebook_worker
from core.services import livestreams
from core.services.comments import ingest_comments
from core.services.sources import load_source, save_source
from tests.conftest import PUBLIC_ITEMS_CSV
from tests.integration.fake_facebook import CUT_EVENT, DROP, START, TOKEN_ERROR, FakeFacebook

FAST = dict(poll_interval=0.05, overlap_seconds=5, request_timeout=2.0, stream_idle_timeout=5.0,
            backoff_initial=0.02, backoff_max=0.2)
ORDER_LINES = ["A1 M 1", "A2 L 2", "B5 30", "G07 38", "K3 3"]  # A2, B5 and G07 run out of stock below


@pytest.fixture
def fake():
    server = FakeFacebook().start()
    yield server
    server.close()


@pytest.fixture
def connected(store, livestream_id, fake, monkeypatch):
    """The livestream set up in Setup for the fake's live video, and the base URLs pointing at the fake."""
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", fake.url)
    monkeypatch.setenv("CHOTDON_FACEBOOK_STREAM_URL", fake.url)
    save_source(store, livestream_id, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
    return fake


@pytest.fixture
def workers(store, livestream_id, connected):
    made: list[FacebookLiveWorker] = []

    def make(**overrides) -> FacebookLiveWorker:
        worker = FacebookLiveWorker(store, livestream_id, **{**FAST, **overrides})
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop()
    for worker in made:
        assert worker.wait(3), "a worker's threads did not end"


def eventually(check, timeout: float = 10.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def stored(store, livestream_id) -> Counter:
    rows = store.query("SELECT platform_comment_id FROM comments WHERE livestream_id = ?", [livestream_id])
    return Counter(row["platform_comment_id"] for row in rows)


def order_lines(store, livestream_id) -> list[tuple]:
    """Each customer's lines with how much of each is waitlisted: who got the stock."""
    rows = store.query(
        "SELECT cu.display_name, coalesce(i.code, l.code_typed) AS code, l.size, l.color, l.qty, l.waitlisted_qty, "
        "o.status FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers cu ON cu.id = o.customer_id "
        "LEFT JOIN live_items i ON i.id = l.item_id WHERE o.livestream_id = ?",
        [livestream_id],
    )
    return sorted(tuple(row.values()) for row in rows)


def set_stock(store, livestream_id, code: str, stock: int) -> None:
    items = [dataclasses.replace(item, stock=stock) if item.code == code else item
             for item in livestreams.list_items(store, livestream_id)]
    livestreams.save_items(store, livestream_id, items, by=SYSTEM_USER)


def in_order(tmp_path, records: list[dict], stock: dict[str, int] | None = None) -> list[tuple]:
    """The order lines a second shop gets when the same comments come in all at once, in the order written."""
    reference = Store(str(tmp_path / "in-order.duckdb"))
    try:
        reference_id = livestreams.create_livestream(
            reference, "Live test", platform="facebook", items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV))
        for code, amount in (stock or {}).items():
            set_stock(reference, reference_id, code, amount)
        comments = sorted((comment_from_record(r) for r in records), key=lambda c: (c.commented_at, c.comment_id))
        ingest_comments(reference, reference_id, comments, source="reference")
        return order_lines(reference, reference_id)
    finally:
        reference.close()


def unix(second: float) -> int:
    return int(START.timestamp() + second)


# -- the whole flow ---------------------------------------------------------------------------------------------------
def test_a_burst_over_several_pages_with_a_flaky_stream_stores_every_comment_once_as_if_in_order(
        store, livestream_id, fake, workers, tmp_path):
    users = [f"Khách {n}" for n in range(12)]
    records = []
    for n in range(1, 231):
        if n % 37 == 0:
            user = None  # privacy settings hide `from`: the comment still counts
        else:
            user = users[n % 12]
        if n % 4 == 0 and user is not None:
            k = n // 4  # each customer orders each line once, so no comment is a repeat of another
            message = ORDER_LINES[(k // 12) % len(ORDER_LINES)]
            user = users[k % 12]
        else:
            message = "hello shop" if n % 3 else "còn A1 không ạ"
        records.append(fake.add(n, user, message, second=n * 0.5, low_quality=(n % 50 == 0)))
    # Two failures before the first page, then one after it: the walk breaks off mid-burst and starts again.
    fake.fail_polls(500, 500, 0, 500)
    scrambled = random.Random(7).sample(records, 60)
    fake.send(*scrambled[:25], DROP, *scrambled[10:40], CUT_EVENT, *scrambled[35:], *scrambled[:5])

    worker = workers()
    worker.start()
    eventually(lambda: len(stored(store, livestream_id)) == 230, what="all 230 comments stored")
    eventually(lambda: fake.stream_connections >= 3 and worker.state().stream_connected, what="stream reconnected")

    counts = stored(store, livestream_id)
    assert set(counts) == {r["id"] for r in records} and set(counts.values()) == {1}
    assert order_lines(store, livestream_id) == in_order(tmp_path, records)
    waitlisted = [line for line in order_lines(store, livestream_id) if line[5] > 0]
    assert {line[1] for line in waitlisted} == {"A2", "B5", "G07"}, "the burst ran some items out of stock"
    hidden = store.scalar("SELECT count(*) FROM comments c JOIN customers cu ON cu.id = c.customer_id "
                          "WHERE c.livestream_id = ? AND cu.display_name = '(hidden name)'", [livestream_id])
    assert hidden == sum(1 for r in records if "from" not in r)

    first = fake.polls()[0].params
    assert {k: first[k] for k in ("fields", "filter", "order", "live_filter", "limit")} == {
        "fields": "id,from{id,name},message,created_time", "filter": "stream", "order": "chronological",
        "live_filter": "no_filter", "limit": "100"}
    assert "since" not in first, "a livestream never read before is read from its first comment"
    assert any("after" in poll.params for poll in fake.polls()), "paging.next was followed"
    stream = fake.stream_requests()[0].params
    assert stream["comment_rate"] == "ten_per_second" and stream["fields"] == "from{name,id},message,created_time"

    state = eventually(lambda: (s := worker.state()).phase == "live" and s.comments_received == 230 and s,
                       what="the worker settling")
    assert state.error is None
    assert state.last_comment_at == START.replace(tzinfo=None) + timedelta(seconds=230 * 0.5)


def test_a_comment_that_arrives_later_but_was_written_first_gets_the_last_item(
        store, livestream_id, fake, workers, tmp_path):
    set_stock(store, livestream_id, "SP12", 1)
    written_first = fake.add(1, "Nguyễn Lan", "chốt SP12 đen", second=10, polled=False)
    written_later = fake.add(2, "Trần Mai", "SP12 nâu", second=20, polled=False)
    worker = workers()
    worker.start()
    eventually(lambda: worker.state().stream_connected, what="the stream connecting")

    fake.send(written_later)
    eventually(lambda: len(stored(store, livestream_id)) == 1, what="the later comment stored")
    assert order_lines(store, livestream_id) == [("Trần Mai", "SP12", None, "Nâu", 1, 0, "draft")]

    fake.send(written_first)
    fake.reveal(written_first, written_later)  # Graph lists both a little later; nothing is stored twice
    eventually(lambda: len(stored(store, livestream_id)) == 2, what="the earlier comment stored")
    eventually(lambda: any("since" in p.params for p in fake.polls()), what="a complete poll")
    assert order_lines(store, livestream_id) == [
        ("Nguyễn Lan", "SP12", None, "Đen", 1, 0, "draft"),  # written first: served
        ("Trần Mai", "SP12", None, "Nâu", 1, 1, "draft"),  # written later: waitlisted
    ]
    assert order_lines(store, livestream_id) == in_order(tmp_path, [written_first, written_later], {"SP12": 1})
    assert set(stored(store, livestream_id).values()) == {1}


# -- errors, in words ---------------------------------------------------------------------------------------------------
def test_an_expired_token_stops_the_worker_says_so_and_a_new_token_from_setup_resumes(
        store, livestream_id, fake, workers):
    fake.add(1, "Nguyễn Lan", "A1 M 1", second=1)
    worker = workers()
    worker.start()
    eventually(lambda: len(stored(store, livestream_id)) == 1, what="the first comment stored")

    fake.expire_token()
    state = eventually(lambda: (s := worker.state()).phase == "token_invalid" and s, what="the token error")
    assert state.error == TOKEN_INVALID_MESSAGE
    assert state.headline == "Stopped: Facebook refused the Page access token."
    assert not state.running and worker.wait(2)
    calls = len(fake.requests)
    fake.add(2, "Trần Mai", "A2 L 1", second=2)
    time.sleep(0.5)
    assert len(fake.requests) == calls, "no retry with a token Facebook refused"
    assert worker.state().phase == "token_invalid"

    fake.token = "EAAGnewpagetoken" + "y" * 40
    save_source(store, livestream_id, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
    worker.start()
    eventually(lambda: len(stored(store, livestream_id)) == 2, what="the comment written meanwhile stored")
    state = eventually(lambda: (s := worker.state()).phase == "live" and s, what="the worker live again")
    assert state.error is None


def test_a_token_error_sent_down_the_event_stream_stops_the_worker_too(store, livestream_id, fake, workers):
    worker = workers()
    worker.start()
    eventually(lambda: worker.state().stream_connected, what="the stream connecting")
    fake.send(TOKEN_ERROR)
    state = eventually(lambda: (s := worker.state()).phase == "token_invalid" and s, what="the token error")
    assert state.error == TOKEN_INVALID_MESSAGE and worker.wait(2)


def test_server_errors_are_retried_with_growing_back_off_and_shown_in_words(store, livestream_id, fake, workers):
    fake.add(1, "Nguyễn Lan", "A1 M 1", second=1)
    fake.fail_polls(500, 503, 500, 502, 500)
    worker = workers(listen_to_stream=False, backoff_initial=0.04, backoff_max=0.3)
    worker.start()
    state = eventually(lambda: (s := worker.state()).phase == "retrying" and s, what="the retrying state")
    assert state.error.startswith("Facebook is having trouble (it answered 50")
    assert state.error.endswith("Trying again in a moment.")
    eventually(lambda: len(stored(store, livestream_id)) == 1, what="the comment stored after the failures")
    times = [poll.at for poll in fake.polls()[:6]]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps[3] > gaps[0], f"the waits grow: {gaps}"
    eventually(lambda: worker.state().error is None, what="the error cleared")


def test_facebook_out_of_reach_reads_as_network_down_and_the_worker_recovers_by_itself(
        store, livestream_id, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeFacebook(port=port)
    monkeypatch.setenv("CHOTDON_FACEBOOK_GRAPH_URL", fake.url)
    monkeypatch.setenv("CHOTDON_FACEBOOK_STREAM_URL", fake.url)
    save_source(store, livestream_id, by=SYSTEM_USER, live_video_id=fake.video_id, page_token=fake.token)
    worker = FacebookLiveWorker(store, livestream_id, **FAST)
    try:
        worker.start()
        state = eventually(lambda: (s := worker.state()).phase == "retrying" and s, what="the retrying state")
        assert state.error.startswith("Cannot reach Facebook: the network seems to be down.")
        fake.add(1, "Nguyễn Lan", "A1 M 1", second=1)
        fake.start()
        eventually(lambda: len(stored(store, livestream_id)) == 1, what="the comment stored once reachable")
        eventually(lambda: worker.state().phase == "live", what="the worker live")
    finally:
        worker.stop()
        assert worker.wait(3)
        fake.close()


# -- restarts -------------------------------------------------------------------------------------------------------------
def test_a_worker_restarted_mid_stream_resumes_where_it_was_without_losing_or_doubling(
        store, livestream_id, fake, workers, tmp_path):
    records = [fake.add(n, f"Khách {n % 9}", ORDER_LINES[n % 5] if n % 3 == 0 else "hello", second=n)
               for n in range(1, 41)]
    first = workers()
    first.start()
    eventually(lambda: len(stored(store, livestream_id)) == 40, what="the first 40 comments stored")
    eventually(lambda: load_source(store, livestream_id).polled_through is not None, what="the poll cursor saved")

    # More comments arrive while the worker is being stopped, and while it is stopped.
    more = [fake.add(n, f"Khách {n % 9}", ORDER_LINES[n % 5] if n % 3 == 0 else "hello", second=n)
            for n in range(41, 61)]
    fake.send(*more[:8])
    first.stop()
    assert first.wait(2)
    more += [fake.add(n, None if n == 70 else f"Khách {n % 9}", "K3 1" if n % 2 else "hi", second=n)
             for n in range(61, 81)]
    polls_before = len(fake.polls())

    second = workers()  # a new process after a restart would build a new worker the same way
    second.start()
    eventually(lambda: len(stored(store, livestream_id)) == 80, what="all 80 comments stored")
    resumed = fake.polls()[polls_before].params
    assert int(resumed["since"]) >= unix(40) - FAST["overlap_seconds"], "not from the first comment again"
    eventually(lambda: worker_cursor(store, livestream_id) == (START + timedelta(seconds=80)).replace(tzinfo=None),
               what="the poll cursor at the newest comment")
    counts = stored(store, livestream_id)
    assert set(counts) == {r["id"] for r in records + more} and set(counts.values()) == {1}
    assert order_lines(store, livestream_id) == in_order(tmp_path, records + more)


def test_comments_the_polls_missed_before_a_restart_are_fetched_after_it_even_if_the_stream_brought_later_ones(
        store, livestream_id, fake, workers):
    early = [fake.add(n, f"Khách {n}", "hello", second=n) for n in range(1, 6)]
    first = workers(backoff_initial=0.05, backoff_max=0.05)
    first.start()
    eventually(lambda: len(stored(store, livestream_id)) == 5, what="the early comments stored")
    eventually(lambda: worker_cursor(store, livestream_id) is not None, what="the poll cursor saved")

    fake.fail_polls(*[500] * 1000)  # polls fail from now on; the stream still brings the newest comment
    missed = [fake.add(n, f"Khách {n}", "A1 M 1", second=n) for n in range(6, 60)]
    newest = fake.add(60, "Khách 60", "A2 L 1", second=90)
    fake.send(newest)
    eventually(lambda: newest["id"] in stored(store, livestream_id), what="the streamed comment stored")
    first.stop()
    assert first.wait(2)
    fake.poll_failures.clear()

    second = workers()
    second.start()
    eventually(lambda: len(stored(store, livestream_id)) == 60, what="the missed comments fetched")
    counts = stored(store, livestream_id)
    assert set(counts) == {r["id"] for r in early + missed + [newest]} and set(counts.values()) == {1}


def worker_cursor(store, livestream_id):
    return load_source(store, livestream_id).polled_through


# -- control --------------------------------------------------------------------------------------------------------------
def test_stopping_is_prompt_even_while_the_stream_is_quiet_and_timeouts_are_long(store, livestream_id, fake, workers):
    worker = workers(request_timeout=30, stream_idle_timeout=60, poll_interval=30)
    worker.start()
    eventually(lambda: worker.state().stream_connected and worker.state().phase == "live", what="connected")
    began = time.monotonic()
    worker.stop()
    assert worker.wait(2)
    assert time.monotonic() - began < 1.0
    assert worker.state().phase == "stopped" and not worker.state().running


def test_every_browser_session_gets_the_same_worker_for_a_livestream(store, livestream_id):
    assert facebook_worker(store, livestream_id) is facebook_worker(store, livestream_id)
    other = livestreams.create_livestream(store, "Another live", platform="facebook")
    assert facebook_worker(store, other) is not facebook_worker(store, livestream_id)


def test_a_livestream_without_live_video_id_or_token_says_what_to_add_in_setup(store, livestream_id, monkeypatch):
    monkeypatch.delenv("CHOTDON_FACEBOOK_PAGE_TOKEN", raising=False)
    worker = FacebookLiveWorker(store, livestream_id, **FAST)
    state = worker.start()
    assert state.phase == "not_set_up" and not state.running
    assert state.error == "Add this livestream's live video id and Page access token in Setup, then press Start."
    monkeypatch.setenv("CHOTDON_FACEBOOK_PAGE_TOKEN", "EAAGfromsettings" + "z" * 30)
    state = worker.start()
    assert state.error == "Add this livestream's live video id in Setup, then press Start."
    tiktok = livestreams.create_livestream(store, "TikTok live", platform="tiktok", source_ref="123")
    assert FacebookLiveWorker(store, tiktok).start().error == "This livestream is not a Facebook livestream."


# -- small parts --------------------------------------------------------------------------------------------------------
def test_setup_takes_a_pasted_video_link_keeps_the_saved_token_when_left_empty_and_refuses_junk(
        store, livestream_id, monkeypatch):
    monkeypatch.delenv("CHOTDON_FACEBOOK_PAGE_TOKEN", raising=False)
    token = "EAAGsavedtoken" + "t" * 30
    source = save_source(store, livestream_id, by=SYSTEM_USER, live_video_id="https://www.facebook.com/shopabc/videos/987654321012/",
                         page_token=token)
    assert (source.live_video_id, source.page_token, source.token_saved) == ("987654321012", token, True)
    source = save_source(store, livestream_id, by=SYSTEM_USER, live_video_id="987654321012", page_token="")
    assert source.page_token == token
    with pytest.raises(InvalidInput):
        save_source(store, livestream_id, by=SYSTEM_USER, live_video_id="not an id!")
    with pytest.raises(InvalidInput):
        save_source(store, livestream_id, by=SYSTEM_USER, live_video_id="987654321012", page_token="too short")


def test_back_off_doubles_up_to_its_cap_with_jitter_between_half_and_all_of_it():
    low = Backoff(1.0, 8.0, rng=lambda: 0.0)
    assert [low.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    high = Backoff(1.0, 8.0, rng=lambda: 1.0)
    assert [high.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    high.reset()
    assert high.next_delay() == 1.0


def test_server_sent_events_join_data_lines_skip_keep_alives_and_drop_a_cut_off_event():
    lines = [": ping", "", "data: {\"id\": \"1\"}", "", "event: comment", "data: line one", "data:line two", "",
             "data: {\"id\": \"half"]
    assert list(sse_data(lines)) == ['{"id": "1"}', "line one\nline two"]
