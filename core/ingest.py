"""One path for every source of comments (files, hand entry, the demo live): store once, parse, move orders.

A batch is one transaction: after a crash a comment is either stored and applied, or not stored at all, and
re-reading the source adds only what is missing (comments are unique per platform on their comment id).
"""

from __future__ import annotations

import csv
import functools
import gc
import io
import itertools
import json
import re
import threading
import uuid
from collections import Counter, OrderedDict
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import BinaryIO, Iterable, Iterator, NamedTuple

import orjson

from core.domain import orders
from core.records import history, stock
from core.records import orders as order_records
from core.records.rotation import StaffRotation
from core.base.errors import ChotdonError, InvalidInput, said
from core.base.i18n import Text
from core.base.formatting import to_utc_naive, utc_now
from core.domain.catalog import Catalog
from core.records.catalog import livestream_row, load_catalog
from core.base.phones import normalize_vn_phone
from core.db.store import Store, register, when_closed
from core.domain.syntax import normalize_code, parse

KINDS = ("order", "cancel", "question", "review", "contact", "none")


class IncomingComment(NamedTuple):
    """A comment as a source gives it. A tuple: a million of them are made per large file."""

    comment_id: str
    user_id: str | None
    user_name: str
    message: str
    commented_at: datetime  # naive UTC


@dataclass
class IngestSummary:
    comments: int = 0
    new: int = 0
    duplicates: int = 0
    bad_lines: int = 0
    orders_created: int = 0
    orders_updated: int = 0
    kinds: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "comments": self.comments, "new": self.new, "duplicates": self.duplicates, "bad_lines": self.bad_lines,
            "orders_created": self.orders_created, "orders_updated": self.orders_updated,
            "kinds": {kind: self.kinds.get(kind, 0) for kind in KINDS},
            "errors": self.errors[:100],
        }


# -- reading comment records ----------------------------------------------------------------------------------
_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


# Comment times repeat (a busy live has hundreds a second): the last few thousand texts are kept read.
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
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=timezone.utc).replace(tzinfo=None)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(Text("ingest.time_missing"))
    text = value.strip()
    if len(text) == 24 and text.endswith("+0000"):  # Graph API's form, the common case: no zone arithmetic
        try:
            return datetime.fromisoformat(text[:19])
        except ValueError:
            pass
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=timezone.utc).replace(tzinfo=None)
    text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(Text("ingest.not_a_time", value=value)) from None
    return to_utc_naive(moment)


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


def read_comment_text(text: str, filename: str = "") -> Iterator[tuple[int, IncomingComment | None, str | None]]:
    return read_comment_lines(io.StringIO(text), filename)


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
                comment_id=f"hand-{token}-{number}", user_id="name:" + name.casefold(), user_name=name,
                message=message.strip(), commented_at=now,
            )
        )
    return comments, errors


# -- storing and applying -------------------------------------------------------------------------------------------
def ingest_comments(store: Store, livestream_id: int, comments: Iterable[IncomingComment], *, source: str,
                    summary: IngestSummary | None = None, batch_size: int = 500) -> IngestSummary:
    summary = summary or IngestSummary()
    livestream = _livestream(store, livestream_id)
    batch: list[IncomingComment] = []
    with _cycle_collection_paused():
        for comment in comments:
            summary.comments += 1
            batch.append(comment)
            if len(batch) >= batch_size:
                _ingest_batch(store, livestream, batch, source, summary)
                batch = []
        if batch:
            _ingest_batch(store, livestream, batch, source, summary)
    return summary


@contextmanager
def _cycle_collection_paused():
    """Python's cycle collector, left on, walks the ever larger caches of a long live or a big file again and
    again: a third of the time of a million comments, and the slowest live batches. A batch makes no reference
    cycles, so collection waits until it is in."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def ingest_lines(store: Store, livestream_id: int, lines: Iterable[str], *, filename: str = "",
                 source: str = "file", batch_size: int = 5000, progress=None) -> IngestSummary:
    """Ingests comment lines read lazily; bad lines are counted and reported, the rest goes in.

    `progress(lines_read)` is called after each batch (the Livestream screen's progress bar).
    """
    return _ingest_blocks(store, livestream_id, _tables_of(read_comment_lines(lines, filename)), source, batch_size,
                          progress)


def ingest_stream(store: Store, livestream_id: int, stream: BinaryIO, *, filename: str = "", source: str = "file",
                  batch_size: int = 10_000, progress=None) -> IngestSummary:
    """Ingests a JSONL or CSV comment file from a binary stream; bad lines are counted and reported with their
    line number, the rest goes in. `progress(lines_read)` is called after each batch."""
    return _ingest_blocks(store, livestream_id, read_comment_blocks(stream, filename), source, batch_size, progress)


def ingest_bytes(store: Store, livestream_id: int, data: bytes, *, filename: str = "", source: str = "file",
                 progress=None) -> IngestSummary:
    return ingest_stream(store, livestream_id, io.BytesIO(data), filename=filename, source=source, progress=progress)


def ingest_text(store: Store, livestream_id: int, text: str, *, filename: str = "", source: str = "file",
                progress=None) -> IngestSummary:
    return ingest_bytes(store, livestream_id, text.encode("utf-8", errors="replace"), filename=filename,
                        source=source, progress=progress)


def ingest_file(store: Store, livestream_id: int, path: str, *, batch_size: int = 10_000,
                progress=None) -> IngestSummary:
    with open(path, "rb") as handle:
        return ingest_stream(store, livestream_id, handle, filename=str(path), batch_size=batch_size,
                             progress=progress)


def _ingest_blocks(store: Store, livestream_id: int, blocks: Iterator[tuple], source: str, batch_size: int,
                   progress) -> IngestSummary:
    """Batches blocks of comments (`read_comment_blocks`) and ingests each batch."""
    import pyarrow as pa

    summary = IngestSummary()
    livestream = _livestream(store, livestream_id)
    waiting: list = []  # Arrow tables not yet ingested
    waiting_rows = 0
    with _cycle_collection_paused(), closing(blocks):
        for table, errors, lines in blocks:
            summary.comments += lines
            summary.bad_lines += len(errors)
            summary.errors.extend(errors[:max(0, 100 - len(summary.errors))])
            if table is not None and table.num_rows:
                waiting.append(table)
                waiting_rows += table.num_rows
            while waiting_rows >= batch_size:
                joined = pa.concat_tables(waiting) if len(waiting) > 1 else waiting[0]
                _ingest_batch(store, livestream, joined.slice(0, batch_size), source, summary)
                waiting = [joined.slice(batch_size)]
                waiting_rows -= batch_size
                # The first batch stays small, so the progress bar moves at once; the rest fill whole row groups.
                batch_size = _LARGEST_FILE_BATCH
                if progress is not None:
                    progress(summary.comments - waiting_rows)
        if waiting_rows:
            _ingest_batch(store, livestream, pa.concat_tables(waiting) if len(waiting) > 1 else waiting[0], source,
                          summary)
    if progress is not None:
        progress(summary.comments)
    return summary


# Two DuckDB row groups. An insert that fills a row group is written straight to the file instead of through the
# WAL (commits took a tenth of a large file at 40,000 a batch), and each batch pays a few scans of tables that grow
# with the file. Batches that doubled up to this size were a second slower on a million comments; larger ones
# gained nothing measurable and hold more in memory.
_LARGEST_FILE_BATCH = 245_760
# A JSONL file is decoded by Arrow a block of lines at a time; a block with anything unusual in it (a bad line,
# a blank one, another time format) is read again line by line, so every line gets the same answer either way.
_BLOCK_BYTES = 1 << 22
_ARROW_BLOCK_BYTES = 1 << 20  # Arrow's own blocks within ours, decoded in parallel; longer lines go line by line


def read_comment_blocks(stream: BinaryIO, filename: str = "") -> Iterator[tuple]:
    """(Arrow table of comments (`_comments_table`'s columns) or None, bad lines [{line, error}], lines read) for
    each block of a JSONL or CSV comment file."""
    first = stream.read(_BLOCK_BYTES)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    if not (filename.lower().endswith((".jsonl", ".json", ".ndjson")) or first.lstrip()[:1] == b"{"):
        stream.seek(0)  # CSV: the csv module reads it (quoted fields may hold newlines)
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
        yield from _tables_of(read_comment_lines(text, filename))
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
    return (_comments_table(comments) if comments else None), errors, len(comments) + len(errors)


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

    texts = _one_chunk(texts)
    moments = pc.strptime(texts, format="%Y-%m-%dT%H:%M:%S+0000", unit="us", error_is_null=True)
    if moments.null_count:
        return None
    written = pc.replace_substring(pc.replace_substring(moments.cast(pa.string()), " ", "T", max_replacements=1),
                                   ".000000", "+0000", max_replacements=1)
    return moments if pc.all(pc.equal(written, texts)).as_py() else None


def _one_chunk(values):
    """An Arrow array, or a chunked one made into a single array."""
    return values.combine_chunks() if hasattr(values, "combine_chunks") else values


def _each_distinct(values, convert, kind):
    """convert() applied once per distinct value (names and times repeat a lot), spread back to every row."""
    import pyarrow as pa

    encoded = _one_chunk(values).dictionary_encode()
    return pa.array([convert(value) for value in encoded.dictionary.to_pylist()], kind).take(encoded.indices)


def _each_distinct_in_python(values) -> list:
    """values.to_pylist(), making each distinct Python object once (times repeat a lot; making each is slow)."""
    encoded = _one_chunk(values).dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    return [distinct[index] for index in encoded.indices.to_numpy(zero_copy_only=False).tolist()]


def _shown_name(name) -> str:
    return (str(name).strip() if name is not None else "") or HIDDEN_NAME


def _comments_table(comments: list[IncomingComment]):
    """A batch of comments as Arrow columns: comment_id, user_id, user_name, message, commented_at."""
    import pyarrow as pa

    comment_ids, user_ids, user_names, messages, times = zip(*comments)
    return pa.table({
        "comment_id": pa.array(comment_ids, pa.string()), "user_id": pa.array(user_ids, pa.string()),
        "user_name": pa.array(user_names, pa.string()), "message": pa.array(messages, pa.string()),
        "commented_at": pa.array(times, pa.timestamp("us")),
    })


def _tables_of(read: Iterator[tuple[int, IncomingComment | None, str | None]], rows: int = 20_000
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
            yield _comments_table(comments), errors, lines
            comments, errors, lines = [], [], 0
    if lines:
        yield (_comments_table(comments) if comments else None), errors, lines


# A bounded cache of what a comment text means in one catalog (Catalog.cache_token): comments repeat a lot.
_MEANINGS: "OrderedDict[tuple, tuple]" = OrderedDict()
_MEANINGS_LIMIT = 50_000
_MEANINGS_LOCK = threading.Lock()


def order_key(lines) -> str:
    """The canonical form of an order comment's lines: two comments with the same key ask for the same thing."""
    return ";".join(f"{line.code}|{line.size or ''}|{line.color or ''}|{line.qty}" for line in lines)


def _meanings(catalog: Catalog, texts: list[str]) -> list[tuple]:
    """What each of a batch's distinct texts means (`_new_meaning`), from the cache where it has them; the cache is
    consulted and filled under one lock each."""
    token = catalog.cache_token
    with _MEANINGS_LOCK:
        found = [_MEANINGS.get((token, text)) for text in texts]
        for text, meaning in zip(texts, found):
            if meaning is not None:
                _MEANINGS.move_to_end((token, text))  # used now: the last to be forgotten
    missing = [index for index, meaning in enumerate(found) if meaning is None]
    if missing:
        for index in missing:
            found[index] = _new_meaning(catalog, texts[index])
        with _MEANINGS_LOCK:
            for index in missing:
                _MEANINGS[(token, texts[index])] = found[index]
            while len(_MEANINGS) > _MEANINGS_LIMIT:
                _MEANINGS.popitem(last=False)
    return found


def _new_meaning(catalog: Catalog, text: str) -> tuple:
    """(ParseResult, its JSON text, its order key, its claims: `_claims`) for a comment text in this catalog."""
    result = parse(text, catalog.parser_items, catalog.settings)
    if result.kind != "order":
        return result, result.json_text(), None, None
    return result, result.json_text(), order_key(result.lines), _claims(catalog, result.lines)


# The order keys of each customer's comments that made orders, per (database, livestream): the repeat policy
# needs them for every customer in every batch, and reading them from a growing comments table each time would
# make a long live slower and slower. Only this process writes the file (DuckDB's lock), and the cache is updated
# only after a batch commits; re-reading comments with new settings or items forgets it.
_ORDER_KEYS: dict[tuple[str, int], dict[int, set[str]]] = {}
_ORDER_KEYS_LOCK = threading.Lock()


# The platform comment ids stored for each livestream, per (database, platform, livestream): read once, so that
# a batch finds its repeats without asking the file. Updated only after a commit.
_STORED_IDS: dict[tuple[str, str, int], set[str]] = {}
_STORED_IDS_LOCK = threading.Lock()
_STORED_IDS_KEPT = 3  # livestreams; a shop server runs for months, one or two lives at a time


def _remember_stored_ids(ids_key: tuple, ids: set[str]) -> None:
    """Keeps a livestream's stored ids, forgetting the livestream used least recently beyond a few."""
    with _STORED_IDS_LOCK:
        _STORED_IDS.pop(ids_key, None)
        _STORED_IDS[ids_key] = ids  # newest last: dicts keep insertion order
        while len(_STORED_IDS) > _STORED_IDS_KEPT:
            del _STORED_IDS[next(iter(_STORED_IDS))]


def _stored_among(cur, platform: str, wanted: list[str]) -> set[str]:
    """Which of these comment ids the file has (under any livestream)."""
    if len(wanted) <= 256:
        sql = ("SELECT platform_comment_id FROM comments WHERE platform = ? AND platform_comment_id IN ("
               + ",".join("?" * len(wanted)) + ")")
        params = [platform, *wanted]
    else:
        sql = ("SELECT platform_comment_id FROM comments WHERE platform = ? AND platform_comment_id IN "
               "(SELECT unnest(?::VARCHAR[]))")
        params = [platform, wanted]
    return {row[0] for row in cur.execute(sql, params).fetchall()}


# The last order number each livestream used, per (database, livestream). Staff make orders too: a number taken
# meanwhile breaks the order code's unique key, and the batch goes round again reading it from the file.
_ORDER_NUMBERS: dict[tuple[str, int], int] = {}
_ORDER_NUMBERS_LOCK = threading.Lock()


# Customer ids and names by platform user, per (database, platform): ids never change, and names are written only
# by ingest, so a known customer with the same name needs no statement at all. Updated only after a commit.
_CUSTOMER_IDS: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
_CUSTOMER_IDS_LOCK = threading.Lock()
HIDDEN_NAME = "(hidden name)"
# The kinds that act on orders and customers; the others are only stored.
ACTING_KINDS = frozenset(("order", "cancel", "contact"))


# A batch's kinds and effects as small codes, one per comment; the kinds that act on orders come last.
_KIND_ORDER = ("none", "question", "review", "order", "cancel", "contact")
_KIND_CODES = {kind: code for code, kind in enumerate(_KIND_ORDER)}
_FIRST_ACTING_CODE = _KIND_CODES["order"]
assert set(_KIND_ORDER) == set(KINDS) and set(_KIND_ORDER[_FIRST_ACTING_CODE:]) == ACTING_KINDS
_EFFECTS = ("none", "repeat", "created", "added", "cancel_requested", "cancelled", "contact")
_EFFECT_CODES = {effect: code for code, effect in enumerate(_EFFECTS)}


@functools.cache
def _names_array(names: tuple[str, ...]):
    """The Arrow array that a column of codes into `names` takes its texts from."""
    import pyarrow as pa

    return pa.array(names, pa.string())


def forget_order_keys(livestream_id: int) -> None:
    with _ORDER_KEYS_LOCK:
        for key in [k for k in _ORDER_KEYS if k[1] == livestream_id]:
            del _ORDER_KEYS[key]


# Ids drawn from the DuckDB sequences ahead, per open database, so rows can reference each other before they are
# inserted and a batch needs no statement for them. A sequence never gives a number twice, also across rollbacks,
# so ids held here stay unique; a restart merely skips the ones not used.
_ID_POOLS: dict[tuple[str, str], list[int]] = {}
_ID_POOLS_LOCK = threading.Lock()
_ID_CHUNK = 4096


class _IdPool:
    def __init__(self, cur, store: Store, sequence: str):
        self._cur, self._key, self._sequence = cur, (store.cache_key, sequence), sequence

    def take(self) -> int:
        return self.take_many(1)[0]

    def fill(self) -> None:
        self.take_many(0, keep=_ID_CHUNK)

    def take_many(self, count: int, keep: int = 0) -> list[int]:
        with _ID_POOLS_LOCK:
            free = _ID_POOLS.setdefault(self._key, [])
            if len(free) < max(count, keep):
                free.extend(row[0] for row in self._cur.execute(
                    f"SELECT nextval('{self._sequence}') FROM range(?)", [max(count, _ID_CHUNK)]).fetchall())
            taken = free[:count]
            del free[:count]
        return taken


# Comment ids count on from the largest one in the file, in this process's memory: only ingest writes comments,
# and drawing a million ids from a sequence one by one would take seconds. A stale count breaks the primary key,
# and the batch goes round again after counting afresh (_ingest_batch).
_NEXT_COMMENT_ID: dict[str, int] = {}
_NEXT_COMMENT_ID_LOCK = threading.Lock()


def _comment_ids(cur, store: Store, count: int) -> int:
    """The first of `count` consecutive new comment ids."""
    with _NEXT_COMMENT_ID_LOCK:
        first = _NEXT_COMMENT_ID.get(store.cache_key)
        if first is None:
            first = 1 + cur.execute(
                "SELECT greatest((SELECT coalesce(max(id), 0) FROM comments), (SELECT coalesce(max(last_value), 0) "
                "FROM duckdb_sequences() WHERE sequence_name = 'comment_ids'))").fetchone()[0]
        _NEXT_COMMENT_ID[store.cache_key] = first + count
    return first


@dataclass(slots=True)
class _Line:
    id: int
    code_typed: str
    item_id: int | None
    item_code: str | None
    new: bool


@dataclass(slots=True)
class _Order:
    id: int
    customer_id: int
    status: str
    first_comment_at: datetime
    new: bool
    lines: list[_Line] | None = None  # loaded only when a cancel needs them
    receiver_phone: str | None = None
    changed: bool = False
    phone_changed: bool = False
    status_changed: bool = False
    time_changed: bool = False
    hold_reason: str | None = None


@dataclass(slots=True)
class _Customer:
    id: int
    name: str
    phone: str | None
    address: str | None
    staff_id: int | None
    blacklisted: bool = False
    orders: list[_Order] = field(default_factory=list)  # oldest first; cancelled ones left out
    order_keys: set[str] = field(default_factory=set)
    changed: bool = False

    def latest(self, statuses) -> _Order | None:
        for order in reversed(self.orders):
            if order.status in statuses:
                return order
        return None


def _table(columns: dict[str, tuple[list, object]]):
    import pyarrow as pa

    return pa.table({name: pa.array(values, type=kind) for name, (values, kind) in columns.items()})


def _ingest_batch(store: Store, livestream: dict, batch, source: str,
                  summary: IngestSummary) -> None:
    """One batch (a list of IncomingComment or an Arrow table of `_comments_table`'s columns), counted into
    `summary` only once it is committed. A unique key broken because this process's memory went stale (another
    writer of the file, a comment stored under another livestream) rolls the batch back; it is then run again
    with the memory forgotten, checking every comment id in the file."""
    import duckdb

    if isinstance(batch, list):
        batch = _comments_table(batch)
    for attempt in (1, 2):
        counted = IngestSummary()
        try:
            _ingest_batch_once(store, livestream, batch, source, counted, careful=attempt == 2)
        except duckdb.ConstraintException:
            if attempt == 2:
                raise
            forget_process_memory(store)
            continue
        summary.duplicates += counted.duplicates
        summary.new += counted.new
        summary.orders_created += counted.orders_created
        summary.orders_updated += counted.orders_updated
        summary.kinds.update(counted.kinds)
        return


def forget_process_memory(store: Store) -> None:
    """Drops all that this process remembers of one database: customers, order keys, stored comment ids, order
    numbers, drawn ids and the comment id count."""
    for cache, lock in ((_CUSTOMER_IDS, _CUSTOMER_IDS_LOCK), (_ORDER_KEYS, _ORDER_KEYS_LOCK),
                        (_ID_POOLS, _ID_POOLS_LOCK), (_STORED_IDS, _STORED_IDS_LOCK),
                        (_ORDER_NUMBERS, _ORDER_NUMBERS_LOCK)):
        with lock:
            for key in [key for key in cache if key[0] == store.cache_key]:
                del cache[key]
    with _NEXT_COMMENT_ID_LOCK:
        _NEXT_COMMENT_ID.pop(store.cache_key, None)


when_closed(forget_process_memory)


def _ingest_batch_once(store: Store, livestream: dict, batch, source: str,
                       summary: IngestSummary, careful: bool = False) -> None:
    """Stores a batch of comments (an Arrow table, `_comments_table`) and moves orders, as sets, in one transaction.

    What each distinct text means is worked out once and mapped back to its comments by dictionary indices. The
    rules of DESIGN.md are then applied in memory, in comment-time order, to the comments that act (orders,
    cancels, contacts) over the state of the customers they touch; what changed is written with a few set-based
    statements.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    platform = livestream["platform"]
    livestream_id = livestream["id"]
    now = utc_now()
    with store.transaction() as cur:
        # -- which comments are new --------------------------------------------------------------------------
        batch_ids = batch.column("comment_id").to_pylist()
        distinct_ids = set(batch_ids)
        summary.duplicates += len(batch_ids) - len(distinct_ids)
        ids_key = (store.cache_key, platform, livestream_id)
        with _STORED_IDS_LOCK:
            stored_ids = None if careful else _STORED_IDS.pop(ids_key, None)
            if stored_ids is not None:
                _STORED_IDS[ids_key] = stored_ids  # used now: the last to be forgotten
        loaded_ids = None
        if stored_ids is not None:
            # This livestream's stored ids are in memory. A comment stored under another livestream would break
            # the unique key and send the batch round again, carefully (_ingest_batch).
            known = stored_ids
        else:
            known = _stored_among(cur, platform, list(distinct_ids))
            if not careful:
                loaded_ids = {row[0] for row in cur.execute(
                    "SELECT platform_comment_id FROM comments WHERE livestream_id = ?", [livestream_id]).fetchall()}
        if len(distinct_ids) == len(batch_ids) and known.isdisjoint(distinct_ids):  # a file's batches, mostly
            keep = range(len(batch_ids))
        else:
            first_of_id = dict(zip(reversed(batch_ids), range(len(batch_ids) - 1, -1, -1)))  # the first one wins
            keep = sorted(index for comment_id, index in first_of_id.items() if comment_id not in known)
        summary.duplicates += len(distinct_ids) - len(keep)
        if not keep:
            if loaded_ids is not None:
                _remember_stored_ids(ids_key, loaded_ids)
            return
        fresh = batch if len(keep) == len(batch_ids) else batch.take(keep)
        # Served in the order viewers wrote them, whatever order they arrived in (Arrow's sort is stable).
        times = fresh.column("commented_at")
        if len(times) > 1 and not pc.all(pc.less_equal(times[:-1], times[1:])).as_py():  # a file is mostly in order
            fresh = fresh.take(pc.sort_indices(fresh, sort_keys=[("commented_at", "ascending")]))
        else:  # one chunk a column, as the sort gives: a batch in many chunks doubled the final checkpoint
            fresh = fresh.combine_chunks()
        count = fresh.num_rows

        # -- customers ---------------------------------------------------------------------------------------
        # Every customer of the platform is known in this process's memory (read once), so a batch writes only
        # new customers and new names. Only ingest adds customers; a stale memory would break the unique key,
        # and then the batch is retried after forgetting it (_ingest_batch).
        user_keys, user_of_row, latest_names = _batch_users(fresh)
        names: dict[str, str] = dict(zip(user_keys, latest_names))
        customers_key = (store.cache_key, platform)
        with _CUSTOMER_IDS_LOCK:
            cached = _CUSTOMER_IDS.get(customers_key)
        if cached is None:
            cached = loaded_customers = _read_customers(cur, platform)
        else:
            loaded_customers = None
        id_of_key: dict[str, tuple[int, str]] = {}
        new_keys: list[str] = []
        renamed: list[str] = []
        for key, name in names.items():
            id_and_name = cached.get(key)
            if id_and_name is None:
                new_keys.append(key)
            else:
                id_of_key[key] = id_and_name
                if id_and_name[1] != name and name != HIDDEN_NAME:
                    renamed.append(key)
        if new_keys:  # written with the batch's other rows, once the rules gave them staff and phones
            new_ids = _IdPool(cur, store, "customer_ids").take_many(len(new_keys))
            for key, customer_id in zip(new_keys, new_ids):
                id_of_key[key] = (customer_id, names[key])
        if renamed:
            register(cur, "batch_renamed", _table({
                "id": ([id_of_key[key][0] for key in renamed], pa.int64()),
                "name": ([names[key] for key in renamed], pa.string())}))
            cur.execute("UPDATE customers SET display_name = r.name FROM batch_renamed r WHERE customers.id = r.id"
                        ).fetchall()
            cur.unregister("batch_renamed")
            for key in renamed:
                id_of_key[key] = (id_of_key[key][0], names[key])
        customer_ids = np.array([id_of_key[key][0] for key in user_keys], dtype=np.int64)[user_of_row]

        # -- what each comment says: each distinct text once -----------------------------------------------------
        catalog = load_catalog(cur, livestream_id)
        encoded = _one_chunk(fresh.column("message")).dictionary_encode()
        meanings = _meanings(catalog, encoded.dictionary.to_pylist())
        text_of_row = encoded.indices.to_numpy(zero_copy_only=False)
        kind_of_text = np.array([_KIND_CODES[meaning[0].kind] for meaning in meanings], dtype=np.int8)
        kind_of_row = kind_of_text[text_of_row]
        first_comment_id = _comment_ids(cur, store, count)
        acting_rows = np.flatnonzero(kind_of_row >= _FIRST_ACTING_CODE)
        acting_customers = customer_ids[acting_rows].tolist()
        acting = set(acting_customers)
        cancel_rows = np.flatnonzero(kind_of_row == _KIND_CODES["cancel"])
        by_id, loaded_order_keys = _load_order_state(
            cur, livestream_id, acting, {id_of_key[key][0]: names[key] for key in new_keys}, database=store.cache_key,
            needs_lines=set(customer_ids[cancel_rows].tolist()))
        # New customers go to the staff on duty in turn (core.services.assignment, as orders.create_draft does).
        # Read only when the batch makes an order: most batches of a busy live only add to orders.
        rotation: StaffRotation | None = None
        hold_blacklisted = livestream.get("blacklisted_order_comments", "review") != "orders"
        next_number: int | None = None
        numbers_key = (store.cache_key, livestream_id)

        # -- the rules, in comment-time order, for the comments that act ----------------------------------------
        order_ids = _IdPool(cur, store, "order_ids")
        lines_of_text = np.array([len(meaning[0].lines) if meaning[0].kind == "order" else 0 for meaning in meanings],
                                 dtype=np.int64)
        line_id_source = iter(_IdPool(cur, store, "order_line_ids").take_many(
            int(lines_of_text[text_of_row[acting_rows]].sum())))
        new_orders: list[tuple] = []
        new_lines: dict[int, tuple] = {}  # line id -> row, so an in-batch cancel can drop a line not yet written
        deleted_lines: list[int] = []
        events: list[tuple] = []
        affected_items: set[int] = set()
        freed_items: set[int] = set()  # items whose claims a cancel removed: their whole queue moves
        created: set[int] = set()
        updated: set[int] = set()

        def event(order_id, action, details, from_status=None, to_status=None):
            if not isinstance(details, str):
                details = json.dumps(details, ensure_ascii=False)
            events.append((order_id, action, from_status, to_status, details))

        kind_counts = np.bincount(kind_of_row, minlength=len(_KIND_ORDER)).tolist()
        summary.kinds.update({kind: kind_counts[code] for code, kind in enumerate(_KIND_ORDER) if kind_counts[code]})
        effect_of_row = np.zeros(count, dtype=np.int8)  # _EFFECT_CODES; 0 is "none"
        order_of_row = np.zeros(count, dtype=np.int64)  # the order a comment touched; 0 is none
        effect_of_acting: list[int] = []  # the same for each comment that acts, in turn
        order_of_acting: list[int] = []
        acting_times = _each_distinct_in_python(fresh.column("commented_at").take(acting_rows))
        for row, commented_at, customer_id, text in zip(acting_rows.tolist(), acting_times, acting_customers,
                                                        text_of_row[acting_rows].tolist()):
            result, _, key, claims = meanings[text]
            comment_id = first_comment_id + row
            customer = by_id[customer_id]
            effect, order = "none", None
            if result.kind == "order":
                if not result.add and catalog.settings.repeat_policy == "once" and key in customer.order_keys:
                    effect = "repeat"
                else:
                    order = customer.latest(orders.OPEN_FOR_COMMENTS)
                    if order is None:
                        if next_number is None:
                            with _ORDER_NUMBERS_LOCK:
                                next_number = None if careful else _ORDER_NUMBERS.get(numbers_key)
                            if next_number is None:
                                next_number = cur.execute(
                                    "SELECT coalesce(max(number), 0) FROM orders WHERE livestream_id = ?",
                                    [livestream_id]).fetchone()[0]
                            rotation = StaffRotation.load(cur, livestream_id)
                        next_number += 1
                        if rotation.needs_staff(customer.staff_id) and rotation.candidates:
                            customer.staff_id = rotation.next()
                            customer.changed = True
                        order = _Order(order_ids.take(), customer.id, orders.DRAFT, commented_at, new=True,
                                       lines=[], receiver_phone=customer.phone)
                        customer.orders.append(order)
                        new_orders.append((order.id, next_number, customer))
                        event(order.id, "created", f'{{"comment_id": {comment_id}}}', None, orders.DRAFT)
                        if customer.blacklisted and hold_blacklisted:
                            # Made, but held until staff accept it; its claims queue behind everyone's.
                            order.hold_reason = orders.HELD_BLACKLISTED
                            event(order.id, "held", {"reason": order.hold_reason})
                        effect = "created"
                        created.add(order.id)
                    else:
                        if order.status == orders.AWAITING_CONFIRMATION:
                            event(order.id, "customer_added_items", {"comment_id": comment_id},
                                  order.status, orders.DRAFT)
                            order.status, order.status_changed = orders.DRAFT, True
                        if commented_at < order.first_comment_at:  # a late comment, placed by its time
                            order.first_comment_at, order.time_changed = commented_at, True
                        effect = "added"
                    lines_claimed, lines_json = claims
                    for code, item_id, size, color, qty, price, item_code in lines_claimed:
                        line_id = next(line_id_source)
                        new_lines[line_id] = [line_id, order.id, code, item_id, size, color, qty, price, comment_id,
                                              commented_at, 0]  # the last: waitlisted quantity
                        if order.lines is not None:
                            order.lines.append(_Line(line_id, code, item_id, item_code, new=True))
                        if item_id is not None:
                            affected_items.add(item_id)
                    if result.phone:
                        _set_phone(customer, order, result.phone)
                    event(order.id, "comment_lines_added", f'{{"comment_id": {comment_id}, "lines": {lines_json}}}')
                    order.changed = True
                    customer.order_keys.add(key)
            elif result.kind == "cancel":
                draft = customer.latest({orders.DRAFT})
                if draft is None:
                    later = customer.latest({orders.AWAITING_CONFIRMATION, orders.AWAITING_SHIPMENT,
                                             orders.SENT_TO_SHOP})
                    if later is not None:
                        event(later.id, "cancel_requested",
                              {"comment_id": comment_id, "codes": [line.code for line in result.lines]})
                        later.changed = True
                        effect, order = "cancel_requested", later
                else:
                    named = {_code_key(line.code) for line in result.lines}
                    removed = [line for line in draft.lines if not named or _code_key(line.code_typed) in named
                               or (line.item_code and _code_key(line.item_code) in named)]
                    if removed:
                        for line in removed:
                            draft.lines.remove(line)
                            if line.new:
                                del new_lines[line.id]
                            else:
                                deleted_lines.append(line.id)
                            if line.item_id is not None:
                                affected_items.add(line.item_id)
                                freed_items.add(line.item_id)
                        event(draft.id, "customer_cancelled_lines",
                              {"comment_id": comment_id, "lines": [line.code_typed for line in removed]})
                        if not draft.lines:
                            event(draft.id, "cancel", {"comment_id": comment_id}, orders.DRAFT, orders.CANCELLED)
                            draft.status, draft.status_changed = orders.CANCELLED, True
                        draft.changed = True
                        effect, order = "cancelled", draft
            elif result.kind == "contact" and result.phone:
                order = customer.latest(orders.EDITABLE)
                _set_phone(customer, order, result.phone)
                if order is not None:
                    event(order.id, "phone_from_comment",
                          f'{{"comment_id": {comment_id}, "phone": {orjson.dumps(customer.phone).decode()}}}')
                    order.changed = True
                effect = "contact"
            if order is not None and effect not in ("none", "repeat"):
                if order.id not in created:
                    updated.add(order.id)
            effect_of_acting.append(_EFFECT_CODES[effect])
            order_of_acting.append(order.id if order is not None and effect != "repeat" else 0)
        effect_of_row[acting_rows] = effect_of_acting
        order_of_row[acting_rows] = order_of_acting

        # Items with unlimited stock never wait. New claims that only join the end of an item's queue are served
        # here; any other change (a cancel, a late comment, held orders) recomputes that item's whole queue.
        queue_again = _serve_appended_claims(
            cur, catalog, [i for i in affected_items if catalog.item(i).stock is not None], freed_items, new_lines,
            {order.id: order.hold_reason for customer in by_id.values() for order in customer.orders}, event)
        new_customers = [(id_of_key[key][0], key, names[key], by_id.get(id_of_key[key][0])) for key in new_keys]
        _write_batch(cur, livestream_id, platform, source, now, by_id, new_customers, new_orders, new_lines,
                     deleted_lines, events, pa.table({
                         "id": pa.array(np.arange(first_comment_id, first_comment_id + count, dtype=np.int64)),
                         "platform_comment_id": fresh.column("comment_id"),
                         "customer_id": pa.array(customer_ids, pa.int64()),
                         "message": fresh.column("message"),
                         "commented_at": fresh.column("commented_at"),
                         "kind": _names_array(_KIND_ORDER).take(kind_of_row),
                         "parse_result": pa.array([meaning[1] for meaning in meanings], pa.string()).take(
                             encoded.indices),
                         "order_id": pa.array(order_of_row, mask=order_of_row == 0),
                         "effect": _names_array(_EFFECTS).take(effect_of_row),
                         "order_key": pa.array([meaning[2] for meaning in meanings], pa.string()).take(
                             encoded.indices),
                     }))
        if rotation is not None:
            rotation.save(cur)
        # The queues that a cancel, a late comment or a held order moved are recounted whole.
        stock.rebalance_stock(cur, queue_again, actor=orders.COMMENT_ACTOR)
    if next_number is not None:
        with _ORDER_NUMBERS_LOCK:  # committed: the last order number used (a stale one breaks the code's key)
            _ORDER_NUMBERS[numbers_key] = next_number
    if loaded_ids is not None:
        _remember_stored_ids(ids_key, loaded_ids)
    with _STORED_IDS_LOCK:  # committed: these comments are in the file now
        remembered = _STORED_IDS.get(ids_key)
        if remembered is not None:
            remembered.update(batch_ids if len(keep) == len(batch_ids) else [batch_ids[index] for index in keep])
            if len(remembered) > 3_000_000:  # a live beyond any real one: ask the file again
                del _STORED_IDS[ids_key]
    with _CUSTOMER_IDS_LOCK:  # committed: these ids and names are in the file now
        if loaded_customers is not None:
            _CUSTOMER_IDS[customers_key] = loaded_customers
        known = _CUSTOMER_IDS.get(customers_key)
        if known is not None:
            known.update(id_of_key)
    with _ORDER_KEYS_LOCK:  # committed: remember what the next batches need
        keys_key = (store.cache_key, livestream_id)
        if loaded_order_keys is not None:
            _ORDER_KEYS[keys_key] = loaded_order_keys
        cache = _ORDER_KEYS.get(keys_key)
        if cache is not None:
            for customer_id in acting:
                cache[customer_id] = by_id[customer_id].order_keys
            if len(cache) > 1_000_000:  # read again from the file when next needed
                del _ORDER_KEYS[keys_key]
    summary.new += count
    summary.orders_created += len(created)
    summary.orders_updated += len(updated)


# A draft's lines are compared by code at every cancel comment: the few codes of a live, normalised once.
_code_key = functools.lru_cache(maxsize=8192)(normalize_code)


def _claims(catalog: Catalog, lines) -> tuple[list[tuple], str]:
    """An order comment's lines as claims on the livestream's items: (code, item id, size, color, quantity, price,
    item code) each, and the JSON list of "code ×quantity" its order event records."""
    claims = []
    for parsed in lines:
        item_id = catalog.item_id_for_code(parsed.code)
        item = catalog.item(item_id)
        claims.append((parsed.code, item_id, parsed.size, parsed.color, parsed.qty, item.price if item else 0,
                       item.code if item else None))
    return claims, _json_strings([f"{parsed.code} ×{parsed.qty}" for parsed in lines])


def _batch_users(comments) -> tuple[list[str], "np.ndarray", list[str]]:
    """A batch's distinct platform users as customers are keyed (`_user_key`), each comment's index into them,
    and each user's latest name in the batch."""
    import numpy as np
    import pyarrow as pa

    user_ids = comments.column("user_id")
    if user_ids.null_count:  # users without a platform id are keyed by their name
        user_ids = pa.array([_user_key(key, name) for key, name in
                             zip(user_ids.to_pylist(), comments.column("user_name").to_pylist())], pa.string())
    encoded = _one_chunk(user_ids).dictionary_encode()
    user_of_row = encoded.indices.to_numpy(zero_copy_only=False)
    # The last comment of each user: the first from the end. np.unique orders by user index, as the dictionary.
    _, first_from_end = np.unique(user_of_row[::-1], return_index=True)
    latest_names = comments.column("user_name").take(pa.array(len(user_of_row) - 1 - first_from_end)).to_pylist()
    return encoded.dictionary.to_pylist(), user_of_row, latest_names


def _json_strings(texts: list[str]) -> str:
    """A JSON list of short texts (codes and quantities): written directly when nothing needs escaping."""
    joined = '", "'.join(texts)
    if '"' not in joined and "\\" not in joined and joined.isprintable():
        return f'["{joined}"]' if texts else "[]"
    return json.dumps(texts, ensure_ascii=False)


def _user_key(user_id: str | None, user_name: str) -> str:
    """How customers are keyed: by platform user id, else (hidden users, hand entry) by name."""
    return user_id or "anonymous:" + user_name.casefold()


def _set_phone(customer: _Customer, order: _Order | None, phone: str) -> None:
    if not (len(phone) == 10 and phone.startswith("0") and phone.isdigit()):  # the parser's form already
        phone = normalize_vn_phone(phone) or phone
    customer.phone, customer.changed = phone, True
    if order is not None:
        order.receiver_phone, order.phone_changed = phone, True


def _read_customers(cur, platform: str) -> dict[str, tuple[int, str]]:
    return {user_key: (customer_id, name) for user_key, customer_id, name in cur.execute(
        "SELECT platform_user_id, id, display_name FROM customers WHERE platform = ?", [platform]).fetchall()}


def _read_order_keys(cur, livestream_id: int) -> dict[int, set[str]]:
    keys: dict[int, set[str]] = {}
    for customer_id, key in cur.execute(
        "SELECT customer_id, order_key FROM comments WHERE livestream_id = ? AND effect IN ('created', 'added') "
        "AND order_key IS NOT NULL", [livestream_id],
    ).fetchall():
        keys.setdefault(customer_id, set()).add(key)
    return keys


def prepare(store: Store, livestream_id: int) -> None:
    """Reads ahead what the first batch of a live would read (items, customers, order keys, ids), so that the
    first comments of a live go in as fast as the rest. Live sources call it when they start."""
    import pyarrow as pa

    _table({"at": ([utc_now()], pa.timestamp("us"))})  # the first time column imports pandas: a quarter second
    platform = _livestream(store, livestream_id)["platform"]
    # Under the write lock: nothing commits between reading these and remembering them.
    with store.transaction() as cur:
        load_catalog(cur, livestream_id)
        for cache, lock, key, read in (
            (_CUSTOMER_IDS, _CUSTOMER_IDS_LOCK, (store.cache_key, platform), lambda: _read_customers(cur, platform)),
            (_ORDER_KEYS, _ORDER_KEYS_LOCK, (store.cache_key, livestream_id),
             lambda: _read_order_keys(cur, livestream_id)),
        ):
            with lock:
                known = key in cache
            if not known:
                remembered = read()
                with lock:
                    cache.setdefault(key, remembered)
        for sequence in ("customer_ids", "order_ids", "order_line_ids"):
            _IdPool(cur, store, sequence).fill()


def _load_order_state(cur, livestream_id: int, customer_ids: set[int], created_customers: dict[int, str],
                      needs_lines: set[int], database: str) -> tuple[dict[int, _Customer], dict | None]:
    """The customers a batch acts for, with their live (not cancelled) orders, order keys and, for cancels, lines.

    Also the livestream's order keys when this process had none yet (to keep once the batch commits)."""
    by_id: dict[int, _Customer] = {customer_id: _Customer(customer_id, name, None, None, None)
                                   for customer_id, name in created_customers.items() if customer_id in customer_ids}
    with _ORDER_KEYS_LOCK:
        cache = _ORDER_KEYS.get((database, livestream_id))
        known = None if cache is None else {customer_id: cache[customer_id] for customer_id in customer_ids
                                            if customer_id in cache}
    loaded = None
    if known is None and customer_ids:
        # Every order key of the livestream, once per process: later batches then read none.
        loaded = _read_order_keys(cur, livestream_id)
        known = {customer_id: loaded[customer_id] for customer_id in customer_ids if customer_id in loaded}
    existing = sorted(customer_ids - by_id.keys())
    if not existing:
        for customer in by_id.values():
            customer.order_keys = set(known.get(customer.id, ()))
        return by_id, loaded
    order_of_id: dict[int, _Order] = {}
    for (customer_id, name, phone, address, staff_id, blacklisted, order_id, status, first_comment_at,
         receiver_phone, hold_reason) in cur.execute(
        "SELECT c.id, c.display_name, c.phone, c.address, c.staff_id, c.blacklisted, o.id, o.status, "
        "o.first_comment_at, o.receiver_phone, o.hold_reason FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
        "AND o.livestream_id = ? AND o.status <> 'cancelled' WHERE c.id IN (SELECT unnest(?::BIGINT[])) "
        "ORDER BY c.id, o.created_at, o.id",
        [livestream_id, existing],
    ).fetchall():
        customer = by_id.get(customer_id)
        if customer is None:
            customer = by_id[customer_id] = _Customer(customer_id, name, phone, address, staff_id, blacklisted)
        if order_id is not None:
            order = _Order(order_id, customer_id, status, first_comment_at, new=False,
                           receiver_phone=receiver_phone, lines=[] if customer_id in needs_lines else None,
                           hold_reason=hold_reason)
            customer.orders.append(order)
            order_of_id[order_id] = order
    for customer in by_id.values():
        customer.order_keys = set(known.get(customer.id, ()))
    wanted = [order.id for order in order_of_id.values() if order.lines is not None]
    if wanted:
        for line_id, order_id, code_typed, item_id, item_code in cur.execute(
            "SELECT l.id, l.order_id, l.code_typed, l.item_id, i.code FROM order_lines l "
            "LEFT JOIN live_items i ON i.id = l.item_id WHERE l.order_id IN (SELECT unnest(?::BIGINT[])) "
            "ORDER BY l.claimed_at, l.id",
            [wanted],
        ).fetchall():
            order_of_id[order_id].lines.append(_Line(line_id, code_typed, item_id, item_code, new=False))
    return by_id, loaded


def _serve_appended_claims(cur, catalog: Catalog, stocked: list[int], freed: set[int], new_lines: dict,
                           hold_of_order: dict, event) -> list[int]:
    """Sets the waitlisted quantity of this batch's new claims on stocked items, where they only join the end of
    the queue, exactly as orders.rebalance_stock would; returns the items whose whole queue must be recomputed.

    The end of the queue: no held order (of a blacklisted customer) claims the item, and each new claim comes after
    every open claim by (comment time, line id), the queue's order. The claims before keep what they have, and
    stock - (their total quantity) is what is left for the new ones, in order."""
    appended: dict[int, list[list]] = {}
    full = set(stocked) & freed
    for row in new_lines.values():
        item_id = row[3]
        if item_id in full or item_id not in stocked:
            continue
        if hold_of_order.get(row[1]) is not None:
            full.add(item_id)
            appended.pop(item_id, None)
            continue
        appended.setdefault(item_id, []).append(row)
    if not appended:
        return sorted(full)
    queues = {item_id: (claimed, last, held) for item_id, claimed, last, held in cur.execute(
        "SELECT l.item_id, sum(l.qty) FILTER (WHERE o.hold_reason IS NULL), "
        "max({'at': l.claimed_at, 'id': l.id}) FILTER (WHERE o.hold_reason IS NULL), "
        "count(*) FILTER (WHERE o.hold_reason IS NOT NULL) "
        "FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "WHERE l.item_id IN (SELECT unnest(?::BIGINT[])) AND o.status <> 'cancelled' GROUP BY l.item_id",
        [sorted(appended)],
    ).fetchall()}
    for item_id, rows in appended.items():
        claimed, last, held = queues.get(item_id, (0, None, 0))
        rows.sort(key=lambda row: (row[9], row[0]))
        if held or (last is not None and (rows[0][9], rows[0][0]) <= (last["at"], last["id"])):
            full.add(item_id)
            continue
        running = claimed or 0
        stock = catalog.item(item_id).stock
        for row in rows:
            qty = row[6]
            waitlisted = qty - max(0, min(qty, stock - running))
            running += qty
            if waitlisted:
                row[10] = waitlisted
                event(row[1], "waitlisted",
                      f'{{"line_id": {row[0]}, "waitlisted_before": 0, "waitlisted_now": {waitlisted}}}')
    return sorted(full)


def _write_batch(cur, livestream_id, platform, source, now, customers, new_customers, new_orders, new_lines,
                 deleted_lines, events, comment_rows) -> None:
    import pyarrow as pa

    if new_customers:  # (id, platform user key, name, their _Customer when they acted in this batch)
        register(cur, "batch_new_customers", _table({
            "id": ([row[0] for row in new_customers], pa.int64()),
            "user_key": ([row[1] for row in new_customers], pa.string()),
            "name": ([row[2] for row in new_customers], pa.string()),
            "phone": ([row[3].phone if row[3] else None for row in new_customers], pa.string()),
            "staff_id": ([row[3].staff_id if row[3] else None for row in new_customers], pa.int64()),
        }))
        cur.execute(
            "INSERT INTO customers (id, platform, platform_user_id, display_name, phone, staff_id, created_at) "
            "SELECT id, ?, user_key, name, phone, staff_id, ? FROM batch_new_customers", [platform, now]).fetchall()
        cur.unregister("batch_new_customers")
    created_ids = {row[0] for row in new_customers}
    changed_customers = [c for c in customers.values() if c.changed and c.id not in created_ids]
    if changed_customers:
        register(cur, "batch_customers", _table({
            "id": ([c.id for c in changed_customers], pa.int64()),
            "phone": ([c.phone for c in changed_customers], pa.string()),
            "staff_id": ([c.staff_id for c in changed_customers], pa.int64()),
        }))
        cur.execute("UPDATE customers SET phone = b.phone, staff_id = b.staff_id FROM batch_customers b "
                    "WHERE customers.id = b.id").fetchall()
        cur.unregister("batch_customers")
    if new_orders:
        rows = []
        for order_id, number, customer in new_orders:
            order = next(o for o in customer.orders if o.id == order_id) if customer.orders else None
            rows.append((order_id, orders.order_code(livestream_id, number), number, customer.id, order.status,
                         customer.staff_id, order.first_comment_at, customer.name, order.receiver_phone,
                         customer.address, order.hold_reason))
        columns = list(zip(*rows))
        register(cur, "batch_orders", _table({
            "id": (list(columns[0]), pa.int64()), "code": (list(columns[1]), pa.string()),
            "number": (list(columns[2]), pa.int32()), "customer_id": (list(columns[3]), pa.int64()),
            "status": (list(columns[4]), pa.string()), "staff_id": (list(columns[5]), pa.int64()),
            "first_comment_at": (list(columns[6]), pa.timestamp("us")),
            "receiver_name": (list(columns[7]), pa.string()), "receiver_phone": (list(columns[8]), pa.string()),
            "receiver_address": (list(columns[9]), pa.string()), "hold_reason": (list(columns[10]), pa.string()),
        }))
        cur.execute(
            "INSERT INTO orders (id, code, livestream_id, number, customer_id, status, staff_id, first_comment_at, "
            "receiver_name, receiver_phone, receiver_address, hold_reason, created_at, updated_at) "
            "SELECT id, code, ?, number, customer_id, status, staff_id, first_comment_at, receiver_name, "
            "receiver_phone, receiver_address, hold_reason, ?, ? FROM batch_orders",
            [livestream_id, now, now],
        ).fetchall()
        cur.unregister("batch_orders")
    new_ids = {order_id for order_id, _, _ in new_orders}
    changed_orders = [o for c in customers.values() for o in c.orders if o.changed and o.id not in new_ids]
    # Orders fully cancelled in this batch are no longer in customer.orders' open view but still need writing.
    if changed_orders:
        # Most orders a batch touches only gained lines: a new version, and nothing else to set. Setting the other
        # columns on every one of them made DuckDB's update slow (a second per batch of 30,000 orders).
        cur.execute("UPDATE orders SET version = version + 1, updated_at = ? WHERE id IN (SELECT unnest(?::BIGINT[]))",
                    [now, [o.id for o in changed_orders]]).fetchall()
        changed_orders = [o for o in changed_orders if o.status_changed or o.phone_changed or o.time_changed]
    if changed_orders:
        register(cur, "batch_order_changes", _table({
            "id": ([o.id for o in changed_orders], pa.int64()),
            "status": ([o.status for o in changed_orders], pa.string()),
            "first_comment_at": ([o.first_comment_at for o in changed_orders], pa.timestamp("us")),
            "receiver_phone": ([o.receiver_phone for o in changed_orders], pa.string()),
            "phone_changed": ([o.phone_changed for o in changed_orders], pa.bool_()),
        }))
        cur.execute(
            "UPDATE orders SET status = b.status, first_comment_at = b.first_comment_at, "
            "receiver_phone = CASE WHEN b.phone_changed THEN b.receiver_phone ELSE orders.receiver_phone END "
            "FROM batch_order_changes b WHERE orders.id = b.id",
        ).fetchall()
        cur.unregister("batch_order_changes")
    if deleted_lines:
        cur.execute("DELETE FROM order_lines WHERE id IN (SELECT unnest(?::BIGINT[]))", [deleted_lines]).fetchall()
    if new_lines:
        columns = list(zip(*new_lines.values()))
        register(cur, "batch_lines", _table({
            "id": (list(columns[0]), pa.int64()), "order_id": (list(columns[1]), pa.int64()),
            "code_typed": (list(columns[2]), pa.string()), "item_id": (list(columns[3]), pa.int64()),
            "size": (list(columns[4]), pa.string()), "color": (list(columns[5]), pa.string()),
            "qty": (list(columns[6]), pa.int32()), "unit_price": (list(columns[7]), pa.int64()),
            "source_comment_id": (list(columns[8]), pa.int64()),
            "claimed_at": (list(columns[9]), pa.timestamp("us")), "waitlisted_qty": (list(columns[10]), pa.int32()),
        }))
        cur.execute(
            "INSERT INTO order_lines (id, order_id, code_typed, item_id, size, color, qty, unit_price, "
            "source_comment_id, claimed_at, waitlisted_qty) SELECT id, order_id, code_typed, item_id, size, color, "
            "qty, unit_price, source_comment_id, claimed_at, waitlisted_qty FROM batch_lines"
        ).fetchall()
        cur.unregister("batch_lines")
    register(cur, "batch_comments", comment_rows)
    cur.execute(
        "INSERT INTO comments (id, livestream_id, platform, platform_comment_id, customer_id, message, commented_at, "
        "received_at, source, kind, parse_result, order_id, effect, order_key) "
        "SELECT id, ?, ?, platform_comment_id, customer_id, message, commented_at, ?, ?, kind, parse_result, "
        "order_id, effect, order_key FROM batch_comments",
        [livestream_id, platform, now, source],
    ).fetchall()
    cur.unregister("batch_comments")
    if events:
        columns = list(zip(*events))
        register(cur, "batch_events", _table({
            "order_id": (list(columns[0]), pa.int64()), "action": (list(columns[1]), pa.string()),
            "from_status": (list(columns[2]), pa.string()), "to_status": (list(columns[3]), pa.string()),
            "details": (list(columns[4]), pa.string()),
        }))
        cur.execute(
            "INSERT INTO order_events (order_id, happened_at, actor, action, from_status, to_status, details) "
            "SELECT order_id, ?, ?, action, from_status, to_status, details FROM batch_events",
            [now, orders.COMMENT_ACTOR],
        ).fetchall()
        cur.unregister("batch_events")


def comment_stream(store: Store, livestream_id: int, limit: int = 200, kinds: Iterable[str] | None = None,
                   comment_id: int | None = None) -> list[dict]:
    """The newest comments first, with the customer, and the order Edit opens: the one the comment touched,
    else the customer's current order in this livestream (None when they have none). With comment_id, just
    that comment (an empty list when it is not in this livestream)."""
    params: list = [livestream_id]
    where = "c.livestream_id = ?"
    kinds = list(kinds or [])
    if kinds:
        where += f" AND c.kind IN ({','.join('?' * len(kinds))})"
        params += kinds
    if comment_id is not None:
        where += " AND c.id = ?"
        params.append(comment_id)
    params.append(limit)
    return store.query(
        # The newest comments first, then their orders: joined the other way round, the order of every comment
        # of a long live would be looked up on each refresh of the live panel.
        f"""
WITH c AS (
    SELECT c.id, c.commented_at, c.customer_id, c.message, c.kind, c.effect, c.parse_result, c.order_id,
           c.livestream_id
    FROM comments c WHERE {where} ORDER BY c.commented_at DESC, c.id DESC LIMIT ?
)
SELECT c.id, c.commented_at, c.customer_id, cu.display_name AS customer, c.message, c.kind, c.effect,
       c.parse_result, cu.blacklisted, e.id AS edit_order_id, e.code AS order_code, e.status AS order_status
FROM c
JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN LATERAL (
    SELECT o.id, o.code, o.status FROM orders o
    WHERE o.id = c.order_id OR (c.order_id IS NULL AND o.livestream_id = c.livestream_id
                                AND o.customer_id = c.customer_id)
    ORDER BY o.id = c.order_id DESC, o.status = 'cancelled', o.created_at DESC LIMIT 1
) e ON TRUE
ORDER BY c.commented_at DESC, c.id DESC""",
        params,
    )


def comment_counts(store: Store, livestream_id: int) -> dict:
    rows = store.query("SELECT kind, count(*) AS n FROM comments WHERE livestream_id = ? GROUP BY kind",
                       [livestream_id])
    return {row["kind"]: row["n"] for row in rows}


def _livestream(store: Store, livestream_id: int) -> dict:
    with store.reading() as cur:
        return livestream_row(cur, livestream_id)


def validate_livestream_for_ingest(store: Store, livestream_id) -> int:
    try:
        livestream_id = int(livestream_id)
    except (TypeError, ValueError):
        raise InvalidInput("ingest.not_a_livestream_id", value=livestream_id) from None
    _livestream(store, livestream_id)
    return livestream_id


def explain_comments(store: Store, livestream_id: int, messages: Iterable[str]) -> list:
    """How comments read with the livestream's current items: a ParseResult each, with its reasons for review.
    The catalog is loaded once for all of them (the live panel explains every review comment it shows)."""
    cur = store.cursor()
    try:
        catalog = load_catalog(cur, livestream_id)
    finally:
        cur.close()
    return [parse(message, catalog.parser_items, catalog.settings) for message in messages]


def explain_comment(store: Store, livestream_id: int, message: str):
    return explain_comments(store, livestream_id, [message])[0]


def order_from_corrected_comment(store: Store, comment_id: int, corrected_text: str, *, actor: str) -> dict:
    """Staff turn a review or question comment into order lines after correcting its text.

    The corrected text must read as an order; its lines go to the customer's open order (or a new draft), as an
    order comment would, and the comment is marked as having made them. Returns {order_id, code, created}.
    """
    with store.transaction() as cur:
        row = cur.execute("SELECT livestream_id, customer_id, kind, effect, commented_at FROM comments WHERE id = ?",
                          [comment_id]).fetchall()
        if not row:
            raise InvalidInput("ingest.comment_gone")
        livestream_id, customer_id, kind, effect, commented_at = row[0]
        if effect in ("created", "added"):
            raise InvalidInput("ingest.comment_already_used")
        catalog = load_catalog(cur, livestream_id)
        result = parse(corrected_text or "", catalog.parser_items, catalog.settings)
        if result.kind != "order" or not result.lines:
            reasons = list(result.reasons) or Text("ingest.reads_as", kind=Text(f"ingest.kind_{result.kind}"))
            raise InvalidInput("ingest.not_an_order_yet", reasons=reasons)
        found = cur.execute(
            "SELECT id, status FROM orders WHERE livestream_id = ? AND customer_id = ? AND status IN "
            "('draft', 'awaiting_confirmation') ORDER BY created_at DESC, id DESC LIMIT 1",
            [livestream_id, customer_id],
        ).fetchall()
        created = not found
        if created:
            order_id = order_records.create_draft(cur, livestream_id=livestream_id, customer_id=customer_id,
                                           first_comment_at=commented_at, actor=actor, comment_id=comment_id)
        else:
            order_id, status = found[0]
            if status == orders.AWAITING_CONFIRMATION:
                order_records.bump_version(cur, order_id, new_status=orders.DRAFT)
                history.customer_added_items(cur, order_id, actor=actor, comment_id=comment_id, from_status=status,
                                             to_status=orders.DRAFT)
            cur.execute("UPDATE orders SET first_comment_at = least(first_comment_at, ?) WHERE id = ?",
                        [commented_at, order_id]).fetchall()
        added = []
        for line in result.lines:
            item_id = catalog.item_id_for_code(line.code)
            item = catalog.item(item_id)
            order_records.add_line(cur, order_id, code_typed=line.code, item_id=item_id, qty=line.qty, size=line.size,
                            color=line.color, unit_price=item.price if item else 0, claimed_at=commented_at,
                            comment_id=comment_id)
            added.append(f"{line.code} ×{line.qty}")
        if result.phone:
            cur.execute("UPDATE customers SET phone = ? WHERE id = ?", [result.phone, customer_id]).fetchall()
            cur.execute("UPDATE orders SET receiver_phone = ? WHERE id = ?", [result.phone, order_id]).fetchall()
        order_records.bump_version(cur, order_id)
        history.comment_corrected_into_lines(cur, order_id, actor=actor, comment_id=comment_id, text=corrected_text,
                                             lines=added)
        cur.execute("UPDATE comments SET effect = ?, order_id = ? WHERE id = ?",
                    ["created" if created else "added", order_id, comment_id]).fetchall()
        stock.rebalance_stock(cur, [catalog.item_id_for_code(line.code) for line in result.lines], actor=actor)
        code = cur.execute("SELECT code FROM orders WHERE id = ?", [order_id]).fetchall()[0][0]
    return {"order_id": order_id, "code": code, "created": created}


def reparse_comments(cur, livestream_id: int) -> int:
    """Reads the livestream's stored comments again with its current items and settings; returns how many now
    read differently. Their kind and reading change (so marks and reports follow the new items); the orders
    they already moved are left as they are, and blank lines are filled separately by their typed code."""
    import pyarrow as pa

    forget_order_keys(livestream_id)
    catalog = load_catalog(cur, livestream_id)
    changed_ids, kinds, readings, keys = [], [], [], []
    for comment_id, message, old_reading in cur.execute(
        "SELECT id, message, parse_result FROM comments WHERE livestream_id = ?", [livestream_id]
    ).fetchall():
        result = parse(message, catalog.parser_items, catalog.settings)
        reading = result.json_text()
        # Compared as JSON: readings stored before compact JSON (orjson) say the same thing with spaces.
        if reading != old_reading and result.to_json() != json.loads(old_reading):
            changed_ids.append(comment_id)
            kinds.append(result.kind)
            readings.append(reading)
            keys.append(order_key(result.lines) if result.kind == "order" else None)
    if changed_ids:
        register(cur, "reparsed", pa.table({
            "id": pa.array(changed_ids, pa.int64()), "kind": pa.array(kinds, pa.string()),
            "parse_result": pa.array(readings, pa.string()), "order_key": pa.array(keys, pa.string()),
        }))
        cur.execute("UPDATE comments SET kind = r.kind, parse_result = r.parse_result, order_key = r.order_key "
                    "FROM reparsed r WHERE comments.id = r.id").fetchall()
        cur.unregister("reparsed")
    return len(changed_ids)
