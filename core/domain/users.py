"""Who may do what: users and their roles, the owner check every owner-only function makes, and the rule a
username follows (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.base.errors import AccessDenied
from core.base.i18n import Text

OWNER, STAFF = "owner", "staff"
ROLES = (OWNER, STAFF)
ROLE_LABELS = {OWNER: Text("staff.role_owner"), STAFF: Text("staff.role_staff")}
USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{2,32}$")


@dataclass(frozen=True)
class User:
    id: int | None
    username: str
    display_name: str
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER


# The command line, the demo and scripts on the shop's own machine act as the owner: whoever runs them can open the
# database file anyway.
SYSTEM_USER = User(id=None, username="system", display_name="Chotdon", role=OWNER)


def require_owner(user: User | None, what: Text | str | None = None) -> None:
    """Raises AccessDenied unless `user` is the owner; every owner-only core function calls it.

    `what` completes "Only the owner can ...": a Text such as `Text("auth.what_set_passwords")` (a verb phrase in
    each language); plain English still works but stays English in every language."""
    if user is None or user.role != OWNER:
        raise AccessDenied("auth.owner_only", what=Text("auth.what_do_this") if what is None else what)


# Among the commonest passwords in the public leak lists (with the Vietnamese favourites), at least 8 characters long.
COMMON_PASSWORDS = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "88888888", "66666666",
    "password", "password1", "password123", "passw0rd", "p@ssw0rd", "qwertyui", "qwerty123", "qwertyuiop",
    "1q2w3e4r", "1qaz2wsx", "zaq12wsx", "abc12345", "abcd1234", "12341234", "11223344", "asdfghjk", "iloveyou",
    "sunshine", "football", "princess", "welcome1", "admin123", "administrator", "trustno1", "baseball",
    "superman", "starwars", "letmein1", "computer", "whatever", "dragon12", "matkhau1", "matkhau123", "anhyeuem",
    "emyeuanh", "chotdon1", "chotdon123", "changeme", "123123123", "123qweasd", "12qwaszx",
})
_SEQUENCES = ("0123456789", "9876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
              "qwertyuiopasdfghjklzxcvbnm", "mnbvcxzlkjhgfdsapoiuytrewq")


def password_weakness(password: str, username: str = "") -> str | None:
    """Why a password is too easy to guess (a locale key), or None: the username, one of the commonest passwords,
    one character repeated, or a plain run such as 12345678 or abcdefgh. Length is checked by the caller."""
    folded = (password or "").strip().lower()
    if username and folded == username.strip().lower():
        return "auth.password_is_username"
    if folded in COMMON_PASSWORDS:
        return "auth.password_too_common"
    if len(set(folded)) <= 1:
        return "auth.password_one_character"
    if any(folded in run for run in _SEQUENCES):
        return "auth.password_sequence"
    return None
