"""AppTest: the rough edges found when the screens were tried as a new user would (issue 15, item 4): every comment
of a live reachable on the Livestream screen, customers typed in by hand not taken for Facebook users."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.integrations.comment_files import hand_entry_comments
from core.services.comments import ingest_comments
from tests.ui.helpers import demo_shop, sign_in

ROOT = Path(__file__).resolve().parents[2]
# 45 comments from three customers, one second apart: more than a page of the stream (40).
COMMENTS = [(("Nguyễn Lan", "Trần Mai", "Lê Huy")[i % 3], f"hỏi giá mẫu số {i}") for i in range(45)]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, *COMMENTS) as shop:
        yield shop


def app(username: str = "owner") -> AppTest:
    return sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), username)


def shown_comments(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("hỏi giá")]


def counts(at) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("Showing")]


def test_every_comment_of_the_live_is_reachable_page_by_page_with_a_count(shop):
    at = app().run()
    assert not at.exception, at.exception
    assert counts(at) == ["Showing 1–20 of 45 comments"]
    first_page = shown_comments(at)
    assert len(first_page) == 20 and first_page[0] == "hỏi giá mẫu số 44"
    assert at.button(key="live_newer").disabled and not at.button(key="live_older").disabled

    at.button(key="live_older").click().run()
    assert not at.exception, at.exception
    assert counts(at) == ["Showing 21–40 of 45 comments"]
    assert shown_comments(at) == [f"hỏi giá mẫu số {i}" for i in range(24, 4, -1)]
    at.button(key="live_older").click().run()
    assert counts(at) == ["Showing 41–45 of 45 comments"]
    assert shown_comments(at) == [f"hỏi giá mẫu số {i}" for i in range(4, -1, -1)]
    assert at.button(key="live_older").disabled

    at.button(key="live_newer").click().run()
    at.button(key="live_newer").click().run()
    assert shown_comments(at) == first_page
    assert at.button(key="live_newer").disabled


def test_the_stream_finds_comments_by_name_or_words_accents_optional(shop):
    at = app().run()
    at.button(key="live_older").click().run()
    at.text_input(key="live_search").set_value("tran mai").run()  # back to the newest of what it finds
    assert not at.exception, at.exception
    assert counts(at) == ["Showing 1–15 of 15 comments found"]
    assert shown_comments(at)[0] == "hỏi giá mẫu số 43"
    at.text_input(key="live_search").set_value("mẫu số 7").run()
    assert shown_comments(at) == ["hỏi giá mẫu số 7"]
    at.text_input(key="live_search").set_value("100%").run()
    assert any("No comment matches" in i.value for i in at.info)


def test_a_customer_typed_in_by_hand_is_not_a_facebook_user(shop):
    store, livestream_id = shop
    comments, _ = hand_entry_comments("Chị Hoa Nhập Tay: chốt A1 M 1")
    ingest_comments(store, livestream_id, comments, source="hand")
    at = app().run()
    at.switch_page("pages/customers.py").run()
    table = at.dataframe[0].value
    hoa = table[table["Name"] == "Chị Hoa Nhập Tay"].iloc[0]
    lan = table[table["Name"] == "Nguyễn Lan"].iloc[0]
    assert (hoa["Platform"], hoa["Id"]) == ("typed in by hand", "")
    assert lan["Platform"] == "Facebook"
    at.session_state["customer_id"] = int(store.scalar(
        "SELECT id FROM customers WHERE display_name = 'Chị Hoa Nhập Tay'"))
    at.run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("Typed in by hand on the Livestream screen") for c in at.caption)
    assert not any("Facebook ·" in c.value for c in at.caption)
