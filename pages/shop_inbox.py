"""Shop inbox: orders sent to the shop, for the cashier, when no MShopKeeper account is connected."""

import pandas as pd
import streamlit as st

from core.base.formatting import vnd
from core.base.i18n import Text
from core.base.phones import format_vn_phone
from core.services import orders
from ui.feedback import act, show_flashes
from ui.i18n import markdown_time, t
from ui.session import actor, get_store
from ui.text import plain

store = get_store()
st.title(t("inbox.title"), anchor=False)
st.caption(t("inbox.intro"))
show_flashes()

show_handled = st.toggle(t("inbox.show_handled"), key="inbox_show_handled")
inbox = orders.list_shop_inbox(store, include_handled=show_handled)
if not inbox:
    st.info(t("inbox.empty"))
    st.stop()

for order in inbox:
    with st.container(border=True):
        head, button = st.columns([4, 1], vertical_alignment="center")
        payment = t("inbox.payment_cod" if order.payment == "cod" else "inbox.payment_transfer")
        handled = " · " + t("inbox.handled", by=plain(order.handled_by), time=markdown_time(order.handled_at, True)) \
            if order.handled_at else ""
        if order.customer_blacklisted:
            head.error(t("inbox.blacklisted", reason=plain(order.customer_blacklist_reason)))
        head.markdown(
            f"**{plain(order.code)}** · {plain(order.customer_name)} · **{vnd(order.total)}** ({payment}){handled}\n\n"
            + t("inbox.receiver", name=plain(order.receiver_name), phone=format_vn_phone(order.receiver_phone),
                address=plain(order.receiver_address))
        )
        columns = {name: t(f"inbox.col_{name}") for name in ("code", "item", "size", "color", "qty", "price",
                                                             "amount")}
        st.dataframe(
            pd.DataFrame([
                {columns["code"]: line.item_code or line.code_typed, columns["item"]: line.item_name or "",
                 columns["size"]: line.size or "", columns["color"]: line.color or "", columns["qty"]: line.qty,
                 columns["price"]: vnd(line.unit_price), columns["amount"]: vnd(line.amount)}
                for line in order.lines
            ], columns=list(columns.values())),
            hide_index=True, width="stretch",
        )
        if order.note:
            st.caption(t("inbox.note", note=plain(order.note)))
        if not order.handled_at and button.button(t("inbox.mark_handled"), key=f"handled-{order.id}", type="primary"):
            act(lambda order=order: orders.mark_handled(store, order.id, actor=actor(), expected_version=order.version),
                Text("inbox.marked_handled", code=order.code))
