"""AppTest: big orders in the order form (issue 15, item 1): a 200-line order's lines are one table whose edits save
line for line, and an order's history loads when opened, newest first, older events a page at a time."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import orders
from core.services.livestreams import list_items
from tests.ui.helpers import demo_shop, order_id_of, pick, sign_in
from ui.order_form import HISTORY_PAGE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2")) as shop:
        yield shop


def open_form(order_id: int) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), "owner").run()
    at.switch_page("pages/orders.py").run()
    at.session_state["list_edit_order"] = order_id
    return at.run()


def as_edit(line: orders.OrderLine) -> orders.LineEdit:
    return orders.LineEdit(id=line.id, code_typed=line.code_typed, item_id=line.item_id, qty=line.qty,
                           size=line.size, color=line.color, unit_price=line.unit_price)


def test_a_200_line_order_saves_every_line_exactly_as_the_table_has_it(shop):
    store, livestream_id = shop
    items = list_items(store, livestream_id)
    order_id = order_id_of(store, livestream_id, "Nguyễn Lan")
    first = orders.get_order(store, order_id)
    added = tuple(orders.LineEdit(id=None, code_typed=items[n % len(items)].code, item_id=items[n % len(items)].id,
                                  qty=1 + n % 4, size=f"S{n}", color=None, unit_price=1000 * n) for n in range(199))
    opened = orders.save_draft(store, order_id, actor="owner",
                               edits=orders.OrderEdits(lines=(*map(as_edit, first.lines), *added)))
    assert len(opened.lines) == 200
    at = open_form(order_id)
    assert not at.exception, at.exception
    base = f"list-{order_id}-f0"
    shown = at.data_editor(f"{base}-lines").value
    assert len(shown) == 200
    assert shown["qty"].tolist() == [line.qty for line in opened.lines]
    assert shown["price"].tolist() == [line.unit_price for line in opened.lines]
    other = next(item for item in items if item.id != opened.lines[57].item_id)
    pick(at, base, 3, qty=9, size="XL")
    pick(at, base, 57, item=other.id)  # a new item, its own price
    pick(at, base, 120, price=12345, color="Đen")
    pick(at, base, 199, remove=True)
    assert at.data_editor(f"{base}-lines").value["price"][57] == other.price  # priced at once
    at.button(key=f"{base}-save").click().run()
    assert not at.exception, at.exception
    saved = orders.get_order(store, order_id)
    expected = {line.id: (line.item_id, line.qty, line.size, line.color, line.unit_price) for line in opened.lines}
    three, fifty_seven, one_twenty, last = (opened.lines[n] for n in (3, 57, 120, 199))
    expected[three.id] = (three.item_id, 9, "XL", three.color, three.unit_price)
    expected[fifty_seven.id] = (other.id, fifty_seven.qty, fifty_seven.size, fifty_seven.color, other.price)
    expected[one_twenty.id] = (one_twenty.item_id, one_twenty.qty, one_twenty.size, "Đen", 12345)
    del expected[last.id]
    assert {line.id: (line.item_id, line.qty, line.size, line.color, line.unit_price)
            for line in saved.lines} == expected
    assert saved.status == orders.AWAITING_CONFIRMATION


def history_lines(at: AppTest) -> list[str]:
    """The history's events as shown, one st.text each: '6 Dec 23:30:12  owner: Save draft; ...'."""
    return [text.value for text in at.text if re.match(r"^\d+ \w+ \d\d:\d\d(:\d\d)?  ", text.value)]


def test_the_history_loads_when_opened_newest_first_and_older_events_on_demand(shop):
    store, livestream_id = shop
    order_id = order_id_of(store, livestream_id, "Nguyễn Lan")
    for n in range(1, 71):
        current = orders.get_order(store, order_id)
        orders.save_draft(store, order_id, actor=f"staff{n}", expected_version=current.version,
                          edits=orders.OrderEdits(note=f"note {n}"))
    total = orders.newest_events(store, order_id, limit=0)[1]
    assert total == len(orders.order_events(store, order_id)) > HISTORY_PAGE + 20
    at = open_form(order_id)
    key = f"list-{order_id}-history"
    assert history_lines(at) == []  # not loaded while closed
    at.session_state[key] = True  # staff open the history
    at.run()
    assert not at.exception, at.exception
    shown = history_lines(at)
    assert len(shown) == HISTORY_PAGE
    assert "staff70: Save draft" in shown[0] and "staff69: Save draft" in shown[1]  # the newest first
    assert not any("created" in line.lower() for line in shown)
    at.button(key=f"{key}-older").click().run()
    shown = history_lines(at)
    assert len(shown) == total
    staff = [int(line.split("staff")[1].split(":")[0]) for line in shown if "  staff" in line]
    assert staff == list(range(70, 0, -1))  # every save, newest first, then the comment that made the order
    assert "staff" not in shown[-1]
    assert not [button for button in at.button if button.key == f"{key}-older"]
