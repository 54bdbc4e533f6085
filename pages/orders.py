"""Case 2: all orders of the livestream, sorted by comment time, with filters, Edit order and bulk actions."""

import streamlit as st

from core.base.i18n import Text
from core.services import orders, staff
from ui.feedback import flash, show_flashes
from ui.grid import orders_grid
from ui.i18n import number, say, t
from ui.order_form import CASE2_BUTTONS, order_history, render_order_form
from ui.session import actor, current_user, get_store, selected_livestream_id

store = get_store()
livestream_id = selected_livestream_id(store)
st.title(t("orders.title"), anchor=False)
if livestream_id is None:
    st.info(t("orders.no_livestream"))
    st.stop()
show_flashes()

users = staff.list_users(store)
staff_options = {0: t("orders.nobody")} | {user["id"]: user["display_name"] for user in users}
filters = st.columns([1.4, 1.6, 0.9, 0.9, 1.6], vertical_alignment="bottom")
user = current_user()
if "filter_staff" not in st.session_state and not user.is_owner and user.id in staff_options:
    st.session_state["filter_staff"] = [user.id]  # staff start with their own orders
staff_ids = filters[0].multiselect(t("orders.staff_in_charge"), options=list(staff_options),
                                   format_func=staff_options.get, key="filter_staff",
                                   placeholder=t("orders.everyone"))
statuses = filters[1].multiselect(t("orders.status"), options=list(orders.STATUSES),
                                  format_func=lambda status: say(orders.STATUS_LABELS[status]), key="filter_status",
                                  placeholder=t("orders.all_but_cancelled"))
since_time = filters[2].time_input(t("orders.from"), value=None, key="filter_from", step=300)
until_time = filters[3].time_input(t("orders.to"), value=None, key="filter_to", step=300)
search = filters[4].text_input(t("orders.search"), key="filter_search", placeholder=t("orders.search_placeholder"))


# The time range is within the livestream's day; a "To" before "From" means the live crossed midnight.
since, until = orders.time_window(store, livestream_id, since_time, until_time)
frame = orders.list_orders(store, livestream_id, statuses=orders.listed_statuses(statuses), staff_ids=staff_ids,
                           since=since, until=until, search=search)
st.caption(t("orders.list_caption", count=number(len(frame))))

shown_ids = set(frame["order_id"].tolist())
# The grid may still report rows that the filters or the last action just removed.
selected = [order_id for order_id in orders_grid(frame, key=f"orders-grid-{livestream_id}") if order_id in shown_ids]

actions = st.columns([1, 1, 1, 1, 2.5], vertical_alignment="center")
one = len(selected) == 1
if actions[0].button(t("orders.edit_order"), key="edit_order", disabled=not one, type="primary",
                     help=t("orders.edit_order_help")):
    st.session_state["list_edit_order"] = selected[0]
bulk = None
if actions[1].button(say(orders.ACTIONS["create_order"].label), key="bulk_create_order", disabled=not selected):
    bulk = "create_order"
if actions[2].button(say(orders.ACTIONS["send_to_shop"].label), key="bulk_send_to_shop", disabled=not selected):
    bulk = "send_to_shop"
if actions[3].button(say(orders.ACTIONS["delete"].label), key="bulk_delete", disabled=not selected):
    bulk = "delete"
actions[4].caption(t("orders.selected", count=number(len(selected))) if selected else t("orders.tick_hint"))

if bulk:
    result = orders.perform_bulk(store, bulk, selected, actor=actor())
    label = orders.ACTIONS[bulk].label
    if result.done:
        flash(Text("orders.bulk_done", action=label, codes=", ".join(result.done)))
    for code, message in result.failed:
        flash(Text("orders.bulk_failed", action=label, code=code, message=message), "error")
    st.rerun()

editing = st.session_state.get("list_edit_order")
if editing is not None:
    st.divider()
    if st.button(t("orders.close_order"), key="close_list_editor"):
        st.session_state.pop("list_edit_order", None)
        st.rerun()
    render_order_form(store, int(editing), buttons=CASE2_BUTTONS, key_prefix="list")
    order_history(store, int(editing))
