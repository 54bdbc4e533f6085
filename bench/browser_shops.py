"""The shops the browser bench drives, built through the app's own command line and core services, and kept in
.bench-cache/browser/ (git-ignored) under a key of everything that shapes them, so a second run reuses them.

- demo: `python -m core init --demo` and the demo live's recorded comments ingested (70 orders);
- live20k / live200k: the demo shop plus a Facebook live of 20,000 / 200,000 generated comments
  (bench/comment_generator.py; 2,300 / 18,000 customers give about 2,100 / 17,000 orders, as measured in issue 15),
  and two customers of the kind that make slow screens: one who ordered 200 lines (`thêm` comments) and one whose
  order has 5,000 history events (a phone comment again and again: each is a `phone_from_comment` event).

Every shop also holds a few complete draft orders (receiver, phone and address filled in with Save draft through
core services) for the bench's Create order. `python -m bench.browser_shops NAME` builds one shop and prints where.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench-cache" / "browser"
SHOPS = {
    "demo": {"comments": 0, "customers": 0},
    "live20k": {"comments": 20_000, "customers": 2_300},
    "live200k": {"comments": 200_000, "customers": 18_000},
}
BIG_LINES = 200
BIG_EVENTS = 5_000
FRESH_ORDERS = 12  # complete drafts for Create order: more than any run's repetitions
BUILD_VERSION = 2  # bump when the build below changes what a shop holds
SOURCES = ("bench/browser_shops.py", "bench/comment_generator.py", "core/db/schema.py", "data/demo/comments.jsonl",
           "data/demo/items.csv", "data/demo/staff.csv")
ADDRESS = "45 Nguyễn Trãi, Phường Bến Thành, TP Hồ Chí Minh"
BIG_LINES_USER = ("999000000001", "Khách Đơn Lớn")
BIG_EVENTS_USER = ("999000000002", "Khách Lịch Sử Dài")


def cache_key(name: str) -> str:
    """Changes with the shop's parameters, the build and the files it reads (a schema change rebuilds)."""
    digest = hashlib.sha256(json.dumps({"name": name, **SHOPS[name], "big_lines": BIG_LINES, "big_events": BIG_EVENTS,
                                        "fresh": FRESH_ORDERS, "version": BUILD_VERSION}, sort_keys=True).encode())
    for source in SOURCES:
        digest.update((ROOT / source).read_bytes())
    return digest.hexdigest()[:12]


def shop_folder(name: str) -> Path:
    return CACHE / f"{name}-{cache_key(name)}"


def ensure_shop(name: str) -> tuple[Path, dict]:
    """The cached shop (built first when missing): its folder, holding shop.duckdb and meta.json."""
    folder = shop_folder(name)
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["cached"] = True
        return folder, meta
    for stale in CACHE.glob(f"{name}-*"):  # an older build of this shop: it would only take room
        shutil.rmtree(stale, ignore_errors=True)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    started = time.perf_counter()
    meta = build(name, building)
    meta["build_seconds"] = round(time.perf_counter() - started, 1)
    (building / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    building.rename(folder)
    meta["cached"] = False
    return folder, meta


def build(name: str, folder: Path) -> dict:
    from bench.app_runner import OWNER, OWNER_PASSWORD, cli
    from bench.comment_generator import catalog_csv, write_jsonl

    params = SHOPS[name]
    db = folder / "shop.duckdb"
    cli(db, "init", "--demo")
    cli(db, "user", "password", OWNER, input=OWNER_PASSWORD + "\n")
    if name == "demo":
        livestream = 1
        cli(db, "ingest", str(ROOT / "data" / "demo" / "comments.jsonl"), "--livestream", str(livestream))
    else:
        items = folder / "items.csv"
        items.write_text(catalog_csv(), encoding="utf-8")
        livestream = int(cli(db, "livestream", "create", "--title", f"Live {params['comments']:,} comments",
                             "--items", str(items), "--platform", "facebook").strip())
        comments = folder / "comments.jsonl"
        write_jsonl(comments, params["comments"], customers=params["customers"])
        cli(db, "ingest", str(comments), "--livestream", str(livestream))
        extra = folder / "big-orders.jsonl"
        extra.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in big_order_comments()),
                         encoding="utf-8")
        cli(db, "ingest", str(extra), "--livestream", str(livestream))
        comments.unlink()
        extra.unlink()
        items.unlink()
    meta = prepare(db, livestream, big=name != "demo")
    meta.update(name=name, livestream=livestream, generated=params["comments"], customers=params["customers"])
    return meta


def big_order_comments() -> list[dict]:
    """Two customers' comments in Graph API form, a few minutes into the live: 200 lines ordered one by one, and
    one line followed by 5,000 phone comments."""
    from bench.comment_generator import catalog_rows

    items = catalog_rows()
    start = datetime(2026, 11, 20, 12, 5, 0, tzinfo=UTC)
    found = []

    def comment(number: int, user: tuple[str, str], message: str, at: datetime) -> dict:
        return {"id": f"bench-big-{number}", "from": {"id": user[0], "name": user[1]}, "message": message,
                "created_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000")}

    for index in range(BIG_LINES):
        item = items[index % len(items)]
        size = item["sizes"].split("|")[index // len(items) % len(item["sizes"].split("|"))] if item["sizes"] else ""
        text = " ".join(part for part in (item["code"], size, "1") if part)
        found.append(comment(len(found), BIG_LINES_USER, ("thêm " if index else "") + text,
                             start + timedelta(seconds=index)))
    found.append(comment(len(found), BIG_EVENTS_USER, "B2 30", start))
    for index in range(BIG_EVENTS):
        phone = f"0912{index:06d}"
        found.append(comment(len(found), BIG_EVENTS_USER, f"sdt {phone}", start + timedelta(seconds=1 + index // 2)))
    return found


def prepare(db: Path, livestream: int, *, big: bool) -> dict:
    """Complete draft orders for Create order (saved as drafts with a receiver, a phone and an address), through
    core services; the codes of the big orders; what the shop holds."""
    from core.db.store import Store
    from core.services import orders

    store = Store(str(db))
    try:
        frame = orders.list_orders(store, livestream)
        frame = frame[(frame["status"] == orders.DRAFT) & (frame["blank_items"] == 0) & (frame["waitlisted"] == 0)
                      & frame["hold_reason"].isna()]
        fresh = []
        # From the end of the list: the bench ticks and saves the first rows, and never these.
        for row in frame.iloc[::-1].itertuples():
            if len(fresh) == FRESH_ORDERS:
                break
            order = orders.get_order(store, int(row.order_id))
            edits = orders.OrderEdits(receiver_name=order.customer_name, receiver_phone=f"0987{int(row.order_id):06d}",
                                      receiver_address=ADDRESS)
            saved = orders.perform_action(store, "save_draft", order.id, actor="bench", expected_version=order.version,
                                          edits=edits)
            if not saved.missing_for_completion():
                fresh.append(saved.code)
        meta = {"fresh": fresh, "orders": orders.count_orders(store, livestream),
                "comments": store.scalar("SELECT count(*) FROM comments WHERE livestream_id = ?", [livestream])}
        if big:
            for key, user in (("big_lines", BIG_LINES_USER), ("big_events", BIG_EVENTS_USER)):
                row = store.query(
                    "SELECT o.code, (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) AS lines, "
                    "(SELECT count(*) FROM order_events e WHERE e.order_id = o.id) AS events "
                    "FROM orders o JOIN customers c ON c.id = o.customer_id "
                    "WHERE o.livestream_id = ? AND c.platform_user_id = ? ORDER BY o.id DESC LIMIT 1",
                    [livestream, user[0]])[0]
                meta[key] = row
        cur = store.cursor()
        cur.execute("CHECKPOINT")
        cur.close()
    finally:
        store.close()
    return meta


if __name__ == "__main__":
    for shop in sys.argv[1:] or list(SHOPS):
        print(json.dumps([str(part) for part in ensure_shop(shop)], ensure_ascii=False))
