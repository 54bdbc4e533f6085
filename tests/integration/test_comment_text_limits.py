"""Issue 13, items 3 and 4: a bad time is one bad line of a file, and a huge comment is stored cut and streamed
short, from every source."""

from __future__ import annotations

import json

from core.integrations.comment_files import MESSAGE_LIMIT, hand_entry_comments
from core.services import comments as ingest
from core.services.comments import SHOWN_CHARS
from tests.integration.helpers import comment


def _stored(store, livestream_id):
    return store.query("SELECT platform_comment_id AS id, message, message_length FROM comments "
                       "WHERE livestream_id = ? ORDER BY commented_at, id", [livestream_id])


def test_a_file_with_times_no_datetime_holds_stores_every_other_line(store, livestream_id):
    """created_at 1e300, -1e20 and "99999999999999999999" among 300 good lines: three bad lines with their
    numbers, the other 300 stored (before: OverflowError, nothing stored)."""
    lines = [json.dumps({"id": f"f{n}", "user_id": "u1", "user_name": "Lan", "message": "A1 M 1",
                         "created_at": f"2026-11-20T12:{n // 60 % 60:02d}:{n % 60:02d}Z"}) for n in range(300)]
    for number, bad in ((11, 1e300), (150, -1e20), (299, "99999999999999999999")):
        lines.insert(number - 1, json.dumps({"id": f"bad{number}", "user_id": "u1", "user_name": "Lan",
                                             "message": "A1 M 1", "created_at": bad}))
    summary = ingest.ingest_text(store, livestream_id, "\n".join(lines) + "\n", filename="c.jsonl")
    assert summary.bad_lines == 3 and [e["line"] for e in summary.errors] == [11, 150, 299]
    assert summary.new == 300 == len(_stored(store, livestream_id))


def test_a_one_megabyte_comment_is_stored_cut_with_its_length(store, livestream_id):
    """A 1 MB comment (a file line) is stored as its first MESSAGE_LIMIT characters, with the length written."""
    huge = "A1 M 1 " + "ư" * 1_048_576
    line = json.dumps({"id": "big", "user_id": "u1", "user_name": "Lan", "message": huge,
                       "created_at": "2026-11-20T12:00:00Z"}, ensure_ascii=False)
    short = json.dumps({"id": "small", "user_id": "u2", "user_name": "Mai", "message": "K3 2",
                        "created_at": "2026-11-20T12:00:01Z"})
    summary = ingest.ingest_text(store, livestream_id, line + "\n" + short + "\n", filename="c.jsonl")
    assert summary.new == 2 and summary.bad_lines == 0
    big, small = _stored(store, livestream_id)
    assert MESSAGE_LIMIT == 8_000
    assert big["message"] == huge[:MESSAGE_LIMIT] and big["message_length"] == len(huge)
    assert small["message"] == "K3 2" and small["message_length"] is None


def test_hand_entry_and_live_comments_are_cut_too(store, livestream_id):
    typed, errors = hand_entry_comments("Lan: " + "x" * 20_000, entry_token="t")
    assert not errors
    ingest.ingest_comments(store, livestream_id, typed, source="hand")
    ingest.ingest_comments(store, livestream_id, [comment(1, "Mai", "y" * (MESSAGE_LIMIT + 1))], source="facebook")
    exact = comment(2, "Vy", "z" * MESSAGE_LIMIT)
    ingest.ingest_comments(store, livestream_id, [exact], source="demo")
    lengths = {row["id"]: (len(row["message"]), row["message_length"]) for row in _stored(store, livestream_id)}
    assert lengths == {"hand-t-1": (MESSAGE_LIMIT, 20_000), "c1": (MESSAGE_LIMIT, MESSAGE_LIMIT + 1),
                       "c2": (MESSAGE_LIMIT, None)}


def test_the_stream_sends_at_most_the_shown_length(store, livestream_id):
    """The Livestream screen's query returns SHOWN_CHARS characters of a long comment, with the stored and
    written lengths; the whole stored text only for one comment asked for."""
    ingest.ingest_comments(store, livestream_id, [comment(1, "Lan", "A1 M 1 " + "a" * 1_000_000),
                                                  comment(2, "Mai", "K3 2")], source="test")
    rows = {row["message"][:4]: row for row in ingest.comment_stream(store, livestream_id)}
    long_row, short_row = rows["A1 M"], rows["K3 2"]
    assert len(long_row["message"]) == SHOWN_CHARS == 500
    assert (long_row["stored_length"], long_row["written_length"]) == (MESSAGE_LIMIT, 1_000_007)
    assert (short_row["message"], short_row["stored_length"], short_row["written_length"]) == ("K3 2", 4, 4)
    whole = ingest.comment_stream(store, livestream_id, limit=1, comment_id=long_row["id"], shown_chars=None)
    assert len(whole[0]["message"]) == MESSAGE_LIMIT


def test_a_name_longer_than_any_platform_allows_is_kept_short(store, livestream_id):
    """A 1 MB name is shown on every screen: it is stored as its first NAME_LIMIT characters and an ellipsis."""
    from core.integrations.comment_files import NAME_LIMIT

    ingest.ingest_comments(store, livestream_id, [comment(1, "Lan" * 350_000, "A1 M 1"), comment(2, "Mai", "K3 2")],
                           source="test")
    names = sorted(row["display_name"] for row in store.query("SELECT display_name FROM customers"))
    assert names == sorted(["Mai", ("Lan" * 350_000)[:NAME_LIMIT] + "…"])
    assert NAME_LIMIT == 200
