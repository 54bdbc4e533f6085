"""read_comment_blocks (Arrow, a block of a JSONL file at a time) against read_comment_lines (one line at a time).

Both must give the same comments, the same bad lines with the same 1-based line numbers over the whole file, and
the same count of lines read, whatever the block size. core.integrations.comment_files._BLOCK_BYTES is made small to get many blocks.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest

import core.integrations.comment_files as comment_files
from core.integrations.comment_files import HIDDEN_NAME, read_comment_blocks, read_comment_lines

COLUMNS = ("comment_id", "user_id", "user_name", "message", "commented_at")
DEFAULT_BLOCK = comment_files._BLOCK_BYTES
GRAPH_TIME = "2026-11-20T12:00:00+0000"
NOON = datetime(2026, 11, 20, 12, 0, 0)  # naive UTC


def from_blocks(data: bytes, filename: str = "comments.jsonl"):
    """(comment tuples, [(line, error text)], lines read) from read_comment_blocks."""
    comments, errors, lines = [], [], 0
    for table, bad, read in read_comment_blocks(io.BytesIO(data), filename):
        if table is not None:
            assert tuple(table.column_names) == COLUMNS
            assert str(table.schema.field("commented_at").type) == "timestamp[us]"
            comments += zip(*(table.column(name).to_pylist() for name in COLUMNS))
        errors += [(entry["line"], str(entry["error"])) for entry in bad]
        lines += read
    return comments, errors, lines


def from_lines(data: bytes, filename: str = "comments.jsonl", newline: str = "\n"):
    """The same from read_comment_lines, fed the file's text decoded with errors="replace"."""
    text = data.decode("utf-8", errors="replace")
    comments, errors, lines = [], [], 0
    for number, comment, error in read_comment_lines(io.StringIO(text, newline=newline), filename):
        lines += 1
        if error is None:
            comments.append(tuple(comment))
        else:
            assert comment is None
            errors.append((number, str(error)))
    return comments, errors, lines


@pytest.fixture
def block_bytes(monkeypatch, request):
    """Sets core.integrations.comment_files._BLOCK_BYTES to the test's parameter (None: the default 4 MB)."""
    size = getattr(request, "param", None) or DEFAULT_BLOCK
    monkeypatch.setattr(comment_files, "_BLOCK_BYTES", size)
    return size


def jsonl(*records) -> bytes:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode("utf-8")


def graph(n: int, message: str = "hủy K8", user: str = "100", name: str = "Lý Ngân", time: str = GRAPH_TIME):
    return {"id": f"1_{n}", "from": {"id": user, "name": name}, "message": message, "created_time": time}


def flat(n: int, message: str = "A1 M 1", time: str = "2026-11-20T12:00:00Z", **fields):
    return {"id": f"f{n}", "user_id": "u7", "user_name": "Trần Bình", "message": message, "created_at": time,
            **fields}


# -- 1. a clean Graph API file --------------------------------------------------------------------------------------
def clean_graph_file(count: int = 300) -> bytes:
    names = ["Lý Ngân", "Nguyễn Thị Lan", "Đỗ Thu Hằng", "Phạm Quốc Việt"]
    messages = ["hủy K8", "A1 M 1", "chốt SP12 đen", "còn size L không ạ", "0912345678 giao giúp em"]
    return jsonl(*(graph(n, messages[n % 5], str(100 + n % 7), names[n % 4],
                         f"2026-11-20T12:{n // 60 % 60:02d}:{n % 60:02d}+0000") for n in range(count)))


@pytest.mark.parametrize("block_bytes", [200, 1000, 7919, None], indirect=True)
def test_clean_graph_file_matches_line_reader(block_bytes):
    """A clean Graph API file read in blocks gives exactly the line reader's comments, no errors, every line."""
    data = clean_graph_file(300)
    got = from_blocks(data)
    assert got == from_lines(data)
    comments, errors, lines = got
    assert errors == [] and lines == 300 == len(comments)
    assert comments[0] == ("1_0", "100", "Lý Ngân", "hủy K8", NOON)
    assert comments[-1] == ("1_299", str(100 + 299 % 7), "Phạm Quốc Việt", "0912345678 giao giúp em",
                            datetime(2026, 11, 20, 12, 4, 59))
    assert [c[0] for c in comments] == [f"1_{n}" for n in range(300)]


def test_clean_blocks_take_the_arrow_path():
    """A clean block is decoded by Arrow itself (not sent line by line), and its table is the line reader's."""
    data = clean_graph_file(300)
    first_block = data[:data.rfind(b"\n", 0, 1000) + 1]
    for block in (first_block, data):
        line_count = block.count(b"\n")
        table = comment_files._json_block_by_arrow(block, line_count)
        assert table is not None, "a clean block went line by line"
        assert table.num_rows == line_count
        rows = list(zip(*(table.column(name).to_pylist() for name in COLUMNS)))
        assert rows == from_lines(block)[0]
        assert comment_files._json_block(block, 0, line_count)[1:] == ([], line_count)


# -- 2. the flat form and its time formats ------------------------------------------------------------------------
@pytest.mark.parametrize("block_bytes", [120, 4096, None], indirect=True)
def test_flat_form_times_match_line_reader(block_bytes):
    """The flat form {id, user_id, user_name, message, created_at} with +07:00, Z and Unix-seconds times gives the
    line reader's comments, times in naive UTC."""
    data = jsonl(flat(1, time="2026-11-20T19:00:00+07:00"), flat(2, time="2026-11-20T12:00:00Z"),
                 flat(3, time="1763640000"), flat(4, time="2026-11-20T19:30:15+07:00"),
                 flat(5, time="2026-11-20T12:00:01.250000Z"),
                 flat(6, message=None, user_id="", user_name="   ", time="2026-11-20T12:00:00+0000"))
    got = from_blocks(data)
    assert got == from_lines(data)
    comments, errors, lines = got
    assert errors == [] and lines == 6
    assert [c[4] for c in comments] == [NOON, NOON, datetime(2025, 11, 20, 12, 0), datetime(2026, 11, 20, 12, 30, 15),
                                        datetime(2026, 11, 20, 12, 0, 1, 250000), NOON]
    assert comments[0][:4] == ("f1", "u7", "Trần Bình", "A1 M 1")
    assert comments[5][:4] == ("f6", None, HIDDEN_NAME, "")
    assert all(c[4].tzinfo is None for c in comments)


def test_flat_form_takes_the_arrow_path():
    """A clean flat-form block is decoded by Arrow too, empty user ids, blank names and null messages included."""
    block = jsonl(flat(1, time="2026-11-20T19:00:00+07:00"), flat(2, time="1763640000"),
                  flat(3, message=None, user_id="", user_name="   "))
    table = comment_files._json_block_by_arrow(block, 3)
    assert table is not None
    assert list(zip(*(table.column(name).to_pylist() for name in COLUMNS))) == from_lines(block)[0]
    assert table.column("user_id").to_pylist()[2] is None
    assert table.column("user_name").to_pylist()[2] == HIDDEN_NAME
    assert table.column("message").to_pylist()[2] == ""


# -- 3. every kind of odd line --------------------------------------------------------------------------------------
def odd_file() -> bytes:
    lines = [
        "\ufeff" + json.dumps(graph(1), ensure_ascii=False),  # 1: a BOM at the start of the file
        json.dumps(flat(2), ensure_ascii=False),  # 2
        '{"id": "b3", "message": "A1 M 1",',  # 3: broken JSON
        json.dumps(graph(4, "A2 L 2")),  # 4
        "",  # 5: blank
        json.dumps(graph(6)),  # 6
        json.dumps({**graph(7), "id": 12345}),  # 7: a numeric id
        json.dumps({**graph(8), "id": ""}),  # 8: an empty id
        json.dumps({**graph(9), "created_time": ""}),  # 9: no time (blank)
        json.dumps({**graph(10), "message": 5}),  # 10: a message that is a number
        json.dumps(graph(11, "K3 2")),  # 11
        json.dumps({**graph(12), "from": "Lan"}),  # 12: "from" is a string
        json.dumps(graph(13, "B5 29 1")) + "\r",  # 13: a Windows line ending
        json.dumps(graph(14, name="   ")),  # 14: a name of spaces
        json.dumps(flat(15, user_id="")),  # 15: an empty user id
        json.dumps({**graph(16), "message": None}),  # 16: a null message
        json.dumps(graph(17)) + " " + json.dumps(graph(18)),  # 17: two objects on one line
        json.dumps(graph(19, "SP12 nâu")),  # 18
        json.dumps(flat(20, time="1763640000")),  # 19
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize("block_bytes", [64, 200, 333, 1000, 4096, None], indirect=True)
def test_odd_lines_match_line_reader(block_bytes):
    """Bad, blank, doubled, numeric-id, empty-id, timeless, numeric-message, string-from, CRLF, BOM, hidden-name,
    empty-user-id and null-message lines: the same comments and the same bad lines (number and text) both ways."""
    data = odd_file()
    got = from_blocks(data)
    assert got == from_lines(data)
    comments, errors, lines = got
    assert [number for number, _ in errors] == [3, 8, 9, 10, 17]
    assert lines == 18  # every line but the blank one
    by_id = {c[0]: c for c in comments}
    assert list(by_id) == ["1_1", "f2", "1_4", "1_6", "12345", "1_11", "1_12", "1_13", "1_14", "f15", "1_16",
                           "1_19", "f20"]
    assert by_id["1_1"] == ("1_1", "100", "Lý Ngân", "hủy K8", NOON)
    assert by_id["12345"][1:] == ("100", "Lý Ngân", "hủy K8", NOON)
    assert by_id["1_12"][1:3] == (None, HIDDEN_NAME)
    assert by_id["1_13"][3] == "B5 29 1"
    assert by_id["1_14"][2] == HIDDEN_NAME == "(hidden name)"
    assert by_id["f15"][1] is None
    assert by_id["1_16"][3] == ""


def test_odd_lines_match_at_every_small_block_size(monkeypatch):
    """The odd file agrees with the line reader at each block size from 16 to 1,400 bytes (step 23)."""
    data = odd_file()
    expected = from_lines(data)
    for size in range(16, 1400, 23):
        monkeypatch.setattr(comment_files, "_BLOCK_BYTES", size)
        assert from_blocks(data) == expected, f"block size {size}"


# -- 4. the last line and long lines --------------------------------------------------------------------------------
@pytest.mark.parametrize("block_bytes", [64, 200, None], indirect=True)
def test_last_line_without_newline_and_a_line_longer_than_a_block(block_bytes):
    """A line longer than the block is read whole, and a last line without a newline still counts."""
    long_message = "A1 M 1 " + "rất đẹp " * 150  # well over a block of 200 bytes
    data = jsonl(graph(1), graph(2, long_message), graph(3), flat(4)) + json.dumps(graph(5, "K3 1")).encode()
    assert not data.endswith(b"\n")
    got = from_blocks(data)
    assert got == from_lines(data)
    comments, errors, lines = got
    assert errors == [] and lines == 5
    assert [c[0] for c in comments] == ["1_1", "1_2", "1_3", "f4", "1_5"]
    assert comments[1][3] == long_message
    assert comments[4][3] == "K3 1"


@pytest.mark.parametrize("block_bytes", [64, None], indirect=True)
def test_bad_last_line_without_newline_has_its_number(block_bytes):
    """A bad last line without a newline is reported with its own line number."""
    data = jsonl(graph(1), graph(2)) + b'{"id": "3", "message": '
    got = from_blocks(data)
    assert got == from_lines(data)
    assert [number for number, _ in got[1]] == [3] and got[2] == 3


def test_single_line_without_newline():
    """A file of one line with no newline at all gives its one comment."""
    data = json.dumps(graph(1), ensure_ascii=False).encode()
    assert from_blocks(data) == from_lines(data) == ([("1_1", "100", "Lý Ngân", "hủy K8", NOON)], [], 1)


# -- 5. invalid UTF-8 -------------------------------------------------------------------------------------------------
def utf8_file() -> bytes:
    return (jsonl(flat(1)) + b'{"id": "f2", "user_id": "u8", "user_name": "An", "message": "A2 L 1 \xff\xfe ok", '
            b'"created_at": "2026-11-20T12:00:00Z"}\n' + jsonl(flat(3, "K3 1")))


def check_utf8_file(data: bytes):
    got = from_blocks(data)
    assert got == from_lines(data)
    comments, errors, lines = got
    assert [c[0] for c in comments] == ["f1", "f2", "f3"]
    assert comments[1][3] == "A2 L 1 \ufffd\ufffd ok"


@pytest.mark.parametrize("block_bytes", [None], indirect=True)
def test_invalid_utf8_line_is_decoded_with_replacement(block_bytes):
    """Invalid UTF-8 in one line of an otherwise clean block: every line goes in, that one with U+FFFD."""
    check_utf8_file(utf8_file())


@pytest.mark.parametrize("block_bytes", [None], indirect=True)
def test_invalid_utf8_in_a_block_read_line_by_line(block_bytes):
    """Invalid UTF-8 in a block that goes line by line anyway (it also has a bad line): the other lines go in,
    that one decoded with replacement, the bad line keeps its number."""
    data = utf8_file() + b"not json\n" + jsonl(flat(5))
    got = from_blocks(data)
    assert got == from_lines(data)
    comments, errors, lines = got
    assert [c[0] for c in comments] == ["f1", "f2", "f3", "f5"]
    assert comments[1][3] == "A2 L 1 \ufffd\ufffd ok"
    assert [number for number, _ in errors] == [4] and lines == 5


# -- 6. CSV ------------------------------------------------------------------------------------------------------------
CSV = (
    "id,user_id,user_name,message,created_at\r\n"
    "c1,u1,Lý Ngân,A1 M 1,2026-11-20T19:00:00+07:00\r\n"
    'c2,u2,Đỗ Thu Hằng,"chốt K3 2, giao\r\nbuổi chiều",2026-11-20T12:00:00Z\r\n'
    ",u3,Không Id,A2 L 1,2026-11-20T12:00:00Z\r\n"
    "c4,,   ,SP12 đen,1763640000\r\n"
    "c5,u5,Phạm Việt,B5 29 1,not a time\r\n"
    "c6,u6,Lan,,2026-11-20T12:00:05Z\r\n"
)


@pytest.mark.parametrize("filename", ["comments.csv", "", "comments.txt"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("block_bytes", [64, None], indirect=True)
def test_csv_matches_line_reader(block_bytes, bom, filename):
    """A CSV file (with a quoted message holding a newline and a comma) gives the line reader's comments and bad
    lines, numbered by the file's physical lines."""
    data = bom + CSV.encode("utf-8")
    got = from_blocks(data, filename)
    assert got == from_lines(data, filename, newline="")
    comments, errors, lines = got
    assert comments == [
        ("c1", "u1", "Lý Ngân", "A1 M 1", NOON),
        ("c2", "u2", "Đỗ Thu Hằng", "chốt K3 2, giao\r\nbuổi chiều", NOON),
        ("c4", None, HIDDEN_NAME, "SP12 đen", datetime(2025, 11, 20, 12, 0)),
        ("c6", "u6", "Lan", "", datetime(2026, 11, 20, 12, 0, 5)),
    ]
    assert [number for number, _ in errors] == [5, 7] and lines == 6


def test_csv_with_a_wrong_header_is_one_bad_line():
    """A CSV file without the required header is one bad line (line 1) both ways."""
    data = b"id,name,text\n1,Lan,A1 M 1\n"
    got = from_blocks(data, "comments.csv")
    assert got == from_lines(data, "comments.csv", newline="")
    assert got[0] == [] and [number for number, _ in got[1]] == [1]


# -- lines the Arrow path must hand to the line reader ---------------------------------------------------------------
@pytest.mark.parametrize("block_bytes", [None], indirect=True)
def test_absent_time_is_a_bad_line(block_bytes):
    """A line with no time key at all is a bad line in a block too (flat form)."""
    timeless = {key: value for key, value in flat(2).items() if key != "created_at"}
    data = jsonl(flat(1), timeless, flat(3))
    got = from_blocks(data)
    assert got == from_lines(data)
    assert [number for number, _ in got[1]] == [2]


@pytest.mark.parametrize("block_bytes", [None], indirect=True)
def test_null_created_time_beside_created_at(block_bytes):
    """created_time null beside a created_at: the same answer both ways."""
    data = jsonl(flat(1, created_time=None), flat(2, created_time=None))
    assert from_blocks(data) == from_lines(data)


@pytest.mark.parametrize("block_bytes", [None], indirect=True)
def test_blank_line_and_two_objects_on_a_line_in_one_block(block_bytes):
    """A blank line plus a line with two objects in the same block: the doubled line is still a bad line."""
    data = jsonl(graph(1)) + b"\n" + (json.dumps(graph(2)) + " " + json.dumps(graph(3)) + "\n").encode()
    got = from_blocks(data)
    assert got == from_lines(data)
    assert [number for number, _ in got[1]] == [3]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("block_bytes", [None], indirect=True)
def test_non_json_numbers_are_bad_lines(block_bytes, literal):
    """A line with NaN or Infinity (not JSON) is a bad line both ways."""
    data = jsonl(flat(1)) + json.dumps(flat(2))[:-1].encode() + b', "likes": ' + literal.encode() + b"}\n"
    got = from_blocks(data)
    assert got == from_lines(data)
    assert [number for number, _ in got[1]] == [2]


@pytest.mark.parametrize("block_bytes", [64, None], indirect=True)
def test_line_cut_off_inside_a_string_has_the_same_error(block_bytes):
    """A line cut off inside a string: the same line number and the same error text both ways."""
    data = jsonl(graph(1)) + b'{"id": "b2", "message": "A1 M\n' + jsonl(graph(3))
    got = from_blocks(data)
    assert [number for number, _ in got[1]] == [2]
    assert got == from_lines(data)


@pytest.mark.parametrize("filename", ["", "comments.txt"])
def test_leading_blank_line_without_a_jsonl_name(filename):
    """A JSONL file starting with a blank line and named without .jsonl is read the same way by both."""
    data = b"\n" + jsonl(graph(1))
    assert from_blocks(data, filename) == from_lines(data, filename)


@pytest.mark.parametrize("block_bytes", [None], indirect=True)
def test_graph_times_arrow_would_read_leniently_are_read_by_parse_time(block_bytes):
    """A 30th of February and a one-digit month look like Graph times to Arrow: both readers call them bad lines,
    and a Graph time with another offset is converted to UTC the same way by both."""
    data = jsonl(graph(1), graph(2, time="2026-02-30T12:00:00+0000"), graph(3, time="2026-1-20T12:00:00+0000"),
                 graph(4, time="2026-11-20T19:00:00+0700"))
    got = from_blocks(data)
    assert got == from_lines(data)
    assert [number for number, _ in got[1]] == [2, 3]
    assert [comment[4] for comment in got[0]] == [NOON, NOON]


def test_graph_times_take_the_arrow_reading():
    """Times all in Graph's own form are read by Arrow, to the same naive UTC moments parse_time gives."""
    import pyarrow as pa

    texts = [GRAPH_TIME, "2026-12-31T23:59:59+0000", "2024-02-29T00:00:00+0000"]
    moments = comment_files._graph_times(pa.array(texts))
    assert moments is not None and moments.to_pylist() == [comment_files.parse_time(text) for text in texts]
    assert comment_files._graph_times(pa.array([GRAPH_TIME, "2026-02-30T12:00:00+0000"])) is None


# -- 7. times beyond what a datetime holds (issue 13, item 3) -------------------------------------------------------
OUT_OF_RANGE_TIMES = [1e300, -1e20, "99999999999999999999", "1e300", 99999999999999999999, 1e12, -1e12,
                      "0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-07:00"]


@pytest.mark.parametrize("form", ["flat", "graph"])
@pytest.mark.parametrize("block_bytes", [64, 333, None], indirect=True)
def test_times_out_of_range_are_bad_lines_with_their_numbers(block_bytes, form):
    """A created_at of 1e300, -1e20, "99999999999999999999" (and other times no datetime holds) is a bad line with
    its number, the same both ways; the good lines around it go in."""
    records = []
    for n, bad in enumerate(OUT_OF_RANGE_TIMES):
        records.append(flat(2 * n + 1))
        records.append({**flat(2 * n + 2), "created_at": bad} if form == "flat"
                       else {**graph(2 * n + 2), "created_time": bad})
    records.append(flat(99))
    data = jsonl(*records)
    got = from_blocks(data)
    assert got == from_lines(data)
    comments, errors, lines = got
    assert [number for number, _ in errors] == [2 * n + 2 for n in range(len(OUT_OF_RANGE_TIMES))]
    assert all("is not a time" in text for _, text in errors), errors
    assert [c[0] for c in comments] == [f"f{2 * n + 1}" for n in range(len(OUT_OF_RANGE_TIMES))] + ["f99"]
    assert lines == len(records)


def test_time_out_of_range_in_a_csv_file_is_a_bad_line():
    data = (b"id,user_id,user_name,message,created_at\n"
            b"c1,u1,Lan,A1 M 1,2026-11-20T12:00:00Z\nc2,u1,Lan,A1 M 1,99999999999999999999\n"
            b"c3,u1,Lan,A1 M 1,2026-11-20T12:00:00Z\n")
    got = from_blocks(data, "comments.csv")
    assert got == from_lines(data, "comments.csv")
    comments, errors, lines = got
    assert [c[0] for c in comments] == ["c1", "c3"] and [n for n, _ in errors] == [3] and lines == 3
