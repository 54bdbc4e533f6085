"""Integrations: every push to MShopKeeper and the OCM webhook, and every answer to customers on Facebook, with
its state, tries and last answer; Retry."""

import json

import pandas as pd
import streamlit as st

from core.base import redact
from core.integrations import mshopkeeper, webhook
from core.runtime import deliveries
from core.services import outbox
from ui.feedback import flash, show_flashes
from ui.i18n import markdown_time, number, say, t, time_text, worded_key
from ui.session import actor, get_store
from ui.text import plain

store = get_store()
worker = deliveries.start_worker(store)
st.title(t("integrations.title"), anchor=False)
show_flashes()

connection = mshopkeeper.connection_from_settings()
endpoint = webhook.endpoint_from_settings()
counts = outbox.state_counts(store)


def _count(target: str, *states: str) -> int:
    return sum(counts.get((target, state), 0) for state in states)


def _target(target: str) -> str:
    return say(outbox.TARGET_LABELS[target])


def _state(state: str) -> str:
    return say(outbox.STATE_LABELS.get(state, state))


if connection is None:
    mshopkeeper_words = t("integrations.mshopkeeper_off")
elif connection.branch_id:
    mshopkeeper_words = t("integrations.mshopkeeper_on_branch", domain=plain(connection.domain),
                          branch=plain(connection.branch_id))
else:
    mshopkeeper_words = t("integrations.mshopkeeper_on", domain=plain(connection.domain))
if endpoint is None:
    webhook_words = t("integrations.webhook_off")
elif endpoint.secret:
    webhook_words = t("integrations.webhook_signed", url=plain(redact.mask_url(endpoint.url)))
else:
    webhook_words = t("integrations.webhook_unsigned", url=plain(redact.mask_url(endpoint.url)))

# Facebook answers are set per livestream (Setup → Livestreams); the card shows whether any went out yet.
facebook_words = t("integrations.facebook_answers")
left, middle, right = st.columns(3)
for column, target, configured, words in (
    (left, outbox.MSHOPKEEPER, connection is not None, mshopkeeper_words),
    (middle, outbox.OCM_WEBHOOK, endpoint is not None, webhook_words),
    (right, outbox.FACEBOOK, any(target == outbox.FACEBOOK for target, _ in counts), facebook_words),
):
    with column.container(border=True):
        st.markdown(f"**{_target(target)}** {'🟢' if configured else '⚪'}  \n{words}")
        # Facebook's answers needing attention include private messages in doubt ("may have been sent").
        st.caption(t("integrations.facebook_counts" if target == outbox.FACEBOOK else "integrations.counts",
                     delivered=number(_count(target, outbox.DELIVERED)),
                     waiting=number(_count(target, outbox.PENDING, outbox.SENDING)),
                     attention=number(_count(target, *outbox.NEEDS_ATTENTION))))
if worker.last_error:
    st.error(t("integrations.worker_error", error=plain(redact.scrub(
        worker.last_error, redact.known_secrets(*mshopkeeper.known_tokens())))))
elif worker.running:
    st.caption(t("integrations.worker_running", last=markdown_time(worker.last_pass_at)) if worker.last_pass_at
               else t("integrations.worker_running_first"))

views = {"attention": t("integrations.view_attention"), "waiting": t("integrations.view_waiting"),
         "all": t("integrations.view_all")}
c1, c2, c3 = st.columns([2, 2, 2])
view = c1.radio(t("integrations.show"), options=list(views), format_func=views.get, horizontal=True,
                key=worded_key("pushes_view"))
targets = c2.multiselect(t("integrations.system"), options=list(outbox.TARGETS), format_func=_target,
                         key="pushes_targets", placeholder=t("integrations.system_placeholder"))
search = c3.text_input(t("integrations.order_code"), key="pushes_search", placeholder="L1-007")
states = {"attention": outbox.NEEDS_ATTENTION, "waiting": (outbox.PENDING, outbox.SENDING), "all": None}[view]
rows = outbox.list_pushes(store, states=states, targets=targets, search=search)

if not rows:
    st.info({"attention": t("integrations.none_attention"), "waiting": t("integrations.none_waiting"),
             "all": t("integrations.none_at_all")}[view])
else:
    problem_column, answer_column = t("integrations.col_problem"), t("integrations.col_last_answer")
    st.dataframe(
        pd.DataFrame({
            "#": [r["id"] for r in rows],
            t("integrations.col_order"): [r["order_code"] or "" for r in rows],
            t("integrations.col_system"): [_target(r["target"]) for r in rows],
            t("integrations.col_what"): [say(outbox.describe(r["target"], r["action"])) for r in rows],
            t("integrations.col_state"): [_state(r["state"]) for r in rows],
            t("integrations.col_tries"): [r["tries"] for r in rows],
            t("integrations.col_next_try"): [time_text(r["next_try_at"], True) if r["state"] == outbox.PENDING
                                             else "" for r in rows],
            problem_column: [say(r["problem"]) or "" for r in rows],
            answer_column: [(say(r["last_answer"]) or "")[:200] for r in rows],
            t("integrations.col_since"): [time_text(r["created_at"], True) for r in rows],
        }),
        hide_index=True, width="stretch",
        column_config={problem_column: st.column_config.TextColumn(width="large"),
                       answer_column: st.column_config.TextColumn(width="medium")},
    )

    retryable = {r["id"]: f"#{r['id']} · {r['order_code'] or '–'} · {_target(r['target'])} · {_state(r['state'])}"
                 for r in rows if r["state"] in outbox.RETRYABLE}
    if retryable:
        r1, r2 = st.columns([4, 1], vertical_alignment="bottom")
        picked = r1.multiselect(t("integrations.to_retry"), options=list(retryable), format_func=retryable.get,
                                key="pushes_to_retry", placeholder=t("integrations.to_retry_placeholder"))
        if r2.button(t("integrations.retry"), type="primary", key="retry_pushes", width="stretch"):
            chosen = picked or list(retryable)
            done = outbox.retry(store, chosen, actor=actor())
            deliveries.wake_worker(store)
            st.session_state.pop("pushes_to_retry", None)
            flash(t("integrations.retried_one" if done == 1 else "integrations.retried_many", count=number(done)))
            st.rerun()

    details = {r["id"]: f"#{r['id']} · {r['order_code'] or '–'} · {_target(r['target'])} · "
               f"{say(outbox.describe(r['target'], r['action']))}"
               for r in rows}
    chosen = st.selectbox(t("integrations.tries_of"), options=list(details), format_func=details.get, index=None,
                          key="push_details", placeholder=t("integrations.tries_of_placeholder"))
    if chosen is not None:
        push = outbox.get_push(store, chosen)
        attempts = outbox.attempts_of(store, chosen)
        # The key as a code span: shown and copied exactly (our own words and digits, never a backtick).
        caption = t("integrations.push_keys", key=f"`{push['idempotency_key']}`",
                    caused_by=plain(push["caused_by"] or "?"))
        if push["remote_ref"]:
            caption += t("integrations.push_remote_ref", ref=plain(push["remote_ref"]))
        st.caption(caption)
        if attempts:
            st.dataframe(
                pd.DataFrame({
                    t("integrations.col_when"): [time_text(a["happened_at"], True) for a in attempts],
                    t("integrations.col_request"): [say(a["request"]) for a in attempts],
                    t("integrations.col_http"): [a["status_code"] for a in attempts],
                    "ms": [a["duration_ms"] for a in attempts],
                    t("integrations.col_outcome"): [say(a["outcome"]) or "" for a in attempts],
                    t("integrations.col_answer"): [(say(a["answer"]) or "")[:300] for a in attempts],
                }),
                hide_index=True, width="stretch",
            )
        else:
            st.caption(t("integrations.not_tried"))
        with st.expander(t("integrations.payload")):
            st.json(json.loads(push["payload"]), expanded=True)
