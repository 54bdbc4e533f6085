"""The per-livestream comment syntax settings form (Setup), with the defaults of SYNTAX.md."""

from __future__ import annotations

import streamlit as st

from core import livestreams
from core.errors import ChotdonError
from core.syntax import SyntaxSettings
from ui.order_form import show_error
from ui.state import current_user, flash

WORD_LISTS = (
    ("order_words", "Order words", "words that say “I buy”"),
    ("add_words", "Add words", "“add more”: always adds, even a repeat"),
    ("cancel_words", "Cancel words", "“I take it back”"),
    ("question_words", "Question words", "a question, not an order"),
)


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.replace("\n", ",").split(",") if word.strip()]


def render_syntax_settings(store, livestream_id: int) -> None:
    current = livestreams.syntax_settings(store, livestream_id)
    defaults = SyntaxSettings()
    version = livestreams.get_livestream(store, livestream_id)["catalog_version"]
    base = f"syntax-{livestream_id}-v{version}"
    st.markdown("**Comment syntax** of this livestream: how comments are read (SYNTAX.md). Words are separated "
                "by commas.")
    with st.form(f"{base}-form", border=True):
        c1, c2, c3 = st.columns([2, 1, 1.4])
        pattern = c1.text_input("Short code pattern (regular expression)", value=current.code_pattern,
                                key=f"{base}-pattern", help=f"default {defaults.code_pattern}")
        max_qty = c2.number_input("Largest quantity", value=int(current.max_qty), step=1, key=f"{base}-max-qty",
                                  help="a larger quantity, or 0, makes the comment need review")
        repeat = c3.radio("The same order comment twice", options=["once", "add"],
                          index=["once", "add"].index(current.repeat_policy), key=f"{base}-repeat",
                          format_func={"once": "counts once", "add": "adds again"}.get, horizontal=True)
        lists = {}
        columns = st.columns(2)
        for index, (name, label, help_text) in enumerate(WORD_LISTS):
            lists[name] = columns[index % 2].text_area(label, value=", ".join(getattr(current, name)), height=80,
                                                       key=f"{base}-{name}", help=help_text)
        save, reset = st.columns([1, 1])
        saved = save.form_submit_button("Save syntax settings", type="primary", key=f"{base}-save")
        restored = reset.form_submit_button("Back to the defaults", key=f"{base}-reset")
    if saved or restored:
        values = defaults.to_dict() if restored else {
            "code_pattern": pattern.strip(), "max_qty": int(max_qty), "repeat_policy": repeat,
            **{name: _words(text) for name, text in lists.items()},
        }
        try:
            livestreams.save_syntax_settings(store, livestream_id, values, by=current_user())
        except ChotdonError as error:
            show_error(error)
        else:
            flash("Syntax settings saved; stored comments were read again with them.")
            st.rerun()
