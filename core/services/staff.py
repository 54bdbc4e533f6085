"""Staff members and the owner (the users table). Passwords, logins and sessions: core.services.auth."""

from __future__ import annotations

from core.base.errors import InvalidInput
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain.users import OWNER, ROLES, USERNAME_PATTERN, User, require_owner
from core.services.auth import check_password_rules, end_sessions_of, hash_password, mark_owner_set_up


def add_user(store: Store, username: str, display_name: str, role: str = "staff", *, by: User,
             password: str | None = None) -> int:
    """The owner adds a staff member (or another owner); without a password they cannot log in yet."""
    require_owner(by, Text("staff.what_add_staff"))
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput("staff.username_rules")
    if not display_name:
        raise InvalidInput("staff.needs_display_name")
    if role not in ROLES:
        raise InvalidInput("staff.bad_role", choices=", ".join(ROLES))
    password_hash = hash_password(check_password_rules(password, username)) if password else None
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise InvalidInput("staff.username_taken", username=username)
        user_id = cur.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id",
            [username, display_name, role, password_hash, utc_now()],
        ).fetchone()[0]
        if role == OWNER and password_hash:
            mark_owner_set_up(cur)
        return user_id


def list_users(store: Store, active_only: bool = True) -> list[dict]:
    sql = "SELECT id, username, display_name, role, active, password_hash IS NOT NULL AS can_log_in FROM users"
    if active_only:
        sql += " WHERE active"
    return store.query(sql + " ORDER BY role, display_name")


def set_active(store: Store, user_id: int, active: bool, *, by: User) -> None:
    """The owner switches a user off (their sessions end at once) or on again. The last active owner who can log
    in (has a password) stays on: an owner without a password left in charge could not get in, nobody could."""
    require_owner(by, Text("staff.what_switch_staff"))
    with store.transaction() as cur:
        row = cur.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            raise InvalidInput("staff.no_such_user")
        if not active and row[0] == OWNER and cur.execute(
                "SELECT count(*) FROM users WHERE role = ? AND active AND password_hash IS NOT NULL AND id <> ?",
                [OWNER, user_id]).fetchone()[0] == 0:
            raise InvalidInput("staff.last_owner")
        cur.execute("UPDATE users SET active = ? WHERE id = ?", [active, user_id])
        if not active:
            end_sessions_of(cur, user_id)
