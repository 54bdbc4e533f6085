"""AppTest helpers. A test's app logs in through the documented hook: a session token from core.auth in
st.session_state[ui.access.TOKEN_KEY], as the login form leaves it (no password needed, no test-only code path)."""

from __future__ import annotations

from contextlib import contextmanager

from core import auth, config, outbox
from core.demo import create_demo_shop
from core.store import open_store
from tests.integration.helpers import feed
from ui.access import TOKEN_KEY


@contextmanager
def demo_shop(tmp_path, monkeypatch, *comments: tuple[str, str]):
    """The demo shop in a fresh database that the app under test opens (CHOTDON_DB), with `comments` as
    (customer, message) pairs one second apart. Yields (store, livestream id); the outbox worker the app starts
    is stopped before the store closes, so it is never mid-query at close."""
    path = str(tmp_path / "shop.duckdb")
    monkeypatch.setenv("CHOTDON_DB", path)
    monkeypatch.setenv("CHOTDON_DEMO", "0")
    store = open_store(path)
    livestream_id = create_demo_shop(store)
    if comments:
        feed(store, livestream_id, *comments)
    try:
        yield store, livestream_id
    finally:
        outbox.stop_worker(store)
        store.close()


def sign_in(at, username: str = "owner"):
    """Logs the AppTest `at` in as `username` (a user of the test's shop, CHOTDON_DB); returns `at`."""
    store = open_store(config.database_path())
    user = auth.user_by_username(store, username)
    assert user is not None, f"the test shop has no user {username}"
    at.session_state[TOKEN_KEY] = auth.start_session(store, user).token
    return at
