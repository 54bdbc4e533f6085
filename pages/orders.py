"""Case 2: all orders of the livestream, sorted by comment time, with filters, Edit order and bulk actions.

The order opens in a dialog over the grid (where staff are looking, at any screen height); Delete, for one order or
many, first asks, and says that it cancels (nothing is erased). The bulk buttons name how many orders they act on,
so they are not mistaken for the form's own buttons."""

import streamlit as st

from core.base.errors import InvalidInput
from core.base.formatting import clock_from_text
from core.base.i18n import Text
from core.services import orders, staff
from ui.feedback import act, flash, show_flashes
from ui.grid import PAGE_SIZE, listed_orders, orders_grid, page_count, page_of
from ui.i18n import number, say, t
from ui.order_form import CASE2_BUTTONS, order_history, render_order_form
from ui.session import actor, current_user, get_store, selected_livestream_id
from ui.text import plain

EDITING = "list_edit_order"  # the order open in the edit dialog
DELETING = "list_confirm_delete"  # {"ids": [...], "codes": [...]}: a Delete waiting for its confirmation
PAGE = "orders_page"  # the page of the list the grid shows (1 = the first)
PAGED_FILTERS = "_orders_paged_filters"  # the filters that page belongs to
ORDERS_LIST = "orders_list"  # the fragment of the list, its buttons and dialogs
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
# The grid's place among the page's elements must be the same on every run: Streamlit's frontend keys the AgGrid by its
# id, and when the grid moves among its siblings (three messages more or fewer above it, as when the edit dialog closes
# over three fresh results) React moves its iframe in the page, the browser reloads it, and Streamlit keeps listening
# to the iframe's old window: the grid stays blank until a reload (docs/notes/grid-blank.md). So everything above the
# grid whose number varies sits in a container of its own, one slot whether it holds nothing or ten messages.
messages = st.container()
if editing is None or deleting is not None:
    with messages:
        show_flashes()  # else in the edit dialog, where staff are looking

users = staff.list_users(store)
staff_options = {0: t("orders.nobody")} | {user["id"]: user["display_name"] for user in users}
# The staff filter holds two Vietnamese names side by side at 1366 px (narrower, the first chip scrolled out of sight).
filters = st.columns([2.5, 1.4, 0.7, 0.7, 1.2], vertical_alignment="bottom")
user = current_user()
if "filter_staff" not in st.session_state and not user.is_owner and user.id in staff_options:
    st.session_state["filter_staff"] = [user.id]  # staff start with their own orders
staff_ids = filters[0].multiselect(t("orders.staff_in_charge"), options=list(staff_options),
                                   format_func=staff_options.get, key="filter_staff",
                                   placeholder=t("orders.everyone"))
statuses = filters[1].multiselect(t("orders.status"), options=list(orders.STATUSES),
                                  format_func=lambda status: say(orders.STATUS_LABELS[status]), key="filter_status",
                                  placeholder=t("orders.all_but_cancelled"))
# From and To are typed (20:10, 2010, 20h10): a text box costs the browser ~60 ms less to draw than a time box, on
# every load of the busiest screen (docs/PERFORMANCE.md), and staff type a time faster than they step through one.
typed_times = [filters[column].text_input(t(label), key=key, placeholder=t("orders.time_placeholder"))
               for column, label, key in ((2, "orders.from", "filter_from"), (3, "orders.to", "filter_to"))]
search = filters[4].text_input(t("orders.search"), key="filter_search", placeholder=t("orders.search_placeholder"))
times, time_errors = [], []
for text in typed_times:
    try:
        times.append(clock_from_text(text))
    except InvalidInput as error:  # that bound is left out of the list until it reads as a time
        times.append(None)
        time_errors.append(error.text)
since_time, until_time = times


# The time range is within the livestream's day; a "To" before "From" means the live crossed midnight, said on screen
# (a typo would otherwise look like an empty or a too-long list).
since, until = orders.time_window(store, livestream_id, since_time, until_time)
with st.container():  # one slot, the notes or nothing (see messages above)
    for error in time_errors:
        st.warning(say(error))
    if since_time is not None and until_time is not None and until_time < since_time:
        st.info(t("orders.crosses_midnight", since=since_time.strftime("%H:%M"), until=until_time.strftime("%H:%M")))
chosen = {"statuses": orders.listed_statuses(statuses), "staff_ids": staff_ids, "since": since, "until": until,
          "search": search}
# Other filters start the list again at its first page.
if st.session_state.get(PAGED_FILTERS) != (livestream_id, repr(chosen)):
    st.session_state[PAGED_FILTERS] = (livestream_id, repr(chosen))
    st.session_state[PAGE] = 1


@st.fragment(key=ORDERS_LIST)
def orders_list() -> None:
    """The list (its count, the grid, its page), the buttons that act on its ticks and the dialogs they open: a tick,
    a page turn, Edit order or an action in the dialog reruns this part alone; the filters above rerun the page. The
    filters chosen are those of the page's last run (a change of theirs runs the whole page)."""
    frame = listed_orders(store, livestream_id, **chosen)  # the same frame until the list's data changes
    st.caption(t("orders.list_caption_one" if len(frame) == 1 else "orders.list_caption_many",
                 count=number(len(frame))))
    listed = dict(zip(frame["order_id"].tolist(), zip(frame["code"].tolist(), frame["status"].tolist())))
    pages = page_count(len(frame))
    if st.session_state.get(PAGE, 1) > pages:
        st.session_state[PAGE] = pages
    page = st.session_state.get(PAGE, 1)
    rows = page_of(frame, page)
    shown_ids = set(rows["order_id"].tolist())
    # The grid may still report rows that the filters, the page or the last action just removed.
    selected = [order_id for order_id in orders_grid(rows, key=f"orders-grid-{livestream_id}") if order_id in shown_ids]

    actions = st.columns([1, 1.4, 1.4, 1.4, 2], vertical_alignment="center")
    one = len(selected) == 1
    # The dialogs open in this part's run (they are drawn at its end): the press does not run the whole page.
    actions[0].button(t("orders.edit_order"), key="edit_order", disabled=not one, type="primary",
                      help=t("orders.edit_order_help"), on_click=_open, args=(EDITING, selected[0] if one else None))
    bulk = None
    ticked = number(len(selected))
    if actions[1].button(t("orders.bulk_button", action=say(orders.ACTIONS["create_order"].label), count=ticked),
                         key="bulk_create_order", disabled=not selected):
        bulk = "create_order"
    if actions[2].button(t("orders.bulk_button", action=say(orders.ACTIONS["send_to_shop"].label), count=ticked),
                         key="bulk_send_to_shop", disabled=not selected):
        bulk = "send_to_shop"
    actions[3].button(t("orders.bulk_delete", count=ticked), key="bulk_delete", disabled=not selected,
                      help=t("orders.delete_help"), on_click=_open,
                      args=(DELETING, {"ids": selected, "codes": [listed[order_id][0] for order_id in selected]}))
    actions[4].caption(t("orders.selected", count=number(len(selected))) if selected else t("orders.tick_hint"))
    if pages > 1:  # under the buttons, which stay where staff look for them
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.number_input(t("orders.page"), min_value=1, max_value=pages, step=1, key=PAGE, width=150,
                            label_visibility="collapsed")
            first = (page - 1) * PAGE_SIZE + 1
            st.caption(t("orders.page_rows", first=number(first), last=number(first + len(rows) - 1),
                         count=number(len(frame)), pages=number(pages)))

    if bulk:
        result = orders.perform_bulk(store, bulk, selected, actor=actor())
        label = orders.ACTIONS[bulk].label
        if result.done:
            flash(Text("orders.bulk_done", action=label, codes=", ".join(result.done)))
        for code, message in result.failed:
            flash(Text("orders.bulk_failed", action=label, code=code, message=message), "error")
        st.rerun()

    # One dialog at a time: a Delete waiting for its confirmation comes first; the edited order reopens after it.
    # Drawn last in this part, so that the grid keeps its place among the elements with a dialog open or not.
    if st.session_state.get(DELETING) is not None:
        confirm_delete(st.session_state[DELETING]["ids"], st.session_state[DELETING]["codes"])
    elif st.session_state.get(EDITING) is not None:
        edit_order(int(st.session_state[EDITING]), listed.get(int(st.session_state[EDITING])))


def _open(name: str, value) -> None:
    st.session_state[name] = value


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
def edit_order(order_id: int, listed: tuple[str, str] | None) -> None:
    """The order's form; `listed`, its code and status as the list has them (None: not in the list)."""
    show_flashes()  # the page's own are behind the dialog
    if listed is not None:
        code, status = listed
    else:  # filtered out of the list meanwhile
        order = act(lambda: orders.get_order(store, order_id), rerun=False)
        if order is None:
            return
        code, status = order.code, order.status
    with st.container(horizontal=True, gap="small"):
        if st.button(t("orders.close_order"), key="close_list_editor"):
            _drop(EDITING)
            st.rerun()  # the whole page: a run of the list's fragment alone leaves a dialog open
        if st.button(t("orders.delete_order"), key="delete_list_order", help=t("orders.delete_help"),
                     disabled=status not in orders.CANCELLABLE):
            st.session_state[DELETING] = {"ids": [order_id], "codes": [code]}
            st.rerun()  # the confirmation takes the dialog's place
    render_order_form(store, order_id, buttons=FORM_BUTTONS, key_prefix="list", offered_beside=("delete",),
                      rerun_after_press=ORDERS_LIST)
    order_history(store, order_id, key_prefix="list")


orders_list()
