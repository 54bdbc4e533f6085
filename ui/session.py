"""This tab's session, with no widget in it: the process's store, the logged-in user and who the tab's actions are
recorded for, the livestream picked in the sidebar, and the language the user keeps.

Imports go one way: ui.session < ui.i18n (words) < ui.feedback (messages, act()) < ui.access (login) < ui.sidebar,
and the pages. Nothing here imports another ui module, so every one of them can use it.
"""

from __future__ import annotations

import streamlit as st

from core.base import config
from core.db.store import Store, open_store
from core.domain.users import User
from core.runtime import deliveries, reporting
from core.services import auth, livestreams
from core.services.demo import ensure_demo_shop

TOKEN_KEY = "auth_token"
USER_KEY = "user"
LANGUAGE_KEY = "_language"
LANGUAGE_OF_KEY = "_language_of"  # the user id the language was read for
PICKED_AT_LOGIN_KEY = "_language_picked"


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    store = open_store(path)
    if config.get("CHOTDON_DEMO") != "0":
        ensure_demo_shop(store)
    deliveries.start_worker(store)  # once per process and database: delivers pushes for every session
    reporting.start_worker(store)  # and rewrites the read-only reporting copy beside the database
    return store


def get_store() -> Store:
    return _store_for(config.database_path())


def selected_livestream_id(store: Store) -> int | None:
    """The livestream picked in the sidebar (the newest one until someone picks)."""
    rows = livestreams.list_livestreams(store)
    if not rows:
        return None
    ids = [row["id"] for row in rows]
    current = st.session_state.get("livestream_id")
    if current not in ids:
        st.session_state["livestream_id"] = ids[0]
    return st.session_state["livestream_id"]


def current_user() -> User:
    """The logged-in user (app.py lets no page run without one)."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        raise RuntimeError("no user is logged in: app.py's gate runs before every page")  # not screen text
    return user


def actor() -> str:
    """Who order_events record for what this tab does: the logged-in user's username."""
    return current_user().username


def chosen_language() -> str | None:
    """The language this tab speaks, as chosen: the logged-in user's saved one (read once per user; a language
    picked on the login page is first saved to the user who then logged in), else the one picked before login.
    None when nobody chose (ui.i18n.language then answers with the default)."""
    user = st.session_state.get(USER_KEY)
    if user is not None and user.id is not None and st.session_state.get(LANGUAGE_OF_KEY) != user.id:
        store = get_store()
        picked = st.session_state.pop(PICKED_AT_LOGIN_KEY, None)
        if picked:
            auth.set_user_language(store, user.id, picked)
        st.session_state[LANGUAGE_KEY] = auth.user_language(store, user.id)
        st.session_state[LANGUAGE_OF_KEY] = user.id
    return st.session_state.get(LANGUAGE_KEY)


def save_language(user_id: int, chosen: str) -> None:
    """The logged-in user's choice: kept in the users table, so it follows them to every browser."""
    auth.set_user_language(get_store(), user_id, chosen)
    st.session_state[LANGUAGE_KEY] = chosen


def pick_login_language(chosen: str) -> None:
    """A choice made before login: this tab speaks it now, and it is saved to the user who logs in next."""
    st.session_state[LANGUAGE_KEY] = chosen
    st.session_state[PICKED_AT_LOGIN_KEY] = chosen
