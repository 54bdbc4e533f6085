"""Shipping book: orders waiting for shipping (Create order / Save to shipping book), with Ship and printing."""

import pandas as pd
import streamlit as st

from core.base import i18n
from core.base.formatting import vnd
from core.base.phones import format_vn_phone
from core.services import orders, shipping
from ui.feedback import act, flash, show_flashes
from ui.i18n import number, say, t, time_text, worded_key
from ui.session import actor, get_store, selected_livestream_id

store = get_store()
st.title(t("shipping.book_title"), anchor=False)
show_flashes()

only_selected = st.toggle(t("shipping.only_selected"), key="book_only_selected", value=False)
livestream_id = selected_livestream_id(store)
frame = orders.list_shipping_book(store, livestream_id if only_selected else None)
recent = shipping.recently_shipped(store, livestream_id=livestream_id if only_selected else None)

if frame.empty:
    st.info(t("shipping.book_empty"))
else:
    st.caption(t("shipping.waiting_one" if len(frame) == 1 else "shipping.waiting_many", count=number(len(frame)),
                 cod=vnd(shipping.cod_total(frame))))
    payments = {"cod": t("shipping.payment_cod"), "transfer": t("shipping.payment_transfer")}
    st.dataframe(
        pd.DataFrame({
            t("shipping.col_code"): frame["code"],
            "⛔": [t("shipping.blacklisted_mark") if b else "" for b in frame["blacklisted"]],
            t("shipping.col_since"): [time_text(moment, True) for moment in frame["updated_at"]],
            t("shipping.col_receiver"): frame["receiver_name"],
            t("shipping.col_phone"): [format_vn_phone(p) for p in frame["receiver_phone"]],
            t("shipping.col_address"): frame["receiver_address"], t("shipping.col_items"): frame["items"],
            t("shipping.col_total"): [vnd(total) for total in frame["total"]],
            t("shipping.col_payment"): [payments.get(p, str(p).upper()) for p in frame["payment"]],
        }),
        hide_index=True, width="stretch",
    )

    labels = {int(r.order_id): f"{r.code} · {r.receiver_name} · {vnd(r.total)}" for r in frame.itertuples()}
    carriers = {c.id: c for c in shipping.list_carriers(store, active_only=True)}
    with st.form("ship_form", border=True):
        st.markdown(t("shipping.ship_heading"))
        chosen = st.multiselect(t("shipping.ship_orders"), options=list(labels), format_func=labels.get,
                                key="ship_orders", placeholder=t("shipping.ship_orders_placeholder"))
        c1, c2, c3 = st.columns([1.2, 1.2, 1])
        if carriers:  # the owner's list (Setup → Carriers)
            carrier = c1.selectbox(
                t("shipping.carrier"), options=list(carriers), index=None, key="ship_carrier_id",
                placeholder=t("shipping.carrier_placeholder"),
                format_func=lambda i: t("shipping.carrier_option", name=carriers[i].name,
                                        fee=vnd(carriers[i].default_fee)))
        else:
            carrier = c1.text_input(t("shipping.carrier"), key="ship_carrier",
                                    placeholder=t("shipping.carrier_typed_placeholder"),
                                    help=t("shipping.carrier_typed_help"))
        tracking = c2.text_input(t("shipping.tracking_number"), key="ship_tracking")
        fee = c3.number_input(t("shipping.fee"), value=None, min_value=0, step=1000, key="ship_fee",
                              placeholder=t("shipping.fee_placeholder"))
        submitted = st.form_submit_button(t("shipping.ship"), type="primary", key="ship_submit")
    if submitted:
        if not chosen:
            st.warning(t("shipping.pick_orders"))
        else:
            def shipped(result: orders.BulkResult) -> None:
                if result.done:
                    flash(t("shipping.shipped", codes=", ".join(result.done)))
                    ids_by_code = {code: int(i) for code, i in zip(frame["code"], frame["order_id"])}
                    st.session_state["print_orders"] = [ids_by_code[code] for code in result.done]
                for _code, message in result.failed:
                    flash(say(message), "error")

            act(lambda: shipping.ship_orders(
                    store, chosen, actor=actor(), carrier_id=carrier if carriers else None,
                    carrier_name=None if carriers else carrier, tracking_number=tracking,
                    fee=None if fee is None else int(fee)),
                then=shipped)

# -- printing: labels and packing slips for one or many orders, waiting or just shipped ---------------------------
printable = {int(r.order_id): t("shipping.printable_waiting", code=r.code, receiver=r.receiver_name)
             for r in frame.itertuples()}
printable.update({r["order_id"]: t("shipping.printable_shipped", code=r["code"], receiver=r["receiver_name"],
                                   time=time_text(r["shipped_at"], True)) for r in recent})
codes = {int(r.order_id): r.code for r in frame.itertuples()} | {r["order_id"]: r["code"] for r in recent}
if printable:
    st.markdown(t("shipping.print_heading"))
    if any(i not in printable for i in st.session_state.get("print_orders", [])):
        st.session_state["print_orders"] = [i for i in st.session_state["print_orders"] if i in printable]
    p1, p2 = st.columns([4, 1.2], vertical_alignment="bottom")
    to_print = p1.multiselect(t("shipping.orders_to_print"), options=list(printable), format_func=printable.get,
                              key="print_orders", placeholder=t("shipping.orders_to_print_placeholder"))
    print_language = p2.selectbox(t("shipping.print_language"), options=list(i18n.LANGUAGES),
                                  index=list(i18n.LANGUAGES).index(shipping.PRINT_LANGUAGE),
                                  format_func=i18n.LANGUAGES.get, key="print_language",
                                  help=t("shipping.print_language_help"))
    if to_print:
        stamp = "-".join(codes[i] for i in to_print[:3]) + ("-…" if len(to_print) > 3 else "")
        labels_page = shipping.labels_html(store, to_print, language=print_language)
        slips_page = shipping.packing_slips_html(store, to_print, language=print_language)
        d1, d2, d3 = st.columns([1, 1, 2], vertical_alignment="center")
        d1.download_button(t("shipping.download_labels"), data=labels_page.encode("utf-8"), file_name=f"labels-{stamp}.html",
                           mime="text/html", key="download_labels", width="stretch")
        d2.download_button(t("shipping.download_slips"), data=slips_page.encode("utf-8"), file_name=f"slips-{stamp}.html",
                           mime="text/html", key="download_slips", width="stretch")
        d3.caption(t("shipping.print_hint"))
        previews = {"labels": t("shipping.preview_labels"), "slips": t("shipping.preview_slips"),
                    "none": t("shipping.preview_none")}
        preview = st.radio(t("shipping.preview"), options=list(previews), horizontal=True, key=worded_key("print_preview"),
                           format_func=previews.get)
        if preview != "none":
            # Our own page, in its own frame; its Print button prints only the frame. Customer text is escaped.
            st.iframe(labels_page if preview == "labels" else slips_page, height=640)
