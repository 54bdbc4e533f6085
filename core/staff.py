"""Staff members and the owner (the users table). Logins and passwords come with the access issue."""

from __future__ import annotations

import re

from core.errors import InvalidInput
from core.formatting import utc_now
from core.store import Store

ROLES = ("owner", "staff")
USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{2,32}$")


def add_user(store: Store, username: str, display_name: str, role: str = "staff") -> int:
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput("A username is 2–32 lower-case letters, digits, dots, dashes or underscores.")
    if not display_name:
        raise InvalidInput("A staff member needs a display name.")
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise InvalidInput(f"The username {username} is already taken.")
        return cur.execute(
            "INSERT INTO users (username, display_name, role, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [username, display_name, role, utc_now()],
        ).fetchone()[0]


def list_users(store: Store, active_only: bool = True) -> list[dict]:
    sql = "SELECT id, username, display_name, role, active FROM users"
    if active_only:
        sql += " WHERE active"
    return store.query(sql + " ORDER BY role, display_name")


def set_active(store: Store, user_id: int, active: bool) -> None:
    with store.transaction() as cur:
        cur.execute("UPDATE users SET active = ? WHERE id = ?", [active, user_id])
