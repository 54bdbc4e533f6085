"""The one module that talks to streamlit-aggrid: shows livestream orders and returns the selected order ids."""

from __future__ import annotations

import pandas as pd
from st_aggrid import AgGrid, GridOptionsBuilder, JsCode

from core.base.formatting import vnd
from core.base.phones import format_vn_phone
from core.services import orders
from ui.i18n import say, t, time_text

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


def grid_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns staff see, from core.services.orders.list_orders, in the reader's language; carries order_id (rows are
    positions otherwise)."""
    attention = []
    for blank, missing_shipping, waitlisted, held in zip(frame["blank_items"], frame["missing_shipping"],
                                                         frame["waitlisted"], frame["hold_reason"].notna()):
        reasons = []
        if held:
            reasons.append(t("grid.held"))
        if blank:
            reasons.append(t("grid.pick_item"))
        if missing_shipping:
            reasons.append(t("grid.shipping_info"))
        if waitlisted:
            reasons.append(t("grid.waitlist"))
        attention.append((reasons, bool(blank or missing_shipping)))
    return pd.DataFrame({
        "code": frame["code"],
        "time": [time_text(moment) for moment in frame["first_comment_at"]],
        "customer": [("⛔ " if blacklisted else "") + name  # ⛔: refuses deliveries (Customers screen)
                     for name, blacklisted in zip(frame["customer"], frame["blacklisted"])],
        "items": frame["items"],
        "total": frame["total"].astype("int64"),
        "status": [say(orders.STATUS_LABELS[s]) for s in frame["status"]],
        "check": [" · ".join(reasons) for reasons, _ in attention],
        "staff": frame["staff"],
        "phone": [format_vn_phone(p) for p in frame["receiver_phone"]],
        "address": frame["receiver_address"],
        "order_id": frame["order_id"].astype("int64"),
        "attention": [needs_work for _, needs_work in attention],
        "blank_item": (frame["blank_items"] > 0).tolist(),
        "cancelled": (frame["status"] == orders.CANCELLED).tolist(),
    })


def orders_grid(frame: pd.DataFrame, *, key: str, height: int = 420) -> list[int]:
    """Shows the orders; returns the ids of the rows the staff member ticked."""
    data = grid_frame(frame.copy())
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
