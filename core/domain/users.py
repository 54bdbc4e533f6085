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
