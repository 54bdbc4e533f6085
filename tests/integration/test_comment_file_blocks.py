"""A JSONL comment file read in many small blocks, end to end through ingest_bytes into a real DuckDB store."""

from __future__ import annotations

import io
import json

import core.integrations.comment_files as comment_files
from core.integrations.comment_files import read_comment_lines
from core.services.comments import ingest_bytes

USERS = [("u1", "Nguyễn Thị Lan"), ("u2", "Đỗ Thu Hằng"), ("u3", "Lý Ngân"), ("u4", "Phạm Quốc Việt")]
MESSAGES = ["A1 M 1", "K3 2", "còn size L không ạ", "SP12 đen", "B5 29 1", "0912345678", "hủy K3", "đẹp quá"]
BAD_LINES = {7: '{"id": "x7", "message": "A1 M 1",', 15: '{"id": "", "from": {"id": "u1", "name": "Lan"}, '
             '"message": "K3 1", "created_time": "2026-11-20T13:00:15+0000"}',
             26: '{"id": "x26", "user_id": "u2", "user_name": "Hằng", "message": 12, "created_at": "1763640000"}'}


def comment_file(lines: int = 40) -> bytes:
    """Graph API comments, one per line, with three bad lines (broken JSON, an empty id, a numeric message)."""
    out = []
    for number in range(1, lines + 1):
        if number in BAD_LINES:
            out.append(BAD_LINES[number])
            continue
        user, name = USERS[number % len(USERS)]
        out.append(json.dumps({"id": f"g{number}", "from": {"id": user, "name": name},
                               "message": MESSAGES[number % len(MESSAGES)],
                               "created_time": f"2026-11-20T13:00:{number:02d}+0000"}, ensure_ascii=False))
    return ("\n".join(out) + "\n").encode("utf-8")


def test_comment_file_in_blocks_goes_in_once(store, livestream_id, monkeypatch):
    """Ingested twice in 200-byte blocks: the bad lines are reported with their numbers both times, the good
    comments are new the first time and duplicates the second, and the store holds each comment id once."""
    monkeypatch.setattr(comment_files, "_BLOCK_BYTES", 200)
    data = comment_file(40)
    good_ids = [comment.comment_id for _, comment, error in read_comment_lines(io.StringIO(data.decode()),
                                                                                 "comments.jsonl") if error is None]
    assert good_ids == [f"g{n}" for n in range(1, 41) if n not in BAD_LINES]

    first = ingest_bytes(store, livestream_id, data, filename="comments.jsonl")
    assert first.comments == 40
    assert first.bad_lines == 3
    assert [error["line"] for error in first.errors] == [7, 15, 26]
    assert [error["error"].key for error in first.errors] == ["ingest.not_json", "ingest.no_id",
                                                             "ingest.message_not_text"]
    assert (first.new, first.duplicates) == (len(good_ids), 0)
    assert sum(first.kinds.values()) == len(good_ids)

    again = ingest_bytes(store, livestream_id, data, filename="comments.jsonl")
    assert again.bad_lines == 3
    assert [error["line"] for error in again.errors] == [7, 15, 26]
    assert (again.new, again.duplicates) == (0, len(good_ids))

    rows = store.query("SELECT platform_comment_id, count(*) AS n FROM comments WHERE livestream_id = ? "
                       "GROUP BY platform_comment_id", [livestream_id])
    assert sorted(row["platform_comment_id"] for row in rows) == sorted(good_ids)
    assert all(row["n"] == 1 for row in rows)
    stored = store.query("SELECT message, commented_at FROM comments WHERE platform_comment_id = 'g13'")
    assert [(row["message"], row["commented_at"].isoformat()) for row in stored] == [
        (MESSAGES[13 % len(MESSAGES)], "2026-11-20T13:00:13")]
