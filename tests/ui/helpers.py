"""AppTest helpers. A test's app logs in through the documented hook: a session token from core.auth in
st.session_state[ui.access.TOKEN_KEY], as the login form leaves it (no password needed, no test-only code path)."""

from __future__ import annotations

from core import auth, config
from core.store import open_store
from ui.access import TOKEN_KEY


def sign_in(at, username: str = "owner"):
    """Logs the AppTest `at` in as `username` (a user of the test's shop, CHOTDON_DB); returns `at`."""
    store = open_store(config.database_path())
    user = auth.user_by_username(store, username)
    assert user is not None, f"the test shop has no user {username}"
    at.session_state[TOKEN_KEY] = auth.start_session(store, user).token
    return at
