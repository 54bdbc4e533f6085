"""The one module that talks to streamlit-aggrid: shows livestream orders and returns the selected order ids."""

from __future__ import annotations

import pandas as pd
from st_aggrid import AgGrid, GridOptionsBuilder, JsCode

from core import orders
from core.formatting import shop_time_text, vnd

_ROW_STYLE = JsCode(
    """
function(params) {
  if (params.data && params.data.attention) { return {background: '#fff4d6'}; }
  if (params.data && params.data.status === 'Cancelled') { return {color: '#999'}; }
  return null;
}
"""
)
_ROW_ID = JsCode("function(params) { return String(params.data.order_id); }")


def grid_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns staff see, from core.orders.list_orders; carries order_id (rows are positions otherwise)."""
    attention = []
    for blank, missing_shipping, waitlisted in zip(frame["blank_items"], frame["missing_shipping"],
                                                   frame["waitlisted"]):
        reasons = []
        if blank:
            reasons.append("⚠ pick item")
        if missing_shipping:
            reasons.append("⚠ shipping info")
        if waitlisted:
            reasons.append("⏳ waitlist")
        attention.append(" · ".join(reasons))
    return pd.DataFrame({
        "order_id": frame["order_id"].astype("int64"),
        "Code": frame["code"],
        "First comment": [shop_time_text(t, with_date=True) for t in frame["first_comment_at"]],
        "Customer": frame["customer"],
        "Items": frame["items"],
        "Total": frame["total"].astype("int64"),
        "Status": [orders.STATUS_LABELS[s] for s in frame["status"]],
        "Staff": frame["staff"],
        "Phone": frame["receiver_phone"],
        "Address": frame["receiver_address"],
        "Check": attention,
        "attention": [bool(a and "⚠" in a) for a in attention],
        "status": frame["status"],
    })


def orders_grid(frame: pd.DataFrame, *, key: str, height: int = 420) -> list[int]:
    """Shows the orders; returns the ids of the rows the staff member ticked."""
    data = grid_frame(frame.copy())
    builder = GridOptionsBuilder.from_dataframe(data)
    builder.configure_default_column(sortable=True, filter=True, resizable=True)
    builder.configure_selection("multiple", use_checkbox=True, header_checkbox=True)
    for hidden in ("order_id", "attention", "status"):
        builder.configure_column(hidden, hide=True)
    builder.configure_column("Code", width=95, pinned="left")
    builder.configure_column("First comment", width=125)
    builder.configure_column("Customer", width=160)
    builder.configure_column("Items", width=230)
    builder.configure_column(
        "Total", width=110, type=["numericColumn"],
        valueFormatter=JsCode("function(p){return p.value == null ? '' : "
                              "p.value.toLocaleString('vi-VN') + ' ₫';}"),
    )
    builder.configure_column("Status", width=150)
    builder.configure_column("Staff", width=130)
    builder.configure_column("Phone", width=110)
    builder.configure_column("Address", width=160)
    builder.configure_column("Check", width=170)
    builder.configure_grid_options(getRowStyle=_ROW_STYLE, getRowId=_ROW_ID, rowHeight=34)
    response = AgGrid(
        data, gridOptions=builder.build(), height=height, key=key, allow_unsafe_jscode=True,
        update_on=["selectionChanged"], server_sync_strategy="server_wins", show_download_button=False,
        show_search=False, theme="streamlit",
    )
    selected = response.selected_rows
    if selected is None or len(selected) == 0 or "order_id" not in selected:
        return []
    return [int(value) for value in selected["order_id"].tolist()]


def total_text(value: int) -> str:
    return vnd(value)
