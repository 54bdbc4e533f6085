"""The sidebar shared by every page: the livestream picker, who is logged in, log out, change password, language."""

from __future__ import annotations

import streamlit as st

from core.base import config
from core.db.store import Store
from core.domain.users import User
from core.services import livestreams
from ui.access import change_password_form, keep_cookie, log_out
from ui.i18n import language_switch, t
from ui.session import selected_livestream_id
from ui.text import plain


def sidebar(store: Store, user: User) -> None:
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
