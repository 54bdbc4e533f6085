"""Shipping book: orders waiting for shipping (Create order / Save to shipping book), with Ship and printing."""

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from core import orders, shipping
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
recent = shipping.recently_shipped(store, livestream_id=livestream_id if only_selected else None)

if frame.empty:
    st.info("No order is waiting for shipping. Orders arrive here with **Create order** or **Save to shipping book**.")
else:
    cod_total = int(frame.loc[frame["payment"] == "cod", "total"].sum())
    st.caption(f"{len(frame)} {'order' if len(frame) == 1 else 'orders'} waiting · COD to collect {vnd(cod_total)}")
    st.dataframe(
        pd.DataFrame({
            "Code": frame["code"], "⛔": ["⛔ bom hàng" if b else "" for b in frame["blacklisted"]],
            "Since": [shop_time_text(t, True) for t in frame["updated_at"]],
            "Receiver": frame["receiver_name"], "Phone": [format_vn_phone(p) for p in frame["receiver_phone"]],
            "Address": frame["receiver_address"], "Items": frame["items"],
            "Total": [vnd(t) for t in frame["total"]], "Payment": frame["payment"].str.upper(),
        }),
        hide_index=True, use_container_width=True,
    )

    labels = {int(r.order_id): f"{r.code} · {r.receiver_name} · {vnd(r.total)}" for r in frame.itertuples()}
    carriers = {c.id: c for c in shipping.list_carriers(store, active_only=True)}
    with st.form("ship_form", border=True):
        st.markdown("**Ship**")
        chosen = st.multiselect("Orders handed to the carrier", options=list(labels), format_func=labels.get,
                                key="ship_orders", placeholder="pick one or more orders")
        c1, c2, c3 = st.columns([1.2, 1.2, 1])
        if carriers:  # the owner's list (Setup → Carriers)
            carrier = c1.selectbox(
                "Carrier", options=list(carriers), index=None, key="ship_carrier_id", placeholder="pick the carrier",
                format_func=lambda i: f"{carriers[i].name} · usually {vnd(carriers[i].default_fee)}")
        else:
            carrier = c1.text_input("Carrier", key="ship_carrier", placeholder="GHN, GHTK, Viettel Post…",
                                    help="Keep a list of carriers in Setup → Carriers to pick from it here.")
        tracking = c2.text_input("Tracking number (one order)", key="ship_tracking")
        fee = c3.number_input("Fee the carrier charges ₫", value=None, min_value=0, step=1000, key="ship_fee",
                              placeholder="the carrier's usual fee")
        submitted = st.form_submit_button("Ship", type="primary", key="ship_submit")
    if submitted:
        if not chosen:
            st.warning("Pick at least one order to ship.")
        else:
            try:
                result = shipping.ship_orders(
                    store, chosen, actor=actor(), carrier_id=carrier if carriers else None,
                    carrier_name=None if carriers else carrier, tracking_number=tracking,
                    fee=None if fee is None else int(fee))
            except ChotdonError as error:
                show_error(error)
            else:
                if result.done:
                    flash(f"Shipped: {', '.join(result.done)}. Their labels are ready to print below.")
                    ids_by_code = {code: int(i) for code, i in zip(frame["code"], frame["order_id"])}
                    st.session_state["print_orders"] = [ids_by_code[code] for code in result.done]
                for _code, message in result.failed:
                    flash(message, "error")
                st.rerun()

# -- printing: labels and packing slips for one or many orders, waiting or just shipped ---------------------------
printable = {int(r.order_id): f"{r.code} · {r.receiver_name} · waiting" for r in frame.itertuples()}
printable.update({r["order_id"]: f"{r['code']} · {r['receiver_name']} · shipped "
                                 f"{shop_time_text(r['shipped_at'], True)}" for r in recent})
if printable:
    st.markdown("**🖨 Shipping labels and packing slips**")
    if any(i not in printable for i in st.session_state.get("print_orders", [])):
        st.session_state["print_orders"] = [i for i in st.session_state["print_orders"] if i in printable]
    to_print = st.multiselect("Orders to print", options=list(printable), format_func=printable.get,
                              key="print_orders", placeholder="pick orders waiting or shipped in the last 3 days")
    if to_print:
        stamp = "-".join(printable[i].split(" · ")[0] for i in to_print[:3]) + ("-…" if len(to_print) > 3 else "")
        labels_page = shipping.labels_html(store, to_print)
        slips_page = shipping.packing_slips_html(store, to_print)
        d1, d2, d3 = st.columns([1, 1, 2], vertical_alignment="center")
        d1.download_button("⬇️ Shipping labels", data=labels_page.encode("utf-8"), file_name=f"labels-{stamp}.html",
                           mime="text/html", key="download_labels", use_container_width=True)
        d2.download_button("⬇️ Packing slips", data=slips_page.encode("utf-8"), file_name=f"slips-{stamp}.html",
                           mime="text/html", key="download_slips", use_container_width=True)
        d3.caption("Open the file and press Print: labels are 100 × 150 mm, packing slips A5, one order a page.")
        preview = st.radio("Preview", options=["labels", "slips", "none"], horizontal=True, key="print_preview",
                           format_func={"labels": "Labels", "slips": "Packing slips", "none": "No preview"}.get)
        if preview != "none":
            # Our own page, in its own frame; its Print button prints only the frame. Customer text is escaped.
            components.html(labels_page if preview == "labels" else slips_page, height=640, scrolling=True)
