"""The login gate: the first-start owner set-up, the login page, the session cookie, logging out, and the refusal
a staff member gets on an owner's page.

The session token (core.services.auth) lives in st.session_state[TOKEN_KEY] for this browser tab and in a cookie, so a
refresh (a new Streamlit session) logs the tab in again. Streamlit only reads cookies (st.context.cookies, as sent
when the tab connected); a tiny script written with st.html sets or clears the cookie in the browser.

Test hook: AppTest tests log in by putting a token from core.services.auth.start_session in
at.session_state[TOKEN_KEY] (tests/ui/helpers.py); browser tests log in through the page (tests/e2e/conftest.py).
"""

from __future__ import annotations

import json

import streamlit as st

from core.base.formatting import utc_now
from core.db.store import Store
from core.domain.users import User
from core.services import auth
from ui import i18n
from ui.feedback import act
from ui.i18n import t
from ui.session import TOKEN_KEY, USER_KEY
from ui.text import plain

FORGET_COOKIE_KEY = "forget_session_cookie"
LOOPBACK = "127.0.0.1"  # not screen text


def client_address() -> str:
    """The browser's address as Streamlit reports it; Streamlit reports the shop's own computer (loopback) as no
    address at all, so that is what no address means here (AppTest reports a stand-in object: not an address)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else LOOPBACK


def logged_in_user(store: Store) -> User | None:
    """The user of this tab's session (from the tab's state, else the browser's cookie); None when logged out."""
    token = st.session_state.get(TOKEN_KEY)
    session = auth.session_user(store, token) if token else None
    if session is None:
        cookie = st.context.cookies.get(auth.cookie_name(store))
        if cookie and cookie != token:
            session = auth.session_user(store, cookie)
    if session is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(USER_KEY, None)
        return None
    st.session_state[TOKEN_KEY] = session.token
    st.session_state[USER_KEY] = session.user
    return session.user


def _write_cookie(store: Store, token: str | None, max_age: int) -> None:
    """Sets (or, with no token, clears) the session cookie in the browser. Only our own token goes in it, and as
    a JSON string literal, so nothing typed by anyone ends up in the script."""
    name = auth.cookie_name(store)
    value = f"{name}={token or ''}; Max-Age={max_age if token else 0}; Path=/; SameSite=Strict"  # not screen text
    script = (f"<script>document.cookie = {json.dumps(value)} + "  # not screen text
              f"(location.protocol === 'https:' ? '; Secure' : '');</script>")  # not screen text
    st.html(script, unsafe_allow_javascript=True)


def keep_cookie(store: Store) -> None:
    """Run on every page while logged in: writes the cookie when the browser does not have this session's yet."""
    token = st.session_state.get(TOKEN_KEY)
    if token and st.context.cookies.get(auth.cookie_name(store)) != token:
        session = auth.session_user(store, token)
        if session is not None:
            _write_cookie(store, token, max(1, int((session.expires_at - utc_now()).total_seconds())))


def log_out(store: Store) -> None:
    auth.log_out(store, st.session_state.get(TOKEN_KEY))
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(USER_KEY, None)
    st.session_state[FORGET_COOKIE_KEY] = True  # the login page clears the browser's cookie
    st.rerun()


def login_screen(store: Store) -> None:
    """The owner set-up on first start, else the login form; stops the run either way (nothing else shows)."""
    if st.context.cookies.get(auth.cookie_name(store)) or st.session_state.get(FORGET_COOKIE_KEY):
        _write_cookie(store, None, 0)  # an ended or expired session's cookie: the browser forgets it
    _, middle, _ = st.columns([1, 1.3, 1])
    with middle:
        i18n.login_language_picker()
        if auth.owner_setup_needed(store):
            _owner_setup_form(store)
        else:
            _login_form(store)
    st.stop()


def _login_form(store: Store) -> None:
    st.title("🛒 Chotdon", anchor=False)
    st.caption(t("access.login_intro"))
    with st.form("login", border=True):
        username = st.text_input(t("access.username"), key="login_username", autocomplete="username")
        password = st.text_input(t("access.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("access.log_in"), type="primary", key="login_submit", width="stretch")
    if submitted:
        client = client_address()
        act(lambda: auth.log_in(store, username, password, client=client), then=_remember_session)
    st.caption(t("access.forgot_password"))
    if auth.is_shop_computer(client_address()) and auth.access_code_waiting(store):
        _access_code_form(store)


def _access_code_form(store: Store) -> None:
    """The one-time code `python -m core user unlock|password` printed while the app held the database."""
    with st.expander(t("access.code_heading")), st.form("access_code", border=False, clear_on_submit=True):
        st.caption(t("access.code_intro"))
        username = st.text_input(t("access.username"), key="code_username")
        code = st.text_input(t("access.code"), key="code_value", autocomplete="one-time-code")
        password = st.text_input(t("access.code_new_password", length=auth.MIN_PASSWORD_LENGTH), type="password",
                                 key="code_password", autocomplete="new-password")
        submitted = st.form_submit_button(t("access.code_submit"), key="code_submit")
    if submitted:
        client = client_address()
        act(lambda: auth.redeem_access_code(store, username, code, password or None, client=client),
            then=lambda user: st.success(t("access.code_done", username=plain(user.username))), rerun=False)


def _remember_session(session: auth.Session) -> None:
    st.session_state[TOKEN_KEY] = session.token
    st.session_state.pop("login_password", None)
    st.session_state.pop(FORGET_COOKIE_KEY, None)


def _owner_setup_form(store: Store) -> None:
    st.title(f"🛒 {t('access.setup_title')}", anchor=False)
    st.markdown(t("access.setup_intro"))
    offered = auth.owner_to_set_up(store)
    with st.form("owner_setup", border=True):
        username = st.text_input(t("access.username"), value=offered["username"] if offered else "",
                                 key="setup_username", placeholder=t("access.username_example"),
                                 autocomplete="username")
        display_name = st.text_input(t("access.your_name"),
                                     value=offered["display_name"] if offered else "",
                                     key="setup_name", placeholder=t("access.your_name_example"))
        password = st.text_input(t("access.new_password_min", length=auth.MIN_PASSWORD_LENGTH), type="password",
                                 key="setup_password", autocomplete="new-password")
        repeated = st.text_input(t("access.password_again"), type="password", key="setup_password_again",
                                 autocomplete="new-password")
        submitted = st.form_submit_button(t("access.create_owner"), type="primary", key="setup_submit",
                                          width="stretch")
    if submitted:
        if password != repeated:
            st.error(t("access.passwords_differ"))
            return
        act(lambda: auth.set_up_owner(store, username, display_name, password),
            then=lambda owner: _remember_session(auth.start_session(store, owner)))


def refuse_owner_page(title: str) -> None:
    """What a staff member sees on an owner's page opened by its address."""
    st.title(f"⛔ {title}", anchor=False)
    st.error(t("access.owner_page_only", page=plain(title)))
    st.stop()


def change_password_form(store: Store, user: User) -> None:
    with st.form("change_password", border=False, clear_on_submit=True):
        current = st.text_input(t("access.current_password"), type="password", key="own_password_current")
        new = st.text_input(t("access.new_password", length=auth.MIN_PASSWORD_LENGTH), type="password",
                            key="own_password_new")
        again = st.text_input(t("access.new_password_again"), type="password", key="own_password_again")
        submitted = st.form_submit_button(t("access.change_my_password"), key="own_password_submit")
    if submitted:
        if new != again:
            st.error(t("access.new_passwords_differ"))
            return
        act(lambda: auth.change_own_password(store, user, current, new,
                                             current_token=st.session_state.get(TOKEN_KEY)),
            then=lambda _: st.success(t("access.password_changed")), rerun=False)
