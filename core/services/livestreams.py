"""Livestreams and their item settings (short codes, prices, stock, sizes, colors), and remembered code picks."""

from __future__ import annotations

import csv
import io
import json

from core.base.errors import InvalidInput, said
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain.catalog import LiveItem
from core.domain.syntax import InvalidSettings, SyntaxSettings, normalize_code
from core.domain.users import User, require_owner
from core.records.catalog import fill_blank_lines, livestream_row, read_items, replace_items
from core.records.stock import rebalance_all_stock
from core.records.stock import stock_left as _stock_left
from core.services.comments import reparse_comments

PLATFORMS = ("facebook", "tiktok", "other")
LIVESTREAM_STATUSES = ("planned", "live", "ended")
ITEM_CSV_HEADER = ("code", "name", "price", "stock", "sizes", "colors")
PLATFORM_LABELS = {"facebook": Text("livestreams.platform_facebook"), "tiktok": Text("livestreams.platform_tiktok"),
                   "other": Text("livestreams.platform_other")}
STATUS_LABELS = {"planned": Text("livestreams.status_planned"), "live": Text("livestreams.status_live"),
                 "ended": Text("livestreams.status_ended")}


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
            replace_items(cur, livestream_id, items)
    return livestream_id


def list_livestreams(store: Store) -> list[dict]:
    return store.query(
        "SELECT id, title, platform, source_ref, status, started_at, ended_at, created_at "
        "FROM livestreams ORDER BY created_at DESC, id DESC"
    )


def get_livestream(store: Store, livestream_id: int) -> dict:
    with store.reading() as cur:
        return livestream_row(cur, livestream_id)


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
    with store.reading() as cur:
        return read_items(cur, livestream_id)


def stock_left(store: Store, livestream_id: int) -> dict[int, int | None]:
    """What is left of each item of the livestream to give to new claims: its stock minus what the claims of
    orders not cancelled are served (a waitlisted quantity is not served). None: unlimited stock."""
    with store.reading() as cur:
        return _stock_left(cur, livestream_id)


def items_to_copy(store: Store, livestream_id: int) -> list[LiveItem]:
    """Another livestream's items, as new rows for a new livestream (Setup's "copy the items of")."""
    return [LiveItem(**{**item.__dict__, "id": None}) for item in list_items(store, livestream_id)]


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
    require_owner(by, Text("livestreams.what_change_items"))
    actor = actor or by.username
    get_livestream(store, livestream_id)
    cleaned = validate_items(items)
    with store.transaction() as cur:
        replace_items(cur, livestream_id, cleaned)
        reparsed = reparse_comments(cur, livestream_id)
        filled = fill_blank_lines(cur, livestream_id, actor=actor)
        rebalance_all_stock(cur, livestream_id, actor=actor)
    return {"items": len(cleaned), "blank_lines_filled": filled, "comments_reparsed": reparsed}


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
        raise InvalidInput("livestreams.syntax_not_saved", error=said(error)) from error
    get_livestream(store, livestream_id)
    with store.transaction() as cur:
        cur.execute(
            "UPDATE livestreams SET syntax_settings = ?, catalog_version = catalog_version + 1 WHERE id = ?",
            [json.dumps(settings.to_dict(), ensure_ascii=False), livestream_id],
        ).fetchall()
        reparse_comments(cur, livestream_id)
    return settings


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
