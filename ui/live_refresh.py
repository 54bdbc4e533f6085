"""A live panel redrawn only when what it shows has changed.

A fragment with `run_every` reruns its whole body on every tick: it queries again and sends every element to the
browser again even when nothing changed (a Livestream tab open on a quiet live cost 5–10 CPU-seconds a minute of
the server). Instead the panel is a fragment without a timer, and a small watcher fragment beside it ticks: it
reads a cheap stamp of the panel's data (newest comment, order changes…) and, only when the stamp differs from the
one the panel was last drawn with, presses the panel's hidden Refresh button in the browser, which reruns just
the panel. A Streamlit fragment cannot rerun another one from its own body (`st.rerun` with a fragment key only
works from a widget callback), hence the button.

    stamp = lambda: comments.stream_stamp(store, livestream_id)
    st.fragment(key=...)(panel)()       # the panel calls panel_drawn(KEY, stamp()) before it queries
    watch(KEY, stamp, every=2)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable

import streamlit as st

from ui.i18n import t

# Presses the panel's hidden button once per change (the stamp's hash makes each change's script new to the page).
_PRESS = """<script>
(() => {
  const button = document.querySelector(%s);
  if (button && !button.disabled) { button.click(); }
})(); // %s
</script>"""  # not screen text


def _drawn_key(key: str) -> str:
    return f"_live_refresh_drawn-{key}"


def _pressed_key(key: str) -> str:
    return f"_live_refresh_pressed-{key}"


def panel_drawn(key: str, stamp: Hashable) -> None:
    """Called by the panel before it reads its data: the stamp it is drawn with, and its hidden Refresh button
    (a click reruns the panel's fragment). Hidden by CSS; the watcher presses it."""
    st.session_state[_drawn_key(key)] = stamp
    st.session_state.pop(_pressed_key(key), None)
    st.html(f"<style>.st-key-{key}-refresh {{display: none;}}</style>")  # not screen text
    st.button(t("common.refresh"), key=f"{key}-refresh")


# Ticks a press may go unanswered (the panel was being redrawn, the click was lost) before it is pressed again.
_PATIENCE = 3


def _watch(key: str, stamp: Callable[[], Hashable]) -> None:
    now = stamp()
    if now == st.session_state.get(_drawn_key(key)):
        return  # nothing new since the panel was drawn: nothing is sent to the browser
    pressed, ticks = st.session_state.get(_pressed_key(key), (None, 0))
    if pressed == now and ticks < _PATIENCE:
        st.session_state[_pressed_key(key)] = (now, ticks + 1)
        return  # its refresh is already asked for
    st.session_state[_pressed_key(key)] = (now, 0)
    selector = f".st-key-{key}-refresh button"  # not screen text
    st.html(_PRESS % (json.dumps(selector), hash(now)), unsafe_allow_javascript=True)


def watch(key: str, stamp: Callable[[], Hashable], every: float) -> None:
    """Every `every` seconds, redraw the panel `key` if its stamp changed since it was drawn."""
    st.fragment(run_every=every)(_watch)(key, stamp)
