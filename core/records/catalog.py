"""A livestream's items, remembered code picks and syntax settings, on the caller's cursor: read as a Catalog
(core.domain.catalog), replaced as a whole, and the blank order lines they resolve."""

from __future__ import annotations

import json

from core.base.errors import InvalidInput, NotFound
from core.base.formatting import utc_now
from core.domain.catalog import Catalog, LiveItem
from core.domain.orders import CANCELLED, EDITABLE
from core.domain.syntax import CatalogItem, SyntaxSettings, normalize_code
from core.records import history
from core.records.orders import bump_version
from core.records.stock import rebalance_stock


def livestream_row(cur, livestream_id: int) -> dict:
    """The livestream's row as a dict; NotFound when there is none."""
    result = cur.execute("SELECT * FROM livestreams WHERE id = ?", [livestream_id])
    row = result.fetchone()
    if row is None:
        raise NotFound("livestreams.not_found", id=livestream_id)
    return dict(zip([column[0] for column in result.description], row))


def read_items(cur, livestream_id: int) -> list[LiveItem]:
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


def replace_items(cur, livestream_id: int, items: list[LiveItem]) -> None:
    existing = {item.id: item for item in read_items(cur, livestream_id)}
    keep_ids = {item.id for item in items if item.id in existing}
    removed = [item_id for item_id in existing if item_id not in keep_ids]
    if removed:
        used = cur.execute(
            "SELECT DISTINCT i.code FROM order_lines l JOIN live_items i ON i.id = l.item_id "
            "JOIN orders o ON o.id = l.order_id "
            f"WHERE l.item_id IN ({','.join('?' * len(removed))}) AND o.status <> ?",
            [*removed, CANCELLED],
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


# The last Catalog read per (database file, livestream): a memo of what the file holds, checked against the
# catalog_version on every call, so it never answers for a changed catalog. It carries nothing between layers.
_catalogs: dict[tuple[str, int], Catalog] = {}


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
    items = read_items(cur, livestream_id)
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


def fill_blank_lines(cur, livestream_id: int, *, actor: str, code_key: str | None = None) -> int:
    """Gives blank lines of open orders their item where the typed code now resolves (an item or a remembered
    pick). Lines staff edited by hand are left alone. Returns how many lines were filled."""
    catalog = load_catalog(cur, livestream_id)
    blanks = cur.execute(
        "SELECT l.id, l.code_typed, o.id FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "WHERE o.livestream_id = ? AND l.item_id IS NULL AND NOT l.edited_by_staff "
        "AND list_contains(?::VARCHAR[], o.status)",
        [livestream_id, sorted(EDITABLE)],
    ).fetchall()
    filled = 0
    touched_items: set[int] = set()
    for line_id, code_typed, order_id in blanks:
        key = normalize_code(code_typed)
        if code_key is not None and key != code_key:
            continue
        item_id = catalog.item_id_by_code_key.get(key)
        if item_id is None:
            continue
        item = catalog.item(item_id)
        cur.execute("UPDATE order_lines SET item_id = ?, unit_price = ? WHERE id = ?", [item_id, item.price, line_id])
        history.item_resolved(cur, order_id, actor=actor, line_id=line_id, code=code_typed, item=item.code)
        bump_version(cur, order_id)
        touched_items.add(item_id)
        filled += 1
    rebalance_stock(cur, touched_items, actor=actor)
    return filled


def remember_code_pick(cur, livestream_id: int, code_typed: str, item_id: int, *, actor: str) -> None:
    key = normalize_code(code_typed)
    if not key:
        return
    if cur.execute("SELECT 1 FROM live_items WHERE livestream_id = ? AND code_key = ?", [livestream_id, key]).fetchone():
        return  # a real item has this code; nothing to remember
    cur.execute("DELETE FROM code_aliases WHERE livestream_id = ? AND code_key = ?", [livestream_id, key])
    cur.execute(
        "INSERT INTO code_aliases (livestream_id, code_key, code, item_id, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [livestream_id, key, code_typed.upper(), item_id, actor, utc_now()],
    )
    cur.execute("UPDATE livestreams SET catalog_version = catalog_version + 1 WHERE id = ?", [livestream_id])
