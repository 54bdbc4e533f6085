"""Who is working: passwords (argon2), logins with a slow-down and a lockout, server-side sessions, and roles.

A session is a row in `sessions`; the browser keeps only a token: a random id and its HMAC signature, keyed by a
secret made on first start and kept in the shop's database (never in the repository). Logging out, a password
reset and deactivating a user end sessions on the server, so a copied cookie stops working too.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.base.errors import AccessDenied, InvalidInput, LoginRefused
from core.base.formatting import shop_time_text, utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain.users import OWNER, USERNAME_PATTERN, User, password_weakness, require_owner

SESSION_HOURS = 12  # one working day: a shared shop computer does not stay logged in for a week
MIN_PASSWORD_LENGTH = 8
FAILURES_BEFORE_LOCK = 5
LOCK_MINUTES = 15
ACCESS_CODE_MINUTES = 15  # how long a one-time code of `python -m core user ...` stays good

# OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about 0.1 s here, where the library's default takes 1 s.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified when the username is unknown, so that a wrong username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


# -- users --------------------------------------------------------------------------------------------------------
def _user(row) -> User:
    return User(id=row[0], username=row[1], display_name=row[2], role=row[3])


def get_user(store: Store, user_id: int) -> User | None:
    cur = store.cursor()
    try:
        row = cur.execute("SELECT id, username, display_name, role FROM users WHERE id = ?", [user_id]).fetchone()
    finally:
        cur.close()
    return _user(row) if row else None


def user_by_username(store: Store, username: str) -> User | None:
    cur = store.cursor()
    try:
        row = cur.execute("SELECT id, username, display_name, role FROM users WHERE username = ?",
                          [(username or "").strip().lower()]).fetchone()
    finally:
        cur.close()
    return _user(row) if row else None


def user_language(store: Store, user_id: int | None) -> str:
    """The language a user reads the app in (English for unknown users and the system)."""
    from core.base.i18n import DEFAULT_LANGUAGE

    if user_id is None:
        return DEFAULT_LANGUAGE
    return store.scalar("SELECT language FROM users WHERE id = ?", [user_id]) or DEFAULT_LANGUAGE


def set_user_language(store: Store, user_id: int, language: str) -> None:
    """Each user switches their own language; it follows them to every browser."""
    from core.base.i18n import LANGUAGES

    if language not in LANGUAGES:
        raise InvalidInput("errors.unknown_language", language=language, choices=", ".join(LANGUAGES))
    with store.transaction() as cur:
        cur.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])


def check_password_rules(password: str, username: str = "") -> str:
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("auth.password_too_short", length=MIN_PASSWORD_LENGTH)
    weakness = password_weakness(password, username)
    if weakness:
        raise InvalidInput(weakness)
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_OWNER_SET_UP = "owner_set_up"  # the app_secrets row written when an owner first has a password


def owner_setup_needed(store: Store) -> bool:
    """True on first start only: no owner has ever had a password (the demo shop's owner row has none). Once one
    had, the set-up page never comes back, whatever happens to the owners later: it cannot be used to take the
    shop over. An owner who lost their way in uses the command line (README "Access")."""
    return not store.scalar("SELECT count(*) FROM app_secrets WHERE name = ?", [_OWNER_SET_UP])


def mark_owner_set_up(cur) -> None:
    """Called in the transaction that gives an owner a password."""
    cur.execute("INSERT INTO app_secrets VALUES (?, 'yes', ?) ON CONFLICT DO NOTHING", [_OWNER_SET_UP, utc_now()])


def owner_to_set_up(store: Store) -> dict | None:
    """The owner row the set-up page offers (username, display_name): the first owner, such as the demo shop's."""
    rows = store.query("SELECT username, display_name FROM users WHERE role = ? ORDER BY id LIMIT 1", [OWNER])
    return rows[0] if rows else None


def set_up_owner(store: Store, username: str, display_name: str, password: str) -> User:
    """The first-start page: creates the owner account (or gives a password to a passwordless owner row, such as
    the demo shop's). Refused once an owner can log in, so the page cannot be used to take the shop over."""
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput("auth.username_rules")
    if not display_name:
        raise InvalidInput("auth.owner_needs_name")
    check_password_rules(password, username)
    password_hash = hash_password(password)
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM app_secrets WHERE name = ?", [_OWNER_SET_UP]).fetchone()[0] or \
                cur.execute("SELECT count(*) FROM users WHERE role = ? AND password_hash IS NOT NULL",
                            [OWNER]).fetchone()[0]:
            raise AccessDenied("auth.owner_already_set_up")
        row = cur.execute("SELECT id, role FROM users WHERE username = ?", [username]).fetchone()
        if row is not None and row[1] != OWNER:
            raise InvalidInput("auth.username_is_staff", username=username)
        if row is None:
            user_id = cur.execute(
                "INSERT INTO users (username, display_name, role, password_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                [username, display_name, OWNER, password_hash, utc_now()],
            ).fetchone()[0]
        else:
            user_id = row[0]
            cur.execute("UPDATE users SET display_name = ?, password_hash = ?, active = TRUE WHERE id = ?",
                        [display_name, password_hash, user_id])
        mark_owner_set_up(cur)
    return User(user_id, username, display_name, OWNER)


def set_password(store: Store, user_id: int, new_password: str, *, by: User) -> None:
    """The owner sets or resets anyone's password (Setup → Staff); the user's sessions end and any lock goes."""
    require_owner(by, Text("auth.what_set_passwords"))
    target = get_user(store, user_id)
    if target is None:
        raise InvalidInput("auth.no_such_user")
    check_password_rules(new_password, target.username)
    password_hash = hash_password(new_password)
    with store.transaction() as cur:
        cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        cur.execute("DELETE FROM login_limits WHERE key = ?", [_account_key(target.username)])
        end_sessions_of(cur, user_id)
        if target.is_owner:
            mark_owner_set_up(cur)


def change_own_password(store: Store, user: User, current_password: str, new_password: str, *,
                        current_token: str | None = None) -> None:
    """Anyone changes their own password, knowing the current one; their other sessions end."""
    stored = store.scalar("SELECT password_hash FROM users WHERE id = ?", [user.id])
    if not stored or not _verify(stored, current_password or ""):
        raise InvalidInput("auth.current_password_wrong")
    check_password_rules(new_password, user.username)
    password_hash = hash_password(new_password)
    keep = _checked_id(store, current_token)
    with store.transaction() as cur:
        cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user.id])
        cur.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND id_hash <> ?",
                    [utc_now(), user.id, _id_hash(keep) if keep else ""])


def unlock(store: Store, user_id: int, *, by: User) -> None:
    """The owner lifts a lockout (and the slow-down) at once."""
    require_owner(by, Text("auth.what_unlock_accounts"))
    with store.transaction() as cur:
        cur.execute("DELETE FROM login_limits WHERE key = (SELECT 'user:' || username FROM users WHERE id = ?)",
                    [user_id])


def lock_states(store: Store, now: datetime | None = None) -> dict[int, dict]:
    """user id -> {failures, locked_until} for accounts with recent wrong passwords (Setup → Staff)."""
    now = now or utc_now()
    return {
        row["user_id"]: {"failures": row["failures"],
                         "locked_until": row["locked_until"] if row["locked_until"] and row["locked_until"] > now
                         else None}
        for row in store.query("SELECT u.id AS user_id, l.failures, l.locked_until FROM login_limits l "
                               "JOIN users u ON l.key = 'user:' || u.username")
    }


# -- logging in ----------------------------------------------------------------------------------------------------
def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def wait_after(failures: int) -> timedelta:
    """How long the next try must wait after this many wrong passwords in a row: 1, 2, 4, 8 seconds."""
    return timedelta(seconds=2 ** (failures - 1)) if failures >= 1 else timedelta(0)


@dataclass(frozen=True)
class Session:
    token: str  # what the browser keeps (cookie value): the random id, a dot, its signature
    user: User
    expires_at: datetime


def is_shop_computer(client: str | None) -> bool:
    """Whether a client address is the machine Chotdon runs on (loopback: 127.0.0.0/8, ::1)."""
    try:
        return bool(client) and ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False


def _account_key(username: str) -> str:
    return "user:" + username[:100]


def log_in(store: Store, username: str, password: str, *, client: str | None = None,
           now: datetime | None = None) -> Session:
    """Checks the password and starts a session; raises LoginRefused with the reason in words.

    Wrong passwords are counted twice: for the username as typed (known or not: an unknown name gets exactly the
    same waits, messages and lock, so names cannot be guessed) and for the client's address. After each, the next
    try of that name or address waits longer (1, 2, 4, 8 s); the FAILURES_BEFORE_LOCK-th locks it for LOCK_MINUTES.
    A try is counted, in the store's write lock, before its password is checked, so tries made at the same moment
    count like tries in a row: one that comes during a wait is refused unchecked, and counts too. From the shop's
    own computer (`client` a loopback address) the account's count does not apply, only the address's: locking the
    owner's account from elsewhere does not keep them out there. `client` None: the address is unknown, only the
    account counts.
    """
    now = now or utc_now()
    username = (username or "").strip().lower()
    account = _account_key(username)
    keys = ([] if is_shop_computer(client) else [account]) + ([f"addr:{client}"] if client else [])
    with store.transaction() as cur:
        # Counts older than a day are forgotten (unknown names would otherwise pile up).
        cur.execute("DELETE FROM login_limits WHERE updated_at < ? AND (locked_until IS NULL OR locked_until < ?)",
                    [now - timedelta(days=1), now])
        states = {}
        for key in keys:
            row = cur.execute("SELECT failures, next_try_at, locked_until FROM login_limits WHERE key = ?",
                              [key]).fetchone()
            if row is not None and row[2] is not None and row[2] <= now:
                row = None  # a lock that has run out: the count starts again
            states[key] = row or (0, None, None)
        locked = [state[2] for state in states.values() if state[2] is not None]
        if locked:
            raise LoginRefused("auth.locked_until", failures=FAILURES_BEFORE_LOCK, until=shop_time_text(max(locked)))
        waits = [state[1] for state in states.values() if state[1] is not None and state[1] > now]
        locks_now = False
        for key, (failures, _, _) in states.items():
            failures += 1
            lock = failures >= FAILURES_BEFORE_LOCK
            locks_now = locks_now or lock
            cur.execute(
                "INSERT INTO login_limits (key, failures, next_try_at, locked_until, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
                "next_try_at = excluded.next_try_at, locked_until = excluded.locked_until, "
                "updated_at = excluded.updated_at",
                [key, failures, now + wait_after(failures),
                 now + timedelta(minutes=LOCK_MINUTES) if lock else None, now])
    if waits:  # refused without looking at the password; counted all the same
        if locks_now:
            raise LoginRefused("auth.locked_until", failures=FAILURES_BEFORE_LOCK,
                               until=shop_time_text(now + timedelta(minutes=LOCK_MINUTES)))
        seconds = max(1, int((max(waits) - now).total_seconds() + 0.999))
        raise LoginRefused("auth.wait_seconds", seconds=seconds)
    cur = store.cursor()
    try:
        row = cur.execute("SELECT id, username, display_name, role, password_hash, active FROM users "
                          "WHERE username = ?", [username]).fetchone()
    finally:
        cur.close()
    if row is None or not row[4] or not _verify(row[4], password or ""):
        if row is None or not row[4]:
            _verify(_DUMMY_HASH, password or "")  # as long as a known name's check
        if locks_now:
            raise LoginRefused("auth.locked_now", failures=FAILURES_BEFORE_LOCK, minutes=LOCK_MINUTES)
        raise LoginRefused("auth.wrong_login")
    user = _user(row)
    if not row[5]:
        raise LoginRefused("auth.switched_off")
    with store.transaction() as write:
        write.execute("DELETE FROM login_limits WHERE key IN (?, ?)", [account, f"addr:{client}"])
    return start_session(store, user, now=now)


# -- the shop computer's way back in while the app runs ------------------------------------------------------------
def access_code_path(database_path: str) -> Path:
    """Where `python -m core user unlock|password` leaves a one-time code while the app holds the database."""
    return Path(str(database_path) + ".access-code")


def write_access_code(database_path: str, username: str, action: str, *, now: datetime | None = None) -> str:
    """Written by the command line, which cannot open the database while the app runs: a one-time code for
    `username` ('unlock' or 'password'), good for ACCESS_CODE_MINUTES, that the login page accepts from the shop's
    own computer. Only the code's hash is kept in the file (readable by its owner only). Returns the code."""
    code = secrets.token_hex(3) + "-" + secrets.token_hex(3)
    now = now or utc_now()
    record = {"username": (username or "").strip().lower(), "action": action,
              "code_sha256": hashlib.sha256(code.encode()).hexdigest(),
              "expires_at": (now + timedelta(minutes=ACCESS_CODE_MINUTES)).isoformat()}
    path = access_code_path(database_path)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(record, file)
    os.replace(temporary, path)
    return code


def access_code_waiting(store: Store) -> bool:
    return access_code_path(store.path).exists()


def redeem_access_code(store: Store, username: str, code: str, new_password: str | None, *, client: str | None,
                       now: datetime | None = None) -> User:
    """The login page on the shop's computer takes the code the command line printed: it lifts the account's lock
    (and the shop computer's own), and sets the new password when one is given ('password' codes need one). A
    wrong code voids it (run the command again); a refused password keeps it."""
    if not is_shop_computer(client):
        raise AccessDenied("auth.code_only_here")
    now = now or utc_now()
    path = access_code_path(store.path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        expires_at = datetime.fromisoformat(record["expires_at"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InvalidInput("auth.no_code_waiting") from None
    username = (username or "").strip().lower()
    given = hashlib.sha256((code or "").strip().lower().encode()).hexdigest()
    user = user_by_username(store, username)
    if (not hmac.compare_digest(given, str(record.get("code_sha256", ""))) or record.get("username") != username
            or expires_at <= now or user is None):
        path.unlink(missing_ok=True)
        raise InvalidInput("auth.code_wrong")
    if new_password:
        check_password_rules(new_password, user.username)
    elif record.get("action") == "password":
        raise InvalidInput("auth.code_needs_password")
    password_hash = hash_password(new_password) if new_password else None
    with store.transaction() as cur:
        cur.execute("DELETE FROM login_limits WHERE key IN (?, ?)", [_account_key(user.username), f"addr:{client}"])
        if password_hash:
            cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user.id])
            end_sessions_of(cur, user.id)
            if user.is_owner:
                mark_owner_set_up(cur)
    path.unlink(missing_ok=True)
    return user


def start_session(store: Store, user: User, *, now: datetime | None = None) -> Session:
    """A new server-side session for a user whose password was checked (log_in) or for a test."""
    now = now or utc_now()
    session_id = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=SESSION_HOURS)
    with store.transaction() as cur:
        cur.execute("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    [_id_hash(session_id), user.id, now, expires_at])
    return Session(f"{session_id}.{_signature(store, session_id)}", user, expires_at)


def session_user(store: Store, token: str | None, *, now: datetime | None = None) -> Session | None:
    """The session a token stands for, if its signature is right and it has not ended, expired or lost its user."""
    session_id = _checked_id(store, token)
    if session_id is None:
        return None
    now = now or utc_now()
    cur = store.cursor()
    try:
        row = cur.execute(
            "SELECT u.id, u.username, u.display_name, u.role, s.expires_at FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? "
            "AND u.active",
            [_id_hash(session_id), now],
        ).fetchone()
    finally:
        cur.close()
    return Session(token, _user(row), row[4]) if row else None


def log_out(store: Store, token: str | None) -> None:
    """Ends the session on the server: the cookie, wherever a copy of it is, no longer lets anyone in."""
    session_id = _checked_id(store, token)
    if session_id is None:
        return
    with store.transaction() as cur:
        cur.execute("UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
                    [utc_now(), _id_hash(session_id)])


def end_sessions_of(cur, user_id: int) -> None:
    cur.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", [utc_now(), user_id])


# -- signing -------------------------------------------------------------------------------------------------------
def _signing_key(store: Store) -> bytes:
    """The HMAC key of session tokens, made once per shop database on first use (kept on the Store after)."""
    key = getattr(store, "_session_signing_key", None)
    if key is None:
        with store.transaction() as cur:
            row = cur.execute("SELECT value FROM app_secrets WHERE name = 'session_signing_key'").fetchone()
            if row is None:
                value = secrets.token_hex(32)
                cur.execute("INSERT INTO app_secrets VALUES ('session_signing_key', ?, ?)", [value, utc_now()])
            else:
                value = row[0]
        key = bytes.fromhex(value)
        store._session_signing_key = key
    return key


def cookie_name(store: Store) -> str:
    """The session cookie's name, different for each shop database: browsers do not tell apart two apps on the
    same host by their port, and a demo and the real shop must not log each other out."""
    return "chotdon_" + hmac.new(_signing_key(store), b"cookie name", hashlib.sha256).hexdigest()[:12]


def _signature(store: Store, session_id: str) -> str:
    return hmac.new(_signing_key(store), session_id.encode(), hashlib.sha256).hexdigest()


def _checked_id(store: Store, token: str | None) -> str | None:
    if not token or not isinstance(token, str) or token.count(".") != 1:
        return None
    session_id, signature = token.split(".")
    if not session_id or not hmac.compare_digest(signature, _signature(store, session_id)):
        return None
    return session_id


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
