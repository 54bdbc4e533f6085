"""What an action tells staff: core's refusals (`show_error`), the messages kept on screen for a few seconds after
an action (`flash`, `show_flashes`), and `act`, the page pattern in one call: run one core call; on a refusal
(ChotdonError) show it; otherwise flash the message and rerun the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from core.base.errors import ChotdonError, IncompleteOrder
from core.base.i18n import Text
from ui.i18n import say, t
from ui.text import plain

FLASH_SECONDS = 12
Result = TypeVar("Result")  # not screen text


def flash(message: str | Text | ChotdonError, kind: str = "success") -> None:
    """A message about an action, kept on screen for a few seconds: the reruns that follow an action (a grid
    re-sending its selection, the live panel refreshing) must not wipe it before staff read it. A Text (or a core
    error's text) shows in the language of the moment it is on screen; it is shown as plain text (never Markdown).
    A core error (ChotdonError) shows as show_error shows it."""
    st.session_state.setdefault("_flash", []).append((time.monotonic() + FLASH_SECONDS, kind, message))


def unflash(message: object) -> None:
    """Takes a flashed message off the screen before its time (the same object flash was given): a form's last
    result, once the next press makes it stale."""
    st.session_state["_flash"] = [entry for entry in st.session_state.get("_flash", []) if entry[2] is not message]


def show_flashes() -> None:
    now = time.monotonic()
    current = [entry for entry in st.session_state.get("_flash", []) if entry[0] > now]
    st.session_state["_flash"] = current
    for _expires, kind, message in current:
        show_message(kind, message)


def show_message(kind: str, message: str | Text | ChotdonError) -> None:
    """One message as flash keeps it: a core error as show_error shows it, anything else as plain text in an alert of
    its kind (success, error, warning, info)."""
    if isinstance(message, ChotdonError):
        show_error(message)
    else:
        getattr(st, kind)(plain(say(message)))


def show_error(error: ChotdonError) -> None:
    """A core error in the reader's language; an incomplete order lists what it lacks, one bullet each."""
    if isinstance(error, IncompleteOrder):
        bullets = "\n".join(f"- {plain(say(item))}" for item in error.missing)
        st.error(t("order_form.incomplete", action=plain(say(error.action_label)), code=plain(error.order_code),
                   missing=bullets))
    else:
        st.error(plain(say(error)))


def act(call: Callable[[], Result], done: str | Text | Callable[[Result], str | Text | None] | None = None, *,
        then: Callable[[Result], None] | None = None, rerun: bool = True) -> Result | None:
    """Runs `call` (one core call). A refusal (ChotdonError) is shown where the page is, and act returns None.
    Otherwise `then(result)` runs (what the page keeps of the result), `done` is flashed (a message, or a function
    of the result that gives one, or None), and the page reruns; with rerun=False act returns the result instead
    (a read, or a form that stays as it is)."""
    try:
        result = call()
    except ChotdonError as error:
        show_error(error)
        return None
    if then is not None:
        then(result)
    message = done(result) if callable(done) else done
    if message is not None:
        flash(message)
    if rerun:
        st.rerun()
    return result
