"""Setup → Livestreams: how Chotdon answers on Facebook for one livestream (core.services.answers), and the
shop-wide answer speed.

Not an st.form: the preview follows the templates as they are typed (a text area sends its text when it loses focus
or on Ctrl+Enter), while nothing is stored before Save. Save hands the settings to core, which checks them: an
unknown {placeholder}, an empty template whose answer is on or a template too long is refused with its message, and
the stored settings stay as they were (the typing stays on screen to be corrected).

A template is the shop's own text, and the preview fills it with a sample order: both are shown with st.text, which
reads no Markdown and keeps the message's lines as Messenger shows them.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core.base import i18n
from core.base.errors import ChotdonError
from core.db.store import Store
from core.services import answers
from ui.feedback import act
from ui.i18n import number, say, t
from ui.session import current_user
from ui.text import plain


def _placeholder_list(kind: str) -> str:
    """The placeholders a template of `kind` may use, each as a code span (our own names, never a backtick), with
    what it stands for where the tables say it."""
    names = []
    for name in answers.placeholders(kind):
        meaning_key = f"answers_ui.placeholder_{name}"
        code = f"`{{{name}}}`"
        names.append(t("answers_ui.placeholder_line", name=code, meaning=t(meaning_key))
                     if meaning_key in i18n.table("en") else code)
    return t("answers_ui.placeholders", names="".join(f"\n- {name}" for name in names))


def _template(kind: str, label_key: str, value: str, key: str) -> str:
    left, right = st.columns([3, 2])
    typed = left.text_area(t(label_key), value=value, key=key, height=110 if kind == "message" else 68)
    right.caption(_placeholder_list(kind))
    return typed


def _preview(text: str | None, problem: ChotdonError | None, on: bool) -> None:
    st.caption(t("answers_ui.preview" if on else "answers_ui.preview_off"))
    if problem is not None:
        st.warning(t("answers_ui.preview_problem", problem=plain(say(problem))))
    else:
        with st.container(border=True):
            st.text(text or "")


def render_answer_settings(store: Store, livestream_id: int) -> None:
    current = answers.get_settings(store, livestream_id)
    base = f"answers-{livestream_id}"
    st.markdown(t("answers_ui.heading"))
    st.caption(t("answers_ui.intro"))
    with st.container(border=True):
        reply_on = st.toggle(t("answers_ui.reply_publicly"), value=current.reply_publicly, key=f"{base}-reply-on",
                             help=t("answers_ui.reply_publicly_help"))
        reply_template = _template("reply", "answers_ui.reply_template", current.reply_template,
                                   f"{base}-reply-template")
        reply_preview = st.container()
        st.divider()
        message_on = st.toggle(t("answers_ui.message_privately"), value=current.message_privately,
                               key=f"{base}-message-on", help=t("answers_ui.message_privately_help"))
        message_template = _template("message", "answers_ui.message_template", current.message_template,
                                     f"{base}-message-template")
        languages = list(i18n.LANGUAGES)
        message_language = st.radio(t("answers_ui.answer_language"), options=languages,
                                    index=languages.index(current.language) if current.language in languages else 0,
                                    format_func=i18n.LANGUAGES.get, horizontal=True, key=f"{base}-language",
                                    help=t("answers_ui.answer_language_help"))
        message_preview = st.container()
        st.divider()
        hide_on = st.toggle(t("answers_ui.hide_phone_comments"), value=current.hide_phone_comments,
                            key=f"{base}-hide-on", help=t("answers_ui.hide_phone_comments_help"))
        typed = replace(current, reply_publicly=reply_on, reply_template=reply_template,
                        message_privately=message_on, message_template=message_template, hide_phone_comments=hide_on,
                        language=message_language)
        # Each template previewed on its own (beside the other's default): a problem in one leaves the other's
        # preview standing. In the answers' language, as the customer will read it.
        for kind, box, on, template in (("reply", reply_preview, reply_on, reply_template),
                                        ("message", message_preview, message_on, message_template)):
            with box:
                try:
                    switch = "reply_publicly" if kind == "reply" else "message_privately"
                    alone = replace(answers.AnswerSettings(), language=message_language,
                                    **{f"{kind}_template": template, switch: on})
                    _preview(getattr(answers.preview(alone, language=message_language), kind), None, on)
                except ChotdonError as problem:
                    _preview(None, problem, on)
        if st.button(t("answers_ui.save"), type="primary", key=f"{base}-save"):
            act(lambda: answers.save_settings(store, livestream_id, typed, by=current_user()), t("answers_ui.saved"))


def render_rate_limit(store: Store) -> None:
    """The shop-wide answer speed: answers per minute per Facebook page."""
    st.markdown(t("answers_ui.rate_heading"))
    with st.form("answer_rate", border=False):
        c1, c2, _ = st.columns([1.2, 1, 1.6], vertical_alignment="bottom")
        per_minute = c1.number_input(t("answers_ui.rate_limit"), min_value=1, max_value=200, step=1,
                                     value=int(answers.get_rate_limit(store)), key="answer_rate_limit",
                                     help=t("answers_ui.rate_limit_help"))
        saved = c2.form_submit_button(t("answers_ui.save_rate"), key="save_answer_rate")
    if saved:
        act(lambda: answers.set_rate_limit(store, int(per_minute), by=current_user()),
            lambda done: t("answers_ui.rate_saved", count=number(done)))
