"""The turn in which new customers of a livestream go to the staff on duty, loaded and saved inside the
transaction that assigns them (an order comment's batch, a new draft)."""

from __future__ import annotations

from dataclasses import dataclass

from core.base.formatting import utc_now
from core.domain.users import STAFF


@dataclass
class StaffRotation:
    """The turn of new customers in one livestream, loaded and saved inside the transaction that assigns them."""

    livestream_id: int
    candidates: list[int]  # in turn order (by user id)
    active: set[int]  # every active user: a customer whose staff member is not among them is assigned anew
    last: int | None
    changed: bool = False

    @classmethod
    def load(cls, cur, livestream_id: int) -> StaffRotation:
        # One statement: a busy live loads the turn in most batches.
        active, marked, staff, last = cur.execute(
            "SELECT (SELECT list(id ORDER BY id) FROM users WHERE active), "
            "(SELECT list(d.user_id ORDER BY d.user_id) FROM livestream_on_duty d JOIN users u ON u.id = d.user_id "
            " WHERE d.livestream_id = ? AND u.active), "
            "(SELECT list(id ORDER BY id) FROM users WHERE active AND role = ?), "
            "(SELECT last_staff_id FROM staff_rotation WHERE livestream_id = ?)",
            [livestream_id, STAFF, livestream_id]).fetchall()[0]
        return cls(livestream_id, list(marked or staff or []), set(active or []), last)

    def needs_staff(self, staff_id: int | None) -> bool:
        return staff_id is None or staff_id not in self.active

    def next(self) -> int | None:
        """The next staff member in turn after the one who got the last new customer; None with no staff."""
        if not self.candidates:
            return None
        later = [c for c in self.candidates if self.last is not None and c > self.last]
        self.last = later[0] if later else self.candidates[0]
        self.changed = True
        return self.last

    def save(self, cur) -> None:
        if self.changed and self.last is not None:
            cur.execute(
                "INSERT INTO staff_rotation VALUES (?, ?, ?) ON CONFLICT (livestream_id) DO UPDATE SET "
                "last_staff_id = excluded.last_staff_id, updated_at = excluded.updated_at",
                [self.livestream_id, self.last, utc_now()],
            )
            self.changed = False
