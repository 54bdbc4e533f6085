"""The demo shop shipped in data/demo, and the demo live that plays its comments in at live speed or faster."""

from __future__ import annotations

import csv
import json

from core.base.config import PROJECT_ROOT
from core.db.store import Store
from core.domain.users import SYSTEM_USER
from core.integrations.comment_files import IncomingComment, comment_from_record
from core.services import livestreams, staff

DEMO_DIR = PROJECT_ROOT / "data" / "demo"


def demo_comments() -> list[IncomingComment]:
    with (DEMO_DIR / "comments.jsonl").open(encoding="utf-8") as handle:
        return [comment_from_record(json.loads(line)) for line in handle if line.strip()]


def is_empty(store: Store) -> bool:
    return not store.scalar("SELECT count(*) FROM livestreams")


def create_demo_shop(store: Store) -> int:
    """Staff, and one livestream with the demo items; returns the livestream id. Comments come from the replay."""
    meta = json.loads((DEMO_DIR / "livestream.json").read_text(encoding="utf-8"))
    items = livestreams.items_from_csv((DEMO_DIR / "items.csv").read_text(encoding="utf-8"))
    existing = {user["username"] for user in staff.list_users(store, active_only=False)}
    with (DEMO_DIR / "staff.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["username"] not in existing:
                staff.add_user(store, row["username"], row["display_name"], row["role"], by=SYSTEM_USER)
    livestream_id = livestreams.create_livestream(
        store, meta["title"], platform=meta.get("platform", "other"), source_ref=meta.get("source_ref"), items=items
    )
    return livestream_id


def ensure_demo_shop(store: Store) -> int | None:
    """Creates the demo shop on an empty database; None when the shop already has livestreams."""
    if is_empty(store):
        return create_demo_shop(store)
    return None
