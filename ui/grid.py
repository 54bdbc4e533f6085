"""The one module that talks to streamlit-aggrid: shows livestream orders and returns the selected order ids."""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import streamlit.components.v1 as components
from st_aggrid import AgGrid, GridOptionsBuilder, JsCode

from core.base.formatting import shop_clock_texts, vnd
from core.db.store import Store
from core.services import orders
from ui.i18n import say, t

# The grid's frontend is streamlit-aggrid's own, built here with AG Grid's community modules only (frontend/grid):
# the package's build also bundles AG Grid Enterprise and AG Charts, 4.7 MB of script that every page with the grid
# evaluated (a quarter of a second of Livestream orders' load on a 2-core shop computer) for features this app does
# not use. AgGrid() draws through its module's component function; it is pointed at this build.
GRID_FRONTEND = Path(__file__).resolve().parent.parent / "frontend" / "grid" / "build"
_grid_component = components.declare_component("agGrid", path=str(GRID_FRONTEND))  # not screen text
importlib.import_module("st_aggrid.AgGrid")._component_func = _grid_component  # not screen text
GRID_COMPONENT = _grid_component.name  # ui.grid.agGrid: its files are served under /component/<name>/
GRID_FRAME = f'iframe[title="{GRID_COMPONENT}"]'  # the frame is titled by the component's name

# Cancelled rows are grey whatever they lack (nothing is to be done on them); red: an item to pick; yellow: an item or
# the shipping info is missing.
_ROW_STYLE = JsCode(
    """
function(params) {
  if (params.data && params.data.cancelled) { return {background: '#eeeeee', color: '#767676'}; }
  if (params.data && params.data.blank_item) { return {background: '#ffe3e3'}; }
  if (params.data && params.data.attention) { return {background: '#fff6dc'}; }
  return null;
}
"""  # not screen text
)
_ROW_ID = JsCode("function(params) { return String(params.data.order_id); }")  # not screen text
# Money is 150.000 ₫ in both languages.
_MONEY = JsCode("function(p){return p.value == null ? '' : p.value.toLocaleString('vi-VN') + ' ₫';}")  # not screen text


_HIDDEN = ("order_id", "attention", "blank_item", "cancelled")
# The grid gets one page of the list at a time: the browser is sent what it can draw (about 20 rows show at once),
# not the 17,000 orders of a long live (3.4 MB after every click). Sorted as the list is, by comment time.
PAGE_SIZE = 200


def _joined(parts: list[pd.Series]) -> pd.Series:
    """Row by row, the non-empty texts of `parts` joined with " · "."""
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.where(part == "", joined.where(joined == "", joined + " · ") + part)
    return joined


def grid_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns staff see, from core.services.orders.list_orders, in the reader's language; carries order_id (rows are
    positions otherwise). Column operations, not a Python call per row: each word is looked up once (a lookup reads
    the session's language from st.session_state: per row it was 40% of a 25,000-order page run)."""
    frame = frame.reset_index(drop=True)

    def flagged(mask: pd.Series, text: str) -> pd.Series:
        return pd.Series(text, index=frame.index, dtype=object).where(mask.astype(bool), "")

    blank = frame["blank_items"] > 0
    missing_shipping = frame["missing_shipping"].astype(bool)
    check = _joined([flagged(frame["hold_reason"].notna(), t("grid.held")), flagged(blank, t("grid.pick_item")),
                     flagged(missing_shipping, t("grid.shipping_info")), flagged(frame["waitlisted"] > 0,
                                                                                 t("grid.waitlist"))])
    status_text = {status: say(label) for status, label in orders.STATUS_LABELS.items()}
    blacklisted = frame["blacklisted"].fillna(False).astype(bool)
    phone = frame["receiver_phone"].fillna("").astype(str)
    spaced = phone.str[:4] + " " + phone.str[4:7] + " " + phone.str[7:]
    return pd.DataFrame({
        "code": frame["code"],
        "time": shop_clock_texts(frame["first_comment_at"]),
        # ⛔: refuses deliveries (Customers screen)
        "customer": frame["customer"].where(~blacklisted, "⛔ " + frame["customer"]),
        "items": frame["items"],
        "total": frame["total"].astype("int64"),
        "status": frame["status"].map(status_text),
        "check": check,
        "staff": frame["staff"],
        # format_vn_phone: a 10-digit number as 0912 345 678, any other text unchanged
        "phone": phone.where(~((phone.str.len() == 10) & phone.str.isdigit()), spaced),
        "address": frame["receiver_address"],
        "order_id": frame["order_id"].astype("int64"),
        "attention": blank | missing_shipping,
        "blank_item": blank,
        "cancelled": frame["status"] == orders.CANCELLED,
    })


# The lists asked for lately, by any session of this server (newest last): (what was asked, list_orders' frame).
# Shared, because staff open the list anew (a reload, another tab, a colleague) far more often than its data changes.
_LISTED: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_LISTED_KEPT = 8
_LISTED_LOCK = threading.Lock()


def listed_orders(store: Store, livestream_id: int, **filters) -> pd.DataFrame:
    """core.services.orders.list_orders(store, livestream_id, **filters), kept until the list's data
    (orders.list_stamp) or the filters change: a tick, a page turn, closing the dialog or another session opening
    the same list reuse it (on a 25,000-order live the query takes 0.5-1.5 s, the stamp 15 ms). Read-only: the same
    frame goes to every session that asks."""
    wanted = (store.cache_key, livestream_id, repr(sorted(filters.items())), orders.list_stamp(store, livestream_id))
    with _LISTED_LOCK:
        kept = _LISTED.get(wanted)
        if kept is not None:
            _LISTED.move_to_end(wanted)
            return kept
    frame = orders.list_orders(store, livestream_id, **filters)
    with _LISTED_LOCK:
        _LISTED[wanted] = frame
        while len(_LISTED) > _LISTED_KEPT:
            _LISTED.popitem(last=False)
    return frame


def page_count(rows: int) -> int:
    return max(1, -(-rows // PAGE_SIZE))


def page_of(data: pd.DataFrame, page: int) -> pd.DataFrame:
    """Rows of page `page` (1 = the first); past the last page, the last page."""
    page = min(max(1, page), page_count(len(data)))
    return data.iloc[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]


def orders_grid(rows: pd.DataFrame, *, key: str, height: int = 420) -> list[int]:
    """Shows rows of list_orders (a page of them: only these are formatted and sent); returns the ids of the rows the
    staff member ticked."""
    data = grid_frame(rows)
    builder = GridOptionsBuilder.from_dataframe(data)
    builder.configure_default_column(sortable=True, filter=True, resizable=True)
    for hidden in _HIDDEN:
        builder.configure_column(hidden, hide=True)

    def column(field: str, **properties) -> None:
        """A shown column: the field is the data key (the same in every language), the header is grid.<field>."""
        builder.configure_column(field, header_name=t(f"grid.{field}"), **properties)

    # The columns share the grid's width (flex, each above its minimum), so at 1366 px beside the sidebar every
    # column is on screen, Check included, without a horizontal scroll; a cut cell shows in full as a tooltip.
    column("code", flex=0.8, minWidth=72)
    column("time", flex=0.8, minWidth=68, headerTooltip=t("grid.time_tooltip"))
    column("customer", flex=1.4, minWidth=100, tooltipField="customer")
    column("items", flex=2, minWidth=110, tooltipField="items")
    column("total", flex=1, minWidth=88, valueFormatter=_MONEY, type=["numericColumn"])  # not screen text
    column("status", flex=1.3, minWidth=100, tooltipField="status")
    column("check", flex=1.6, minWidth=120, tooltipField="check")
    column("staff", flex=1, minWidth=72, tooltipField="staff")
    column("phone", flex=1.1, minWidth=96)
    column("address", flex=1.5, minWidth=90, tooltipField="address")
    builder.configure_grid_options(getRowStyle=_ROW_STYLE, getRowId=_ROW_ID, rowHeight=34, tooltipShowDelay=300)
    options = builder.build()
    # AG Grid 34's own selection model: a click on a row selects that one row (Ctrl/Shift add to it), the checkboxes
    # (one per row, one in the header) pick several.
    options["rowSelection"] = {"mode": "multiRow", "checkboxes": True,  # not screen text
                               "headerCheckbox": True, "enableClickSelection": True,  # not screen text
                               "selectAll": "filtered"}  # not screen text
    for legacy in ("rowMultiSelectWithClick", "suppressRowDeselection",  # not screen text
                   "suppressRowClickSelection", "groupSelectsChildren", "groupSelectsFiltered"):  # not screen text
        options.pop(legacy, None)
    options.pop("autoSizeStrategy", None)
    # GridOptionsBuilder types text columns "textColumn", which neither AG Grid nor streamlit-aggrid's frontend defines
    # (AG Grid warned of it in the browser's console on every draw): an empty type of that name.
    options["columnTypes"] = {"textColumn": {}}  # not screen text
    response = AgGrid(
        data, gridOptions=options, height=height, key=key, allow_unsafe_jscode=True,
        update_on=["selectionChanged"],  # not screen text
        server_sync_strategy="server_wins", show_download_button=False,
        show_search=False, theme="streamlit",
    )
    selected = response.selected_rows
    if selected is None or len(selected) == 0 or "order_id" not in selected:
        return []
    return [int(value) for value in selected["order_id"].tolist()]


def total_text(value: int) -> str:
    return vnd(value)
