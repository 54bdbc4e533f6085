"""Customers: find one, see and edit what the shop knows of them, their orders across livestreams, who is in charge
of them, and the blacklist ("bom hàng")."""

import pandas as pd
import streamlit as st

from core.base import addresses
from core.base.formatting import vnd
from core.base.i18n import Text
from core.base.phones import format_vn_phone
from core.services import assignment, customers, orders, staff
from core.services.livestreams import PLATFORM_LABELS
from ui.feedback import act, show_flashes
from ui.i18n import markdown_time, number, say, t, time_text
from ui.order_form import status_text
from ui.session import actor, current_user, get_store
from ui.text import plain

store = get_store()
user = current_user()
st.title(f"👥 {t('customers.title')}", anchor=False)
show_flashes()

people = {u["id"]: u["display_name"] for u in staff.list_users(store)}
filters = st.columns([2.2, 1.2, 1], vertical_alignment="bottom")
search = filters[0].text_input(t("customers.search"), key="customers_search",
                               placeholder=t("customers.search_placeholder"))
staff_choices = {"all": t("customers.staff_everyone"), "mine": t("customers.staff_mine"),
                 "nobody": t("customers.staff_nobody")} | {str(i): n for i, n in people.items()}
staff_filter = filters[1].selectbox(t("customers.staff_in_charge"), options=list(staff_choices),
                                    format_func=staff_choices.get, key="customers_staff")
blacklisted_only = filters[2].toggle(f"⛔ {t('customers.blacklisted_only')}", key="customers_blacklisted")
staff_id = {"all": None, "mine": user.id or -1, "nobody": 0}.get(staff_filter, None)
if staff_filter not in ("all", "mine", "nobody"):
    staff_id = int(staff_filter)
found = customers.search(store, search, blacklisted_only=blacklisted_only, staff_id=staff_id)

st.caption(t("customers.list_caption_first" if len(found) >= 200 else "customers.list_caption",
             count=number(len(found))))
table = pd.DataFrame({
    t("customers.col_name"): [("⛔ " if b else "") + n for n, b in zip(found["name"], found["blacklisted"])],
    t("customers.col_platform"): [t("customers.typed_by_hand") if by_hand else say(PLATFORM_LABELS.get(p, p))
                                  for p, by_hand in zip(found["platform"], found["typed_by_hand"])],
    t("customers.col_id"): ["" if by_hand else i for i, by_hand in zip(found["platform_user_id"], found["typed_by_hand"])],
    t("customers.col_phone"): [format_vn_phone(p) for p in found["phone"]],
    t("customers.col_address"): found["address"],
    t("customers.col_tags"): [", ".join(tags) for tags in found["tags"]], t("customers.col_staff"): found["staff"],
    t("customers.col_orders"): found["orders"], t("customers.col_cancelled"): found["cancelled"],
    t("customers.col_returned"): found["returned"],
})
picked = st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * max(len(table), 1), 280),
                      on_select="rerun", selection_mode="single-row", key="customers_table",
                      column_config={t("customers.col_id"): st.column_config.TextColumn(width="small"),
                                     t("customers.col_address"): st.column_config.TextColumn(width="large")})
rows = picked.selection.rows if picked is not None else []
if rows:
    st.session_state["customer_id"] = int(found["id"].iloc[rows[0]])

customer_id = st.session_state.get("customer_id")
if customer_id is None:
    st.info(t("customers.pick_one"))
    st.stop()
customer = act(lambda: customers.get_customer(store, int(customer_id)), rerun=False)
if customer is None:
    st.stop()
key = f"cust-{customer.id}"


st.divider()
head, close = st.columns([6, 1], vertical_alignment="center")
head.subheader(f"{'⛔ ' if customer.blacklisted else ''}{plain(customer.display_name)}", anchor=False)
if close.button(f"✕ {t('customers.close')}", key="close_customer"):
    st.session_state.pop("customer_id", None)
    st.rerun()
if customer.typed_by_hand:  # no platform account: the id is only the name typed
    st.caption(t("customers.about_typed", since=markdown_time(customer.created_at, with_date=True),
                 staff=plain(customer.staff_name or t("customers.staff_nobody"))))
else:
    st.caption(t("customers.about", platform=say(PLATFORM_LABELS.get(customer.platform, customer.platform)),
                 id=plain(customer.platform_user_id), since=markdown_time(customer.created_at, with_date=True),
                 staff=plain(customer.staff_name or t("customers.staff_nobody"))))
if customer.blacklisted:
    st.error(t("customers.blacklisted_mark", reason=plain(customer.blacklist_reason), by=plain(customer.blacklisted_by),
               when=markdown_time(customer.blacklisted_at, with_date=True)))

figures = customers.figures(store, customer.id)
st.markdown(t("customers.figures_one" if figures.orders == 1 else "customers.figures_many",
              orders=number(figures.orders), total=vnd(figures.total), shipped=number(figures.shipped),
              cancelled=number(figures.cancelled), returned=number(figures.returned)))

history = customers.customer_orders(store, customer.id)
if history.empty:
    st.caption(t("customers.no_orders"))
else:
    returned_mark = t("customers.returned_mark")
    st.dataframe(pd.DataFrame({
        t("customers.col_code"): history["code"], t("customers.col_livestream"): history["livestream"],
        t("customers.col_when"): [time_text(when, with_date=True) for when in history["first_comment_at"]],
        t("customers.col_status"): [status_text(s) + (f" · ↩ {returned_mark}" if pd.notna(r) else "")
                                    for s, r in zip(history["status"], history["returned_at"])],
        t("customers.col_items"): history["items"], t("customers.col_total"): [vnd(v) for v in history["total"]],
        t("customers.col_address"): history["receiver_address"],
    }), hide_index=True, width="stretch", height=min(38 + 35 * len(history), 220))
    shipped = customers.returnable_orders(history)
    if not shipped.empty:
        labels = {int(r.order_id): f"{r.code} · {vnd(r.total)}" for r in shipped.itertuples()}
        r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
        back = r1.selectbox(t("customers.came_back"), options=list(labels),
                            format_func=labels.get, index=None, key=f"{key}-returned-order",
                            placeholder=t("customers.pick_the_order"))
        if r2.button(t("customers.mark_returned"), key=f"{key}-mark-returned", disabled=back is None):
            act(lambda: orders.mark_returned(store, back, actor=actor()),
                Text("customers.marked_returned", order=labels[back]))

details, side = st.columns([1.6, 1], gap="large")
with details:
    st.markdown(t("customers.contact_heading"))
    if customer.phones:
        st.caption(t("customers.phones_used", phones=" · ".join(format_vn_phone(p) for p in customer.phones)))
    with st.expander(f"📍 {t('customers.old_address_expander')}"):
        old_text = st.text_input(t("customers.old_address"), key=f"{key}-old",
                                 placeholder=t("customers.old_address_example"))
        if st.button(t("customers.match_address"), key=f"{key}-match"):
            match = addresses.match_address(old_text)
            if match is None:
                st.warning(t("customers.no_province_found"))
            else:
                st.session_state[f"{key}-province"] = match.province_code
                if match.ward_code:
                    st.session_state[f"{key}-ward-{match.province_code}"] = match.ward_code
                st.session_state[f"{key}-street"] = match.street
                st.session_state[f"{key}-match-notes"] = (match.notes or []) + (
                    [] if match.ward_code else [Text("customers.no_ward_match")])
                st.rerun()
        for note in st.session_state.get(f"{key}-match-notes", []):
            st.caption("• " + plain(say(note)))
    phone = st.text_input(t("customers.phone"), value=format_vn_phone(customer.phone), key=f"{key}-phone",
                          placeholder="0912 345 678")
    province_options = [p.code for p in addresses.provinces()]
    p1, p2 = st.columns(2)
    province_code = p1.selectbox(
        t("customers.province"), options=province_options,
        index=province_options.index(customer.province_code) if customer.province_code in province_options else None,
        format_func=addresses.province_names().__getitem__, key=f"{key}-province",
        placeholder=t("customers.type_to_search"))
    ward_options = [w.code for w in addresses.wards(province_code)] if province_code else []
    ward_code = p2.selectbox(
        t("customers.ward"), options=ward_options,
        index=ward_options.index(customer.ward_code) if customer.ward_code in ward_options else None,
        format_func=addresses.ward_names().__getitem__, key=f"{key}-ward-{province_code}",
        placeholder=t("customers.type_to_search") if province_code else t("customers.pick_province_first"),
        disabled=not province_code)
    street = st.text_input(t("customers.street"), value=customer.street or "", key=f"{key}-street",
                           placeholder=t("customers.street_example"))
    if customer.address and not customer.ward_code:
        st.caption(t("customers.address_on_file", address=plain(customer.address)))
    tags = st.text_input(t("customers.tags"), value=", ".join(customer.tags), key=f"{key}-tags",
                         placeholder=t("customers.tags_example"))
    notes = st.text_area(t("customers.notes"), value=customer.notes or "", key=f"{key}-notes", height=80)
    if st.button(t("customers.save"), type="primary", key=f"{key}-save"):
        act(lambda: customers.update_customer(
            store, customer.id, by=user, phone=phone, province_code=province_code or "", ward_code=ward_code or "",
            street=street, tags=tags, notes=notes), Text("customers.saved", name=customer.display_name))

with side:
    st.markdown(t("customers.staff_heading"))
    st.markdown(f"👤 {plain(customer.staff_name or t('customers.staff_nobody'))}")
    b1, b2 = st.columns(2)
    if customer.staff_id != user.id and b1.button(
            f"🙋 {t('customers.claim')}", key=f"{key}-claim",
            disabled=customer.staff_id is not None and not user.is_owner, help=t("customers.claim_help")):
        act(lambda: assignment.claim_customer(store, customer.id, by=user),
            Text("customers.claimed", name=customer.display_name))
    if customer.staff_id is not None and (customer.staff_id == user.id or user.is_owner) and b2.button(
            f"↩ {t('customers.release')}", key=f"{key}-release"):
        act(lambda: assignment.release_customer(store, customer.id, by=user),
            Text("customers.released", name=customer.display_name))
    if user.is_owner:
        to = st.selectbox(t("customers.reassign_to"), options=list(people), format_func=people.get, index=None,
                          key=f"{key}-reassign-to", placeholder=t("customers.pick_staff"))
        if st.button(t("customers.reassign"), key=f"{key}-reassign", disabled=to is None,
                     help=t("customers.reassign_help")):
            act(lambda: assignment.assign_customer(store, customer.id, to, by=user),
                Text("customers.reassigned", name=customer.display_name, staff=people.get(to)))

    st.markdown(t("customers.blacklist_heading"))
    if customer.blacklisted:
        if st.button(t("customers.unblacklist"), key=f"{key}-unblacklist"):
            act(lambda: customers.clear_blacklisted(store, customer.id, by=user),
                Text("customers.unblacklisted", name=customer.display_name))
    else:
        reason = st.text_input(t("customers.reason"), key=f"{key}-blacklist-reason",
                               placeholder=t("customers.reason_example"))
        if st.button(f"⛔ {t('customers.blacklist')}", key=f"{key}-blacklist"):
            act(lambda: customers.set_blacklisted(store, customer.id, reason, by=user),
                Text("customers.blacklisted", name=customer.display_name))
