"""The process's store, the selected livestream and the person working, shared by every page."""

from __future__ import annotations

import streamlit as st

from core import config, livestreams, staff
from core.demo import ensure_demo_shop
from core.store import Store, open_store
from ui.text import plain


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    store = open_store(path)
    if config.get("CHOTDON_DEMO") != "0":
        ensure_demo_shop(store)
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


def sidebar(store: Store) -> None:
    rows = livestreams.list_livestreams(store)
    titles = {row["id"]: f"{row['title']} · #{row['id']}" for row in rows}
    with st.sidebar:
        if rows:
            selected_livestream_id(store)
            st.selectbox("Livestream", options=list(titles), format_func=titles.get, key="livestream_id")
        users = staff.list_users(store)
        names = {user["username"]: f"{user['display_name']} ({user['role']})" for user in users}
        if names:
            if st.session_state.get("actor") not in names:
                st.session_state["actor"] = next(iter(names))
            st.selectbox("Working as", options=list(names), format_func=names.get, key="actor")
        st.caption(f"Times in {config.timezone_name()}")


def actor() -> str:
    return st.session_state.get("actor") or "staff"


FLASH_SECONDS = 12


def flash(message: str, kind: str = "success") -> None:
    """A message about an action, kept on screen for a few seconds: the reruns that follow an action (a grid
    re-sending its selection, the live panel refreshing) must not wipe it before staff read it."""
    import time

    st.session_state.setdefault("_flash", []).append((time.monotonic() + FLASH_SECONDS, kind, message))


def show_flashes() -> None:
    import time

    now = time.monotonic()
    current = [entry for entry in st.session_state.get("_flash", []) if entry[0] > now]
    st.session_state["_flash"] = current
    for _expires, kind, message in current:
        getattr(st, kind)(plain(message))
