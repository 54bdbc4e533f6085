"""The process's store, the selected livestream and the logged-in user (ui.access), shared by every page."""

from __future__ import annotations

import streamlit as st

from core.runtime import deliveries
from core.base import config
from core.services import livestreams, outbox
from core.domain.users import User
from core.services.demo import ensure_demo_shop
from core.base.i18n import Text
from core.db.store import Store, open_store
from ui.text import plain


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    store = open_store(path)
    if config.get("CHOTDON_DEMO") != "0":
        ensure_demo_shop(store)
    deliveries.start_worker(store)  # once per process and database: delivers pushes for every session
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


def sidebar(store: Store, user: User) -> None:
    from ui.access import change_password_form, keep_cookie, log_out
    from ui.i18n import language_switch, t

    rows = livestreams.list_livestreams(store)
    titles = {row["id"]: f"{row['title']} · #{row['id']}" for row in rows}
    with st.sidebar:
        if rows:
            # A page asks for a livestream to be selected (a new one) under this key: the box's own key cannot be
            # set once the box is drawn, and the sidebar is drawn before the page.
            if "select_livestream_id" in st.session_state:
                st.session_state["livestream_id"] = st.session_state.pop("select_livestream_id")
            selected_livestream_id(store)
            st.selectbox(t("sidebar.livestream"), options=list(titles), format_func=titles.get, key="livestream_id")
        role = t("sidebar.role_owner") if user.is_owner else t("sidebar.role_staff")
        st.markdown(t("sidebar.who", name=plain(user.display_name), role=role, username=plain(user.username)))
        out, password = st.columns(2)
        if out.button(t("sidebar.log_out"), key="log_out", width="stretch"):
            log_out(store)
        with password.popover(t("sidebar.password"), width="stretch", help=t("sidebar.change_my_password")):
            change_password_form(store, user)
        language_switch(user)
        st.caption(t("sidebar.times_in", zone=config.timezone_name()))
        keep_cookie(store)


def current_user() -> User:
    """The logged-in user (app.py lets no page run without one)."""
    from ui.access import USER_KEY

    user = st.session_state.get(USER_KEY)
    if user is None:
        raise RuntimeError("no user is logged in: app.py's gate runs before every page")  # not screen text
    return user


def actor() -> str:
    """Who order_events record for what this tab does: the logged-in user's username."""
    return current_user().username


FLASH_SECONDS = 12


def flash(message: str | Text, kind: str = "success") -> None:
    """A message about an action, kept on screen for a few seconds: the reruns that follow an action (a grid
    re-sending its selection, the live panel refreshing) must not wipe it before staff read it. A Text (or a core
    error's text) shows in the language of the moment it is on screen; it is shown as plain text (never Markdown)."""
    import time

    st.session_state.setdefault("_flash", []).append((time.monotonic() + FLASH_SECONDS, kind, message))


def show_flashes() -> None:
    import time

    from ui.i18n import say

    now = time.monotonic()
    current = [entry for entry in st.session_state.get("_flash", []) if entry[0] > now]
    st.session_state["_flash"] = current
    for _expires, kind, message in current:
        getattr(st, kind)(plain(say(message)))
