"""AppTest: the Livestream screen in Vietnamese: its labels, the review reasons of the parser, hand entry's line
errors, the Fix panel and the Facebook worker's state, with no raw translation key and no English left over."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import auth
from tests.ui.helpers import assert_no_raw_key, demo_shop, screen_text, sign_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.delenv("CHOTDON_FACEBOOK_PAGE_TOKEN", raising=False)
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "A1 M 2 3"),
                   ("Lê Huy", "A1 còn size L không shop?"), ("Bùi An", "A1 đẹp quá")) as (store, livestream_id):
        auth.set_user_language(store, auth.user_by_username(store, "owner").id, "vi")
        yield store, livestream_id


def app() -> AppTest:
    return sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()


def test_the_livestream_screen_speaks_vietnamese(shop):
    at = app()
    at.session_state["live_hand_entry"] = True  # its box open, to read its form
    at.run()
    assert not at.exception, at.exception
    assert_no_raw_key(at)
    shown = screen_text(at)
    for words in ("Tốc độ demo", "▶ Chạy demo live", "Đang trực", "Bình luận chốt đơn", "Cần xem lại",
                  "Thêm bình luận", "📄 Nhập tệp bình luận (CSV hoặc JSONL)", "cần xem lại · ❓ câu hỏi"):
        assert words in shown, words
    for english in ("Demo speed", "Play demo live", "On duty", "Order comments", "Need review", "Add comments",
                    "Import a comment file", "Not connected"):
        assert english not in shown, english
    assert {b.label for b in at.button} >= {"Sửa", "Chỉnh"}
    assert at.selectbox(key="show_kinds-vi").options[:2] == ["Tất cả bình luận", "Bình luận chốt đơn"]
    captions = [c.value for c in at.caption]
    assert any("**Facebook Live:** Chưa kết nối Facebook" in c for c in captions), captions
    # The parser's reasons for review, in Vietnamese: two quantities, and the words it could not read.
    assert any("một dòng có hai số lượng" in c for c in captions), captions
    assert any("chữ thừa chưa hiểu" in c and "đẹp quá" in c for c in captions), captions


def test_hand_entry_errors_and_the_fix_panel_in_vietnamese(shop):
    store, livestream_id = shop
    at = app()
    at.session_state["live_hand_entry"] = True  # the box opened
    at.run()
    at.text_area(key="hand_entry_text").set_value("Phạm Vy: K3 3\nno colon here")
    at.button(key="hand_entry_submit").click().run()
    # Customer words are escaped for Markdown (ui.text.plain), the line's colon with them.
    assert any(e.value.startswith("Chưa thêm gì: dòng 2\\: ghi tên khách hàng") for e in at.error), \
        [e.value for e in at.error]

    review = store.scalar("SELECT id FROM comments WHERE message = 'A1 M 2 3'")
    at.session_state["live_fix_comment"] = int(review)
    at.run()
    assert not at.exception, at.exception
    assert_no_raw_key(at)
    assert any("Chỉnh bình luận của" in m.value for m in at.markdown)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Đọc được:") and "cần xem lại" in c for c in captions), captions
    at.text_input(key=f"fix-text-{review}").set_value("còn không shop?")
    at.button(key=f"fix-submit-{review}").click().run()
    assert any("bình luận đã sửa vẫn chưa thành đơn" in e.value and "đang được đọc là câu hỏi" in e.value
               for e in at.error), [e.value for e in at.error]


def test_the_facebook_worker_says_what_is_missing_in_vietnamese(shop):
    store, livestream_id = shop
    at = app()
    at.button(key="start_facebook").click().run()
    assert not at.exception, at.exception
    assert_no_raw_key(at)
    assert any("Thêm Page access token của livestream này ở Thiết lập" in e.value for e in at.error), \
        [e.value for e in at.error]
    assert any("Chưa thiết lập" in c.value for c in at.caption)
