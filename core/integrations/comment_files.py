"""Comment files and hand entry as comments: other systems' formats, read without deciding anything.

A comment file line is a Graph API comment object or the flat form {id, user_id, user_name, message, created_at}
(DESIGN.md, "Command line"); a JSONL file is decoded by Arrow a block at a time, and any block with something
unusual in it is read again line by line, so every line gets the same answer either way.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO, NamedTuple

import orjson

from core.base.errors import said
from core.base.formatting import to_utc_naive, utc_now
from core.base.i18n import Text

HIDDEN_NAME = "(hidden name)"


class IncomingComment(NamedTuple):
    """A comment as a source gives it. A tuple: a million of them are made per large file."""

    comment_id: str
    user_id: str | None
    user_name: str
    message: str
    commented_at: datetime  # naive UTC


# -- reading comment records ----------------------------------------------------------------------------------
_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


# Comment times repeat (a busy live has hundreds a second): the last few thousand texts are kept read. A process
# cache of a pure result (text -> time), bounded, carrying nothing between callers.
_TIMES: dict[str, datetime] = {}


def parse_time(value) -> datetime:
    """ISO 8601 (with Z, +07:00 or Graph's +0000) or Unix seconds -> naive UTC."""
    known = _TIMES.get(value) if isinstance(value, str) else None
    if known is not None:
        return known
    moment = _parse_time(value)
    if isinstance(value, str):
        if len(_TIMES) >= 4096:
            _TIMES.clear()
        _TIMES[value] = moment
    return moment


def _parse_time(value) -> datetime:
    try:
        return _read_time(value)
    except (OverflowError, OSError):  # a number of seconds or a year beyond what a datetime holds (1e300, -1e20)
        raise ValueError(Text("ingest.not_a_time", value=_shortened(value))) from None


def _shortened(value, limit: int = 40) -> str:
    """A bad value as a bad line's report quotes it: a megabyte of digits is not repeated."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _read_time(value) -> datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC).replace(tzinfo=None)
        except ValueError:  # a year out of range
            raise ValueError(Text("ingest.not_a_time", value=_shortened(value))) from None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(Text("ingest.time_missing"))
    text = value.strip()
    if len(text) == 24 and text.endswith("+0000"):  # Graph API's form, the common case: no zone arithmetic
        try:
            return datetime.fromisoformat(text[:19])
        except ValueError:
            pass
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), tz=UTC).replace(tzinfo=None)
        text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00"))
        return to_utc_naive(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(Text("ingest.not_a_time", value=_shortened(value))) from None


def comment_from_record(record: dict) -> IncomingComment:
    """A Graph API comment object or the flat form {id, user_id, user_name, message, created_at}."""
    if not isinstance(record, dict):
        raise ValueError(Text("ingest.not_an_object"))
    comment_id = record.get("id")
    if comment_id in (None, ""):
        raise ValueError(Text("ingest.no_id"))
    sender = record.get("from")
    if isinstance(sender, dict):
        user_id, user_name = sender.get("id"), sender.get("name")
    else:
        user_id, user_name = record.get("user_id"), record.get("user_name")
    message = record.get("message")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise ValueError(Text("ingest.message_not_text"))
    created = record.get("created_time")
    if created is None:  # absent or null: the flat form's name
        created = record.get("created_at")
    user_name = (str(user_name).strip() if user_name is not None else "") or HIDDEN_NAME
    return IncomingComment(
        comment_id=str(comment_id), user_id=str(user_id) if user_id not in (None, "") else None,
        user_name=user_name, message=message, commented_at=parse_time(created),
    )


def read_comment_lines(lines: Iterable[str], filename: str = "") -> Iterator[tuple[int, IncomingComment | None, str | None]]:
    """(line number, comment or None, error or None) for each line of a JSONL or CSV comment file, lazily."""
    lines = iter(lines)
    leading = []  # blank lines before the first that says which form the file is in
    for line in lines:
        leading.append(line.lstrip("\ufeff") if not leading else line)
        if leading[-1].strip():
            break
    if not leading:
        return
    looks_like_jsonl = (filename.lower().endswith((".jsonl", ".json", ".ndjson"))
                        or leading[-1].lstrip().startswith("{"))
    if looks_like_jsonl:
        for number, line in enumerate(itertools.chain(leading, lines), start=1):
            if not line.strip():
                continue
            yield number, *_comment_from_json_line(line)
        return
    reader = csv.DictReader(itertools.chain(leading, lines))
    header = set(reader.fieldnames or [])
    required = {"id", "user_id", "user_name", "message", "created_at"}
    if not required <= header:
        yield 1, None, Text("ingest.csv_header")
        return
    for row in reader:
        try:
            yield reader.line_num, comment_from_record(dict(row)), None
        except ValueError as error:
            yield reader.line_num, None, said(error)


def _comment_from_json_line(line: str) -> tuple[IncomingComment | None, str | None]:
    try:
        return comment_from_record(orjson.loads(line)), None
    except orjson.JSONDecodeError as error:
        return None, Text("ingest.not_json", detail=error.msg)
    except ValueError as error:
        return None, said(error)


# The platform user id of a customer typed in by hand: their name, as no platform account is known. Such a
# customer is stored under the livestream's platform but is no Facebook or TikTok user (core.services.customers).
HAND_ENTRY_USER_PREFIX = "name:"


def hand_entry_comments(text: str, *, entry_token: str | None = None,
                        now: datetime | None = None) -> tuple[list[IncomingComment], list[Text]]:
    """Comments typed or pasted by staff, one per line as `Customer name: comment`.

    entry_token makes the comment ids of one form submission stable, so that a double click stores them once.
    """
    token = entry_token or uuid.uuid4().hex
    now = now or utc_now()
    comments: list[IncomingComment] = []
    errors: list[Text] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, message = line.partition(":")
        if not colon or not name.strip() or not message.strip():
            errors.append(Text("ingest.hand_entry_line", line=number))
            continue
        name = " ".join(name.split())
        comments.append(
            IncomingComment(
                comment_id=f"hand-{token}-{number}", user_id=HAND_ENTRY_USER_PREFIX + name.casefold(), user_name=name,
                message=message.strip(), commented_at=now,
            )
        )
    return comments, errors


# -- the longest text stored ----------------------------------------------------------------------------------
# Facebook's own limit for a comment. A longer one (a pasted book, a 50 MB line in a file) is stored cut to this
# length, with the length it was written with beside it (comments.message_length), so the screen can say so in
# the reader's language. Cutting beats refusing: the comment's first words (an order, a phone) still count.
MESSAGE_LIMIT = 8_000
# A customer's name is shown on every screen in full: one longer than this (no platform allows one) is kept to
# its first NAME_LIMIT characters and an ellipsis.
NAME_LIMIT = 200


def with_texts_capped(table):
    """A `comments_table` with each message cut to MESSAGE_LIMIT characters and a `message_length` column (the
    length as written for a cut message, null for one kept whole), and each name cut to NAME_LIMIT and "…"."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.num_rows and pc.max(pc.utf8_length(table.column("user_name"))).as_py() > NAME_LIMIT:
        names = table.column("user_name")
        long_name = pc.greater(pc.utf8_length(names), NAME_LIMIT)
        table = table.set_column(table.column_names.index("user_name"), "user_name", pc.if_else(
            long_name, pc.binary_join_element_wise(pc.utf8_slice_codeunits(names, 0, NAME_LIMIT), "…", ""), names))
    messages = table.column("message")
    lengths = pc.utf8_length(messages)
    longest = pc.max(lengths).as_py() if table.num_rows else None
    if longest is None or longest <= MESSAGE_LIMIT:
        return table.append_column("message_length", pa.nulls(table.num_rows, pa.int64()))
    cut = pc.greater(lengths, MESSAGE_LIMIT)
    table = table.set_column(table.column_names.index("message"), "message",
                             pc.utf8_slice_codeunits(messages, 0, MESSAGE_LIMIT))
    return table.append_column("message_length",
                               pc.if_else(cut, lengths.cast(pa.int64()), pa.scalar(None, pa.int64())))


# -- a JSONL file a block at a time ---------------------------------------------------------------------------
# A JSONL file is decoded by Arrow a block of lines at a time; a block with anything unusual in it (a bad line,
# a blank one, another time format) is read again line by line, so every line gets the same answer either way.
_BLOCK_BYTES = 1 << 22
_ARROW_BLOCK_BYTES = 1 << 20  # Arrow's own blocks within ours, decoded in parallel; longer lines go line by line


def read_comment_blocks(stream: BinaryIO, filename: str = "") -> Iterator[tuple]:
    """(Arrow table of comments (`comments_table`'s columns) or None, bad lines [{line, error}], lines read) for
    each block of a JSONL or CSV comment file."""
    first = stream.read(_BLOCK_BYTES)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    if not (filename.lower().endswith((".jsonl", ".json", ".ndjson")) or first.lstrip()[:1] == b"{"):
        stream.seek(0)  # CSV: the csv module reads it (quoted fields may hold newlines)
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
        yield from comment_tables(read_comment_lines(text, filename))
        return
    lines_before = 0
    rest = b""
    chunk = first
    while chunk:
        block = rest + chunk
        cut = block.rfind(b"\n") + 1
        if cut == 0:  # no line ends in it yet: read on
            rest, chunk = block, stream.read(_BLOCK_BYTES)
            continue
        block, rest = block[:cut], block[cut:]
        line_count = block.count(b"\n")
        yield _json_block(block, lines_before, line_count)
        lines_before += line_count
        chunk = stream.read(_BLOCK_BYTES)
    if rest:
        yield _json_block(rest, lines_before, rest.count(b"\n") + 1)


def _json_block(block: bytes, lines_before: int, line_count: int) -> tuple:
    """A block of whole lines (the last may lack its line end), `line_count` lines long."""
    table = _json_block_by_arrow(block, line_count)
    if table is not None:
        return table, [], line_count
    comments, errors = [], []
    lines = block.decode("utf-8", errors="replace").split("\n")
    for number, line in enumerate(lines, start=lines_before + 1):
        if number - lines_before < len(lines):
            line += "\n"  # as a file's lines come: orjson's message for a line cut short depends on it
        if line.strip():
            comment, error = _comment_from_json_line(line)
            if error is None:
                comments.append(comment)
            else:
                errors.append({"line": number, "error": error})
    return (comments_table(comments) if comments else None), errors, len(comments) + len(errors)


@functools.cache
def _json_options():
    import pyarrow as pa
    import pyarrow.json as pa_json

    text = pa.string()
    schema = pa.schema([("id", text), ("from", pa.struct([("id", text), ("name", text)])), ("message", text),
                        ("created_time", text), ("user_id", text), ("user_name", text), ("created_at", text)])
    return (pa_json.ReadOptions(use_threads=True, block_size=_ARROW_BLOCK_BYTES),
            pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"))


def _has_blank_lines(block: bytes) -> bool:
    """Whether a line is blank or starts with a blank. Arrow skips blank lines, and one would hide a line holding
    two objects from the row count; such blocks (and NaN or Infinity, which Arrow takes but JSON has not) go line
    by line."""
    import numpy as np

    data = np.frombuffer(block, dtype=np.uint8)
    starts = np.flatnonzero(data[:-1] == 10) + 1
    return bool(_blank_bytes()[data[starts]].any()) or block[:1] in b" \t\r\n"


@functools.cache
def _blank_bytes():
    """Which byte values are blanks, as a table indexed by byte."""
    import numpy as np

    return np.isin(np.arange(256), (9, 10, 13, 32))


def _json_block_by_arrow(block: bytes, line_count: int):
    """The block's comments decoded by Arrow, exactly as `comment_from_record` reads each line; None when any
    line needs reading on its own (bad, blank, or in a form this does not cover)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pa_json

    if _has_blank_lines(block) or b"NaN" in block or b"Infinity" in block:
        return None
    read_options, parse_options = _json_options()
    try:
        records = pa_json.read_json(io.BytesIO(block), read_options=read_options, parse_options=parse_options)
        records.validate(full=True)  # Arrow's reader leaves UTF-8 unchecked
    except pa.ArrowException:
        return None
    if records.num_rows != line_count:  # with no blank line, a line with two objects
        return None
    comment_ids = records.column("id")
    if comment_ids.null_count or pc.min(pc.binary_length(comment_ids)).as_py() == 0:
        return None
    sender = records.column("from").combine_chunks()
    has_sender = sender.is_valid()
    user_ids = pc.if_else(has_sender, sender.field("id"), records.column("user_id").combine_chunks())
    user_ids = pc.if_else(pc.equal(user_ids, ""), pa.scalar(None, pa.string()), user_ids)
    user_names = pc.if_else(has_sender, sender.field("name"), records.column("user_name").combine_chunks())
    created_time, created_at = records.column("created_time"), records.column("created_at")
    if created_time.null_count == 0:
        created = created_time
    elif created_time.null_count == records.num_rows and created_at.null_count == 0:
        created = created_at
    else:  # both forms in one block, or a time missing
        return None
    commented_at = _graph_times(created)
    if commented_at is None:
        try:
            commented_at = _each_distinct(created, parse_time, pa.timestamp("us"))
        except ValueError:
            return None
    return pa.table({
        "comment_id": comment_ids,
        "user_id": user_ids,
        "user_name": _each_distinct(pc.fill_null(user_names, ""), _shown_name, pa.string()),
        "message": pc.fill_null(records.column("message"), ""),
        "commented_at": commented_at,
    })


def _graph_times(texts):
    """Times all in the Graph API's form (2026-11-20T12:00:00+0000) read by Arrow, else None. Each is written
    back and compared, so a text Arrow reads leniently (a 30th of February) goes to parse_time instead."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = one_chunk(texts)
    moments = pc.strptime(texts, format="%Y-%m-%dT%H:%M:%S+0000", unit="us", error_is_null=True)
    if moments.null_count:
        return None
    written = pc.replace_substring(pc.replace_substring(moments.cast(pa.string()), " ", "T", max_replacements=1),
                                   ".000000", "+0000", max_replacements=1)
    return moments if pc.all(pc.equal(written, texts)).as_py() else None


def one_chunk(values):
    """An Arrow array, or a chunked one made into a single array."""
    return values.combine_chunks() if hasattr(values, "combine_chunks") else values


def _each_distinct(values, convert, kind):
    """convert() applied once per distinct value (names and times repeat a lot), spread back to every row."""
    import pyarrow as pa

    encoded = one_chunk(values).dictionary_encode()
    return pa.array([convert(value) for value in encoded.dictionary.to_pylist()], kind).take(encoded.indices)


def _shown_name(name) -> str:
    return (str(name).strip() if name is not None else "") or HIDDEN_NAME


def comments_table(comments: list[IncomingComment]):
    """A batch of comments as Arrow columns: comment_id, user_id, user_name, message, commented_at."""
    import pyarrow as pa

    comment_ids, user_ids, user_names, messages, times = zip(*comments)
    return pa.table({
        "comment_id": pa.array(comment_ids, pa.string()), "user_id": pa.array(user_ids, pa.string()),
        "user_name": pa.array(user_names, pa.string()), "message": pa.array(messages, pa.string()),
        "commented_at": pa.array(times, pa.timestamp("us")),
    })


def comment_tables(read: Iterator[tuple[int, IncomingComment | None, str | None]], rows: int = 20_000
               ) -> Iterator[tuple]:
    """read_comment_lines' comments gathered into blocks of Arrow tables, with their bad lines."""
    comments, errors, lines = [], [], 0
    for number, comment, error in read:
        lines += 1
        if error is not None:
            errors.append({"line": number, "error": error})
        else:
            comments.append(comment)
        if len(comments) >= rows:
            yield comments_table(comments), errors, lines
            comments, errors, lines = [], [], 0
    if lines:
        yield (comments_table(comments) if comments else None), errors, lines


# A bounded cache of what a comment text means in one catalog (Catalog.cache_token): comments repeat a lot.
