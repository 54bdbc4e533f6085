"""Shared fixtures: a real DuckDB file in a temporary folder for every test that needs a shop."""

from __future__ import annotations

import pytest

from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.services import livestreams, staff

PUBLIC_ITEMS_CSV = """code,name,price,stock,sizes,colors
A1,Áo thun basic,150000,20,S|M|L|XL,Đen|Trắng
A2,Áo sơ mi lụa,250000,10,M|L|XL|XXL,
B5,Quần jean ống suông,320000,8,28|29|30|31|32,
SP12,Túi xách da,450000,5,,Đen|Nâu|Kem
G07,Giày sneaker,550000,6,36|37|38|39|40|41,
K3,Kẹp tóc ngọc trai,30000,100,,
"""


@pytest.fixture
def store(tmp_path):
    shop = Store(str(tmp_path / "shop.duckdb"))
    yield shop
    shop.close()


@pytest.fixture
def livestream_id(store):
    """A livestream with the public items of SYNTAX.md and two staff members."""
    staff.add_user(store, "lan", "Nguyễn Thị Lan", by=SYSTEM_USER)
    staff.add_user(store, "hang", "Đỗ Thu Hằng", by=SYSTEM_USER)
    return livestreams.create_livestream(
        store, "Live test", platform="facebook", items=livestreams.items_from_csv(PUBLIC_ITEMS_CSV)
    )
