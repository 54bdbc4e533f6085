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

import pandas as pd
import streamlit as st

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
from ui.i18n import markdown_time, number, say, t, time_text, worded_key
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


# The lines table's columns (st.data_editor): one table instead of six widgets a line, whose registration made a
# 200-line order take seconds to open and every rerun of it walk the session state 1,200 times.
LINE_COLUMNS = ("item", "size", "color", "qty", "price", "remove", "note")
_LINE_TYPES = {"item": "Int64", "size": "string", "color": "string", "qty": "int64", "price": "int64",  # not screen text
               "remove": "bool", "note": "string"}
ITEM_COLUMN_PX = 150  # the columns up to Remove fit Livestream's form column (about 490 px); the note may scroll


def _edited_rows(key: str) -> dict[int, dict]:
    """The lines table's edits so far, by row (the table's rows are the opened order's lines, in order)."""
    editing = st.session_state.get(key)
    return dict(editing.get("edited_rows", {})) if editing else {}


def _whole(value):
    """A number from the table as an int (the browser may send 2.0); anything else as it is, for the checks."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _picked_item(line: orders.OrderLine, edit: dict, items_by_id: dict) -> int | None:
    picked = _whole(edit["item"]) if "item" in edit else line.item_id
    return picked if picked in items_by_id else None


def _shown_price(line: orders.OrderLine, edit: dict, items_by_id: dict) -> int:
    """A line's price as the table shows it: a newly picked item brings its own price at once, unless staff typed
    one."""
    picked = _picked_item(line, edit, items_by_id)
    if "item" in edit and "price" not in edit and picked is not None and picked != line.item_id:
        return int(items_by_id[picked].price)
    return int(line.unit_price)


def _lines_table(order: orders.Order, edited_rows: dict, *, key: str, items_by_id: dict, left: dict,
                 waitlist_places: dict, editable: bool) -> None:
    rows = []
    for index, line in enumerate(order.lines):
        edit = edited_rows.get(index, {})
        notes = []
        if line.waitlisted_qty:
            place = waitlist_places.get(line.id)
            notes.append(t("order_form.waitlisted_place", qty=line.waitlisted_qty, place=place) if place
                         else t("order_form.waitlisted", qty=line.waitlisted_qty))
        if _picked_item(line, edit, items_by_id) is None:
            notes.append(t("order_form.typed_code", code=line.code_typed))  # a table cell is plain text
        rows.append({"item": line.item_id if line.item_id in items_by_id else None, "size": line.size or "",
                     "color": line.color or "", "qty": int(line.qty),
                     "price": _shown_price(line, edit, items_by_id), "remove": False, "note": " · ".join(notes)})
    frame = pd.DataFrame(rows, columns=list(LINE_COLUMNS)).astype(_LINE_TYPES)
    st.data_editor(
        frame, key=key, num_rows="fixed", hide_index=True, width="stretch", disabled=True if not editable else ["note"],
        height=min(len(rows), 12) * 35 + 38 if rows else "auto",
        column_config={
            "item": st.column_config.SelectboxColumn(
                t("order_form.item"), options=list(items_by_id), width=ITEM_COLUMN_PX,
                format_func=lambda i: _item_label(items_by_id[i], left.get(i))),
            "size": st.column_config.TextColumn(t("order_form.size"), width=55),
            "color": st.column_config.TextColumn(t("order_form.color"), width=65),
            "qty": st.column_config.NumberColumn(t("order_form.qty"), step=1, width=50),
            # Grouped in the reader's locale (310.000 in a Vietnamese browser), as Setup's prices: 310000 misreads.
            "price": st.column_config.NumberColumn(t("order_form.unit_price_vnd"), min_value=0, step=1000, width=90,
                                                   format="localized"),
            "remove": st.column_config.CheckboxColumn(t("order_form.remove"), width=75),
            "note": st.column_config.TextColumn("", width=260),
        },
    )


def _line_edits(order: orders.Order, edited_rows: dict, items_by_id: dict):
    """The opened order's lines as the table has them now (removed ones left out), for the action."""
    for index, line in enumerate(order.lines):
        edit = edited_rows.get(index, {})
        if edit.get("remove"):
            continue
        item_id = _picked_item(line, edit, items_by_id)
        price = _whole(edit["price"]) if "price" in edit else int(line.unit_price)
        if item_id is not None and item_id != line.item_id and "price" not in edit:
            price = None  # a newly picked item comes with its own price
        yield orders.LineEdit(
            id=line.id, code_typed=line.code_typed, item_id=item_id, qty=_whole(edit.get("qty", line.qty)),
            size=edit.get("size", line.size or "") or "", color=edit.get("color", line.color or "") or "",
            unit_price=price)


def render_order_form(store: Store, order_id: int, *, buttons: tuple[str, ...], key_prefix: str,
                      on_done=None, offered_beside: tuple[str, ...] = (), rerun_after_press: str | None = None) -> None:
    """offered_beside: actions the page offers next to the form with buttons of its own (Livestream orders' Delete,
    which asks first); a closed order's note names them too. rerun_after_press: the key of the fragment a press reruns,
    which holds the form (Livestream orders: the list and its dialog, so that the list shows the change, and the
    result is flashed at the top of what reruns); None: the fragment the form is in (Livestream: the stream beside it
    redraws itself when its data changes), and the result shows at the form's top."""
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
    if rerun_after_press is None:  # the top of the form stands for the top of the page, which this run does not draw
        _show_result(state, key=f"{base}-result-top", scroll=False)
    items = livestreams.list_items(store, order.livestream_id)
    left = livestreams.stock_left(store, order.livestream_id)
    items_by_id = {item.id: item for item in items}
    item_ids = [item.id for item in items]
    waitlist_places = orders.waitlist_places(store, [line.id for line in order.lines if line.waitlisted_qty])

    st.markdown(
        f"#### {plain(current.code)} · {plain(current.customer_name)}\n"
        + t("order_form.status_line", status=status_text(current.status),
            time=markdown_time(current.first_comment_at, with_date=True))
    )
    if current.handled_at:
        st.caption(t("order_form.handled_by_shop", by=plain(current.handled_by),
                     time=markdown_time(current.handled_at, True)))
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
    address_read = _customer_and_staff(store, current, form_order=order, base=base,
                                       editable=editable and not moved_on, rebase=lambda: state.update(opened=None))
    ward_prefill = address_read.ward_code if address_read is not None and address_read.exact else None
    if conflict is not None:
        _conflict_panel(store, order, current, conflict)
        conflict["shown_version"] = current.version
    # The lines are one table outside the st.form: picking an item reruns the form at once, so that its price shows
    # and the warning goes before any save (the table's edits are in session_state when this run starts).
    lines_key = f"{base}-lines"
    edited_rows = _edited_rows(lines_key)
    blank_lines = [line for index, line in enumerate(order.lines)
                   if _picked_item(line, edited_rows.get(index, {}), items_by_id) is None]
    if blank_lines:
        codes = ", ".join(plain(line.code_typed) for line in blank_lines)
        st.warning(t("order_form.pick_item_warning", codes=codes))

    with st.container(border=True):
        st.markdown(t("order_form.items_heading"))
        _lines_table(order, edited_rows, key=lines_key, items_by_id=items_by_id, left=left,
                     waitlist_places=waitlist_places, editable=editable)
        if editable:
            add_cols = st.columns([3.4, 0.9, 1.1, 0.9, 1.8], vertical_alignment="center")
            add_cols[0].selectbox(
                t("order_form.add_item"), options=item_ids, index=None,
                format_func=lambda i: _item_label(items_by_id[i], left.get(i)), key=worded_key(f"{base}-new-item"),
                placeholder=t("order_form.add_item_placeholder"), label_visibility="collapsed",
            )
            add_cols[1].text_input(t("order_form.new_size"), key=f"{base}-new-size", label_visibility="collapsed",
                                   placeholder=t("order_form.size_placeholder"))
            add_cols[2].text_input(t("order_form.new_color"), key=f"{base}-new-color", label_visibility="collapsed",
                                   placeholder=t("order_form.color_placeholder"))
            add_cols[3].number_input(t("order_form.new_qty"), value=1, step=1, key=f"{base}-new-qty",
                                     label_visibility="collapsed")
        # The province is picked outside the form, so that the ward list beside the address narrows to its wards
        # at once (a ward list of the whole country was 3,321 options sent with every form).
        heading, province_column = st.columns([1.5, 1], vertical_alignment="bottom")
        heading.markdown(t("order_form.shipping_heading"))
        province_codes = list(addresses.province_names())
        province_prefill = address_read.province_code if address_read is not None else None
        province_code = province_column.selectbox(
            t("order_form.province"), options=province_codes, format_func=addresses.province_names().__getitem__,
            index=province_codes.index(province_prefill) if province_prefill in province_codes else None,
            key=f"{base}-province", placeholder=t("order_form.ward_placeholder"), disabled=not editable)
        # A closed order with no action left has no form: a form needs a submit button.
        holder = st.form(key=f"{base}-form", border=False) if buttons or conflict is not None else st.container()
        with holder:
            a1, a2 = st.columns([1.5, 1])
            a1.text_input(t("order_form.address"), value=order.receiver_address or "",
                          key=f"{base}-address", placeholder=t("order_form.address_placeholder"),
                          disabled=not editable)
            ward_codes = [ward.code for ward in addresses.wards(province_code)] if province_code else []
            a2.selectbox(
                t("order_form.ward"), options=ward_codes, format_func=addresses.ward_names().__getitem__,
                index=ward_codes.index(ward_prefill) if ward_prefill in ward_codes else None,
                key=_ward_key(base, province_code),
                placeholder=t("order_form.ward_placeholder" if province_code else "order_form.pick_province_first"),
                help=t("order_form.ward_help"), disabled=not editable or not province_code)
            c1, c2 = st.columns(2)
            c1.text_input(t("order_form.receiver_name"), value=order.receiver_name or "",
                          key=f"{base}-receiver", disabled=not editable)
            c2.text_input(t("order_form.phone"), value=format_vn_phone(order.receiver_phone),
                          key=f"{base}-phone", placeholder="0912 345 678", disabled=not editable)
            st.text_input(t("order_form.note"), value=order.note or "", key=f"{base}-note", disabled=not editable)
            c3, c4, c5 = st.columns(3)
            c3.number_input(t("order_form.shipping_fee_vnd"), value=int(order.shipping_fee), min_value=0, step=1000,
                                           key=f"{base}-fee", disabled=not editable)
            c4.number_input(t("order_form.discount_vnd"), value=int(order.discount), min_value=0, step=1000,
                                       key=f"{base}-discount", disabled=not editable)
            c5.radio(t("order_form.payment"), options=list(orders.PAYMENTS),
                               index=orders.PAYMENTS.index(order.payment),
                               format_func=lambda way: t(f"order_form.payment_{way}"), horizontal=True,
                               key=worded_key(f"{base}-payment"), disabled=not editable)
            if "ship" in buttons:
                c6, c7 = st.columns(2)
                carriers = [c.name for c in shipping.list_carriers(store, active_only=True)]
                if carriers:  # the owner's list (Setup → Carriers)
                    c6.selectbox(t("order_form.carrier"), options=carriers, index=None,
                                           key=f"{base}-carrier", placeholder=t("order_form.carrier_pick"))
                else:
                    c6.text_input(t("order_form.carrier"), key=f"{base}-carrier",
                                            placeholder=t("order_form.carrier_placeholder"))
                c7.text_input(t("order_form.tracking"), key=f"{base}-tracking")
            elif not editable and (order.carrier or order.tracking_number):
                # What Ship handed over stays on the order's form, read-only.
                c6, c7 = st.columns(2)
                c6.text_input(t("order_form.carrier_shown"), value=order.carrier or "", key=f"{base}-carrier-shown",
                              disabled=True)
                c7.text_input(t("order_form.tracking_shown"), value=order.tracking_number or "",
                              key=f"{base}-tracking-shown", disabled=True)
            st.markdown(t("order_form.totals", subtotal=vnd(order.subtotal), fee=vnd(order.shipping_fee),
                          discount=vnd(order.discount), total=vnd(order.total)))
            # The buttons act in their on_click, before the run they cause: that run draws the result (one run per
            # press, not a run that acts and then a second one that shows it).
            press = dict(store=store, state=state, base=base, order=order, editable=editable, items_by_id=items_by_id,
                         ward_prefill=ward_prefill, on_done=on_done, rerun_after_press=rerun_after_press)
            # A row that wraps: Vietnamese labels (Lưu vào sổ giao hàng) are long, and a cut label is a wrong click.
            with st.container(horizontal=True, gap="small"):
                if conflict is not None:
                    # The choice after someone else changed the order: inside the form, so that apply takes what is
                    # typed now.
                    if not moved_on:
                        st.form_submit_button(
                            t("order_form.apply_on_top", action=say(orders.ACTIONS[conflict["action"]].label)),
                            key=f"{base}-apply-on-top", width="content", type="primary",
                            help=t("order_form.apply_on_top_help"), on_click=_pressed,
                            kwargs=dict(press, pressed=APPLY_ON_TOP))
                    st.form_submit_button(t("order_form.reload" if moved_on else "order_form.drop_mine"),
                                          key=f"{base}-drop", width="content", help=t("order_form.drop_mine_help"),
                                          on_click=_pressed, kwargs=dict(press, pressed=DROP))
                else:
                    for action in buttons:
                        st.form_submit_button(say(orders.ACTIONS[action].label), key=f"{base}-{action}",
                                              width="content", help=t(f"order_form.help.{action}"),
                                              type="primary" if action in PRIMARY else "secondary",
                                              on_click=_pressed, kwargs=dict(press, pressed=action))
            # The result of the last action, next to its button (and at the top of the page, as flash shows it).
            _show_result(state, key=f"{base}-result")


def _pressed(*, store: Store, pressed: str, state: dict, base: str, order: orders.Order, editable: bool,
             items_by_id: dict, ward_prefill: str | None, on_done, rerun_after_press: str | None) -> None:
    """A form button's on_click: reads what the form holds (its widgets' values are in session_state), runs the
    action and keeps its result for the run that follows. `order` is the order as the form opened it."""
    guarded(_act_on_press)(store=store, pressed=pressed, state=state, base=base, order=order, editable=editable,
                           items_by_id=items_by_id, ward_prefill=ward_prefill, on_done=on_done,
                           at_top=rerun_after_press is not None)
    if rerun_after_press is not None:
        # That fragment's run, rather than the form's own (the list would not show the change) or the whole page's
        # (the filters and the sidebar drawn again for nothing).
        st.rerun(rerun_after_press)


def _act_on_press(*, store: Store, pressed: str, state: dict, base: str, order: orders.Order, editable: bool,
                  items_by_id: dict, ward_prefill: str | None, on_done, at_top: bool) -> None:
    if state.get("result") is not None:  # the last result goes with the next press, here and at the top
        unflash(state["result"][1])
        state["result"] = None
    if pressed == DROP:
        _start_afresh(state)
        return
    conflict = state["conflict"]
    value = st.session_state.get
    edits = None
    if editable:
        line_edits = list(_line_edits(order, _edited_rows(f"{base}-lines"), items_by_id))
        new_item = value(worded_key(f"{base}-new-item"))
        if new_item is not None:
            line_edits.append(orders.LineEdit(id=None, code_typed=items_by_id[new_item].code, item_id=new_item,
                                              qty=int(value(f"{base}-new-qty", 1)), size=value(f"{base}-new-size"),
                                              color=value(f"{base}-new-color")))
        edits = orders.OrderEdits(
            lines=tuple(line_edits), receiver_name=value(f"{base}-receiver", ""),
            receiver_phone=value(f"{base}-phone", ""),
            receiver_address=_with_picked_ward(value(f"{base}-address", ""),
                                               value(_ward_key(base, value(f"{base}-province"))), ward_prefill),
            note=value(f"{base}-note", ""), shipping_fee=int(value(f"{base}-fee", order.shipping_fee)),
            discount=int(value(f"{base}-discount", order.discount)), payment=value(worded_key(f"{base}-payment"), order.payment),
        )
    action = conflict["action"] if pressed == APPLY_ON_TOP else pressed
    shipment = (orders.Shipment(carrier=value(f"{base}-carrier"), tracking_number=value(f"{base}-tracking"))
                if action == "ship" else None)
    try:
        if pressed == APPLY_ON_TOP:  # against the version whose changes the panel showed
            result = orders.apply_on_top(store, action, order.id, actor=actor(), opened=order, edits=edits,
                                         expected_version=conflict["shown_version"], shipment=shipment)
        else:
            result = orders.perform_action(store, action, order.id, actor=actor(), expected_version=order.version,
                                           edits=edits, shipment=shipment)
    except ConcurrentChange as error:
        if error.text.key != "orders.changed_meanwhile":
            # A line of this form was removed meanwhile: said as it is.
            _tell(state, "error", error, at_top=at_top)
            return
        # Someone changed the order since this form opened it (or since it showed their change): say what, keep
        # the typing, and offer the choice.
        state["conflict"] = {"action": action, "edits": edits, "shown_version": None}
        return
    except ChotdonError as error:
        _tell(state, "error", error, at_top=at_top)
        return
    _start_afresh(state)
    if on_done is not None:
        on_done(result)
    _tell(state, "success", Text("order_form.done", action=orders.ACTIONS[action].label, code=result.code,
                                 status=orders.STATUS_PHRASES[result.status]), at_top=at_top)


def _tell(state: dict, kind: str, message, *, at_top: bool) -> None:
    """An action's result: next to the form's buttons (until the next action; a success for as long as a flash) and,
    `at_top`, at the top of the page (a flash; else the form shows it at its own top)."""
    until = time.monotonic() + FLASH_SECONDS if kind == "success" else None
    state["result"] = (kind, message, until)
    state["scroll_count"] = state.get("scroll_count", 0) + 1  # a new script each time, so that it runs again
    state["scroll_pending"] = True
    if at_top:
        flash(message, kind)


# Brings the result under the buttons into view once, in the run after the action: the message at the top of the page
# (and the alert itself) push the buttons down, out of a 1366×768 screen. The script runs in the page (st.html), not in
# a frame of its own; the nonce makes each result's script new, so that it runs again.
_SCROLL_TO_RESULT = """<script>
const selector = %s, nonce = %d;
let tries = 0;
const bring = () => {
  const target = document.querySelector(selector);
  if (target) { target.scrollIntoView({block: "nearest", behavior: "instant"}); }
  if (++tries < 10) { setTimeout(bring, 150); }
};
bring();
</script>"""  # not screen text


def _show_result(state: dict, *, key: str, scroll: bool = True) -> None:
    """The last action's result, until the next press (a success for as long as a flash); `scroll`: the copy under
    the buttons, brought into view once."""
    result = state.get("result")
    if result is None:
        return
    kind, message, until = result
    if until is not None and until < time.monotonic():
        state["result"] = None
        return
    with st.container(key=key):
        show_message(kind, message)
    if scroll and state.pop("scroll_pending", False):
        st.html(_SCROLL_TO_RESULT % (json.dumps(f".st-key-{key}"), state["scroll_count"]), unsafe_allow_javascript=True)


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
    lines = [f"- {markdown_time(event['happened_at'], True)} · **{_who(event['actor'])}**: "
             f"{plain(say(orders.describe_event(event)))}" for event in events]
    if current.status not in orders.EDITABLE:
        moves = [event for event in events if event["to_status"] == current.status
                 and event["from_status"] != current.status]
        mover = moves[-1] if moves else (events[-1] if events else None)
        st.error("\n".join([
            t("order_form.moved_on", code=plain(current.code), status=status_text(current.status),
              who=_who(mover["actor"]) if mover else "?",
              time=markdown_time(mover["happened_at"], True) if mover else ""),
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
                             width="stretch"):
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
                                time=markdown_time(p["delivered_at"], True)) for p in delivered))


HISTORY_PAGE = 50  # events shown at first, and added by each "older" press


def order_history(store: Store, order_id: int, *, key_prefix: str) -> None:
    """The order's history, loaded when staff open it (an order's history can run to thousands of events): the
    newest events first, older ones a page at a time."""
    key = f"{key_prefix}-{order_id}-history"
    shown_key = f"{key}-shown"
    with st.expander(t("order_form.history_heading"), key=key, on_change="rerun") as history:
        if not history.open:
            return
        limit = st.session_state.get(shown_key, HISTORY_PAGE)
        events, total = orders.newest_events(store, order_id, limit=limit)
        st.caption(t("order_form.history_count", shown=number(len(events)), count=number(total)))
        for event in events:
            st.text(f"{time_text(event['happened_at'], True)}  {event['actor']}: {say(orders.describe_event(event))}")
        if total > len(events):
            st.button(t("order_form.history_older", count=number(min(HISTORY_PAGE, total - len(events)))),
                      key=f"{key}-older", on_click=_show_older, args=(shown_key, limit))


def _show_older(shown_key: str, limit: int) -> None:
    st.session_state[shown_key] = limit + HISTORY_PAGE


def _customer_and_staff(store: Store, order: orders.Order, *, form_order: orders.Order, base: str, editable: bool,
                        rebase) -> addresses.AddressMatch | None:
    """The order's header: blacklist and hold warnings, staff in charge (claim, release, reassign), and the
    customer's last shipping info. Returns what the form's address reads as in the 2025 units (the province and
    ward pickers' start; a closed order's show it read-only).
    `order` is the order as it is now, `form_order` as the form opened it; `rebase()` makes the form take the order
    as it is now, keeping what is typed (after a change of this form's own, such as Accept)."""
    user = current_user()
    if order.customer_blacklisted:
        st.error(t("order_form.blacklisted", reason=plain(order.customer_blacklist_reason)
                   or t("order_form.no_reason")))
    if order.hold_reason == orders.HELD_BLACKLISTED:
        hold, accept = st.columns([4, 1.2], vertical_alignment="center")
        hold.warning(t("order_form.held"))
        if accept.button(t("order_form.accept"), key=f"head-{base}-accept-hold", width="stretch"):
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
    found = addresses.match_address(form_order.receiver_address)
    if not editable:  # a closed order: its pickers show where its address reads, read-only
        return found
    order = form_order
    last = customers.last_shipping_info(store, order.customer_id, except_order_id=order.id)
    if last and (last["address"] or "") != (order.receiver_address or "") and last["address"]:
        def use_last() -> None:
            st.session_state[f"{base}-phone"] = format_vn_phone(last["phone"]) or st.session_state.get(
                f"{base}-phone", "")
            st.session_state[f"{base}-address"] = last["address"]
            if not st.session_state.get(f"{base}-receiver"):
                st.session_state[f"{base}-receiver"] = last["name"] or ""
            st.session_state[f"{base}-province"] = None  # the address is saved as typed

        text, button = st.columns([4, 1.2], vertical_alignment="center")
        text.caption(t("order_form.last_shipping", phone=plain(format_vn_phone(last["phone"])),
                       address=plain(last["address"])))
        button.button(t("order_form.use_last"), key=f"head-{base}-use-last", on_click=guarded(use_last), width="stretch")
    elif found is not None and found.ward_code and not found.exact and found.address != order.receiver_address:
        def use_2025_form() -> None:
            st.session_state[f"{base}-address"] = found.address

        text, button = st.columns([4, 1.2], vertical_alignment="center")
        text.caption(t("order_form.old_address", address=plain(found.address),
                       notes=plain("; ".join(say(note) for note in found.notes))))
        button.button(t("order_form.use_2025"), key=f"head-{base}-use-2025", on_click=guarded(use_2025_form),
                      width="stretch")
    return found


def _ward_key(base: str, province_code: str | None) -> str:
    """The ward picker's key: one per province, so that another province starts with no ward picked."""
    return f"{base}-ward-{province_code or ''}"


def _with_picked_ward(address: str, picked: str | None, prefill: str | None) -> str:
    """The address to save: as typed, unless staff picked a ward different from the one it already reads as;
    then the street of the typed text, that ward and its province."""
    if picked is None or picked == prefill:
        return address
    found = addresses.match_address(address)
    street = found.street if found is not None else address
    return addresses.compose(street, picked, None)
