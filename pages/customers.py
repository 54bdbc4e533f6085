"""Customers: find one, see and edit what the shop knows of them, their orders across livestreams, who is in charge
of them, and the blacklist ("bom hàng")."""

import pandas as pd
import streamlit as st

from core import addresses, assignment, customers, orders, staff
from core.errors import ChotdonError
from core.formatting import shop_time_text, vnd
from core.phones import format_vn_phone
from ui.order_form import show_error, status_text
from ui.state import actor, current_user, flash, get_store, show_flashes
from ui.text import plain

store = get_store()
user = current_user()
st.title("👥 Customers", anchor=False)
show_flashes()

people = {u["id"]: u["display_name"] for u in staff.list_users(store)}
filters = st.columns([2.2, 1.2, 1], vertical_alignment="bottom")
search = filters[0].text_input("Search", key="customers_search", placeholder="name, phone, Facebook/TikTok id or tag")
staff_choices = {"all": "everyone", "mine": "mine", "nobody": "nobody"} | {str(i): n for i, n in people.items()}
staff_filter = filters[1].selectbox("Staff in charge", options=list(staff_choices), format_func=staff_choices.get,
                                    key="customers_staff")
blacklisted_only = filters[2].toggle("⛔ Blacklisted only", key="customers_blacklisted")
staff_id = {"all": None, "mine": user.id or -1, "nobody": 0}.get(staff_filter, None)
if staff_filter not in ("all", "mine", "nobody"):
    staff_id = int(staff_filter)
found = customers.search(store, search, blacklisted_only=blacklisted_only, staff_id=staff_id)

st.caption(f"{len(found)} customers{' (the first 200)' if len(found) >= 200 else ''} · tick a row to open the "
           "customer · ⛔ blacklisted (refuses deliveries)")
table = pd.DataFrame({
    "Name": [("⛔ " if b else "") + n for n, b in zip(found["name"], found["blacklisted"])],
    "Platform": found["platform"], "Id": found["platform_user_id"],
    "Phone": [format_vn_phone(p) for p in found["phone"]], "Address": found["address"],
    "Tags": [", ".join(t) for t in found["tags"]], "Staff": found["staff"],
    "Orders": found["orders"], "Cancelled": found["cancelled"], "Returned": found["returned"],
})
picked = st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * max(len(table), 1), 280),
                      on_select="rerun", selection_mode="single-row", key="customers_table",
                      column_config={"Id": st.column_config.TextColumn(width="small"),
                                     "Address": st.column_config.TextColumn(width="large")})
rows = picked.selection.rows if picked is not None else []
if rows:
    st.session_state["customer_id"] = int(found["id"].iloc[rows[0]])

customer_id = st.session_state.get("customer_id")
if customer_id is None:
    st.info("Tick a customer in the list to see their details and orders.")
    st.stop()
try:
    customer = customers.get_customer(store, int(customer_id))
except ChotdonError as error:
    show_error(error)
    st.stop()
key = f"cust-{customer.id}"


def act(call, message: str) -> None:
    """Runs one core call for a button; shows its refusal, or flashes and reruns."""
    try:
        call()
    except ChotdonError as error:
        show_error(error)
    else:
        flash(message)
        st.rerun()


st.divider()
head, close = st.columns([6, 1], vertical_alignment="center")
head.subheader(f"{'⛔ ' if customer.blacklisted else ''}{plain(customer.display_name)}", anchor=False)
if close.button("✕ Close", key="close_customer"):
    st.session_state.pop("customer_id", None)
    st.rerun()
st.caption(f"{plain(customer.platform)} · id {plain(customer.platform_user_id)} · first seen "
           f"{shop_time_text(customer.created_at, with_date=True)} · staff in charge: "
           f"{plain(customer.staff_name or 'nobody')}")
if customer.blacklisted:
    st.error(f"⛔ **Blacklisted** (bom hàng): {plain(customer.blacklist_reason)} — marked by "
             f"{plain(customer.blacklisted_by)} on {shop_time_text(customer.blacklisted_at, with_date=True)}")

figures = customers.figures(store, customer.id)
st.markdown(f"**{figures.orders}** {'order' if figures.orders == 1 else 'orders'} for **{vnd(figures.total)}** · "
            f"{figures.shipped} shipped · **{figures.cancelled}** cancelled · **{figures.returned}** returned")

history = customers.customer_orders(store, customer.id)
if history.empty:
    st.caption("No orders yet.")
else:
    st.dataframe(pd.DataFrame({
        "Code": history["code"], "Livestream": history["livestream"],
        "When": [shop_time_text(t, with_date=True) for t in history["first_comment_at"]],
        "Status": [status_text(s) + (" · ↩ returned" if pd.notna(r) else "")
                   for s, r in zip(history["status"], history["returned_at"])],
        "Items": history["items"], "Total": [vnd(t) for t in history["total"]],
        "Address": history["receiver_address"],
    }), hide_index=True, width="stretch", height=min(38 + 35 * len(history), 220))
    shipped = history[(history["status"] == orders.SHIPPED) & history["returned_at"].isna()]
    if not shipped.empty:
        labels = {int(r.order_id): f"{r.code} · {vnd(r.total)}" for r in shipped.itertuples()}
        r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
        back = r1.selectbox("A shipped order came back (refused or returned)", options=list(labels),
                            format_func=labels.get, index=None, key=f"{key}-returned-order",
                            placeholder="pick the order")
        if r2.button("Mark returned", key=f"{key}-mark-returned", disabled=back is None):
            act(lambda: orders.mark_returned(store, back, actor=actor()), f"{labels[back]} marked returned.")

details, side = st.columns([1.6, 1], gap="large")
with details:
    st.markdown("**Contact and address**")
    if customer.phones:
        st.caption("Phones used: " + " · ".join(format_vn_phone(p) for p in customer.phones))
    with st.expander("📍 Read an address written in the old form (ward, district, province)"):
        old_text = st.text_input("Old address", key=f"{key}-old", placeholder="12 Hàng Trống, P. Hàng Trống, "
                                 "Q. Hoàn Kiếm, Hà Nội")
        if st.button("Match to the 2025 units", key=f"{key}-match"):
            match = addresses.match_address(old_text)
            if match is None:
                st.warning("No province found in that address: pick it from the lists below.")
            else:
                st.session_state[f"{key}-province"] = match.province_code
                if match.ward_code:
                    st.session_state[f"{key}-ward-{match.province_code}"] = match.ward_code
                st.session_state[f"{key}-street"] = match.street
                st.session_state[f"{key}-match-notes"] = (match.notes or []) + (
                    [] if match.ward_code else ["no ward or commune of that name now: pick it from the list"])
                st.rerun()
        for note in st.session_state.get(f"{key}-match-notes", []):
            st.caption("• " + plain(note))
    phone = st.text_input("Phone", value=format_vn_phone(customer.phone), key=f"{key}-phone",
                          placeholder="0912 345 678")
    province_options = [p.code for p in addresses.provinces()]
    p1, p2 = st.columns(2)
    province_code = p1.selectbox(
        "Province / city", options=province_options,
        index=province_options.index(customer.province_code) if customer.province_code in province_options else None,
        format_func=lambda code: addresses.province(code).name, key=f"{key}-province", placeholder="type to search…")
    ward_options = [w.code for w in addresses.wards(province_code)] if province_code else []
    ward_code = p2.selectbox(
        "Ward / commune", options=ward_options,
        index=ward_options.index(customer.ward_code) if customer.ward_code in ward_options else None,
        format_func=lambda code: addresses.ward(code).name, key=f"{key}-ward-{province_code}",
        placeholder="type to search…" if province_code else "pick the province first", disabled=not province_code)
    street = st.text_input("Street, house number", value=customer.street or "", key=f"{key}-street",
                           placeholder="12 Lý Thường Kiệt")
    if customer.address and not customer.ward_code:
        st.caption(f"Address on file: {plain(customer.address)}")
    tags = st.text_input("Tags (separated by commas)", value=", ".join(customer.tags), key=f"{key}-tags",
                         placeholder="vip, size L, thích màu đen")
    notes = st.text_area("Notes", value=customer.notes or "", key=f"{key}-notes", height=80)
    if st.button("Save customer", type="primary", key=f"{key}-save"):
        act(lambda: customers.update_customer(
            store, customer.id, by=user, phone=phone, province_code=province_code or "", ward_code=ward_code or "",
            street=street, tags=tags, notes=notes), f"{customer.display_name} saved.")

with side:
    st.markdown("**Staff in charge**")
    st.markdown(f"👤 {plain(customer.staff_name or 'nobody')}")
    b1, b2 = st.columns(2)
    if customer.staff_id != user.id and b1.button(
            "🙋 Claim", key=f"{key}-claim", disabled=customer.staff_id is not None and not user.is_owner,
            help="Take this customer and their open orders"):
        act(lambda: assignment.claim_customer(store, customer.id, by=user), f"{customer.display_name} is now yours.")
    if customer.staff_id is not None and (customer.staff_id == user.id or user.is_owner) and b2.button(
            "↩ Release", key=f"{key}-release"):
        act(lambda: assignment.release_customer(store, customer.id, by=user),
            f"{customer.display_name} has nobody in charge now.")
    if user.is_owner:
        to = st.selectbox("Reassign to", options=list(people), format_func=people.get, index=None,
                          key=f"{key}-reassign-to", placeholder="pick a staff member")
        if st.button("Reassign the customer", key=f"{key}-reassign", disabled=to is None,
                     help="Their open orders move too"):
            act(lambda: assignment.assign_customer(store, customer.id, to, by=user),
                f"{customer.display_name} is now {people.get(to)}'s.")

    st.markdown("**Blacklist** (bom hàng)")
    if customer.blacklisted:
        if st.button("Remove from the blacklist", key=f"{key}-unblacklist"):
            act(lambda: customers.clear_blacklisted(store, customer.id, by=user),
                f"{customer.display_name} is no longer blacklisted.")
    else:
        reason = st.text_input("Reason", key=f"{key}-blacklist-reason",
                               placeholder="refused 2 parcels (L3-014, L5-002)")
        if st.button("⛔ Blacklist", key=f"{key}-blacklist"):
            act(lambda: customers.set_blacklisted(store, customer.id, reason, by=user),
                f"{customer.display_name} is blacklisted: their comments and orders carry ⛔.")
