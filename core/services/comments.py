"""One path for every source of comments (files, hand entry, the demo live): store once, parse, move orders.

A batch is one transaction: after a crash a comment is either stored and applied, or not stored at all, and
re-reading the source adds only what is missing (comments are unique per platform on their comment id).
"""

from __future__ import annotations

import functools
import gc
import io
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from core.base.errors import InvalidInput
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.base.phones import normalize_vn_phone
from core.db.store import Store, register, when_closed
from core.domain import orders
from core.domain.catalog import Catalog
from core.domain.comment_rules import (
    ACTING_KINDS,
    EFFECTS,
    LINES_ADDED,
    LINES_TAKEN,
    ActingComment,
    Claim,
    CustomerState,
    LineState,
    NewLine,
    NewOrder,
    OrderState,
    Plan,
    PlannedEvent,
    Reading,
    RuleSettings,
    acting_comments,
    order_key,
    plan_comments,
)
from core.domain.syntax import parse
from core.integrations.comment_files import (
    HIDDEN_NAME,
    IncomingComment,
    comment_tables,
    comments_table,
    one_chunk,
    read_comment_blocks,
    read_comment_lines,
    with_texts_capped,
)
from core.records import orders as order_records
from core.records import stock
from core.records.catalog import livestream_row, load_catalog
from core.records.rotation import StaffRotation
from core.services import answers

if TYPE_CHECKING:
    import numpy as np

KINDS = ("order", "cancel", "question", "review", "contact", "none")



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
    return _ingest_blocks(store, livestream_id, comment_tables(read_comment_lines(lines, filename)), source, batch_size,
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

def _each_distinct_in_python(values) -> list:
    """values.to_pylist(), making each distinct Python object once (times repeat a lot; making each is slow)."""
    encoded = one_chunk(values).dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    return [distinct[index] for index in encoded.indices.to_numpy(zero_copy_only=False).tolist()]


# -- what this process remembers of a database -------------------------------------------------------------------
_STORED_IDS_KEPT = 3  # livestreams; a shop server runs for months, one or two lives at a time
_STORED_IDS_LIMIT = 3_000_000  # ids of one live beyond any real one: ask the file again
_ORDER_KEYS_LIMIT = 1_000_000  # customers of one live: read again from the file when next needed
_ID_CHUNK = 4096


class IngestMemory:
    """What this process remembers of one database between batches, so that a batch asks the file for little.

    - customers: id and name by platform user, per platform. Ids never change and names are written only by ingest,
      so a known customer with the same name needs no statement at all.
    - order keys: each customer's order keys per livestream (the repeat policy needs them for every customer in
      every batch; reading them from a growing comments table would make a long live slower and slower).
      Re-reading comments with new settings or items forgets them.
    - stored ids: the platform comment ids stored for a few livestreams, so a batch finds its repeats alone.
    - order numbers: the last order number each livestream used.
    - id pools: ids drawn from the DuckDB sequences ahead, so rows can reference each other before they are
      inserted. A sequence never gives a number twice, also across rollbacks, so ids held here stay unique.
    - next comment id: comment ids count on from the largest in the file (only ingest writes comments; drawing a
      million ids from a sequence one by one would take seconds).

    Only this process writes the file (DuckDB's lock), and all of it is updated only after a batch commits. A
    stale memory (another writer, a comment stored under another livestream, an order staff made taking a number)
    breaks a unique key; the batch is then rolled back and run again with the memory forgotten (_ingest_batch).
    One instance per open store (`memory_of`), under one lock.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.customers: dict[str, dict[str, tuple[int, str]]] = {}  # platform -> user key -> (id, name)
        self.order_keys: dict[int, dict[int, set[str]]] = {}  # livestream -> customer id -> order keys
        self.stored_ids: dict[tuple[str, int], set[str]] = {}  # (platform, livestream), least recently used first
        self.order_numbers: dict[int, int] = {}  # livestream -> the last order number used
        self.id_pools: dict[str, list[int]] = {}  # sequence -> ids drawn ahead
        self.next_comment_id: int | None = None

    def stored_ids_of(self, platform: str, livestream_id: int) -> set[str] | None:
        with self.lock:
            ids = self.stored_ids.pop((platform, livestream_id), None)
            if ids is not None:
                self.stored_ids[(platform, livestream_id)] = ids  # used now: the last to be forgotten
        return ids

    def keep_stored_ids(self, platform: str, livestream_id: int, ids: set[str]) -> None:
        """Keeps a livestream's stored ids, forgetting the livestream used least recently beyond a few."""
        with self.lock:
            self.stored_ids.pop((platform, livestream_id), None)
            self.stored_ids[(platform, livestream_id)] = ids  # newest last: dicts keep insertion order
            while len(self.stored_ids) > _STORED_IDS_KEPT:
                del self.stored_ids[next(iter(self.stored_ids))]

    def add_stored_ids(self, platform: str, livestream_id: int, ids: list[str]) -> None:
        with self.lock:
            remembered = self.stored_ids.get((platform, livestream_id))
            if remembered is not None:
                remembered.update(ids)
                if len(remembered) > _STORED_IDS_LIMIT:
                    del self.stored_ids[(platform, livestream_id)]

    def stored_livestreams(self) -> list[int]:
        """The livestreams whose stored ids are kept, least recently used first."""
        with self.lock:
            return [livestream_id for _, livestream_id in self.stored_ids]

    def customers_of(self, platform: str) -> dict[str, tuple[int, str]] | None:
        with self.lock:
            return self.customers.get(platform)

    def add_customers(self, platform: str, loaded: dict | None, id_of_key: dict[str, tuple[int, str]]) -> None:
        with self.lock:
            if loaded is not None:
                self.customers[platform] = loaded
            known = self.customers.get(platform)
            if known is not None:
                known.update(id_of_key)

    def order_keys_of(self, livestream_id: int, customer_ids) -> dict[int, set[str]] | None:
        """These customers' order keys in the livestream (None: not read yet)."""
        with self.lock:
            keys = self.order_keys.get(livestream_id)
            return None if keys is None else {customer_id: keys[customer_id] for customer_id in customer_ids
                                              if customer_id in keys}

    def add_order_keys(self, livestream_id: int, loaded: dict | None, keys_of: dict[int, set[str]]) -> None:
        with self.lock:
            if loaded is not None:
                self.order_keys[livestream_id] = loaded
            keys = self.order_keys.get(livestream_id)
            if keys is not None:
                keys.update(keys_of)
                if len(keys) > _ORDER_KEYS_LIMIT:
                    del self.order_keys[livestream_id]

    def forget_order_keys(self, livestream_id: int) -> None:
        with self.lock:
            self.order_keys.pop(livestream_id, None)

    def last_order_number(self, livestream_id: int) -> int | None:
        with self.lock:
            return self.order_numbers.get(livestream_id)

    def keep_order_number(self, livestream_id: int, number: int) -> None:
        with self.lock:
            self.order_numbers[livestream_id] = number

    def take_ids(self, cur, sequence: str, count: int, keep: int = 0) -> list[int]:
        """`count` new ids of a sequence, keeping at least `keep` more drawn ahead."""
        with self.lock:
            free = self.id_pools.setdefault(sequence, [])
            if len(free) < max(count, keep):
                free.extend(row[0] for row in cur.execute(
                    f"SELECT nextval('{sequence}') FROM range(?)", [max(count, _ID_CHUNK)]).fetchall())
            taken = free[:count]
            del free[:count]
        return taken

    def comment_ids(self, cur, count: int) -> int:
        """The first of `count` consecutive new comment ids."""
        with self.lock:
            first = self.next_comment_id
            if first is None:
                first = 1 + cur.execute(
                    "SELECT greatest((SELECT coalesce(max(id), 0) FROM comments), (SELECT coalesce(max(last_value), "
                    "0) FROM duckdb_sequences() WHERE sequence_name = 'comment_ids'))").fetchone()[0]
            self.next_comment_id = first + count
        return first


_MEMORIES: dict[str, IngestMemory] = {}  # by Store.cache_key: one per open store
_MEMORIES_LOCK = threading.Lock()


def memory_of(store: Store) -> IngestMemory:
    """This process's memory of the store's database, made on first use."""
    with _MEMORIES_LOCK:
        memory = _MEMORIES.get(store.cache_key)
        if memory is None:
            memory = _MEMORIES[store.cache_key] = IngestMemory()
    return memory


def forget_process_memory(store: Store) -> None:
    """Drops all that this process remembers of one database: customers, order keys, stored comment ids, order
    numbers, drawn ids and the comment id count."""
    with _MEMORIES_LOCK:
        _MEMORIES.pop(store.cache_key, None)


when_closed(forget_process_memory)


def _forget_order_keys(livestream_id: int) -> None:
    """Forgets a livestream's order keys (its comments are read again). Livestream ids are per database and the
    caller has only a cursor: every database's memory forgets that livestream."""
    with _MEMORIES_LOCK:
        memories = list(_MEMORIES.values())
    for memory in memories:
        memory.forget_order_keys(livestream_id)


# -- what texts mean ---------------------------------------------------------------------------------------------
class Meaning(NamedTuple):
    """What a comment text means in one catalog: its reading for the rules, and the parse result's JSON as the
    comments table stores it."""

    reading: Reading
    json_text: str
    name_sensitive: bool = False  # the text holds a cancel word typed bare: it may read otherwise by who wrote it


# A bounded process cache of what a comment text means in one catalog (Catalog.cache_token names the catalog's
# items and settings; comments repeat a lot). It holds only pure results of (catalog, text), so it carries no
# data between callers: a stale entry cannot exist, since a changed catalog has a new token.
_MEANINGS: OrderedDict[tuple, Meaning] = OrderedDict()
_MEANINGS_LIMIT = 50_000
_MEANINGS_LOCK = threading.Lock()


def _meanings(catalog: Catalog, texts: list[str], names: list[str] | None = None) -> list[Meaning]:
    """What each of these distinct texts means, from the cache where it has them; the cache is consulted and
    filled under one lock each. With names (one per text: the commenter's display name), the name is part of
    the key: only for name-sensitive texts (`_named_meanings`), so the cache stays keyed by text for the rest."""
    token = catalog.cache_token
    keys = [(token, text) for text in texts] if names is None else \
        [(token, text, name) for text, name in zip(texts, names)]
    with _MEANINGS_LOCK:
        found = [_MEANINGS.get(key) for key in keys]
        for key, meaning in zip(keys, found):
            if meaning is not None:
                _MEANINGS.move_to_end(key)  # used now: the last to be forgotten
    missing = [index for index, meaning in enumerate(found) if meaning is None]
    if missing:
        for index in missing:
            result = parse(texts[index], catalog.parser_items, catalog.settings,
                           commenter_name=None if names is None else names[index])
            found[index] = Meaning(_reading(catalog, result), result.json_text(), bool(result.name_sensitive))
        with _MEANINGS_LOCK:
            for index in missing:
                _MEANINGS[keys[index]] = found[index]
            while len(_MEANINGS) > _MEANINGS_LIMIT:
                _MEANINGS.popitem(last=False)
    return found


def _named_meanings(catalog: Catalog, texts: list[str], meanings: list[Meaning], text_of_row, name_of_row):
    """Rows whose text is name-sensitive (a cancel word typed bare, SYNTAX.md traps 4: "Huy D1 M" by Lê Huy)
    read again with their commenter's name, once per distinct (text, name), through the same cache.

    texts and meanings: the distinct texts and what they mean without a name; text_of_row: each row's index
    into them (numpy); name_of_row(rows) -> those rows' names. Returns (meanings with the named ones appended,
    each row's index into them): the very same objects when no text is name-sensitive, as in most batches."""
    import numpy as np

    sensitive = [index for index, meaning in enumerate(meanings) if meaning.name_sensitive]
    if not sensitive:
        return meanings, text_of_row
    rows = np.flatnonzero(np.isin(text_of_row, sensitive))
    pairs = list(zip(text_of_row[rows].tolist(), name_of_row(rows)))
    distinct = list(dict.fromkeys(pairs))
    named = _meanings(catalog, [texts[text] for text, _ in distinct], [name or "" for _, name in distinct])
    position = {pair: len(meanings) + offset for offset, pair in enumerate(distinct)}
    text_of_row = np.array(text_of_row, dtype=np.int64)  # a copy: Arrow's numpy view is read-only
    text_of_row[rows] = [position[pair] for pair in pairs]
    return meanings + named, text_of_row


def _reading(catalog: Catalog, result) -> Reading:
    """A ParseResult as the rules read it, with its order lines as claims on the catalog's items."""
    phone = result.phone
    if phone and not (len(phone) == 10 and phone.startswith("0") and phone.isdigit()):  # the parser's form already
        phone = normalize_vn_phone(phone) or phone
    codes = tuple(line.code for line in result.lines)
    if result.kind != "order":
        return Reading(result.kind, codes, phone, result.add)
    return Reading("order", codes, phone, result.add, order_key(result.lines), _claims(catalog, result.lines),
                   _json_strings([f"{line.code} ×{line.qty}" for line in result.lines]))


def _claims(catalog: Catalog, lines) -> tuple[Claim, ...]:
    """An order comment's lines as claims on the livestream's items."""
    claims = []
    for parsed in lines:
        item_id = catalog.item_id_for_code(parsed.code)
        item = catalog.item(item_id)
        claims.append(Claim(parsed.code, item_id, parsed.size, parsed.color, parsed.qty, item.price if item else 0,
                            item.code if item else None))
    return tuple(claims)


def _json_strings(texts: list[str]) -> str:
    """A JSON list of short texts (codes and quantities): written directly when nothing needs escaping."""
    joined = '", "'.join(texts)
    if '"' not in joined and "\\" not in joined and joined.isprintable():
        return f'["{joined}"]' if texts else "[]"
    return json.dumps(texts, ensure_ascii=False)


# A batch's kinds and effects as small codes, one per comment; the kinds that act on orders come last.
_KIND_ORDER = ("none", "question", "review", "order", "cancel", "contact")
_KIND_CODES = {kind: code for code, kind in enumerate(_KIND_ORDER)}
_FIRST_ACTING_CODE = _KIND_CODES["order"]
assert set(_KIND_ORDER) == set(KINDS) and set(_KIND_ORDER[_FIRST_ACTING_CODE:]) == ACTING_KINDS
_EFFECT_CODES = {effect: code for code, effect in enumerate(EFFECTS)}


@functools.cache
def _names_array(names: tuple[str, ...]):
    """The Arrow array that a column of codes into `names` takes its texts from."""
    import pyarrow as pa

    return pa.array(names, pa.string())


def _table(columns: dict[str, tuple[list, object]]):
    import pyarrow as pa

    return pa.table({name: pa.array(values, type=kind) for name, (values, kind) in columns.items()})


# -- a batch -----------------------------------------------------------------------------------------------------
def _ingest_batch(store: Store, livestream: dict, batch, source: str,
                  summary: IngestSummary) -> None:
    """One batch (a list of IncomingComment or an Arrow table of `comments_table`'s columns), counted into
    `summary` only once it is committed. A unique key broken because this process's memory went stale (another
    writer of the file, a comment stored under another livestream) rolls the batch back; it is then run again
    with the memory forgotten, checking every comment id in the file."""
    import duckdb

    if isinstance(batch, list):
        batch = comments_table(batch)
    batch = with_texts_capped(batch)  # every source: files, hand entry, Facebook, the demo
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


def _ingest_batch_once(store: Store, livestream: dict, batch, source: str,
                       summary: IngestSummary, careful: bool = False) -> None:
    """Stores a batch of comments (an Arrow table, `comments_table`) and moves orders, as sets, in one transaction,
    in six steps: which rows are new, their customers, what each distinct text says, the plan of the comment rules
    (core.domain.comment_rules) over the state of the customers who act, writing it, and remembering after the
    commit what the next batch needs. `careful`: trust no memory (the second attempt)."""
    memory = memory_of(store)
    with store.transaction() as cur:
        rows = _new_rows(cur, memory, livestream, batch, careful)
        if rows.comments is None:
            people = acted = written = None
        else:
            people = _batch_customers(cur, memory, livestream["platform"], rows.comments)
            read = _read_texts(cur, livestream["id"], rows.comments)
            acted = _plan_batch(cur, memory, livestream, rows.comments, people, read)
            written = _write_batch(cur, memory, livestream, source, rows.comments, people, read, acted, careful)
    _remember(memory, livestream, rows, people, acted, written)
    summary.duplicates += rows.duplicates
    if acted is not None:
        summary.new += rows.comments.num_rows
        summary.kinds.update(read.kinds)
        summary.orders_created += len(acted.plan.created)
        summary.orders_updated += len(acted.plan.updated)


class _NewRows(NamedTuple):
    comments: object  # Arrow table of the new comments in comment-time order; None: none is new
    ids: list[str]  # their platform comment ids
    duplicates: int  # comments of the batch already stored or repeated within it
    loaded_ids: set[str] | None  # the livestream's stored ids read from the file, to remember


def _new_rows(cur, memory: IngestMemory, livestream: dict, batch, careful: bool) -> _NewRows:
    """Step 1: the first comment of each id not stored yet, in the order viewers wrote them (whatever order they
    arrived in; Arrow's sort is stable)."""
    import pyarrow.compute as pc

    platform, livestream_id = livestream["platform"], livestream["id"]
    batch_ids = batch.column("comment_id").to_pylist()
    distinct_ids = set(batch_ids)
    known = None if careful else memory.stored_ids_of(platform, livestream_id)
    loaded_ids = None
    if known is None:
        known = _stored_among(cur, platform, list(distinct_ids))
        if not careful:
            loaded_ids = {row[0] for row in cur.execute(
                "SELECT platform_comment_id FROM comments WHERE livestream_id = ?", [livestream_id]).fetchall()}
    # With this livestream's stored ids in memory, a comment stored under another livestream would break the
    # unique key and send the batch round again, carefully (_ingest_batch).
    if len(distinct_ids) == len(batch_ids) and known.isdisjoint(distinct_ids):  # a file's batches, mostly
        keep, ids = None, batch_ids
    else:
        first_of_id = dict(zip(reversed(batch_ids), range(len(batch_ids) - 1, -1, -1)))  # the first one wins
        keep = sorted(index for comment_id, index in first_of_id.items() if comment_id not in known)
        ids = [batch_ids[index] for index in keep]
    if not ids:
        return _NewRows(None, [], len(batch_ids), loaded_ids)
    fresh = batch if keep is None else batch.take(keep)
    times = fresh.column("commented_at")
    if len(times) > 1 and not pc.all(pc.less_equal(times[:-1], times[1:])).as_py():  # a file is mostly in order
        fresh = fresh.take(pc.sort_indices(fresh, sort_keys=[("commented_at", "ascending")]))
    else:  # one chunk a column, as the sort gives: a batch in many chunks doubled the final checkpoint
        fresh = fresh.combine_chunks()
    return _NewRows(fresh, ids, len(batch_ids) - len(ids), loaded_ids)


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


class _BatchCustomers(NamedTuple):
    id_of_key: dict[str, tuple[int, str]]  # platform user key -> (customer id, name), every user of the batch
    new_keys: list[str]  # users who are new customers (written with the batch's other rows)
    customer_of_row: np.ndarray  # each comment's customer id
    loaded: dict | None  # the platform's customers read from the file, to remember


def _batch_customers(cur, memory: IngestMemory, platform: str, comments) -> _BatchCustomers:
    """Step 2: each comment's customer. Every customer of the platform is known in memory (read once), so a batch
    writes only new names here, and new customers with the rest once the rules gave them staff and phones."""
    import numpy as np

    user_keys, user_of_row, latest_names = _batch_users(comments)
    known = loaded = memory.customers_of(platform)
    if known is None:
        known = loaded = _read_customers(cur, platform)
    else:
        loaded = None
    id_of_key: dict[str, tuple[int, str]] = {}
    new_keys: list[str] = []
    renamed: list[tuple[int, str]] = []
    for key, name in zip(user_keys, latest_names):
        id_and_name = known.get(key)
        if id_and_name is None:
            new_keys.append(key)
        elif id_and_name[1] != name and name != HIDDEN_NAME:
            id_of_key[key] = (id_and_name[0], name)
            renamed.append(id_of_key[key])
        else:
            id_of_key[key] = id_and_name
    new_names = dict(zip(user_keys, latest_names))
    for key, customer_id in zip(new_keys, memory.take_ids(cur, "customer_ids", len(new_keys))):
        id_of_key[key] = (customer_id, new_names[key])
    if renamed:
        _rename_customers(cur, renamed)
    customer_of_row = np.array([id_of_key[key][0] for key in user_keys], dtype=np.int64)[user_of_row]
    return _BatchCustomers(id_of_key, new_keys, customer_of_row, loaded)


def _rename_customers(cur, renamed: list[tuple[int, str]]) -> None:
    import pyarrow as pa

    register(cur, "batch_renamed", _table({"id": ([row[0] for row in renamed], pa.int64()),
                                           "name": ([row[1] for row in renamed], pa.string())}))
    cur.execute("UPDATE customers SET display_name = r.name FROM batch_renamed r WHERE customers.id = r.id").fetchall()
    cur.unregister("batch_renamed")


def _batch_users(comments) -> tuple[list[str], np.ndarray, list[str]]:
    """A batch's distinct platform users as customers are keyed (`_user_key`), each comment's index into them,
    and each user's latest name in the batch."""
    import numpy as np
    import pyarrow as pa

    user_ids = comments.column("user_id")
    if user_ids.null_count:  # users without a platform id are keyed by their name
        user_ids = pa.array([_user_key(key, name) for key, name in
                             zip(user_ids.to_pylist(), comments.column("user_name").to_pylist())], pa.string())
    encoded = one_chunk(user_ids).dictionary_encode()
    user_of_row = encoded.indices.to_numpy(zero_copy_only=False)
    # The last comment of each user: the first from the end. np.unique orders by user index, as the dictionary.
    _, first_from_end = np.unique(user_of_row[::-1], return_index=True)
    latest_names = comments.column("user_name").take(pa.array(len(user_of_row) - 1 - first_from_end)).to_pylist()
    return encoded.dictionary.to_pylist(), user_of_row, latest_names


def _user_key(user_id: str | None, user_name: str) -> str:
    """How customers are keyed: by platform user id, else (hidden users, hand entry) by name."""
    return user_id or "anonymous:" + user_name.casefold()


def _read_customers(cur, platform: str) -> dict[str, tuple[int, str]]:
    return {user_key: (customer_id, name) for user_key, customer_id, name in cur.execute(
        "SELECT platform_user_id, id, display_name FROM customers WHERE platform = ?", [platform]).fetchall()}


class _BatchReadings(NamedTuple):
    catalog: Catalog
    meanings: list[Meaning]  # one per distinct text
    text_indices: object  # Arrow: each comment's index into meanings
    text_of_row: np.ndarray  # the same as numpy
    kind_of_row: np.ndarray  # each comment's kind, as _KIND_CODES
    kinds: Counter  # how many comments of each kind


def _read_texts(cur, livestream_id: int, comments) -> _BatchReadings:
    """Step 3: what each comment says, each distinct text read once (and many not at all: `_meanings`); a text
    with a cancel word typed bare once per commenter's name too (`_named_meanings`)."""
    import numpy as np
    import pyarrow as pa

    catalog = load_catalog(cur, livestream_id)
    encoded = one_chunk(comments.column("message")).dictionary_encode()
    texts = encoded.dictionary.to_pylist()
    meanings = _meanings(catalog, texts)
    text_indices = encoded.indices
    text_of_row = text_indices.to_numpy(zero_copy_only=False)
    names = comments.column("user_name")
    meanings, named_text_of_row = _named_meanings(catalog, texts, meanings, text_of_row,
                                                  lambda rows: names.take(rows).to_pylist())
    if named_text_of_row is not text_of_row:  # some rows read by their commenter's name
        text_of_row, text_indices = named_text_of_row, pa.array(named_text_of_row)
    kind_of_text = np.array([_KIND_CODES[meaning.reading.kind] for meaning in meanings], dtype=np.int8)
    kind_of_row = kind_of_text[text_of_row]
    kind_counts = np.bincount(kind_of_row, minlength=len(_KIND_ORDER)).tolist()
    kinds = Counter({kind: kind_counts[code] for code, kind in enumerate(_KIND_ORDER) if kind_counts[code]})
    return _BatchReadings(catalog, meanings, text_indices, text_of_row, kind_of_row, kinds)


class _ActedBatch(NamedTuple):
    plan: Plan
    customers: dict[int, CustomerState]  # those who acted, as they stand after the batch
    acting_rows: np.ndarray  # the rows of the comments that act, in comment-time order
    first_comment_id: int  # the batch's comment ids count on from it, row by row
    loaded_order_keys: dict | None  # the livestream's order keys read from the file, to remember
    staff: _StaffOnDemand


def _plan_batch(cur, memory: IngestMemory, livestream: dict, comments, people: _BatchCustomers,
                read: _BatchReadings) -> _ActedBatch:
    """Step 4: the comment rules' plan for the comments that act (orders, cancels, contacts), in comment-time
    order, over the state of the customers they touch."""
    import numpy as np

    livestream_id = livestream["id"]
    first_comment_id = memory.comment_ids(cur, comments.num_rows)
    acting_rows = np.flatnonzero(read.kind_of_row >= _FIRST_ACTING_CODE)
    acting_customers = people.customer_of_row[acting_rows].tolist()
    cancelling = set(people.customer_of_row[read.kind_of_row == _KIND_CODES["cancel"]].tolist())
    new_names = {people.id_of_key[key][0]: people.id_of_key[key][1] for key in people.new_keys}
    customers, loaded_keys = _acting_customers(cur, memory, livestream_id, set(acting_customers), new_names,
                                               cancelling)
    readings = [meaning.reading for meaning in read.meanings]
    acting_texts = read.text_of_row[acting_rows].tolist()
    line_count = sum(len(readings[text].claims) for text in acting_texts)
    settings = RuleSettings(repeat_policy=read.catalog.settings.repeat_policy,
                            hold_blacklisted=livestream.get("blacklisted_order_comments", "review") != "orders")
    staff = _StaffOnDemand(cur, livestream_id)
    acting = acting_comments((first_comment_id + acting_rows).tolist(), acting_customers,
                             _each_distinct_in_python(comments.column("commented_at").take(acting_rows)),
                             [readings[text] for text in acting_texts])
    plan = plan_comments(
        acting, customers, settings, order_ids=lambda: memory.take_ids(cur, "order_ids", 1)[0],
        line_ids=iter(memory.take_ids(cur, "order_line_ids", line_count)).__next__, staff=staff)
    return _ActedBatch(plan, customers, acting_rows, first_comment_id, loaded_keys, staff)


class _StaffOnDemand:
    """The livestream's staff rotation (core.services.assignment), read only when the batch makes an order: most batches
    of a busy live only add to orders."""

    def __init__(self, cur, livestream_id: int):
        self._cur, self._livestream_id, self._rotation = cur, livestream_id, None

    def _loaded(self) -> StaffRotation:
        if self._rotation is None:
            self._rotation = StaffRotation.load(self._cur, self._livestream_id)
        return self._rotation

    def needs_staff(self, staff_id: int | None) -> bool:
        return self._loaded().needs_staff(staff_id)

    def next(self) -> int | None:
        return self._loaded().next()

    def save(self, cur) -> None:
        if self._rotation is not None:
            self._rotation.save(cur)


def _acting_customers(cur, memory: IngestMemory, livestream_id: int, customer_ids: set[int],
                      new_names: dict[int, str], cancelling: set[int]) -> tuple[dict[int, CustomerState], dict | None]:
    """The state of the customers a batch acts for (new ones among them have none stored), with their order keys;
    also the livestream's order keys when this process had none yet (to keep once the batch commits)."""
    states = _read_customer_states(cur, livestream_id, sorted(customer_ids - new_names.keys()), cancelling)
    for customer_id, name in new_names.items():
        if customer_id in customer_ids:
            states[customer_id] = CustomerState(customer_id, name)
    known = memory.order_keys_of(livestream_id, customer_ids)
    loaded = None
    if known is None and customer_ids:
        # Every order key of the livestream, once per process: later batches then read none.
        loaded = _read_order_keys(cur, livestream_id)
        known = {customer_id: loaded[customer_id] for customer_id in customer_ids if customer_id in loaded}
    for customer in states.values():
        customer.order_keys = set(known.get(customer.id, ()))
    return states, loaded


def _read_customer_states(cur, livestream_id: int, customer_ids: list[int],
                          needs_lines: set[int]) -> dict[int, CustomerState]:
    """Stored customers with their live (not cancelled) orders in the livestream, oldest first, and for those in
    `needs_lines` (a cancel comment's customers) the orders' lines."""
    states: dict[int, CustomerState] = {}
    if not customer_ids:
        return states
    order_of_id: dict[int, OrderState] = {}
    for (customer_id, name, phone, address, staff_id, blacklisted, order_id, status, first_comment_at,
         receiver_phone, hold_reason) in cur.execute(
        "SELECT c.id, c.display_name, c.phone, c.address, c.staff_id, c.blacklisted, o.id, o.status, "
        "o.first_comment_at, o.receiver_phone, o.hold_reason FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
        "AND o.livestream_id = ? AND o.status <> ? WHERE c.id IN (SELECT unnest(?::BIGINT[])) "
        "ORDER BY c.id, o.created_at, o.id",
        [livestream_id, orders.CANCELLED, customer_ids],
    ).fetchall():
        customer = states.get(customer_id)
        if customer is None:
            customer = states[customer_id] = CustomerState(customer_id, name, phone, address, staff_id, blacklisted)
        if order_id is not None:
            order = OrderState(order_id, customer_id, status, first_comment_at, receiver_phone=receiver_phone,
                               lines=[] if customer_id in needs_lines else None, hold_reason=hold_reason)
            customer.orders.append(order)
            order_of_id[order_id] = order
    wanted = [order.id for order in order_of_id.values() if order.lines is not None]
    if wanted:
        for line_id, order_id, code_typed, item_id, item_code in cur.execute(
            "SELECT l.id, l.order_id, l.code_typed, l.item_id, i.code FROM order_lines l "
            "LEFT JOIN live_items i ON i.id = l.item_id WHERE l.order_id IN (SELECT unnest(?::BIGINT[])) "
            "ORDER BY l.claimed_at, l.id",
            [wanted],
        ).fetchall():
            order_of_id[order_id].lines.append(LineState(line_id, code_typed, item_id, item_code))
    return states


def _read_order_keys(cur, livestream_id: int) -> dict[int, set[str]]:
    keys: dict[int, set[str]] = {}
    for customer_id, key in cur.execute(
        "SELECT customer_id, order_key FROM comments WHERE livestream_id = ? AND list_contains(?::VARCHAR[], effect) "
        "AND order_key IS NOT NULL", [livestream_id, sorted(LINES_TAKEN)],
    ).fetchall():
        keys.setdefault(customer_id, set()).add(key)
    return keys


def _write_batch(cur, memory: IngestMemory, livestream: dict, source: str, comments, people: _BatchCustomers,
                 read: _BatchReadings, acted: _ActedBatch, careful: bool) -> int | None:
    """Step 5: the plan and the comments, written with a few set-based statements; returns the last order number
    used (None: the batch made no order)."""
    livestream_id, plan, now = livestream["id"], acted.plan, utc_now()
    catalog = read.catalog
    # Items with unlimited stock never wait. New claims that only join the end of an item's queue are served
    # here; any other change (a cancel, a late comment, held orders) recomputes that item's whole queue.
    waitlisted: dict[int, int] = {}  # line id -> waitlisted quantity, for new lines beyond the stock
    queue_again = _serve_appended_claims(
        cur, catalog, [i for i in plan.affected_items if catalog.item(i).stock is not None], plan.freed_items,
        plan.new_lines, {order.id: order.hold_reason for customer in acted.customers.values()
                         for order in customer.orders}, plan.events, waitlisted)
    last_number = None
    if plan.new_orders:
        first_number = 1 + _last_order_number(cur, None if careful else memory, livestream_id)
        last_number = first_number + len(plan.new_orders) - 1
    else:
        first_number = None
    _write_new_customers(cur, livestream["platform"], now, people, acted.customers)
    _write_plan(cur, livestream_id, now, plan, first_number, plan.events, actor=orders.COMMENT_ACTOR,
                skip_customers={people.id_of_key[key][0] for key in people.new_keys}, waitlisted=waitlisted)
    _write_comments(cur, livestream, source, now, _comment_rows(comments, people, read, acted))
    # The answers on Facebook these comments call for (replies, the order in Messenger, hides): same transaction.
    answers.enqueue_for_comments(cur, livestream, source, acted.first_comment_id, comments.num_rows,
                                 actor=orders.COMMENT_ACTOR)
    acted.staff.save(cur)
    # The queues that a cancel, a late comment or a held order moved are recounted whole.
    stock.rebalance_stock(cur, queue_again, actor=orders.COMMENT_ACTOR)
    return last_number


def _last_order_number(cur, memory: IngestMemory | None, livestream_id: int) -> int:
    """The last order number the livestream used: from memory when it has it (staff make orders too: a number
    taken meanwhile breaks the order code's unique key, and the batch goes round again reading it from the file)."""
    number = None if memory is None else memory.last_order_number(livestream_id)
    if number is None:
        number = cur.execute("SELECT coalesce(max(number), 0) FROM orders WHERE livestream_id = ?",
                             [livestream_id]).fetchone()[0]
    return number


def _comment_rows(comments, people: _BatchCustomers, read: _BatchReadings, acted: _ActedBatch):
    """The batch's comments as the comments table stores them, with each one's kind, reading, effect and order."""
    import numpy as np
    import pyarrow as pa

    count = comments.num_rows
    effect_of_row = np.zeros(count, dtype=np.int8)  # EFFECTS; 0 is "none"
    effect_of_row[acted.acting_rows] = [_EFFECT_CODES[effect] for effect in acted.plan.effects]
    order_of_row = np.zeros(count, dtype=np.int64)  # the order a comment touched; 0 is none
    order_of_row[acted.acting_rows] = acted.plan.order_ids
    return pa.table({
        "id": pa.array(np.arange(acted.first_comment_id, acted.first_comment_id + count, dtype=np.int64)),
        "platform_comment_id": comments.column("comment_id"),
        "customer_id": pa.array(people.customer_of_row, pa.int64()),
        "message": comments.column("message"),
        "message_length": comments.column("message_length"),
        "commented_at": comments.column("commented_at"),
        "kind": _names_array(_KIND_ORDER).take(read.kind_of_row),
        "parse_result": pa.array([meaning.json_text for meaning in read.meanings], pa.string()).take(
            read.text_indices),
        "order_id": pa.array(order_of_row, mask=order_of_row == 0),
        "effect": _names_array(EFFECTS).take(effect_of_row),
        "order_key": pa.array([meaning.reading.order_key for meaning in read.meanings], pa.string()).take(
            read.text_indices),
    })


def _remember(memory: IngestMemory, livestream: dict, rows: _NewRows, people: _BatchCustomers | None,
              acted: _ActedBatch | None, last_number: int | None) -> None:
    """Step 6, once the batch is committed: what the next batches need without asking the file."""
    platform, livestream_id = livestream["platform"], livestream["id"]
    if last_number is not None:
        memory.keep_order_number(livestream_id, last_number)  # a stale one breaks the order code's key
    if rows.loaded_ids is not None:
        memory.keep_stored_ids(platform, livestream_id, rows.loaded_ids)
    memory.add_stored_ids(platform, livestream_id, rows.ids)
    if people is not None:
        memory.add_customers(platform, people.loaded, people.id_of_key)
    if acted is not None:
        memory.add_order_keys(livestream_id, acted.loaded_order_keys,
                              {customer_id: customer.order_keys for customer_id, customer in acted.customers.items()})


def prepare(store: Store, livestream_id: int) -> None:
    """Reads ahead what the first batch of a live would read (items, customers, order keys, ids), so that the
    first comments of a live go in as fast as the rest. Live sources call it when they start."""
    import pyarrow as pa

    _table({"at": ([utc_now()], pa.timestamp("us"))})  # the first time column imports pandas: a quarter second
    platform = _livestream(store, livestream_id)["platform"]
    memory = memory_of(store)
    # Under the write lock: nothing commits between reading these and remembering them.
    with store.transaction() as cur:
        load_catalog(cur, livestream_id)
        if memory.customers_of(platform) is None:
            memory.add_customers(platform, _read_customers(cur, platform), {})
        if memory.order_keys_of(livestream_id, ()) is None:
            memory.add_order_keys(livestream_id, _read_order_keys(cur, livestream_id), {})
        for sequence in ("customer_ids", "order_ids", "order_line_ids"):
            memory.take_ids(cur, sequence, 0, keep=_ID_CHUNK)


def _serve_appended_claims(cur, catalog: Catalog, stocked: list[int], freed: set[int], new_lines: dict[int, NewLine],
                           hold_of_order: dict, events: list[PlannedEvent], waitlisted: dict[int, int]) -> list[int]:
    """Sets the waitlisted quantity of this batch's new claims on stocked items, where they only join the end of
    the queue, exactly as orders.rebalance_stock would; returns the items whose whole queue must be recomputed.

    The end of the queue: no held order (of a blacklisted customer) claims the item, and each new claim comes after
    every open claim by (comment time, line id), the queue's order. The claims before keep what they have, and
    stock - (their total quantity) is what is left for the new ones, in order."""
    appended: dict[int, list[NewLine]] = {}
    full = set(stocked) & freed
    for line in new_lines.values():
        item_id = line.item_id
        if item_id in full or item_id not in stocked:
            continue
        if hold_of_order.get(line.order_id) is not None:
            full.add(item_id)
            appended.pop(item_id, None)
            continue
        appended.setdefault(item_id, []).append(line)
    if not appended:
        return sorted(full)
    queues = {item_id: (claimed, last, held) for item_id, claimed, last, held in cur.execute(
        "SELECT l.item_id, sum(l.qty) FILTER (WHERE o.hold_reason IS NULL), "
        "max({'at': l.claimed_at, 'id': l.id}) FILTER (WHERE o.hold_reason IS NULL), "
        "count(*) FILTER (WHERE o.hold_reason IS NOT NULL) "
        "FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "WHERE l.item_id IN (SELECT unnest(?::BIGINT[])) AND o.status <> ? GROUP BY l.item_id",
        [sorted(appended), orders.CANCELLED],
    ).fetchall()}
    for item_id, lines in appended.items():
        claimed, last, held = queues.get(item_id, (0, None, 0))
        lines.sort(key=lambda line: (line.claimed_at, line.id))
        if held or (last is not None and (lines[0].claimed_at, lines[0].id) <= (last["at"], last["id"])):
            full.add(item_id)
            continue
        _waitlist_beyond_stock(lines, claimed or 0, catalog.item(item_id).stock, events, waitlisted)
    return sorted(full)


def _waitlist_beyond_stock(lines: list[NewLine], claimed: int, stock: int, events: list[PlannedEvent],
                           waitlisted_of: dict[int, int]) -> None:
    """New claims at the end of an item's queue, in order: what the stock left after `claimed` cannot serve waits."""
    running = claimed
    for line in lines:
        qty = line.qty
        waitlisted = qty - max(0, min(qty, stock - running))
        running += qty
        if waitlisted:
            waitlisted_of[line.id] = waitlisted
            events.append(PlannedEvent(line.order_id, "waitlisted", (
                f'{{"line_id": {line.id}, "waitlisted_before": 0, "waitlisted_now": {waitlisted}}}')))


# -- writing a plan ----------------------------------------------------------------------------------------------
def _write_new_customers(cur, platform: str, now, people: _BatchCustomers,
                         acting: dict[int, CustomerState]) -> None:
    """The batch's new customers, with the staff and phone the rules gave those who acted."""
    import pyarrow as pa

    if not people.new_keys:
        return
    ids = [people.id_of_key[key][0] for key in people.new_keys]
    states = [acting.get(customer_id) for customer_id in ids]
    register(cur, "batch_new_customers", _table({
        "id": (ids, pa.int64()),
        "user_key": (people.new_keys, pa.string()),
        "name": ([people.id_of_key[key][1] for key in people.new_keys], pa.string()),
        "phone": ([state.phone if state else None for state in states], pa.string()),
        "staff_id": ([state.staff_id if state else None for state in states], pa.int64()),
    }))
    cur.execute(
        "INSERT INTO customers (id, platform, platform_user_id, display_name, phone, staff_id, created_at) "
        "SELECT id, ?, user_key, name, phone, staff_id, ? FROM batch_new_customers", [platform, now]).fetchall()
    cur.unregister("batch_new_customers")


def _write_plan(cur, livestream_id: int, now, plan: Plan, first_number: int | None, events: list[PlannedEvent], *,
                actor: str, skip_customers: set[int] = frozenset(), waitlisted: dict[int, int] | None = None) -> None:
    """A plan's changes to stored customers, its orders (new ones numbered on from `first_number`), lines and
    events (recorded as done by `actor`)."""
    import pyarrow as pa

    changed = [c for c in plan.changed_customers if c.id not in skip_customers]
    if changed:
        register(cur, "batch_customers", _table({
            "id": ([c.id for c in changed], pa.int64()),
            "phone": ([c.phone for c in changed], pa.string()),
            "staff_id": ([c.staff_id for c in changed], pa.int64()),
        }))
        cur.execute("UPDATE customers SET phone = b.phone, staff_id = b.staff_id FROM batch_customers b "
                    "WHERE customers.id = b.id").fetchall()
        cur.unregister("batch_customers")
    if plan.new_orders:
        _insert_orders(cur, livestream_id, now, plan.new_orders, first_number)
    if plan.changed_orders:
        _update_orders(cur, now, plan.changed_orders)
    if plan.deleted_lines:
        cur.execute("DELETE FROM order_lines WHERE id IN (SELECT unnest(?::BIGINT[]))",
                    [plan.deleted_lines]).fetchall()
    if plan.new_lines:
        _insert_lines(cur, list(plan.new_lines.values()), waitlisted or {})
    if events:
        _insert_events(cur, now, events, actor)


def _insert_orders(cur, livestream_id: int, now, new_orders: list[NewOrder], first_number: int) -> None:
    import pyarrow as pa

    numbers = list(range(first_number, first_number + len(new_orders)))
    placed = [new.order for new in new_orders]
    people = [new.customer for new in new_orders]
    register(cur, "batch_orders", _table({
        "id": ([o.id for o in placed], pa.int64()),
        "code": ([orders.order_code(livestream_id, number) for number in numbers], pa.string()),
        "number": (numbers, pa.int32()), "customer_id": ([c.id for c in people], pa.int64()),
        "status": ([o.status for o in placed], pa.string()), "staff_id": ([c.staff_id for c in people], pa.int64()),
        "first_comment_at": ([o.first_comment_at for o in placed], pa.timestamp("us")),
        "receiver_name": ([c.name for c in people], pa.string()),
        "receiver_phone": ([o.receiver_phone for o in placed], pa.string()),
        "receiver_address": ([c.address for c in people], pa.string()),
        "hold_reason": ([o.hold_reason for o in placed], pa.string()),
    }))
    cur.execute(
        "INSERT INTO orders (id, code, livestream_id, number, customer_id, status, staff_id, first_comment_at, "
        "receiver_name, receiver_phone, receiver_address, hold_reason, created_at, updated_at) "
        "SELECT id, code, ?, number, customer_id, status, staff_id, first_comment_at, receiver_name, "
        "receiver_phone, receiver_address, hold_reason, ?, ? FROM batch_orders",
        [livestream_id, now, now],
    ).fetchall()
    cur.unregister("batch_orders")


def _update_orders(cur, now, changed: list[OrderState]) -> None:
    import pyarrow as pa

    # Most orders a batch touches only gained lines: a new version, and nothing else to set. Setting the other
    # columns on every one of them made DuckDB's update slow (a second per batch of 30,000 orders).
    cur.execute("UPDATE orders SET version = version + 1, updated_at = ? WHERE id IN (SELECT unnest(?::BIGINT[]))",
                [now, [o.id for o in changed]]).fetchall()
    changed = [o for o in changed if o.status_changed or o.phone_changed or o.time_changed]
    if not changed:
        return
    register(cur, "batch_order_changes", _table({
        "id": ([o.id for o in changed], pa.int64()),
        "status": ([o.status for o in changed], pa.string()),
        "first_comment_at": ([o.first_comment_at for o in changed], pa.timestamp("us")),
        "receiver_phone": ([o.receiver_phone for o in changed], pa.string()),
        "phone_changed": ([o.phone_changed for o in changed], pa.bool_()),
    }))
    cur.execute(
        "UPDATE orders SET status = b.status, first_comment_at = b.first_comment_at, "
        "receiver_phone = CASE WHEN b.phone_changed THEN b.receiver_phone ELSE orders.receiver_phone END "
        "FROM batch_order_changes b WHERE orders.id = b.id",
    ).fetchall()
    cur.unregister("batch_order_changes")


def _insert_lines(cur, lines: list[NewLine], waitlisted: dict[int, int]) -> None:
    import pyarrow as pa

    kinds = (pa.int64(), pa.int64(), pa.string(), pa.int64(), pa.string(), pa.string(), pa.int32(), pa.int64(),
             pa.int64(), pa.timestamp("us"))  # NewLine's fields, in order
    columns = {name: pa.array(values, kind) for name, values, kind in zip(NewLine._fields, zip(*lines), kinds)}
    columns["waitlisted_qty"] = pa.array([waitlisted.get(line.id, 0) for line in lines] if waitlisted
                                         else [0] * len(lines), pa.int32())
    register(cur, "batch_lines", pa.table(columns))
    cur.execute(
        "INSERT INTO order_lines (id, order_id, code_typed, item_id, size, color, qty, unit_price, "
        "source_comment_id, claimed_at, waitlisted_qty) SELECT id, order_id, code_typed, item_id, size, color, "
        "qty, unit_price, source_comment_id, claimed_at, waitlisted_qty FROM batch_lines"
    ).fetchall()
    cur.unregister("batch_lines")


def _insert_events(cur, now, events: list[PlannedEvent], actor: str) -> None:
    import pyarrow as pa

    order_ids, actions, details, from_statuses, to_statuses = zip(*events)
    register(cur, "batch_events", pa.table({
        "order_id": pa.array(order_ids, pa.int64()), "action": pa.array(actions, pa.string()),
        "from_status": pa.array(from_statuses, pa.string()), "to_status": pa.array(to_statuses, pa.string()),
        "details": pa.array(details, pa.string()),
    }))
    cur.execute(
        "INSERT INTO order_events (order_id, happened_at, actor, action, from_status, to_status, details) "
        "SELECT order_id, ?, ?, action, from_status, to_status, details FROM batch_events",
        [now, actor],
    ).fetchall()
    cur.unregister("batch_events")


def _write_comments(cur, livestream: dict, source: str, now, comment_rows) -> None:
    register(cur, "batch_comments", comment_rows)
    cur.execute(
        "INSERT INTO comments (id, livestream_id, platform, platform_comment_id, customer_id, message, "
        "message_length, commented_at, received_at, source, kind, parse_result, order_id, effect, order_key) "
        "SELECT id, ?, ?, platform_comment_id, customer_id, message, message_length, commented_at, ?, ?, kind, "
        "parse_result, order_id, effect, order_key FROM batch_comments",
        [livestream["id"], livestream["platform"], now, source],
    ).fetchall()
    cur.unregister("batch_comments")


def reparse_comments(cur, livestream_id: int) -> int:
    """Reads the livestream's stored comments again with its current items and settings; returns how many now
    read differently. Their kind and reading change (so marks and reports follow the new items); the orders
    they already moved are left as they are, and blank lines are filled separately by their typed code. Each
    distinct text is read once, through the same cache as a batch (a text with a cancel word typed bare once
    per commenter's name, as a batch reads it)."""
    import numpy as np
    import pyarrow as pa

    _forget_order_keys(livestream_id)
    catalog = load_catalog(cur, livestream_id)
    stored = cur.execute("SELECT c.id, c.message, c.parse_result, cu.display_name FROM comments c "
                         "JOIN customers cu ON cu.id = c.customer_id WHERE c.livestream_id = ?",
                         [livestream_id]).fetchall()
    index_of_text: dict[str, int] = {}
    text_of_row = np.array([index_of_text.setdefault(message, len(index_of_text)) for _, message, _, _ in stored],
                           dtype=np.int64)
    texts = list(index_of_text)
    meanings, text_of_row = _named_meanings(catalog, texts, _meanings(catalog, texts), text_of_row,
                                            lambda rows: [stored[row][3] for row in rows.tolist()])
    changed: list[tuple[int, Meaning]] = []
    for (comment_id, _, old_reading, _), text in zip(stored, text_of_row.tolist()):
        meaning = meanings[text]
        # Compared as JSON: readings stored before compact JSON (orjson) say the same thing with spaces.
        if meaning.json_text != old_reading and json.loads(meaning.json_text) != json.loads(old_reading):
            changed.append((comment_id, meaning))
    if changed:
        register(cur, "reparsed", pa.table({
            "id": pa.array([comment_id for comment_id, _ in changed], pa.int64()),
            "kind": pa.array([meaning.reading.kind for _, meaning in changed], pa.string()),
            "parse_result": pa.array([meaning.json_text for _, meaning in changed], pa.string()),
            "order_key": pa.array([meaning.reading.order_key for _, meaning in changed], pa.string()),
        }))
        cur.execute("UPDATE comments SET kind = r.kind, parse_result = r.parse_result, order_key = r.order_key "
                    "FROM reparsed r WHERE comments.id = r.id").fetchall()
        cur.unregister("reparsed")
    return len(changed)


# How much of a comment's text the stream sends: a screen line or three. The rest comes on demand (shown_chars=None
# for one comment), so a long comment costs a visit of the Livestream screen no more than a short one.
SHOWN_CHARS = 500


def _stream_filter(livestream_id: int, kinds: Iterable[str] | None, search: str | None,
                   comment_id: int | None = None) -> tuple[str, list]:
    """The WHERE clause (over comments c and customers cu) of the stream's comments, and its parameters."""
    params: list = [livestream_id]
    where = "c.livestream_id = ?"
    kinds = list(kinds or [])
    if kinds:
        where += f" AND c.kind IN ({','.join('?' * len(kinds))})"
        params += kinds
    if comment_id is not None:
        where += " AND c.id = ?"
        params.append(comment_id)
    words = " ".join((search or "").split())
    if words:
        # The name or the text, accents and case optional; contains(), not LIKE: a typed % or _ is a character.
        # Folded alike on both sides: case, accents, and đ (which strip_accents leaves) as d.
        fold = "replace(strip_accents(lower({})), 'đ', 'd')"
        where += (f" AND (contains({fold.format('cu.display_name')}, {fold.format('?')})"
                  f" OR contains({fold.format('c.message')}, {fold.format('?')}))")
        params += [words, words]
    return where, params


def comment_stream(store: Store, livestream_id: int, limit: int = 200, kinds: Iterable[str] | None = None,
                   comment_id: int | None = None, shown_chars: int | None = SHOWN_CHARS, search: str | None = None,
                   before: tuple | None = None) -> list[dict]:
    """The newest comments first, with the customer, and the order Edit opens: the one the comment touched,
    else the customer's current order in this livestream (None when they have none). With comment_id, just
    that comment (an empty list when it is not in this livestream). `search` keeps the comments whose customer's
    name or text holds it (accents and case optional); `before`, a (commented_at, id) of a comment shown, keeps
    those older than it (a page of older comments: keyset, so the query stays as cheap on the hundredth page
    and new comments arriving meanwhile do not shift it).

    `source` is where the comment came from (answers.answerable tells whether it can be answered on Facebook);
    `message` is the first `shown_chars` characters of the stored text (all of it with None); `stored_length`
    is the stored text's length, and `written_length` the length the customer wrote (longer than stored when
    the text was cut at MESSAGE_LIMIT)."""
    where, params = _stream_filter(livestream_id, kinds, search, comment_id)
    if before is not None:
        where += " AND (c.commented_at < ? OR (c.commented_at = ? AND c.id < ?))"
        params += [before[0], before[0], before[1]]
    params += [limit, shown_chars, shown_chars]
    return store.query(
        # The newest comments first, then their orders: joined the other way round, the order of every comment
        # of a long live would be looked up on each refresh of the live panel.
        f"""
WITH c AS (
    SELECT c.id, c.commented_at, c.customer_id, c.message, c.message_length, c.kind, c.effect, c.parse_result,
           c.order_id, c.livestream_id, c.source
    FROM comments c {"JOIN customers cu ON cu.id = c.customer_id" if search and search.strip() else ""}
    WHERE {where} ORDER BY c.commented_at DESC, c.id DESC LIMIT ?
)
SELECT c.id, c.commented_at, c.customer_id, cu.display_name AS customer,
       CASE WHEN ?::BIGINT IS NULL THEN c.message ELSE left(c.message, ?::BIGINT) END AS message,
       length(c.message) AS stored_length, coalesce(c.message_length, length(c.message)) AS written_length,
       c.kind, c.effect, c.parse_result, c.source, cu.blacklisted, e.id AS edit_order_id, e.code AS order_code, e.status AS order_status
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


def comment_stream_count(store: Store, livestream_id: int, kinds: Iterable[str] | None = None,
                         search: str | None = None, before: tuple | None = None) -> dict:
    """How many comments the stream's filter keeps (`total`), and how many of them are newer than `before`
    (`newer`: the page of older comments starts after them), for "showing 41–80 of 3,412"."""
    where, params = _stream_filter(livestream_id, kinds, search)
    newer = "0"
    if before is not None:
        newer = "count(*) FILTER (WHERE c.commented_at > ? OR (c.commented_at = ? AND c.id >= ?))"
        params = [before[0], before[0], before[1], *params]
    join = "JOIN customers cu ON cu.id = c.customer_id" if search and search.strip() else ""
    row = store.query(f"SELECT count(*) AS total, {newer} AS newer FROM comments c {join} WHERE {where}", params)[0]
    return {"total": int(row["total"]), "newer": int(row["newer"] or 0)}


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


def explain_comments(store: Store, livestream_id: int, messages: Iterable[str],
                     names: Iterable[str | None] | None = None) -> list:
    """How comments read with the livestream's current items: a ParseResult each, with its reasons for review.
    names: each commenter's display name, when known (a cancel word typed bare may be a word of it). The catalog
    is loaded once for all of them (the live panel explains every review comment it shows)."""
    messages = list(messages)
    names = [None] * len(messages) if names is None else list(names)
    cur = store.cursor()
    try:
        catalog = load_catalog(cur, livestream_id)
    finally:
        cur.close()
    return [parse(message, catalog.parser_items, catalog.settings, commenter_name=name)
            for message, name in zip(messages, names)]


def explain_comment(store: Store, livestream_id: int, message: str, name: str | None = None):
    return explain_comments(store, livestream_id, [message], [name])[0]


def order_from_corrected_comment(store: Store, comment_id: int, corrected_text: str, *, actor: str) -> dict:
    """Staff turn a review or question comment into order lines after correcting its text.

    The corrected text must read as an order; the comment rules (core.domain.comment_rules) then place its lines
    as an order comment's: in the customer's open order (awaiting confirmation goes back to draft) or a new draft,
    with its phone. Staff chose to make it an order, so it is never a repeat; its lines are recorded as corrected
    (with the text) rather than as a comment's. The comment is marked as having made them.
    Returns {order_id, code, created}.
    """
    memory = memory_of(store)
    with store.transaction() as cur:
        livestream_id, customer_id, commented_at, customer_name = _comment_to_correct(cur, comment_id)
        catalog = load_catalog(cur, livestream_id)
        result = parse(corrected_text or "", catalog.parser_items, catalog.settings, commenter_name=customer_name)
        if result.kind != "order" or not result.lines:
            reasons = list(result.reasons) or Text("ingest.reads_as", kind=Text(f"ingest.kind_{result.kind}"))
            raise InvalidInput("ingest.not_an_order_yet", reasons=reasons)
        reading = _reading(catalog, result)._replace(add=True)
        rotation = StaffRotation.load(cur, livestream_id)
        plan = plan_comments(
            [ActingComment(comment_id, customer_id, commented_at, reading)],
            _read_customer_states(cur, livestream_id, [customer_id], set()),
            RuleSettings(catalog.settings.repeat_policy, order_records.holds_blacklisted(cur, livestream_id)),
            order_ids=lambda: memory.take_ids(cur, "order_ids", 1)[0],
            line_ids=iter(memory.take_ids(cur, "order_line_ids", len(reading.claims))).__next__, staff=rotation)
        corrected = json.dumps({"comment_id": comment_id, "text": corrected_text,
                                "lines": [f"{claim.code} ×{claim.qty}" for claim in reading.claims]},
                               ensure_ascii=False)
        events = [event._replace(action="comment_corrected_into_lines", details=corrected)
                  if event.action == LINES_ADDED else event for event in plan.events]
        first_number = 1 + _last_order_number(cur, None, livestream_id) if plan.new_orders else None
        _write_plan(cur, livestream_id, utc_now(), plan, first_number, events, actor=actor)
        rotation.save(cur)
        effect, order_id = plan.effects[0], plan.order_ids[0]
        cur.execute("UPDATE comments SET effect = ?, order_id = ? WHERE id = ?",
                    [effect, order_id, comment_id]).fetchall()
        stock.rebalance_stock(cur, [claim.item_id for claim in reading.claims], actor=actor)
        code = cur.execute("SELECT code FROM orders WHERE id = ?", [order_id]).fetchall()[0][0]
    return {"order_id": order_id, "code": code, "created": effect == "created"}


def _comment_to_correct(cur, comment_id: int) -> tuple:
    """(livestream id, customer id, comment time, customer's name) of a comment that has not made order lines
    yet."""
    row = cur.execute("SELECT c.livestream_id, c.customer_id, c.effect, c.commented_at, cu.display_name "
                      "FROM comments c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?",
                      [comment_id]).fetchall()
    if not row:
        raise InvalidInput("ingest.comment_gone")
    livestream_id, customer_id, effect, commented_at, customer_name = row[0]
    if effect in LINES_TAKEN:
        raise InvalidInput("ingest.comment_already_used")
    return livestream_id, customer_id, commented_at, customer_name


def stream_stamp(store: Store, livestream_id: int) -> tuple:
    """What changes when anything the live panel shows changes, read cheaply (one small query, no row read): the
    livestream's comments (count, newest id), its orders (count, last change, sum of versions), its catalog
    version, the shop's blacklist marks, and the Facebook answers delivered (the ↩ ✉ 🙈 marks). Equal stamps:
    nothing to redraw."""
    with store.reading() as cur:  # five small reads (one statement joining them is slower in DuckDB)
        return (
            *cur.execute("SELECT count(*), max(id) FROM comments WHERE livestream_id = ?", [livestream_id]).fetchone(),
            *cur.execute("SELECT count(*), max(updated_at), sum(version) FROM orders WHERE livestream_id = ?",
                         [livestream_id]).fetchone(),
            *cur.execute("SELECT catalog_version FROM livestreams WHERE id = ?", [livestream_id]).fetchall(),
            *cur.execute("SELECT count(*) FILTER (WHERE blacklisted), max(blacklisted_at) FROM customers").fetchone(),
            *answers.marks_stamp(cur),
        )
