"""The Setup screen's editable tables (st.data_editor) and the records they stand for: a livestream's items
(LiveItem) and the carriers (Carrier). Each way is one function, so the page only draws the editor.

The editor adds blank rows (num_rows="dynamic") and gives empty cells as NA; a row left blank is not a record.
"""

from __future__ import annotations

import pandas as pd

from core.domain.catalog import LiveItem
from core.services.shipping import Carrier


def items_table(items: list[LiveItem]) -> pd.DataFrame:
    """The items editor's rows: sizes and colours written with "|" between them, as in the items CSV."""
    return pd.DataFrame({
        "id": pd.array([item.id for item in items], dtype="Int64"),
        "code": [item.code for item in items], "name": [item.name for item in items],
        "price": pd.array([item.price for item in items], dtype="Int64"),
        "stock": pd.array([item.stock for item in items], dtype="Int64"),
        "sizes": ["|".join(item.sizes) for item in items], "colors": ["|".join(item.colors) for item in items],
        "sku": [item.sku or "" for item in items],
    })


def items_from_table(edited: pd.DataFrame) -> list[LiveItem]:
    """The items of the edited table, in its order; a row with no code, name and price is left out (an empty
    stock is unlimited, an empty price 0)."""
    return [
        LiveItem(
            id=None if pd.isna(row["id"]) else int(row["id"]),
            code=str(row["code"] or "").strip() if not pd.isna(row["code"]) else "",
            name=str(row["name"] or "").strip() if not pd.isna(row["name"]) else "",
            price=0 if pd.isna(row["price"]) else int(row["price"]),
            stock=None if pd.isna(row["stock"]) else int(row["stock"]),
            sizes=tuple(str(row["sizes"] or "").split("|")) if not pd.isna(row["sizes"]) else (),
            colors=tuple(str(row["colors"] or "").split("|")) if not pd.isna(row["colors"]) else (),
            sku=None if pd.isna(row["sku"]) else str(row["sku"]),
        )
        for _, row in edited.iterrows()
        if not all(pd.isna(row[c]) or row[c] == "" for c in ("code", "name", "price"))
    ]


def carriers_table(carriers: list[Carrier]) -> pd.DataFrame:
    return pd.DataFrame({
        "id": pd.array([c.id for c in carriers], dtype="Int64"),
        "name": pd.array([c.name for c in carriers], dtype="string"),
        "default_fee": pd.array([c.default_fee for c in carriers], dtype="Int64"),
        "tracking_url": pd.array([c.tracking_url or "" for c in carriers], dtype="string"),
        "active": pd.array([c.active for c in carriers], dtype="boolean"),
    })


def carriers_from_table(edited: pd.DataFrame) -> list[Carrier]:
    """The carriers of the edited table; a new row without a name is left out, while a saved carrier whose name
    was emptied is kept (shipping.save_carriers refuses it: a row needs a name). An empty "offered" box means
    offered."""
    return [
        Carrier(
            id=None if pd.isna(row["id"]) else int(row["id"]),
            name="" if pd.isna(row["name"]) else str(row["name"]),
            default_fee=0 if pd.isna(row["default_fee"]) else int(row["default_fee"]),
            tracking_url=None if pd.isna(row["tracking_url"]) else str(row["tracking_url"]),
            active=True if pd.isna(row["active"]) else bool(row["active"]),
        )
        for _, row in edited.iterrows()
        if not (pd.isna(row["name"]) or str(row["name"]).strip() == "") or not pd.isna(row["id"])
    ]
