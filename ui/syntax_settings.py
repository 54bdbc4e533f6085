"""The per-livestream comment syntax settings form (Setup), with the defaults of SYNTAX.md."""

from __future__ import annotations

import streamlit as st

from core.domain.syntax import SyntaxSettings
from core.services import livestreams
from ui.feedback import act
from ui.i18n import t, worded_key
from ui.session import current_user

WORD_LISTS = (  # (setting, label key, help key)
    ("order_words", "syntax_settings.order_words", "syntax_settings.order_words_help"),
    ("add_words", "syntax_settings.add_words", "syntax_settings.add_words_help"),
    ("cancel_words", "syntax_settings.cancel_words", "syntax_settings.cancel_words_help"),
    ("question_words", "syntax_settings.question_words", "syntax_settings.question_words_help"),
)


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.replace("\n", ",").split(",") if word.strip()]


def render_syntax_settings(store, livestream_id: int) -> None:
    current = livestreams.syntax_settings(store, livestream_id)
    defaults = SyntaxSettings()
    version = livestreams.get_livestream(store, livestream_id)["catalog_version"]
    base = f"syntax-{livestream_id}-v{version}"
    st.markdown(t("syntax_settings.intro"))
    with st.form(f"{base}-form", border=True):
        c1, c2, c3 = st.columns([2, 1, 1.4])
        pattern = c1.text_input(t("syntax_settings.code_pattern"), value=current.code_pattern,
                                key=f"{base}-pattern",
                                help=t("syntax_settings.code_pattern_help", pattern=defaults.code_pattern))
        max_qty = c2.number_input(t("syntax_settings.max_qty"), value=int(current.max_qty), step=1,
                                  key=f"{base}-max-qty", help=t("syntax_settings.max_qty_help"))
        repeats = {"once": t("syntax_settings.repeat_once"), "add": t("syntax_settings.repeat_add")}
        repeat = c3.radio(t("syntax_settings.repeat"), options=list(repeats),
                          index=list(repeats).index(current.repeat_policy), key=worded_key(f"{base}-repeat"),
                          format_func=repeats.get, horizontal=True)
        lists = {}
        columns = st.columns(2)
        for index, (name, label, help_text) in enumerate(WORD_LISTS):
            lists[name] = columns[index % 2].text_area(t(label), value=", ".join(getattr(current, name)),
                                                       height=80, key=f"{base}-{name}", help=t(help_text))
        save, reset = st.columns([1, 1])
        saved = save.form_submit_button(t("syntax_settings.save"), type="primary", key=f"{base}-save")
        restored = reset.form_submit_button(t("syntax_settings.reset"), key=f"{base}-reset")
    if saved or restored:
        values = defaults.to_dict() if restored else {
            "code_pattern": pattern.strip(), "max_qty": int(max_qty), "repeat_policy": repeat,
            **{name: _words(text) for name, text in lists.items()},
        }
        act(lambda: livestreams.save_syntax_settings(store, livestream_id, values, by=current_user()),
            t("syntax_settings.saved"))
