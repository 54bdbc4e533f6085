"""The edit form of one order, shared by Case 1 (Livestream) and Case 2 (Livestream orders).

The form keeps the order as it opened it (its version and newest event) in session_state, draws its widgets from
that order, and keys them by a counter that moves only when the form starts afresh (after its own action succeeds,
or staff drop their changes); so someone else's change to the order never swaps the values under staff's typing.
An action checks the opened version: when the order changed meanwhile, the form says what changed and by whom
(core.services.orders.changes_since), keeps the typing, and offers to apply it on top of the order as it is now
(only what this form changed is written) or to drop it. An order someone moved on (shipped, sent, cancelled) is
shown as such, with the typing kept on screen (not disabled: Streamlit drops what was typed into a widget that
turns disabled) and only Reload offered.

An order opened closed (sent to shop, shipped, cancelled) is read-only: its fields disabled, the carrier and tracking
number it was shipped with shown, and only the buttons whose action may start from its status. The order's lines sit
outside the st.form so that picking an item reruns at once (its price shows, the warning goes); the shipping fields and
the buttons are the form. An action's result (success or refusal) shows under the buttons and at the top of the page.
"""

from __future__ import annotations

import json
import time

import streamlit as st
import streamlit.components.v1 as components

from core.base import addresses
from core.base.errors import ChotdonError, ConcurrentChange
from core.base.formatting import vnd
from core.base.i18n import Text, from_stored
from core.base.phones import format_vn_phone
from core.db.store import Store
from core.runtime import deliveries
from core.services import assignment, customers, livestreams, orders, outbox, shipping
from ui.failure import guarded
from ui.feedback import FLASH_SECONDS, act, flash, show_message, unflash
from ui.i18n import say, t, time_text
from ui.messenger import messenger_panel
from ui.session import actor, current_user
from ui.text import plain

CASE1_BUTTONS = ("ship", "send_to_shop", "save_to_shipping_book", "cancel", "save_draft")
CASE2_BUTTONS = ("save", "create_order", "send_to_shop", "delete")
PRIMARY = {"ship", "create_order", "save_to_shipping_book"}
STATUS_ICONS = {
    orders.DRAFT: "📝", orders.AWAITING_CONFIRMATION: "⏳", orders.AWAITING_SHIPMENT: "📦",
    orders.SENT_TO_SHOP: "🏪", orders.SHIPPED: "🚚", orders.CANCELLED: "✖️",
}


def status_text(status: str) -> str:
    return f"{STATUS_ICONS[status]} {say(orders.STATUS_LABELS[status])}"


def _item_label(item: livestreams.LiveItem, left: int | None) -> str:
    """An item as the pickers list it, with the stock left to give (its stock less what its claims are served)."""
    label = f"{item.code} · {item.name} · {vnd(item.price)}"
    return label if item.stock is None or left is None else t("order_form.item_with_stock", item=label, left=left)


def _priced_on_pick(item_key: str, price_key: str, items_by_id: dict):
    """The item picker's on_change: the line takes the picked item's price at once (before any save)."""
    def price_it() -> None:
        picked = st.session_state.get(item_key)
        if picked in items_by_id:
            st.session_state[price_key] = items_by_id[picked].price
    return guarded(price_it)


def render_order_form(store: Store, order_id: int, *, buttons: tuple[str, ...], key_prefix: str,
                      on_done=None, offered_beside: tuple[str, ...] = ()) -> None:
    """offered_beside: actions the page offers next to the form with buttons of its own (Livestream orders' Delete,
    which asks first); a closed order's note names them too."""
    current = act(lambda: orders.get_order(store, order_id), rerun=False)
    if current is None:
        return
    state = st.session_state.setdefault(f"order-form-{key_prefix}-{order_id}",
                                        {"form": 0, "opened": None, "conflict": None})
    base = f"{key_prefix}-{order_id}-f{state['form']}"
    if state["opened"] is None or f"{base}-receiver" not in st.session_state:
        # Opening (or reopening after the form was off screen, when Streamlit dropped its widgets' values).
        if state["opened"] is not None:
            state["result"] = None  # the last action's result belongs to the form as it was on screen
        state["opened"], state["conflict"] = current, None
    order = state["opened"]  # the order as the form opened it: the widgets' values and the version to check
    conflict = state["conflict"]
    shown_version = conflict["shown_version"] if conflict else None
    items = livestreams.list_items(store, order.livestream_id)
    left = livestreams.stock_left(store, order.livestream_id)
    items_by_id = {item.id: item for item in items}
    item_ids = [item.id for item in items]
    waitlist_places = orders.waitlist_places(store, [line.id for line in order.lines if line.waitlisted_qty])

    st.markdown(
        f"#### {plain(current.code)} · {plain(current.customer_name)}\n"
        + t("order_form.status_line", status=status_text(current.status),
            time=time_text(current.first_comment_at, with_date=True))
    )
    if current.handled_at:
        st.caption(t("order_form.handled_by_shop", by=plain(current.handled_by),
                     time=time_text(current.handled_at, True)))
    _pushes_of_order(store, current, key_prefix=key_prefix)
    messenger_panel(store, current, key_prefix=key_prefix)
    moved_on = conflict is not None and current.status not in orders.EDITABLE
    # The widgets stay as they were when the order moved on: Streamlit drops what was typed into a widget that turns
    # disabled, and the typing must stay on screen; the form then only offers to reload the order.
    editable = order.status in orders.EDITABLE
    # A closed order (sent to shop, shipped, cancelled) is shown read-only, with only the actions its status allows.
    buttons = tuple(action for action in buttons if order.status in orders.ACTIONS[action].allowed_from)
    if not editable and conflict is None:
        _closed_notice(order, buttons + tuple(
            action for action in offered_beside if order.status in orders.ACTIONS[action].allowed_from))
    ward_prefill = _customer_and_staff(store, current, form_order=order, base=base, editable=editable and not moved_on,
                                       rebase=lambda: state.update(opened=None))
    if conflict is not None:
        _conflict_panel(store, order, current, conflict)
        conflict["shown_version"] = current.version
    # The lines are outside the st.form: picking an item reruns the page at once, so that its price shows and the
    # warning goes before any save (the picker's value is in session_state when this run starts).
    blank_lines = [line for line in order.lines
                   if line.item_id is None and st.session_state.get(f"{base}-line{line.id}-item") is None]
    if blank_lines:
        codes = ", ".join(plain(line.code_typed) for line in blank_lines)
        st.warning(t("order_form.pick_item_warning", codes=codes))

    with st.container(border=True):
        st.markdown(t("order_form.items_heading"))
        header = st.columns([3.4, 0.9, 1.1, 0.9, 1.4, 0.4])
        titles = (t("order_form.item"), t("order_form.size"), t("order_form.color"), t("order_form.qty"),
                  t("order_form.unit_price_vnd"), "✕")
        for column, title in zip(header, titles):
            column.caption(title)
        line_widgets = []
        for line in order.lines:
            cols = st.columns([3.4, 0.9, 1.1, 0.9, 1.4, 0.4], vertical_alignment="center")
            lk = f"{base}-line{line.id}"
            if f"{lk}-price" not in st.session_state:  # the price widget's start; a picked item sets it
                st.session_state[f"{lk}-price"] = int(line.unit_price)
            item_choice = cols[0].selectbox(
                t("order_form.item"), options=item_ids, index=item_ids.index(line.item_id) if line.item_id in item_ids else None,
                format_func=lambda i: _item_label(items_by_id[i], left.get(i)), key=f"{lk}-item",
                placeholder=t("order_form.pick_item_for", code=line.code_typed), label_visibility="collapsed",
                disabled=not editable, on_change=_priced_on_pick(f"{lk}-item", f"{lk}-price", items_by_id),
            )
            size = cols[1].text_input(t("order_form.size"), value=line.size or "", key=f"{lk}-size", label_visibility="collapsed",
                                      disabled=not editable)
            color = cols[2].text_input(t("order_form.color"), value=line.color or "", key=f"{lk}-color",
                                       label_visibility="collapsed", disabled=not editable)
            qty = cols[3].number_input(t("order_form.qty"), value=int(line.qty), step=1, key=f"{lk}-qty",
                                       label_visibility="collapsed", disabled=not editable)
            price = cols[4].number_input(t("order_form.unit_price"), min_value=0, step=1000,
                                         key=f"{lk}-price", label_visibility="collapsed", disabled=not editable)
            remove = cols[5].checkbox(t("order_form.remove"), key=f"{lk}-remove", label_visibility="collapsed",
                                      disabled=not editable)
            notes = []
            if line.waitlisted_qty:
                place = waitlist_places.get(line.id)
                notes.append(t("order_form.waitlisted_place", qty=line.waitlisted_qty, place=place) if place
                             else t("order_form.waitlisted", qty=line.waitlisted_qty))
            if item_choice is None:
                notes.append(t("order_form.typed_code", code=plain(line.code_typed)))
            if notes:
                st.caption(" · ".join(notes))
            line_widgets.append((line, item_choice, size, color, qty, price, remove))
        if editable:
            add_cols = st.columns([3.4, 0.9, 1.1, 0.9, 1.4, 0.4], vertical_alignment="center")
            new_item = add_cols[0].selectbox(
                t("order_form.add_item"), options=item_ids, index=None,
                format_func=lambda i: _item_label(items_by_id[i], left.get(i)), key=f"{base}-new-item",
                placeholder=t("order_form.add_item_placeholder"), label_visibility="collapsed",
            )
            new_size = add_cols[1].text_input(t("order_form.new_size"), key=f"{base}-new-size",
                                              label_visibility="collapsed", placeholder=t("order_form.size_placeholder"))
            new_color = add_cols[2].text_input(t("order_form.new_color"), key=f"{base}-new-color",
                                               label_visibility="collapsed",
                                               placeholder=t("order_form.color_placeholder"))
            new_qty = add_cols[3].number_input(t("order_form.new_qty"), value=1, step=1, key=f"{base}-new-qty",
                                               label_visibility="collapsed")
        # A closed order with no action left has no form: a form needs a submit button.
        holder = st.form(key=f"{base}-form", border=False) if buttons or conflict is not None else st.container()
        with holder:
            st.markdown(t("order_form.shipping_heading"))
            c1, c2 = st.columns(2)
            receiver_name = c1.text_input(t("order_form.receiver_name"), value=order.receiver_name or "",
                                          key=f"{base}-receiver", disabled=not editable)
            receiver_phone = c2.text_input(t("order_form.phone"), value=format_vn_phone(order.receiver_phone),
                                           key=f"{base}-phone", placeholder="0912 345 678", disabled=not editable)
            a1, a2 = st.columns([1.5, 1])
            receiver_address = a1.text_input(t("order_form.address"), value=order.receiver_address or "",
                                             key=f"{base}-address", placeholder=t("order_form.address_placeholder"), disabled=not editable)
            ward_codes = addresses.all_ward_codes()
            ward_pick = a2.selectbox(
                t("order_form.ward"), options=ward_codes, format_func=lambda code: say(addresses.ward_label(code)),
                index=ward_codes.index(ward_prefill) if ward_prefill else None, key=f"{base}-ward",
                placeholder=t("order_form.ward_placeholder"), help=t("order_form.ward_help"), disabled=not editable)
            note = st.text_input(t("order_form.note"), value=order.note or "", key=f"{base}-note", disabled=not editable)
            c3, c4, c5 = st.columns(3)
            shipping_fee = c3.number_input(t("order_form.shipping_fee_vnd"), value=int(order.shipping_fee), min_value=0, step=1000,
                                           key=f"{base}-fee", disabled=not editable)
            discount = c4.number_input(t("order_form.discount_vnd"), value=int(order.discount), min_value=0, step=1000,
                                       key=f"{base}-discount", disabled=not editable)
            payment = c5.radio(t("order_form.payment"), options=list(orders.PAYMENTS),
                               index=orders.PAYMENTS.index(order.payment),
                               format_func=lambda way: t(f"order_form.payment_{way}"), horizontal=True,
                               key=f"{base}-payment", disabled=not editable)
            carrier = tracking = None
            if "ship" in buttons:
                c6, c7 = st.columns(2)
                carriers = [c.name for c in shipping.list_carriers(store, active_only=True)]
                if carriers:  # the owner's list (Setup → Carriers)
                    carrier = c6.selectbox(t("order_form.carrier"), options=carriers, index=None,
                                           key=f"{base}-carrier", placeholder=t("order_form.carrier_pick"))
                else:
                    carrier = c6.text_input(t("order_form.carrier"), key=f"{base}-carrier",
                                            placeholder=t("order_form.carrier_placeholder"))
                tracking = c7.text_input(t("order_form.tracking"), key=f"{base}-tracking")
            elif not editable and (order.carrier or order.tracking_number):
                # What Ship handed over stays on the order's form, read-only.
                c6, c7 = st.columns(2)
                c6.text_input(t("order_form.carrier_shown"), value=order.carrier or "", key=f"{base}-carrier-shown",
                              disabled=True)
                c7.text_input(t("order_form.tracking_shown"), value=order.tracking_number or "",
                              key=f"{base}-tracking-shown", disabled=True)
            st.markdown(t("order_form.totals", subtotal=vnd(order.subtotal), fee=vnd(order.shipping_fee),
                          discount=vnd(order.discount), total=vnd(order.total)))
            pressed = None
            # A row that wraps: Vietnamese labels (Lưu vào sổ giao hàng) are long, and a cut label is a wrong click.
            with st.container(horizontal=True, gap="small"):
                if conflict is not None:
                    # The choice after someone else changed the order: inside the form, so that apply takes what is
                    # typed now.
                    if not moved_on and st.form_submit_button(
                            t("order_form.apply_on_top", action=say(orders.ACTIONS[conflict["action"]].label)),
                            key=f"{base}-apply-on-top", width="content", type="primary",
                            help=t("order_form.apply_on_top_help")):
                        pressed = APPLY_ON_TOP
                    if st.form_submit_button(t("order_form.reload" if moved_on else "order_form.drop_mine"),
                                             key=f"{base}-drop", width="content", help=t("order_form.drop_mine_help")):
                        pressed = DROP
                else:
                    for action in buttons:
                        label = say(orders.ACTIONS[action].label)
                        if st.form_submit_button(label, key=f"{base}-{action}", width="content",
                                                 help=t(f"order_form.help.{action}"),
                                                 type="primary" if action in PRIMARY else "secondary"):
                            pressed = action
            # The result of the last action, next to its button (and at the top of the page, as flash shows it).
            _show_result(state, key=f"{base}-result")

    if pressed is None:
        return
    if state.get("result") is not None:  # the last result goes with the next press, here and at the top
        unflash(state["result"][1])
        state["result"] = None
    if pressed == DROP:
        _start_afresh(state)
        st.rerun()
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
    action = conflict["action"] if pressed == APPLY_ON_TOP else pressed
    shipment = orders.Shipment(carrier=carrier, tracking_number=tracking) if action == "ship" else None

    def attempt() -> orders.Order:
        try:
            if pressed == APPLY_ON_TOP:  # against the version whose changes the panel showed
                seen = current.version if shown_version is None else shown_version
                return orders.apply_on_top(store, action, order.id, actor=actor(), opened=order, edits=edits,
                                           expected_version=seen, shipment=shipment)
            return orders.perform_action(store, action, order.id, actor=actor(), expected_version=order.version,
                                         edits=edits, shipment=shipment)
        except ConcurrentChange as error:
            if error.text.key != "orders.changed_meanwhile":
                raise  # a line of this form was removed meanwhile: said as it is
            # Someone changed the order since this form opened it (or since it showed their change): say what,
            # keep the typing, and offer the choice.
            state["conflict"] = {"action": action, "edits": edits, "shown_version": None}
            st.rerun()

    def then(result: orders.Order) -> None:
        _start_afresh(state)
        if on_done is not None:
            on_done(result)

    try:
        result = attempt()
    except ChotdonError as error:
        _tell(state, "error", error)
        st.rerun()
    then(result)
    _tell(state, "success", Text("order_form.done", action=orders.ACTIONS[action].label, code=result.code,
                                 status=orders.STATUS_PHRASES[result.status]))
    st.rerun()


def _tell(state: dict, kind: str, message) -> None:
    """An action's result: next to the form's buttons (until the next action; a success for as long as a flash) and
    at the top of the page (a flash)."""
    until = time.monotonic() + FLASH_SECONDS if kind == "success" else None
    state["result"] = (kind, message, until)
    state["scroll_count"] = state.get("scroll_count", 0) + 1  # a new script each time, so that it runs again
    state["scroll_pending"] = True
    flash(message, kind)


# Brings the result under the buttons into view once, in the run after the action: the message at the top of the page
# (and the alert itself) push the buttons down, out of a 1366×768 screen. A component's script runs in an iframe of
# the app's own origin, so it may scroll the page that holds it.
_SCROLL_TO_RESULT = """<script>
const selector = %s, nonce = %d;
let tries = 0;
const bring = () => {
  const target = window.parent.document.querySelector(selector);
  if (target) { target.scrollIntoView({block: "nearest", behavior: "instant"}); }
  if (++tries < 10) { setTimeout(bring, 150); }
};
bring();
</script>"""  # not screen text


def _show_result(state: dict, *, key: str) -> None:
    result = state.get("result")
    if result is None:
        return
    kind, message, until = result
    if until is not None and until < time.monotonic():
        state["result"] = None
        return
    with st.container(key=key):
        show_message(kind, message)
    if state.pop("scroll_pending", False):
        components.html(_SCROLL_TO_RESULT % (json.dumps(f".st-key-{key}"), state["scroll_count"]), height=0)


def _closed_notice(order: orders.Order, buttons: tuple[str, ...]) -> None:
    """A closed order says so, and what can still be done to it (here, or for a shipped one on Customers)."""
    parts = [t("order_form.closed", status=status_text(order.status))]
    if buttons:
        parts.append(t("order_form.closed_actions", actions=", ".join(
            say(orders.ACTIONS[action].label) for action in buttons)))
    else:
        parts.append(t("order_form.closed_no_actions"))
    if order.status == orders.SHIPPED and order.returned_at is None:
        parts.append(t("order_form.closed_returned_hint"))
    st.info("  \n".join(parts))


APPLY_ON_TOP, DROP = "apply_on_top", "drop"  # the choice after a conflict (not actions)


def _start_afresh(state: dict) -> None:
    """The form opens the order again as it is now, with new widgets (the old ones' values are dropped)."""
    state.update(form=state["form"] + 1, opened=None, conflict=None)


def _conflict_panel(store: Store, opened: orders.Order, current: orders.Order, conflict: dict) -> None:
    """What happened to the order since this form opened it, and by whom; what staff typed is kept below."""
    events = orders.changes_since(store, current.id, opened.last_event_id)
    lines = [f"- {time_text(event['happened_at'], True)} · **{_who(event['actor'])}**: "
             f"{plain(say(orders.describe_event(event)))}" for event in events]
    if current.status not in orders.EDITABLE:
        moves = [event for event in events if event["to_status"] == current.status
                 and event["from_status"] != current.status]
        mover = moves[-1] if moves else (events[-1] if events else None)
        st.error("\n".join([
            t("order_form.moved_on", code=plain(current.code), status=status_text(current.status),
              who=_who(mover["actor"]) if mover else "?",
              time=time_text(mover["happened_at"], True) if mover else ""),
            "", *lines, "", t("order_form.moved_on_kept")]))
        return
    mine = set(orders.fields_changed(opened, conflict["edits"])) if conflict.get("edits") else set()
    theirs = set(orders.fields_changed(opened, _as_edits(current)))
    both = [name for name in (*_FIELD_ORDER, "lines") if name in mine & theirs]
    message = [t("order_form.conflict", code=plain(current.code), who=", ".join(
        dict.fromkeys(_who(event["actor"]) for event in events)) or "?"), "", *lines, ""]
    if both:
        message.append(t("order_form.conflict_both", fields=", ".join(say(_field_name(name)) for name in both)))
    message.append(t("order_form.conflict_choice", action=say(orders.ACTIONS[conflict["action"]].label)))
    st.warning("\n".join(message))


def _who(actor: str) -> str:
    """Who made a change, for the conflict panel: a username, or the customer's comment on the live."""
    return t("order_form.by_comment") if actor == orders.COMMENT_ACTOR else plain(actor)


_FIELD_ORDER = ("receiver_name", "receiver_phone", "receiver_address", "note", "shipping_fee", "discount", "payment")


def _field_name(name: str) -> Text:
    return Text("order_form.field_lines") if name == "lines" else Text(f"orders.event.field_{name}")


def _as_edits(order: orders.Order) -> orders.OrderEdits:
    """The order's values as a form would send them (to compare it with the order a form opened)."""
    return orders.OrderEdits(
        lines=tuple(orders.LineEdit(id=line.id, code_typed=line.code_typed, item_id=line.item_id, qty=line.qty,
                                    size=line.size, color=line.color, unit_price=line.unit_price)
                    for line in order.lines),
        receiver_name=order.receiver_name or "", receiver_phone=order.receiver_phone or "",
        receiver_address=order.receiver_address or "", note=order.note or "", shipping_fee=order.shipping_fee,
        discount=order.discount, payment=order.payment)


def _pushes_of_order(store: Store, order: orders.Order, *, key_prefix: str) -> None:
    """What became of this order's pushes to MShopKeeper and the OCM webhook: a failed one stands out, with Retry."""
    pushes = outbox.pushes_of_order(store, order.id)
    for push in pushes:
        target = say(outbox.TARGET_LABELS[push["target"]])
        what = plain(say(outbox.describe(push["target"], push["action"])))
        tries = t("order_form.tries_one" if push["tries"] == 1 else "order_form.tries_many", count=push["tries"])
        problem = plain(say(from_stored(push["problem"])))
        if push["state"] in outbox.NEEDS_ATTENTION:
            box, button = st.columns([5, 1], vertical_alignment="center")
            box.error(t("order_form.push_failed", target=target, what=what,
                        state=say(outbox.STATE_LABELS[push["state"]]), tries=tries,
                        problem=problem or plain(say(from_stored(push["last_answer"])))))
            if button.button(t("order_form.retry"), key=f"{key_prefix}-retry-push-{push['id']}",
                             use_container_width=True):
                outbox.retry(store, [push["id"]], actor=actor())
                deliveries.wake_worker(store)
                flash(Text("order_form.sending_again", target=outbox.TARGET_LABELS[push["target"]],
                           code=order.code))
                st.rerun()
        elif push["state"] in (outbox.PENDING, outbox.SENDING):
            on_its_way = t("order_form.on_its_way", target=target, what=what, tries=tries)
            if push["tries"] and problem:
                on_its_way = t("order_form.on_its_way_last_try", target=target, what=what, tries=tries,
                               problem=problem)
            st.info(on_its_way)
        elif push["state"] == outbox.DELIVERED and problem:
            st.warning(f"{target}: {problem}")  # delivered, but staff must act there too
    delivered = [p for p in pushes if p["state"] == outbox.DELIVERED]
    if delivered:
        st.caption(" · ".join(t("order_form.delivered", target=say(outbox.TARGET_LABELS[p["target"]]),
                                what=plain(say(outbox.describe(p["target"], p["action"]))),
                                time=time_text(p["delivered_at"], True)) for p in delivered))


def order_history(store: Store, order_id: int) -> None:
    events = orders.order_events(store, order_id)
    with st.expander(t("order_form.history", count=len(events))):
        for event in reversed(events):
            st.text(f"{time_text(event['happened_at'], True)}  {event['actor']}: {say(orders.describe_event(event))}")


def _customer_and_staff(store: Store, order: orders.Order, *, form_order: orders.Order, base: str, editable: bool,
                        rebase) -> str | None:
    """The order's header: blacklist and hold warnings, staff in charge (claim, release, reassign), and the
    customer's last shipping info. Returns the ward the form's address reads as (the ward picker's start).
    `order` is the order as it is now, `form_order` as the form opened it; `rebase()` makes the form take the order
    as it is now, keeping what is typed (after a change of this form's own, such as Accept)."""
    user = current_user()
    if order.customer_blacklisted:
        st.error(t("order_form.blacklisted", reason=plain(order.customer_blacklist_reason)
                   or t("order_form.no_reason")))
    if order.hold_reason == orders.HELD_BLACKLISTED:
        hold, accept = st.columns([4, 1.2], vertical_alignment="center")
        hold.warning(t("order_form.held"))
        if accept.button(t("order_form.accept"), key=f"head-{base}-accept-hold", use_container_width=True):
            act(lambda: orders.accept_held_order(store, order.id, actor=actor(), expected_version=order.version),
                Text("order_form.accepted", code=order.code), then=lambda _result: rebase())
    mine = order.staff_id is not None and order.staff_id == user.id
    with st.popover(t("order_form.staff_in_charge", name=plain(order.staff_name) or t("order_form.nobody"))):
        claim, release = st.columns(2)
        pressed = None
        if not mine and claim.button(t("order_form.claim"), key=f"head-{base}-claim",
                                     disabled=order.staff_id is not None and not user.is_owner):
            pressed = lambda: assignment.claim_order(store, order.id, by=user)  # noqa: E731
        if order.staff_id is not None and (mine or user.is_owner) and release.button(
                t("order_form.release"), key=f"head-{base}-release"):
            pressed = lambda: assignment.release_order(store, order.id, by=user)  # noqa: E731
        if user.is_owner:
            from core.services import staff

            people = {u["id"]: u["display_name"] for u in staff.list_users(store)}
            to = st.selectbox(t("order_form.reassign_to"), options=list(people), format_func=people.get, index=None,
                              key=f"head-{base}-reassign-to", placeholder=t("order_form.pick_staff"))
            if st.button(t("order_form.reassign"), key=f"head-{base}-reassign", disabled=to is None):
                pressed = lambda: assignment.assign_order(store, order.id, to, by=user)  # noqa: E731
        if pressed is not None:
            act(pressed, Text("order_form.staff_changed", code=order.code))
    if not editable:
        return None
    order = form_order
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
        text.caption(t("order_form.last_shipping", phone=plain(format_vn_phone(last["phone"])),
                       address=plain(last["address"])))
        button.button(t("order_form.use_last"), key=f"head-{base}-use-last", on_click=guarded(use_last), use_container_width=True)
    elif found is not None and found.ward_code and not found.exact and found.address != order.receiver_address:
        def use_2025_form() -> None:
            st.session_state[f"{base}-address"] = found.address

        text, button = st.columns([4, 1.2], vertical_alignment="center")
        text.caption(t("order_form.old_address", address=plain(found.address),
                       notes=plain("; ".join(say(note) for note in found.notes))))
        button.button(t("order_form.use_2025"), key=f"head-{base}-use-2025", on_click=guarded(use_2025_form),
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
