"""The review reasons of SYNTAX.md's traps (revision 2) on the Livestream screen, in English and Vietnamese."""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import _cli, login, running_app, screenshot

TRAP_COMMENTS = [
    ("t1", "u1", "Lê Huy", "Huy K3 2"),
    ("t2", "u2", "Trần Mai", "SP 12 đen"),
    ("t3", "u3", "Nguyễn Lan", "A1 M 20/11"),
    ("t4", "u4", "Phạm Vy", "12 cái, A2 L"),
    ("t5", "u5", "Đỗ Hà", "K3 size gì shop"),
    ("t6", "u6", "Bùi An", "chốt A1 M 0905 - 111 - 222"),
]


@pytest.fixture(scope="module")
def traps_app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("traps")

    def prepare(db):
        path = tmp_path / "traps.jsonl"
        path.write_text("\n".join(
            json.dumps({"id": cid, "user_id": uid, "user_name": name, "message": text,
                        "created_at": f"2026-11-20T20:00:{index * 10:02d}+07:00"}, ensure_ascii=False)
            for index, (cid, uid, name, text) in enumerate(TRAP_COMMENTS)) + "\n", encoding="utf-8")
        _cli(db, "ingest", str(path), "--livestream", "1")

    with running_app(tmp_path, prepare=prepare) as app:
        yield app


def test_the_traps_review_reasons_read_in_english_and_vietnamese(page, traps_app):
    login(page, traps_app)
    expect(page.get_by_text("SP 12 could be SP12")).to_be_visible(timeout=30_000)
    expect(page.get_by_text('"huy" is in the commenter\'s name: a name, or a cancel?')).to_be_visible()
    expect(page.get_by_text('left-over words: "20/11"')).to_be_visible()
    expect(page.get_by_text("quantity 12 has no code beside it")).to_be_visible()
    page.wait_for_timeout(800)
    screenshot(page, "syntax-traps-livestream-en")
    page.get_by_test_id("stSidebar").get_by_role("radio", name="Tiếng Việt").click()
    expect(page.get_by_text("SP 12 có thể là mã SP12")).to_be_visible(timeout=30_000)
    expect(page.get_by_text('"huy" có trong tên người bình luận: là tên, hay là hủy?')).to_be_visible()
    expect(page.get_by_text("số lượng 12 không đi kèm mã nào")).to_be_visible()
    page.wait_for_timeout(800)
    screenshot(page, "syntax-traps-livestream-vi")
