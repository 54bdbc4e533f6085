"""The words of the screens in the reader's language: `t("orders.title")`, `say(error)`, times and numbers.

The language is the logged-in user's (kept in the users table, switched in the sidebar); before login, the one
picked on the login page, which is saved to the user who then logs in (ui.session keeps the choice).
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from core.base import errors, i18n
from core.base.formatting import shop_time_text
from ui import session
from ui.session import LANGUAGE_KEY as LANGUAGE_KEY  # where tests/ui/conftest.py reads it
from ui.text import plain


def language() -> str:
    chosen = session.chosen_language()
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def t(key: str, /, **params) -> str:
    """The text of `key` in the reader's language. Parameters that are Texts render in that language too."""
    return i18n.translate(key, language(), **params)


def say(value) -> str:
    """A message from core (a Text or a ChotdonError) in the reader's language; other values as they are."""
    return errors.localize(value, language())


def worded_key(key: str) -> str:
    """The key of a choice whose options are shown in the reader's language (a radio, a selectbox, a segmented
    control): Streamlit keeps such a value as its shown label, so after a switch of language the old label matches no
    option and reads back as that label. A key per language starts the choice again from its default."""
    return f"{key}-{language()}"


def time_text(utc_naive: datetime | None, with_date: bool = False) -> str:
    return shop_time_text(utc_naive, with_date=with_date, language=language())


def markdown_time(utc_naive: datetime | None, with_date: bool = False) -> str:
    """time_text for Markdown (st.markdown, captions, alerts), its colons escaped: Streamlit reads "19:00:00" as an
    emoji shortcode (":00:"), then loads its emoji plugin (a 259 kB script) and draws the text again. Escaped, it
    reads the same and matches nothing. Data frames and widget options read no Markdown: time_text there."""
    return plain(time_text(utc_naive, with_date))


def date_text(value: date | datetime | None) -> str:
    return i18n.date_text(value, language())


def number(value: int | float | None) -> str:
    return i18n.number(value, language())


def _switch_saved_language(user_id: int) -> None:
    chosen = st.session_state.get("language_switch")
    if not chosen:  # a click on the chosen language unselects it: keep it
        return
    session.save_language(user_id, chosen)


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
    session.pick_login_language(chosen)


def login_language_picker() -> None:
    """On the login and set-up pages: the choice is kept for the user who logs in next on this tab."""
    st.session_state["login_language"] = language()
    st.segmented_control(t("common.language"), options=list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                         key="login_language", on_change=_pick_login_language, selection_mode="single",
                         label_visibility="collapsed")
