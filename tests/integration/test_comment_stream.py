"""The Livestream screen's comment stream: every comment of a live reachable a page at a time (keyset on
(commented_at, id), so a page stays put while new comments arrive), a search by name or words, and the counts."""

from core.services import comments as ingest
from tests.integration.helpers import feed


def messages(rows) -> list[str]:
    return [row["message"] for row in rows]


def test_pages_of_older_comments_reach_every_comment_once(store, livestream_id):
    feed(store, livestream_id, *[(f"Khách {i % 4}", f"câu {i}") for i in range(25)])
    seen, before = [], None
    while True:
        page = ingest.comment_stream(store, livestream_id, limit=10, before=before)
        count = ingest.comment_stream_count(store, livestream_id, before=before)
        assert count == {"total": 25, "newer": len(seen)}
        if not page:
            break
        seen += messages(page)
        before = (page[-1]["commented_at"], page[-1]["id"])
    assert seen == [f"câu {i}" for i in range(24, -1, -1)]


def test_a_page_of_older_comments_stays_put_when_new_comments_arrive(store, livestream_id):
    feed(store, livestream_id, *[("Lan", f"câu {i}") for i in range(12)])
    first = ingest.comment_stream(store, livestream_id, limit=5)
    before = (first[-1]["commented_at"], first[-1]["id"])
    feed(store, livestream_id, ("Mai", "mới 1"), ("Mai", "mới 2"), start=100)
    assert messages(ingest.comment_stream(store, livestream_id, limit=5, before=before)) == [
        f"câu {i}" for i in range(6, 1, -1)]
    assert ingest.comment_stream_count(store, livestream_id, before=before) == {"total": 14, "newer": 7}


def test_the_search_finds_a_name_or_words_accents_and_case_optional(store, livestream_id):
    feed(store, livestream_id, ("Trần Mai", "A1 M 2"), ("Nguyễn Lan", "còn màu ĐEN không"), ("Lê Huy", "50% off?"),
         ("Trần Mai", "sdt 0912345678"))
    assert messages(ingest.comment_stream(store, livestream_id, search="tran MAI")) == ["sdt 0912345678", "A1 M 2"]
    assert messages(ingest.comment_stream(store, livestream_id, search="mau den")) == ["còn màu ĐEN không"]
    assert messages(ingest.comment_stream(store, livestream_id, search="50%")) == ["50% off?"]
    assert messages(ingest.comment_stream(store, livestream_id, search="_")) == []  # no LIKE wildcards
    assert ingest.comment_stream_count(store, livestream_id, search="  trần   mai ") == {"total": 2, "newer": 0}
    assert ingest.comment_stream_count(store, livestream_id, kinds=["order"], search="mai")["total"] == 1
