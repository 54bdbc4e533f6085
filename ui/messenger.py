"""The order form's Messenger panel: what became of the order's private message on Facebook
(core.services.answers.messenger_state), the message as sent, and "Send order in Messenger" by hand.

A private reply has no second chance (one per comment, within 7 days of it): the button is offered only while no
message for the order is on its way, sent or in doubt, and the order has a comment read from Facebook inside the
window (answers.can_message; else a caption says why); core refuses it otherwise too (a second tab, a race), and
the refusal shows here. "May have been sent" says what staff should check, never offers to send again.

The message holds the customer's name and the order's lines: shown with st.text, which reads no Markdown and keeps
its lines as Messenger shows them.
"""

from __future__ import annotations

import streamlit as st

from core.base.i18n import Text
from core.db.store import Store
from core.services import answers, livestreams
from ui.feedback import act
from ui.i18n import markdown_time, say, t
from ui.session import actor
from ui.text import plain

# How each state stands out: a box of this kind.
_BOX = {"queued": "info", "sending": "info", "sent": "success", "may_have_been_sent": "warning",
        "failed": "error", "dropped": "warning"}
# States in which a message is out or on its way: no second one.
_NOT_AGAIN = ("queued", "sending", "sent", "may_have_been_sent")


def messenger_panel(store: Store, order, *, key_prefix: str = "order") -> None:
    """Under the order's pushes in the order form. `order` is core's Order (its id and code are read)."""
    state = answers.messenger_state(store, order.id)
    if state is None and livestreams.get_livestream(store, order.livestream_id)["platform"] != "facebook":
        return  # not a Facebook livestream's order: nothing to say, nothing to offer
    offered = state is None or state.state not in _NOT_AGAIN
    can_send = offered and answers.can_message(store, order.id)  # one query, only where a send could be offered
    if state is None and not can_send:
        # Nothing sent and nothing to offer (no Facebook comment inside the window): one line, not a box on
        # every order staff open.
        st.caption(t("answers_ui.messenger_heading") + " · " + t("answers_ui.messenger_cannot_send"))
        return
    with st.container(border=True):
        st.markdown(t("answers_ui.messenger_heading"))
        if state is None:
            st.caption(t("answers_ui.messenger_none"))
        else:
            label = say(answers.STATE_LABELS.get(state.state, state.state))
            label = label[:1].upper() + label[1:]  # it starts the line: "Sent · 6 Dec 14:03:11"
            line = t("answers_ui.messenger_state", state=plain(label), time=markdown_time(state.at, True))
            getattr(st, _BOX.get(state.state, "info"))(line)
            if state.state == "may_have_been_sent":  # in staff's words; the technical cause is on Integrations
                st.caption(t("answers_ui.messenger_doubt"))
            elif state.reason:
                st.caption(t("answers_ui.messenger_reason", reason=plain(say(state.reason))))
            if state.text:
                st.caption(t("answers_ui.messenger_text"))
                st.text(state.text)
        if offered:
            if not can_send:  # no Facebook comment inside the window: say so instead
                st.caption(t("answers_ui.messenger_cannot_send"))
            elif st.button(t("answers_ui.messenger_send"), key=f"{key_prefix}-messenger-send-{order.id}",
                         help=t("answers_ui.messenger_send_help")):
                act(lambda: answers.send_order_message(store, order.id, actor=actor()),
                    Text("answers_ui.messenger_sending", code=order.code))
