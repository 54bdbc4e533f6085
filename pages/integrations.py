"""Integrations: every push to MShopKeeper and the OCM webhook, with its state, tries and last answer; Retry."""

import json

import pandas as pd
import streamlit as st

from core import mshopkeeper, outbox, webhook
from core.formatting import shop_time_text
from ui.state import actor, flash, get_store, show_flashes
from ui.text import plain

store = get_store()
worker = outbox.start_worker(store)
st.title("🔌 Integrations", anchor=False)
show_flashes()

connection = mshopkeeper.connection_from_settings()
endpoint = webhook.endpoint_from_settings()
counts = outbox.state_counts(store)


def _count(target: str, *states: str) -> int:
    return sum(counts.get((target, state), 0) for state in states)


left, right = st.columns(2)
for column, target, configured, words in (
    (left, outbox.MSHOPKEEPER, connection is not None,
     f"Send to shop creates the order at **{plain(connection.domain)}**"
     + (f", branch {plain(connection.branch_id)}." if connection and connection.branch_id else ".")
     if connection else "Not configured: Send to shop goes to the Shop inbox."),
    (right, outbox.OCM_WEBHOOK, endpoint is not None,
     f"Shipping-book events go to **{plain(endpoint.url)}**"
     + (", signed." if endpoint and endpoint.secret else ", unsigned (no CHOTDON_OCM_WEBHOOK_SECRET).")
     if endpoint else "Not configured: the shipping book stays in Chotdon."),
):
    with column.container(border=True):
        st.markdown(f"**{outbox.TARGET_LABELS[target]}** {'🟢' if configured else '⚪'}  \n{words}")
        waiting = _count(target, outbox.PENDING, outbox.SENDING)
        attention = _count(target, *outbox.NEEDS_ATTENTION)
        st.caption(f"{_count(target, outbox.DELIVERED)} delivered · {waiting} waiting · "
                   f"{attention} failed or given up")
if worker.last_error:
    st.error(f"The delivery worker hit an error and goes on trying: {plain(worker.last_error)}")
elif worker.running:
    last = f" (last look {shop_time_text(worker.last_pass_at)})" if worker.last_pass_at else ""
    st.caption(f"Pushes are delivered in the background, with growing waits between tries{last}. "
               "The shop's actions never wait for them.")

views = {"attention": "Needs attention", "waiting": "Waiting", "all": "All"}
c1, c2, c3 = st.columns([2, 2, 2])
view = c1.radio("Show", options=list(views), format_func=views.get, horizontal=True, key="pushes_view")
targets = c2.multiselect("System", options=list(outbox.TARGETS), format_func=outbox.TARGET_LABELS.get,
                         key="pushes_targets", placeholder="both")
search = c3.text_input("Order code", key="pushes_search", placeholder="L1-007")
states = {"attention": outbox.NEEDS_ATTENTION, "waiting": (outbox.PENDING, outbox.SENDING), "all": None}[view]
rows = outbox.list_pushes(store, states=states, targets=targets, search=search)

if not rows:
    st.info({"attention": "Nothing needs attention: every push was delivered or is on its way.",
             "waiting": "Nothing is waiting to be delivered.", "all": "No pushes yet."}[view])
else:
    st.dataframe(
        pd.DataFrame({
            "#": [r["id"] for r in rows],
            "Order": [r["order_code"] for r in rows],
            "System": [outbox.TARGET_LABELS[r["target"]] for r in rows],
            "What": [outbox.describe(r["target"], r["action"]) for r in rows],
            "State": [outbox.STATE_LABELS.get(r["state"], r["state"]) for r in rows],
            "Tries": [r["tries"] for r in rows],
            "Next try": [shop_time_text(r["next_try_at"], True) if r["state"] == outbox.PENDING else ""
                         for r in rows],
            "Problem": [r["problem"] or "" for r in rows],
            "Last answer": [(r["last_answer"] or "")[:200] for r in rows],
            "Since": [shop_time_text(r["created_at"], True) for r in rows],
        }),
        hide_index=True, use_container_width=True,
        column_config={"Problem": st.column_config.TextColumn(width="large"),
                       "Last answer": st.column_config.TextColumn(width="medium")},
    )

    retryable = {r["id"]: f"#{r['id']} · {r['order_code']} · {outbox.TARGET_LABELS[r['target']]} · "
                 f"{outbox.STATE_LABELS[r['state']]}" for r in rows if r["state"] in outbox.RETRYABLE}
    if retryable:
        r1, r2 = st.columns([4, 1], vertical_alignment="bottom")
        picked = r1.multiselect("Pushes to try again now", options=list(retryable), format_func=retryable.get,
                                key="pushes_to_retry", placeholder="pick pushes, or retry all shown")
        if r2.button("Retry", type="primary", key="retry_pushes", use_container_width=True):
            chosen = picked or list(retryable)
            done = outbox.retry(store, chosen, actor=actor())
            st.session_state.pop("pushes_to_retry", None)
            flash(f"{done} {'push is' if done == 1 else 'pushes are'} being tried again.")
            st.rerun()

    details = {r["id"]: f"#{r['id']} · {r['order_code']} · {outbox.TARGET_LABELS[r['target']]} · "
               f"{outbox.describe(r['target'], r['action'])}"
               for r in rows}
    chosen = st.selectbox("Tries of a push", options=list(details), format_func=details.get, index=None,
                          key="push_details", placeholder="pick a push to see each try and what was sent")
    if chosen is not None:
        push = outbox.get_push(store, chosen)
        attempts = outbox.attempts_of(store, chosen)
        st.caption(f"Idempotency key {plain(push['idempotency_key'])} · caused by {plain(push['caused_by'] or '?')}"
                   + (f" · at the target: {plain(push['remote_ref'])}" if push["remote_ref"] else ""))
        if attempts:
            st.dataframe(
                pd.DataFrame({
                    "When": [shop_time_text(a["happened_at"], True) for a in attempts],
                    "Request": [a["request"] for a in attempts],
                    "HTTP": [a["status_code"] for a in attempts],
                    "ms": [a["duration_ms"] for a in attempts],
                    "Outcome": [a["outcome"] or "" for a in attempts],
                    "Answer (start)": [(a["answer"] or "")[:300] for a in attempts],
                }),
                hide_index=True, use_container_width=True,
            )
        else:
            st.caption("Not tried yet.")
        with st.expander("What is sent (frozen when staff pressed the button)"):
            st.json(json.loads(push["payload"]), expanded=True)
