"""The edit form of one order, shared by Case 1 (Livestream) and Case 2 (Livestream orders).

Widget keys carry the order's version, so a form reopens with fresh values after anyone changes the order.
"""

from __future__ import annotations

import streamlit as st

from core import addresses, assignment, customers, livestreams, orders, outbox, shipping
from core.errors import ChotdonError, IncompleteOrder
from core.formatting import shop_time_text, vnd
from core.phones import format_vn_phone
from core.store import Store
from ui.state import actor, current_user, flash
from ui.text import plain

CASE1_BUTTONS = ("ship", "send_to_shop", "save_to_shipping_book", "cancel", "save_draft")
CASE2_BUTTONS = ("save", "create_order", "send_to_shop", "delete")
PRIMARY = {"ship", "create_order", "save_to_shipping_book"}
STATUS_ICONS = {
    orders.DRAFT: "📝", orders.AWAITING_CONFIRMATION: "⏳", orders.AWAITING_SHIPMENT: "📦",
    orders.SENT_TO_SHOP: "🏪", orders.SHIPPED: "🚚", orders.CANCELLED: "✖️",
}


def status_text(status: str) -> str:
    return f"{STATUS_ICONS[status]} {orders.STATUS_LABELS[status]}"


def show_error(error: ChotdonError) -> None:
    if isinstance(error, IncompleteOrder):
        bullets = "\n".join(f"- {plain(item)}" for item in error.missing)
        st.error(f"**{plain(str(error).split(':')[0])}**: order {plain(error.order_code)} is not complete; "
                 f"nothing was changed. Missing:\n{bullets}")
    else:
        st.error(plain(str(error)))


def _item_label(item: livestreams.LiveItem) -> str:
    stock = "" if item.stock is None else f" · stock {item.stock}"
    return f"{item.code} · {item.name} · {vnd(item.price)}{stock}"


def render_order_form(store: Store, order_id: int, *, buttons: tuple[str, ...], key_prefix: str,
                      on_done=None) -> None:
    try:
        order = orders.get_order(store, order_id)
    except ChotdonError as error:
        show_error(error)
        return
    items = livestreams.list_items(store, order.livestream_id)
    items_by_id = {item.id: item for item in items}
    item_ids = [item.id for item in items]
    base = f"{key_prefix}-{order.id}-v{order.version}"
    waitlist_places = orders.waitlist_places(store, [line.id for line in order.lines if line.waitlisted_qty])

    st.markdown(
        f"#### {plain(order.code)} · {plain(order.customer_name)}\n"
        f"{status_text(order.status)} · first order comment {shop_time_text(order.first_comment_at, with_date=True)}"
    )
    if order.handled_at:
        st.caption(f"Handled by the shop ({plain(order.handled_by)}) at {shop_time_text(order.handled_at, True)}")
    _pushes_of_order(store, order, key_prefix=key_prefix)
    editable = order.status in orders.EDITABLE
    ward_prefill = _customer_and_staff(store, order, base=base, editable=editable)
    blank_lines = [line for line in order.lines if line.item_id is None]
    if blank_lines:
        codes = ", ".join(plain(line.code_typed) for line in blank_lines)
        st.warning(f"⚠️ Pick the item for {codes}: that short code is not in this livestream's items. "
                   "The pick is remembered for this code in this livestream.")

    with st.form(key=f"{base}-form", border=True):
        st.markdown("**Items**")
        header = st.columns([3.4, 0.9, 1.1, 0.9, 1.4, 0.4])
        for column, title in zip(header, ("Item", "Size", "Color", "Qty", "Unit price ₫", "✕")):
            column.caption(title)
        line_widgets = []
        for line in order.lines:
            cols = st.columns([3.4, 0.9, 1.1, 0.9, 1.4, 0.4], vertical_alignment="center")
            lk = f"{base}-line{line.id}"
            item_choice = cols[0].selectbox(
                "Item", options=item_ids, index=item_ids.index(line.item_id) if line.item_id in item_ids else None,
                format_func=lambda i: _item_label(items_by_id[i]), key=f"{lk}-item",
                placeholder=f"⚠️ pick the item for {line.code_typed}", label_visibility="collapsed",
                disabled=not editable,
            )
            size = cols[1].text_input("Size", value=line.size or "", key=f"{lk}-size", label_visibility="collapsed",
                                      disabled=not editable)
            color = cols[2].text_input("Color", value=line.color or "", key=f"{lk}-color",
                                       label_visibility="collapsed", disabled=not editable)
            qty = cols[3].number_input("Qty", value=int(line.qty), step=1, key=f"{lk}-qty",
                                       label_visibility="collapsed", disabled=not editable)
            price = cols[4].number_input("Unit price", value=int(line.unit_price), min_value=0, step=1000,
                                         key=f"{lk}-price", label_visibility="collapsed", disabled=not editable)
            remove = cols[5].checkbox("Remove", key=f"{lk}-remove", label_visibility="collapsed",
                                      disabled=not editable)
            notes = []
            if line.waitlisted_qty:
                place = waitlist_places.get(line.id)
                notes.append(f"⏳ {line.waitlisted_qty} waitlisted (out of stock)"
                             + (f", #{place} in the queue" if place else ""))
            if line.item_id is None:
                notes.append(f"typed code {plain(line.code_typed)}")
            if notes:
                st.caption(" · ".join(notes))
            line_widgets.append((line, item_choice, size, color, qty, price, remove))
        if editable:
            add_cols = st.columns([3.4, 0.9, 1.1, 0.9, 1.4, 0.4], vertical_alignment="center")
            new_item = add_cols[0].selectbox(
                "Add an item", options=item_ids, index=None, format_func=lambda i: _item_label(items_by_id[i]),
                key=f"{base}-new-item", placeholder="➕ add an item…", label_visibility="collapsed",
            )
            new_size = add_cols[1].text_input("New size", key=f"{base}-new-size", label_visibility="collapsed",
                                              placeholder="size")
            new_color = add_cols[2].text_input("New color", key=f"{base}-new-color", label_visibility="collapsed",
                                               placeholder="color")
            new_qty = add_cols[3].number_input("New qty", value=1, step=1, key=f"{base}-new-qty",
                                               label_visibility="collapsed")
        st.markdown("**Shipping info**")
        c1, c2 = st.columns(2)
        receiver_name = c1.text_input("Receiver name", value=order.receiver_name or "", key=f"{base}-receiver")
        receiver_phone = c2.text_input("Phone", value=format_vn_phone(order.receiver_phone),
                                       key=f"{base}-phone", placeholder="0912 345 678")
        a1, a2 = st.columns([1.5, 1])
        receiver_address = a1.text_input("Address", value=order.receiver_address or "", key=f"{base}-address",
                                         placeholder="street, ward/commune, province")
        ward_codes = addresses.all_ward_codes()
        ward_pick = a2.selectbox(
            "Ward / commune (2025 units)", options=ward_codes, format_func=addresses.ward_label,
            index=ward_codes.index(ward_prefill) if ward_prefill else None, key=f"{base}-ward",
            placeholder="type to search…",
            help="Picking one writes the address as street, ward or commune, province (no district since 7/2025)")
        note = st.text_input("Note", value=order.note or "", key=f"{base}-note")
        c3, c4, c5 = st.columns(3)
        shipping_fee = c3.number_input("Shipping fee ₫", value=int(order.shipping_fee), min_value=0, step=1000,
                                       key=f"{base}-fee")
        discount = c4.number_input("Discount ₫", value=int(order.discount), min_value=0, step=1000,
                                   key=f"{base}-discount")
        payment = c5.radio("Payment", options=list(orders.PAYMENTS), index=orders.PAYMENTS.index(order.payment),
                           format_func={"cod": "COD", "transfer": "Transfer"}.get, horizontal=True,
                           key=f"{base}-payment")
        carrier = tracking = None
        if "ship" in buttons:
            c6, c7 = st.columns(2)
            carriers = [c.name for c in shipping.list_carriers(store, active_only=True)]
            if carriers:  # the owner's list (Setup → Carriers)
                carrier = c6.selectbox("Carrier (for Ship)", options=carriers, index=None, key=f"{base}-carrier",
                                       placeholder="pick the carrier")
            else:
                carrier = c6.text_input("Carrier (for Ship)", key=f"{base}-carrier",
                                        placeholder="GHN, GHTK, Viettel Post… (keep a list in Setup → Carriers)")
            tracking = c7.text_input("Tracking number (for Ship)", key=f"{base}-tracking")
        st.markdown(
            f"Items {vnd(order.subtotal)} + shipping {vnd(order.shipping_fee)} − discount {vnd(order.discount)} = "
            f"**Total {vnd(order.total)}**"
        )
        button_columns = st.columns(len(buttons))
        pressed = None
        for column, action in zip(button_columns, buttons):
            label = orders.ACTIONS[action][0]
            if column.form_submit_button(label, key=f"{base}-{action}", type="primary" if action in PRIMARY else
                                         "secondary", use_container_width=True):
                pressed = action

    if pressed is None:
        return
    edits = None
    if editable:
        line_edits = []
        for line, item_choice, size, color, qty, price, remove in line_widgets:
            if remove:
                continue
            price_value = int(price)
            if item_choice != line.item_id and item_choice is not None and price_value == line.unit_price:
                price_value = None  # a newly picked item comes with its own price
            line_edits.append(orders.LineEdit(
                id=line.id, code_typed=line.code_typed, item_id=item_choice, qty=int(qty), size=size, color=color,
                unit_price=price_value,
            ))
        if new_item is not None:
            line_edits.append(orders.LineEdit(id=None, code_typed=items_by_id[new_item].code, item_id=new_item,
                                              qty=int(new_qty), size=new_size, color=new_color))
        receiver_address = _with_picked_ward(receiver_address, ward_pick, ward_prefill)
        edits = orders.OrderEdits(
            lines=tuple(line_edits), receiver_name=receiver_name, receiver_phone=receiver_phone,
            receiver_address=receiver_address, note=note, shipping_fee=int(shipping_fee), discount=int(discount),
            payment=payment,
        )
    try:
        result = orders.perform_action(store, pressed, order.id, actor=actor(), expected_version=order.version,
                                       edits=edits, carrier=carrier, tracking_number=tracking)
    except ChotdonError as error:
        show_error(error)
        return
    flash(f"{orders.ACTIONS[pressed][0]}: order {result.code} is now {orders.STATUS_LABELS[result.status].lower()}.")
    if on_done is not None:
        on_done(result)
    st.rerun()


def _pushes_of_order(store: Store, order: orders.Order, *, key_prefix: str) -> None:
    """What became of this order's pushes to MShopKeeper and the OCM webhook: a failed one stands out, with Retry."""
    pushes = outbox.pushes_of_order(store, order.id)
    for push in pushes:
        target = outbox.TARGET_LABELS[push["target"]]
        what = plain(outbox.describe(push["target"], push["action"]))
        tries = f"{push['tries']} {'try' if push['tries'] == 1 else 'tries'}"
        if push["state"] in outbox.NEEDS_ATTENTION:
            box, button = st.columns([5, 1], vertical_alignment="center")
            box.error(f"**{target} did not get this order** ({what}: {outbox.STATE_LABELS[push['state']]} after "
                      f"{tries}): {plain(push['problem'] or push['last_answer'])}  \n"
                      "The order itself is saved. Fix the cause, then Retry, or see Integrations.")
            if button.button("Retry", key=f"{key_prefix}-retry-push-{push['id']}", use_container_width=True):
                outbox.retry(store, [push["id"]], actor=actor())
                flash(f"{target}: order {order.code} is being sent again.")
                st.rerun()
        elif push["state"] in (outbox.PENDING, outbox.SENDING):
            why = f" Last try: {plain(push['problem'])}" if push["tries"] and push["problem"] else ""
            st.info(f"⏳ On its way to {target} ({what}, {tries} so far).{why}")
        elif push["state"] == outbox.DELIVERED and push["problem"]:
            st.warning(f"{target}: {plain(push['problem'])}")  # delivered, but staff must act there too
    delivered = [p for p in pushes if p["state"] == outbox.DELIVERED]
    if delivered:
        st.caption(" · ".join(f"✅ {outbox.TARGET_LABELS[p['target']]}: "
                              f"{plain(outbox.describe(p['target'], p['action']))}, delivered "
                              f"{shop_time_text(p['delivered_at'], True)}" for p in delivered))


def order_history(store: Store, order_id: int) -> None:
    events = orders.order_events(store, order_id)
    with st.expander(f"History ({len(events)})"):
        for event in reversed(events):
            move = f" {event['from_status']} → {event['to_status']}" if event["to_status"] else ""
            st.text(f"{shop_time_text(event['happened_at'], True)}  {event['actor']}: {event['action']}{move}")


def _customer_and_staff(store: Store, order: orders.Order, *, base: str, editable: bool) -> str | None:
    """The order's header: blacklist and hold warnings, staff in charge (claim, release, reassign), and the
    customer's last shipping info. Returns the ward the current address reads as (the ward picker's start)."""
    user = current_user()
    if order.customer_blacklisted:
        st.error(f"⛔ **Blacklisted customer** (bom hàng): {plain(order.customer_blacklist_reason or 'no reason given')}")
    if order.hold_reason == orders.HELD_BLACKLISTED:
        hold, accept = st.columns([4, 1.2], vertical_alignment="center")
        hold.warning("⏸ Held for review: made by a blacklisted customer's comment. It cannot be shipped or sent on "
                     "until someone accepts it; its items wait behind everyone else's.")
        if accept.button("✅ Accept this order", key=f"head-{base}-accept-hold", use_container_width=True):
            try:
                orders.accept_held_order(store, order.id, actor=actor(), expected_version=order.version)
            except ChotdonError as error:
                show_error(error)
            else:
                flash(f"Order {order.code} accepted: it can now be completed.")
                st.rerun()
    mine = order.staff_id is not None and order.staff_id == user.id
    with st.popover(f"👤 Staff in charge: {plain(order.staff_name or 'nobody')}"):
        claim, release = st.columns(2)
        pressed = None
        if not mine and claim.button("🙋 Claim this order", key=f"head-{base}-claim",
                                     disabled=order.staff_id is not None and not user.is_owner):
            pressed = lambda: assignment.claim_order(store, order.id, by=user)  # noqa: E731
        if order.staff_id is not None and (mine or user.is_owner) and release.button(
                "↩ Release", key=f"head-{base}-release"):
            pressed = lambda: assignment.release_order(store, order.id, by=user)  # noqa: E731
        if user.is_owner:
            from core import staff

            people = {u["id"]: u["display_name"] for u in staff.list_users(store)}
            to = st.selectbox("Reassign to", options=list(people), format_func=people.get, index=None,
                              key=f"head-{base}-reassign-to", placeholder="pick a staff member")
            if st.button("Reassign the order", key=f"head-{base}-reassign", disabled=to is None):
                pressed = lambda: assignment.assign_order(store, order.id, to, by=user)  # noqa: E731
        if pressed is not None:
            try:
                pressed()
            except ChotdonError as error:
                show_error(error)
            else:
                flash(f"Staff in charge of {order.code} changed.")
                st.rerun()
    if not editable:
        return None
    found = addresses.match_address(order.receiver_address)
    last = customers.last_shipping_info(store, order.customer_id, except_order_id=order.id)
    if last and (last["address"] or "") != (order.receiver_address or "") and last["address"]:
        def use_last() -> None:
            st.session_state[f"{base}-phone"] = format_vn_phone(last["phone"]) or st.session_state.get(
                f"{base}-phone", "")
            st.session_state[f"{base}-address"] = last["address"]
            if not st.session_state.get(f"{base}-receiver"):
                st.session_state[f"{base}-receiver"] = last["name"] or ""
            st.session_state[f"{base}-ward"] = None

        text, button = st.columns([4, 1.2], vertical_alignment="center")
        text.caption(f"Last shipping info of this customer: {plain(format_vn_phone(last['phone']))} · "
                     f"{plain(last['address'])}")
        button.button("↩ Use it", key=f"head-{base}-use-last", on_click=use_last, use_container_width=True)
    elif found is not None and found.ward_code and not found.exact and found.address != order.receiver_address:
        def use_2025_form() -> None:
            st.session_state[f"{base}-address"] = found.address

        text, button = st.columns([4, 1.2], vertical_alignment="center")
        text.caption("📍 Old address form. In the 2025 units: " + plain(found.address) + " — "
                     + plain("; ".join(found.notes)))
        button.button("Use the 2025 form", key=f"head-{base}-use-2025", on_click=use_2025_form,
                      use_container_width=True)
    return found.ward_code if found is not None and found.exact else None


def _with_picked_ward(address: str, picked: str | None, prefill: str | None) -> str:
    """The address to save: as typed, unless staff picked a ward different from the one it already reads as;
    then the street of the typed text, that ward and its province."""
    if picked is None or picked == prefill:
        return address
    found = addresses.match_address(address)
    street = found.street if found is not None else address
    return addresses.compose(street, picked, None)
