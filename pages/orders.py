"""Case 2: all orders of the livestream, sorted by comment time, with filters, Edit order and bulk actions.

The order opens in a dialog over the grid (where staff are looking, at any screen height); Delete, for one order or
many, first asks, and says that it cancels (nothing is erased). The bulk buttons name how many orders they act on,
so they are not mistaken for the form's own buttons."""

import streamlit as st

from core.base.i18n import Text
from core.services import orders, staff
from ui.feedback import act, flash, show_flashes
from ui.grid import orders_grid
from ui.i18n import number, say, t
from ui.order_form import CASE2_BUTTONS, order_history, render_order_form
from ui.session import actor, current_user, get_store, selected_livestream_id
from ui.text import plain

EDITING = "list_edit_order"  # the order open in the edit dialog
DELETING = "list_confirm_delete"  # {"ids": [...], "codes": [...]}: a Delete waiting for its confirmation
# The form's own Delete is replaced by the dialog's, which asks first.
FORM_BUTTONS = tuple(action for action in CASE2_BUTTONS if action != "delete")

store = get_store()
livestream_id = selected_livestream_id(store)
st.title(t("orders.title"), anchor=False)
if livestream_id is None:
    st.info(t("orders.no_livestream"))
    st.stop()
editing = st.session_state.get(EDITING)
deleting = st.session_state.get(DELETING)
flashes_on_page = editing is None or deleting is not None
if flashes_on_page:
    show_flashes()  # else in the edit dialog, where staff are looking

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


# The time range is within the livestream's day; a "To" before "From" means the live crossed midnight, said on screen
# (a typo would otherwise look like an empty or a too-long list).
since, until = orders.time_window(store, livestream_id, since_time, until_time)
if since_time is not None and until_time is not None and until_time < since_time:
    st.info(t("orders.crosses_midnight", since=since_time.strftime("%H:%M"), until=until_time.strftime("%H:%M")))
frame = orders.list_orders(store, livestream_id, statuses=orders.listed_statuses(statuses), staff_ids=staff_ids,
                           since=since, until=until, search=search)
st.caption(t("orders.list_caption_one" if len(frame) == 1 else "orders.list_caption_many",
             count=number(len(frame))))

shown_ids = set(frame["order_id"].tolist())
codes = dict(zip(frame["order_id"].tolist(), frame["code"].tolist()))
listed_status = dict(zip(frame["order_id"].tolist(), frame["status"].tolist()))
# The grid may still report rows that the filters or the last action just removed.
selected = [order_id for order_id in orders_grid(frame, key=f"orders-grid-{livestream_id}") if order_id in shown_ids]

actions = st.columns([1, 1.4, 1.4, 1.4, 2], vertical_alignment="center")
one = len(selected) == 1
if actions[0].button(t("orders.edit_order"), key="edit_order", disabled=not one, type="primary",
                     help=t("orders.edit_order_help")):
    st.session_state[EDITING] = editing = selected[0]
bulk = None
ticked = number(len(selected))
if actions[1].button(t("orders.bulk_button", action=say(orders.ACTIONS["create_order"].label), count=ticked),
                     key="bulk_create_order", disabled=not selected):
    bulk = "create_order"
if actions[2].button(t("orders.bulk_button", action=say(orders.ACTIONS["send_to_shop"].label), count=ticked),
                     key="bulk_send_to_shop", disabled=not selected):
    bulk = "send_to_shop"
if actions[3].button(t("orders.bulk_delete", count=ticked), key="bulk_delete", disabled=not selected,
                     help=t("orders.delete_help")):
    st.session_state[DELETING] = deleting = {"ids": selected, "codes": [codes[order_id] for order_id in selected]}
actions[4].caption(t("orders.selected", count=number(len(selected))) if selected else t("orders.tick_hint"))

if bulk:
    result = orders.perform_bulk(store, bulk, selected, actor=actor())
    label = orders.ACTIONS[bulk].label
    if result.done:
        flash(Text("orders.bulk_done", action=label, codes=", ".join(result.done)))
    for code, message in result.failed:
        flash(Text("orders.bulk_failed", action=label, code=code, message=message), "error")
    st.rerun()


def _drop(name: str) -> None:
    st.session_state.pop(name, None)


def _dismiss_delete() -> None:
    """The confirmation closed with its X, Esc or a click outside: nothing is deleted."""
    _drop(DELETING)


def _dismiss_editor() -> None:
    _drop(EDITING)


@st.dialog(t("orders.confirm_delete_title"), on_dismiss=_dismiss_delete)
def confirm_delete(order_ids: list[int], order_codes: list[str]) -> None:
    """Delete cancels: the orders stay, under the status Cancelled, with their history."""
    many = len(order_ids) != 1
    st.markdown(t("orders.confirm_delete_many" if many else "orders.confirm_delete_one",
                  count=number(len(order_ids)), codes=plain(", ".join(order_codes))))
    with st.container(horizontal=True, gap="small"):
        yes = st.button(t("orders.confirm_delete_yes_many" if many else "orders.confirm_delete_yes_one",
                          count=number(len(order_ids))), key="confirm_delete_yes", type="primary")
        no = st.button(t("orders.confirm_delete_no"), key="confirm_delete_no")
    if no:
        _drop(DELETING)
        st.rerun()
    if yes:
        result = orders.perform_bulk(store, "delete", order_ids, actor=actor())
        label = orders.ACTIONS["delete"].label
        if result.done:
            flash(Text("orders.deleted", codes=", ".join(result.done)))
        for code, message in result.failed:
            flash(Text("orders.bulk_failed", action=label, code=code, message=message), "error")
        _drop(DELETING)
        if st.session_state.get(EDITING) in order_ids:
            _drop(EDITING)  # the order is cancelled: back to the list, where the message is
        st.rerun()


@st.dialog(t("orders.edit_order"), width="large", on_dismiss=_dismiss_editor)
def edit_order(order_id: int) -> None:
    if not flashes_on_page:
        show_flashes()
    if order_id in listed_status:
        code, status = codes[order_id], listed_status[order_id]
    else:  # filtered out of the list meanwhile
        order = act(lambda: orders.get_order(store, order_id), rerun=False)
        if order is None:
            return
        code, status = order.code, order.status
    with st.container(horizontal=True, gap="small"):
        if st.button(t("orders.close_order"), key="close_list_editor"):
            _drop(EDITING)
            st.rerun()
        if st.button(t("orders.delete_order"), key="delete_list_order", help=t("orders.delete_help"),
                     disabled=status not in orders.CANCELLABLE):
            st.session_state[DELETING] = {"ids": [order_id], "codes": [code]}
            st.rerun()  # the confirmation takes the dialog's place
    render_order_form(store, order_id, buttons=FORM_BUTTONS, key_prefix="list", offered_beside=("delete",))
    order_history(store, order_id, key_prefix="list")


# One dialog per run: a Delete waiting for its confirmation comes first; the edited order reopens after it.
if deleting is not None:
    confirm_delete(deleting["ids"], deleting["codes"])
elif editing is not None:
    edit_order(int(editing))
