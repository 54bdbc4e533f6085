"""Shop inbox: orders sent to the shop, for the cashier, when no MShopKeeper account is connected."""

import pandas as pd
import streamlit as st

from core import orders
from core.errors import ChotdonError
from core.formatting import shop_time_text, vnd
from core.phones import format_vn_phone
from ui.order_form import show_error
from ui.state import actor, flash, get_store, show_flashes
from ui.text import plain

store = get_store()
st.title("🏪 Shop inbox", anchor=False)
st.caption("Orders staff sent to the shop. Enter each in the till, then mark it handled.")
show_flashes()

show_handled = st.toggle("Show handled orders too", key="inbox_show_handled")
inbox = orders.list_shop_inbox(store, include_handled=show_handled)
if not inbox:
    st.info("Nothing waiting: orders arrive here with **Send to shop**.")
    st.stop()

for order in inbox:
    with st.container(border=True):
        head, button = st.columns([4, 1], vertical_alignment="center")
        handled = f" · ✅ handled by {plain(order.handled_by)} at {shop_time_text(order.handled_at, True)}" \
            if order.handled_at else ""
        if order.customer_blacklisted:
            head.error(f"⛔ Blacklisted customer (bom hàng): {plain(order.customer_blacklist_reason)}")
        head.markdown(
            f"**{plain(order.code)}** · {plain(order.customer_name)} · **{vnd(order.total)}** "
            f"({'COD' if order.payment == 'cod' else 'transfer'}){handled}\n\n"
            f"Receiver: {plain(order.receiver_name)} · {format_vn_phone(order.receiver_phone)} · "
            f"{plain(order.receiver_address)}"
        )
        st.dataframe(
            pd.DataFrame([
                {"Code": line.item_code or line.code_typed, "Item": line.item_name or "", "Size": line.size or "",
                 "Color": line.color or "", "Qty": line.qty, "Price": vnd(line.unit_price),
                 "Amount": vnd(line.amount)}
                for line in order.lines
            ]),
            hide_index=True, use_container_width=True,
        )
        if order.note:
            st.caption("Note: " + plain(order.note))
        if not order.handled_at and button.button("Mark handled", key=f"handled-{order.id}", type="primary"):
            try:
                orders.mark_handled(store, order.id, actor=actor(), expected_version=order.version)
            except ChotdonError as error:
                show_error(error)
            else:
                flash(f"Order {order.code} marked handled.")
                st.rerun()
