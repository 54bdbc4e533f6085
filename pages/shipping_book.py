"""Shipping book: orders waiting for shipping (Create order / Save to shipping book), with Ship."""

import pandas as pd
import streamlit as st

from core import orders
from core.errors import ChotdonError
from core.formatting import shop_time_text, vnd
from core.phones import format_vn_phone
from ui.order_form import show_error
from ui.state import actor, flash, get_store, selected_livestream_id, show_flashes

store = get_store()
st.title("📦 Shipping book", anchor=False)
show_flashes()

only_selected = st.toggle("Only the livestream selected in the sidebar", key="book_only_selected", value=False)
livestream_id = selected_livestream_id(store)
frame = orders.list_shipping_book(store, livestream_id if only_selected else None)
if frame.empty:
    st.info("No order is waiting for shipping. Orders arrive here with **Create order** or **Save to shipping book**.")
    st.stop()

cod_total = int(frame.loc[frame["payment"] == "cod", "total"].sum())
st.caption(f"{len(frame)} {'order' if len(frame) == 1 else 'orders'} waiting · COD to collect {vnd(cod_total)}")
st.dataframe(
    pd.DataFrame({
        "Code": frame["code"], "Since": [shop_time_text(t, True) for t in frame["updated_at"]],
        "Receiver": frame["receiver_name"], "Phone": [format_vn_phone(p) for p in frame["receiver_phone"]],
        "Address": frame["receiver_address"], "Items": frame["items"],
        "Total": [vnd(t) for t in frame["total"]], "Payment": frame["payment"].str.upper(),
    }),
    hide_index=True, use_container_width=True,
)

labels = {int(r.order_id): f"{r.code} · {r.receiver_name} · {vnd(r.total)}" for r in frame.itertuples()}
with st.form("ship_form", border=True):
    st.markdown("**Ship**")
    chosen = st.multiselect("Orders handed to the carrier", options=list(labels), format_func=labels.get,
                            key="ship_orders", placeholder="pick one or more orders")
    c1, c2 = st.columns(2)
    carrier = c1.text_input("Carrier", key="ship_carrier", placeholder="GHN, GHTK, Viettel Post…")
    tracking = c2.text_input("Tracking number (one order)", key="ship_tracking")
    submitted = st.form_submit_button("Ship", type="primary", key="ship_submit")
if submitted:
    if not chosen:
        st.warning("Pick at least one order to ship.")
    elif tracking.strip() and len(chosen) > 1:
        st.error("A tracking number belongs to one order: pick one order, or leave the tracking number empty.")
    else:
        shipped, failed = [], []
        for order_id in chosen:
            try:
                order = orders.get_order(store, order_id)
                orders.ship(store, order_id, actor=actor(), expected_version=order.version, carrier=carrier,
                            tracking_number=tracking)
                shipped.append(order.code)
            except ChotdonError as error:
                failed.append(error)
        if shipped:
            flash(f"Shipped: {', '.join(shipped)}.")
        for error in failed:
            flash(str(error), "error")
        st.rerun()
