"""AppTest: the Livestream orders grid keeps its place among the page's elements whatever shows above it (no message,
three messages, the midnight note). Streamlit's frontend keys the AgGrid by its id: when the grid's place changes by
a few elements, React moves its iframe in the page, the browser reloads it, and Streamlit no longer hears it; the grid
stays blank until a reload (docs/notes/grid-blank.md; the browser test is tests/e2e/test_grid_never_blank.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import auth
from tests.ui.helpers import demo_shop, sign_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "Z9 2")) as shop:
        yield shop


def _paths_to_grid(node, path: tuple[int, ...]) -> list[tuple[int, ...]]:
    if getattr(node, "type", None) == "component_instance":
        return [path]
    children = getattr(node, "children", None) or {}
    return [found for index, child in children.items() for found in _paths_to_grid(child, (*path, index))]


def grid_place(at: AppTest) -> tuple[int, ...]:
    """The grid's delta path in the main area (its place among its siblings at every level: inside the list's
    fragment container too)."""
    places = _paths_to_grid(at.main, ())
    assert len(places) == 1, [getattr(node, "type", type(node).__name__) for node in at.main.children.values()]
    return places[0]


def test_the_grid_keeps_its_place_whatever_shows_above_it(shop):
    store, _ = shop
    auth.set_user_language(store, auth.user_by_username(store, "owner").id, "en")
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page("pages/orders.py").run()
    assert not at.exception, [e.value for e in at.exception]
    alone = grid_place(at)
    expires = time.monotonic() + 60
    at.session_state["_flash"] = [(expires, "success", "one"), (expires, "error", "two"), (expires, "info", "three")]
    at.run()
    assert [alert.value for alert in (*at.success, *at.error, *at.info)] == ["one", "two", "three"]
    assert grid_place(at) == alone
    at.text_input(key="filter_from").input("20:10").run()
    at.text_input(key="filter_to").input("20:00").run()
    assert any("crossed midnight" in info.value for info in at.info)
    assert grid_place(at) == alone
    at.session_state["_flash"] = []
    at.run()
    assert not at.success and not at.error
    assert grid_place(at) == alone
