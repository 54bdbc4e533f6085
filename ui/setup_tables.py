"""The Setup screen's editable tables (st.data_editor) and the records they stand for: a livestream's items
(LiveItem) and the carriers (Carrier). Each way is one function, so the page only draws the editor.

The editor adds blank rows (num_rows="dynamic") and gives empty cells as NA; a row left blank is not a record.
An item's price and stock are text cells, so that they read as the rest of Chotdon writes them (`149.000 ₫`, a
stock of "unlimited" rather than Streamlit's grey `None`); they are read back as whole numbers, and a cell that is
not one is refused with the item's code.
"""

from __future__ import annotations

import re

import pandas as pd

from core.base import i18n
from core.base.errors import InvalidInput
from core.base.formatting import vnd
from core.domain.catalog import LiveItem
from core.services.shipping import Carrier
from ui.i18n import number, t

# What a typed amount may hold besides digits: thousands dots or commas, spaces, the đồng sign, "đ", "vnd".
_AMOUNT_DECORATION = re.compile(r"[\s.,₫]|(?i:vnđ|vnd|đ)")  # not screen text


def unlimited_words() -> set[str]:
    """What an unlimited stock may be typed as: the word of any language, or nothing."""
    return {"", *(i18n.translate("setup.unlimited", language).casefold() for language in i18n.LANGUAGES)}


def _whole_number(value, error: str, code: str) -> int:
    digits = _AMOUNT_DECORATION.sub("", str(value))
    if not digits.isdigit():
        raise InvalidInput(error, code=code or "?", value=str(value))
    return int(digits)


def _price(value, code: str) -> int:
    return 0 if pd.isna(value) or not str(value).strip() else _whole_number(value, "setup.bad_price", code)


def _stock(value, code: str) -> int | None:
    if pd.isna(value) or " ".join(str(value).split()).casefold() in unlimited_words():
        return None
    return _whole_number(value, "setup.bad_stock", code)


def items_table(items: list[LiveItem]) -> pd.DataFrame:
    """The items editor's rows: sizes and colours written with "|" between them, as in the items CSV; the price
    as money (149.000 ₫), the stock as a number or "unlimited", in the reader's language."""
    return pd.DataFrame({
        "id": pd.array([item.id for item in items], dtype="Int64"),
        "code": [item.code for item in items], "name": [item.name for item in items],
        "price": pd.array([vnd(item.price) for item in items], dtype="string"),
        "stock": pd.array([t("setup.unlimited") if item.stock is None else number(item.stock) for item in items],
                          dtype="string"),
        "sizes": ["|".join(item.sizes) for item in items], "colors": ["|".join(item.colors) for item in items],
        "sku": [item.sku or "" for item in items],
    })


def items_from_table(edited: pd.DataFrame) -> list[LiveItem]:
    """The items of the edited table, in its order; a row with no code, name and price is left out (an empty
    or "unlimited" stock is unlimited, an empty price 0). A price or stock that is not a whole number is refused
    (InvalidInput naming the item's code)."""
    return [
        LiveItem(
            id=None if pd.isna(row["id"]) else int(row["id"]),
            code=str(row["code"] or "").strip() if not pd.isna(row["code"]) else "",
            name=str(row["name"] or "").strip() if not pd.isna(row["name"]) else "",
            price=_price(row["price"], "" if pd.isna(row["code"]) else str(row["code"]).strip()),
            stock=_stock(row["stock"], "" if pd.isna(row["code"]) else str(row["code"]).strip()),
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
