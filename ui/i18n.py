"""The words of the screens in the reader's language: `t("orders.title")`, `say(error)`, times and numbers.

The language is the logged-in user's (kept in the users table, switched in the sidebar); before login, the one
picked on the login page, which is saved to the user who then logs in.
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from core.base import errors
from core.services import auth
from core.base import i18n
from core.base.formatting import shop_time_text

LANGUAGE_KEY = "_language"
LANGUAGE_OF_KEY = "_language_of"  # the user id the language was read for
PICKED_AT_LOGIN_KEY = "_language_picked"


def language() -> str:
    from ui.access import USER_KEY
    from ui.state import get_store

    user = st.session_state.get(USER_KEY)
    if user is not None and user.id is not None and st.session_state.get(LANGUAGE_OF_KEY) != user.id:
        store = get_store()
        picked = st.session_state.pop(PICKED_AT_LOGIN_KEY, None)
        if picked:
            auth.set_user_language(store, user.id, picked)
        st.session_state[LANGUAGE_KEY] = auth.user_language(store, user.id)
        st.session_state[LANGUAGE_OF_KEY] = user.id
    chosen = st.session_state.get(LANGUAGE_KEY)
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def t(key: str, /, **params) -> str:
    """The text of `key` in the reader's language. Parameters that are Texts render in that language too."""
    return i18n.translate(key, language(), **params)


def say(value) -> str:
    """A message from core (a Text or a ChotdonError) in the reader's language; other values as they are."""
    return errors.localize(value, language())


def time_text(utc_naive: datetime | None, with_date: bool = False) -> str:
    return shop_time_text(utc_naive, with_date=with_date, language=language())


def date_text(value: date | datetime | None) -> str:
    return i18n.date_text(value, language())


def number(value: int | float | None) -> str:
    return i18n.number(value, language())


def _switch_saved_language(user_id: int) -> None:
    from ui.state import get_store

    chosen = st.session_state.get("language_switch")
    if not chosen:  # a click on the chosen language unselects it: keep it
        return
    auth.set_user_language(get_store(), user_id, chosen)
    st.session_state[LANGUAGE_KEY] = chosen


def language_switch(user) -> None:
    """The sidebar's switch: saved for the user, so it follows them to every browser."""
    current = language()
    st.session_state["language_switch"] = current
    st.segmented_control(t("common.language"), options=list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                         key="language_switch", on_change=_switch_saved_language, args=(user.id,),
                         selection_mode="single", width="stretch")


def _pick_login_language() -> None:
    chosen = st.session_state.get("login_language")
    if not chosen:
        return
    st.session_state[LANGUAGE_KEY] = chosen
    st.session_state[PICKED_AT_LOGIN_KEY] = chosen


def login_language_picker() -> None:
    """On the login and set-up pages: the choice is kept for the user who logs in next on this tab."""
    st.session_state["login_language"] = language()
    st.segmented_control(t("common.language"), options=list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                         key="login_language", on_change=_pick_login_language, selection_mode="single",
                         label_visibility="collapsed")
