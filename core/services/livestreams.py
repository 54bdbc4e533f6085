"""Livestreams and their item settings (short codes, prices, stock, sizes, colors), and remembered code picks."""

from __future__ import annotations

import csv
import io
import itertools
import json
from dataclasses import dataclass, field

from core.services.auth import User, require_owner
from core.base.errors import InvalidInput, NotFound
from core.base.i18n import Text
from core.base.formatting import utc_now
from core.db.store import Store, register
from core.domain.syntax import CatalogItem, InvalidSettings, SyntaxSettings, normalize_code

PLATFORMS = ("facebook", "tiktok", "other")
LIVESTREAM_STATUSES = ("planned", "live", "ended")
ITEM_CSV_HEADER = ("code", "name", "price", "stock", "sizes", "colors")
PLATFORM_LABELS = {"facebook": Text("livestreams.platform_facebook"), "tiktok": Text("livestreams.platform_tiktok"),
                   "other": Text("livestreams.platform_other")}
STATUS_LABELS = {"planned": Text("livestreams.status_planned"), "live": Text("livestreams.status_live"),
                 "ended": Text("livestreams.status_ended")}


@dataclass(frozen=True)
class LiveItem:
    id: int | None
    code: str
    name: str
    price: int
    stock: int | None = None
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    sku: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Catalog:
    """What the parser and the order code need to know about one livestream's items at one moment."""

    livestream_id: int
    version: int
    settings: SyntaxSettings
    items: tuple[LiveItem, ...]
    # normalised code -> item id, for the items' own codes and for remembered picks of unknown codes
    item_id_by_code_key: dict[str, int] = field(default_factory=dict)
    parser_items: tuple[CatalogItem, ...] = ()

    def item(self, item_id: int | None) -> LiveItem | None:
        return self._items_by_id.get(item_id)

    def item_id_for_code(self, code: str) -> int | None:
        """The item a typed code stands for (its own code or a remembered pick), cached per catalog."""
        found = self._code_cache.get(code, -1)
        if found == -1:
            found = self.item_id_by_code_key.get(normalize_code(code))
            self._code_cache[code] = found
        return found

    def __post_init__(self):
        object.__setattr__(self, "_items_by_id", {item.id: item for item in self.items})
        object.__setattr__(self, "_code_cache", {})
        # Names this catalog in caches of what texts mean (core.ingest): never the same for two catalogs, also of
        # two databases with the same livestream id and version.
        object.__setattr__(self, "cache_token", next(_CATALOG_TOKENS))


_CATALOG_TOKENS = itertools.count(1)


def create_livestream(
    store: Store, title: str, platform: str = "other", source_ref: str | None = None,
    items: list[LiveItem] | None = None,
) -> int:
    title = (title or "").strip()
    if not title:
        raise InvalidInput("livestreams.needs_title")
    if platform not in PLATFORMS:
        raise InvalidInput("livestreams.bad_platform", choices=", ".join(PLATFORMS))
    with store.transaction() as cur:
        livestream_id = cur.execute(
            "INSERT INTO livestreams (title, platform, source_ref, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [title, platform, source_ref or None, utc_now()],
        ).fetchone()[0]
        if items:
            _replace_items(cur, livestream_id, items)
    return livestream_id


def list_livestreams(store: Store) -> list[dict]:
    return store.query(
        "SELECT id, title, platform, source_ref, status, started_at, ended_at, created_at "
        "FROM livestreams ORDER BY created_at DESC, id DESC"
    )


def get_livestream(store: Store, livestream_id: int) -> dict:
    rows = store.query("SELECT * FROM livestreams WHERE id = ?", [livestream_id])
    if not rows:
        raise NotFound("livestreams.not_found", id=livestream_id)
    return rows[0]


def set_livestream_status(store: Store, livestream_id: int, status: str) -> None:
    if status not in LIVESTREAM_STATUSES:
        raise InvalidInput("livestreams.bad_status", choices=", ".join(LIVESTREAM_STATUSES))
    get_livestream(store, livestream_id)
    now = utc_now()
    with store.transaction() as cur:
        cur.execute(
            "UPDATE livestreams SET status = ?, "
            "started_at = CASE WHEN ? = 'live' AND started_at IS NULL THEN ? ELSE started_at END, "
            "ended_at = CASE WHEN ? = 'ended' THEN ? ELSE ended_at END WHERE id = ?",
            [status, status, now, status, now, livestream_id],
        )


def list_items(store: Store, livestream_id: int) -> list[LiveItem]:
    return _items(store.cursor(), livestream_id)


def _items(cur, livestream_id: int) -> list[LiveItem]:
    rows = cur.execute(
        "SELECT id, code, name, price, stock, sizes, colors, sku, position FROM live_items "
        "WHERE livestream_id = ? ORDER BY position, id",
        [livestream_id],
    ).fetchall()
    return [
        LiveItem(id=r[0], code=r[1], name=r[2], price=r[3], stock=r[4], sizes=tuple(r[5] or ()),
                 colors=tuple(r[6] or ()), sku=r[7], position=r[8])
        for r in rows
    ]


def validate_items(items: list[LiveItem]) -> list[LiveItem]:
    """Checks a whole item table; raises InvalidInput naming every problem, row by row (1-based)."""
    problems: list[Text] = []
    seen: dict[str, int] = {}
    cleaned: list[LiveItem] = []
    for row_number, item in enumerate(items, start=1):
        code = (item.code or "").strip()
        name = (item.name or "").strip()
        if not code:
            problems.append(Text("livestreams.row_code_empty", row=row_number))
            continue
        key = normalize_code(code)
        if not key:
            problems.append(Text("livestreams.row_code_unusable", row=row_number, code=code))
            continue
        if key in seen:
            problems.append(Text("livestreams.row_code_repeats", row=row_number, code=code, first=seen[key]))
        seen[key] = row_number
        if not name:
            problems.append(Text("livestreams.row_name_empty", row=row_number, code=code))
        if item.price is None or int(item.price) < 0:
            problems.append(Text("livestreams.row_price_negative", row=row_number, code=code))
        if item.stock is not None and int(item.stock) < 0:
            problems.append(Text("livestreams.row_stock_negative", row=row_number, code=code))
        cleaned.append(
            LiveItem(
                id=item.id, code=code, name=name, price=int(item.price or 0),
                stock=None if item.stock is None else int(item.stock),
                sizes=tuple(s.strip() for s in item.sizes if s and s.strip()),
                colors=tuple(c.strip() for c in item.colors if c and c.strip()),
                sku=(item.sku or None), position=row_number,
            )
        )
    if problems:
        raise InvalidInput("livestreams.items_not_saved", problems=problems)
    return cleaned


def save_items(store: Store, livestream_id: int, items: list[LiveItem], actor: str | None = None, *,
               by: User) -> dict:
    """Replaces the item table of a livestream (rows keep their ids when they have one); the owner's.

    Afterwards blank order lines whose typed code now resolves get their item. Items that order lines use
    cannot be removed.
    """
    from core.services import orders  # orders imports this module

    require_owner(by, Text("livestreams.what_change_items"))
    actor = actor or by.username
    get_livestream(store, livestream_id)
    cleaned = validate_items(items)
    with store.transaction() as cur:
        _replace_items(cur, livestream_id, cleaned)
        reparsed = reparse_comments(cur, livestream_id)
        filled = orders.fill_blank_lines(cur, livestream_id, actor=actor)
        orders.rebalance_all_stock(cur, livestream_id, actor=actor)
    return {"items": len(cleaned), "blank_lines_filled": filled, "comments_reparsed": reparsed}


def reparse_comments(cur, livestream_id: int) -> int:
    """Reads the livestream's stored comments again with its current items and settings; returns how many now
    read differently. Their kind and reading change (so marks and reports follow the new items); the orders
    they already moved are left as they are, and blank lines are filled separately by their typed code."""
    import pyarrow as pa

    from core.ingest import order_key
    from core.domain.syntax import parse

    from core.ingest import forget_order_keys

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


def merge_items(store: Store, livestream_id: int, imported: list[LiveItem], actor: str | None = None, *,
                by: User) -> dict:
    """CSV import: an imported row with a code already in the table updates that item; new codes are added."""
    current = list_items(store, livestream_id)
    by_key = {normalize_code(item.code): index for index, item in enumerate(current)}
    merged = list(current)
    for item in imported:
        index = by_key.get(normalize_code(item.code))
        if index is None:
            merged.append(item)
            by_key[normalize_code(item.code)] = len(merged) - 1
        else:
            merged[index] = LiveItem(**{**item.__dict__, "id": current[index].id})
    return save_items(store, livestream_id, merged, actor=actor, by=by)


def _replace_items(cur, livestream_id: int, items: list[LiveItem]) -> None:
    existing = {item.id: item for item in _items(cur, livestream_id)}
    keep_ids = {item.id for item in items if item.id in existing}
    removed = [item_id for item_id in existing if item_id not in keep_ids]
    if removed:
        used = cur.execute(
            "SELECT DISTINCT i.code FROM order_lines l JOIN live_items i ON i.id = l.item_id "
            "JOIN orders o ON o.id = l.order_id "
            f"WHERE l.item_id IN ({','.join('?' * len(removed))}) AND o.status <> 'cancelled'",
            removed,
        ).fetchall()
        if used:
            codes = ", ".join(sorted(r[0] for r in used))
            raise InvalidInput("livestreams.items_on_orders", codes=codes)
        cur.execute(f"DELETE FROM live_items WHERE id IN ({','.join('?' * len(removed))})", removed)
        cur.execute(
            f"DELETE FROM code_aliases WHERE item_id IN ({','.join('?' * len(removed))})", removed
        )
    # Codes move between rows in one save; free every kept row's key first so the unique index never sees
    # a transient duplicate.
    for item in items:
        if item.id in existing:
            cur.execute("UPDATE live_items SET code_key = '#' || id::VARCHAR WHERE id = ?", [item.id])
    for position, item in enumerate(items, start=1):
        values = [item.code, normalize_code(item.code), item.name, item.sku, int(item.price),
                  item.stock, list(item.sizes), list(item.colors), position]
        if item.id in existing:
            cur.execute(
                "UPDATE live_items SET code = ?, code_key = ?, name = ?, sku = ?, price = ?, stock = ?, "
                "sizes = ?, colors = ?, position = ? WHERE id = ?",
                values + [item.id],
            )
        else:
            cur.execute(
                "INSERT INTO live_items (livestream_id, code, code_key, name, sku, price, stock, sizes, colors, "
                "position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [livestream_id] + values,
            )
    # An alias for a code that is now a real item is no longer needed.
    cur.execute(
        "DELETE FROM code_aliases WHERE livestream_id = ? AND code_key IN "
        "(SELECT code_key FROM live_items WHERE livestream_id = ?)",
        [livestream_id, livestream_id],
    )
    cur.execute("UPDATE livestreams SET catalog_version = catalog_version + 1 WHERE id = ?", [livestream_id])


def items_from_csv(text: str) -> list[LiveItem]:
    """Items from CSV text with the header of SYNTAX.md (code,name,price,stock,sizes,colors; sku optional)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [h for h in ITEM_CSV_HEADER if h not in header]
    if missing:
        raise InvalidInput("livestreams.csv_header", missing=", ".join(missing))
    items: list[LiveItem] = []
    problems: list[Text] = []
    for line_number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        try:
            price = int(row["price"].replace(".", "").replace(",", "") or 0)
            stock = int(row["stock"]) if row["stock"] else None
        except ValueError:
            problems.append(Text("livestreams.csv_line_numbers", line=line_number))
            continue
        items.append(
            LiveItem(
                id=None, code=row["code"], name=row["name"], price=price, stock=stock,
                sizes=tuple(s for s in row["sizes"].split("|") if s.strip()),
                colors=tuple(c for c in row["colors"].split("|") if c.strip()),
                sku=row.get("sku") or None,
            )
        )
    if problems:
        raise InvalidInput("livestreams.csv_not_imported", problems=problems)
    return validate_items(items)


def syntax_settings(store: Store, livestream_id: int) -> SyntaxSettings:
    raw = get_livestream(store, livestream_id)["syntax_settings"]
    return SyntaxSettings.from_dict(json.loads(raw or "{}"))


def save_syntax_settings(store: Store, livestream_id: int, values: dict, *, by: User) -> SyntaxSettings:
    require_owner(by, Text("livestreams.what_change_syntax"))
    try:
        settings = SyntaxSettings.from_dict(values)
        settings.validate()
    except (InvalidSettings, ValueError) as error:
        raise InvalidInput("livestreams.syntax_not_saved", error=_message_of(error)) from error
    get_livestream(store, livestream_id)
    with store.transaction() as cur:
        cur.execute(
            "UPDATE livestreams SET syntax_settings = ?, catalog_version = catalog_version + 1 WHERE id = ?",
            [json.dumps(settings.to_dict(), ensure_ascii=False), livestream_id],
        ).fetchall()
        reparse_comments(cur, livestream_id)
    return settings


def _message_of(error: Exception) -> str:
    """An error's message, as a Text when it carries one (so that it renders in the reader's language)."""
    text = getattr(error, "text", None)
    if isinstance(text, Text):
        return text
    if error.args and isinstance(error.args[0], Text):
        return error.args[0]
    return str(error)


_catalogs: dict[tuple[str, int], "Catalog"] = {}


def load_catalog(cur, livestream_id: int) -> Catalog:
    """The livestream's items, remembered picks and syntax settings; reused while catalog_version is unchanged
    (every change of items, picks or settings bumps it)."""
    row = cur.execute(
        "SELECT catalog_version, syntax_settings, (SELECT coalesce(path, database_name) FROM duckdb_databases() "
        "WHERE database_name = current_database()) FROM livestreams WHERE id = ?", [livestream_id]
    ).fetchall()
    if not row:
        raise NotFound("livestreams.not_found", id=livestream_id)
    version, raw_settings, database = row[0]
    cached = _catalogs.get((database, livestream_id))
    if cached is not None and cached.version == version:
        return cached
    catalog = _read_catalog(cur, livestream_id, version, raw_settings)
    _catalogs[(database, livestream_id)] = catalog
    return catalog


def _read_catalog(cur, livestream_id: int, version: int, raw_settings: str) -> Catalog:
    settings = SyntaxSettings.from_dict(json.loads(raw_settings or "{}"))
    items = _items(cur, livestream_id)
    by_key = {normalize_code(item.code): item.id for item in items}
    parser_items = [
        CatalogItem(code=item.code, name=item.name, price=item.price, stock=item.stock,
                    sizes=item.sizes, colors=item.colors)
        for item in items
    ]
    by_id = {item.id: item for item in items}
    for code_key, code, item_id in cur.execute(
        "SELECT code_key, code, item_id FROM code_aliases WHERE livestream_id = ? ORDER BY code_key",
        [livestream_id],
    ).fetchall():
        target = by_id.get(item_id)
        if target is None or code_key in by_key:
            continue
        by_key[code_key] = item_id
        # The remembered code parses like the item it stands for (its sizes, colors), under its own spelling.
        parser_items.append(CatalogItem(code=code, name=target.name, price=target.price, stock=target.stock,
                                        sizes=target.sizes, colors=target.colors))
    return Catalog(
        livestream_id=livestream_id, version=version, settings=settings, items=tuple(items),
        item_id_by_code_key=by_key, parser_items=tuple(parser_items),
    )


BLACKLISTED_ORDER_COMMENTS = {
    "review": Text("livestreams.blacklisted_review"),
    "orders": Text("livestreams.blacklisted_orders"),
}


def set_blacklisted_order_comments(store: Store, livestream_id: int, policy: str, *, by: User) -> None:
    """What order comments of blacklisted customers do in this livestream (the owner's setting; 'review' by
    default): see core.services.orders.HELD_BLACKLISTED."""
    require_owner(by, Text("livestreams.what_change_settings"))
    if policy not in BLACKLISTED_ORDER_COMMENTS:
        raise InvalidInput("livestreams.bad_blacklist_setting", choices=", ".join(BLACKLISTED_ORDER_COMMENTS))
    get_livestream(store, livestream_id)
    with store.transaction() as cur:
        cur.execute("UPDATE livestreams SET blacklisted_order_comments = ? WHERE id = ?", [policy, livestream_id])
