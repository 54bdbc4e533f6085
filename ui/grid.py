"""The one module that talks to streamlit-aggrid: shows livestream orders and returns the selected order ids."""

from __future__ import annotations

import pandas as pd
from st_aggrid import AgGrid, GridOptionsBuilder, JsCode

from core import orders
from core.formatting import shop_time_text, vnd
from core.phones import format_vn_phone

_ROW_STYLE = JsCode(
    """
function(params) {
  if (params.data && params.data.blank_item) { return {background: '#ffe3e3'}; }
  if (params.data && params.data.attention) { return {background: '#fff6dc'}; }
  if (params.data && params.data.status === 'Cancelled') { return {color: '#999'}; }
  return null;
}
"""
)
_ROW_ID = JsCode("function(params) { return String(params.data.order_id); }")


def grid_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns staff see, from core.orders.list_orders; carries order_id (rows are positions otherwise)."""
    attention = []
    for blank, missing_shipping, waitlisted, held in zip(frame["blank_items"], frame["missing_shipping"],
                                                         frame["waitlisted"], frame["hold_reason"].notna()):
        reasons = []
        if held:
            reasons.append("⏸ held: accept it")
        if blank:
            reasons.append("⚠ pick item")
        if missing_shipping:
            reasons.append("⚠ shipping info")
        if waitlisted:
            reasons.append("⏳ waitlist")
        attention.append(" · ".join(reasons))
    return pd.DataFrame({
        "Code": frame["code"],
        "Time": [shop_time_text(t) for t in frame["first_comment_at"]],
        "Customer": [("⛔ " if blacklisted else "") + name  # ⛔: refuses deliveries (Customers screen)
                     for name, blacklisted in zip(frame["customer"], frame["blacklisted"])],
        "Items": frame["items"],
        "Total": frame["total"].astype("int64"),
        "Status": [orders.STATUS_LABELS[s] for s in frame["status"]],
        "Staff": frame["staff"],
        "Check": attention,
        "Phone": [format_vn_phone(p) for p in frame["receiver_phone"]],
        "Address": frame["receiver_address"],
        "order_id": frame["order_id"].astype("int64"),
        "attention": [bool(a and "⚠" in a) for a in attention],
        "blank_item": (frame["blank_items"] > 0).tolist(),
    })


def orders_grid(frame: pd.DataFrame, *, key: str, height: int = 420) -> list[int]:
    """Shows the orders; returns the ids of the rows the staff member ticked."""
    data = grid_frame(frame.copy())
    builder = GridOptionsBuilder.from_dataframe(data)
    builder.configure_default_column(sortable=True, filter=True, resizable=True)
    for hidden in ("order_id", "attention", "blank_item"):
        builder.configure_column(hidden, hide=True)
    builder.configure_column("Code", width=100)
    builder.configure_column("Time", width=90, headerTooltip="time of the customer's first order comment")
    builder.configure_column("Customer", width=160)
    builder.configure_column("Items", width=250, tooltipField="Items")
    builder.configure_column(
        "Total", width=115, type=["numericColumn"],
        valueFormatter=JsCode("function(p){return p.value == null ? '' : "
                              "p.value.toLocaleString('vi-VN') + ' ₫';}"),
    )
    builder.configure_column("Status", width=150)
    builder.configure_column("Staff", width=140)
    builder.configure_column("Check", width=170)
    builder.configure_column("Phone", width=120)
    builder.configure_column("Address", width=220, tooltipField="Address")
    builder.configure_grid_options(getRowStyle=_ROW_STYLE, getRowId=_ROW_ID, rowHeight=34, tooltipShowDelay=300)
    options = builder.build()
    # AG Grid 34's own selection model: a checkbox per row and one in the header; a click on a row does not select.
    options["rowSelection"] = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": True,
                               "enableClickSelection": False, "selectAll": "filtered"}
    for legacy in ("rowMultiSelectWithClick", "suppressRowDeselection", "suppressRowClickSelection",
                   "groupSelectsChildren", "groupSelectsFiltered"):
        options.pop(legacy, None)
    options.pop("autoSizeStrategy", None)
    response = AgGrid(
        data, gridOptions=options, height=height, key=key, allow_unsafe_jscode=True,
        update_on=["selectionChanged"], server_sync_strategy="server_wins", show_download_button=False,
        show_search=False, theme="streamlit",
    )
    selected = response.selected_rows
    if selected is None or len(selected) == 0 or "order_id" not in selected:
        return []
    return [int(value) for value in selected["order_id"].tolist()]


def total_text(value: int) -> str:
    return vnd(value)
