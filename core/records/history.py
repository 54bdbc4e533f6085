"""An order's history: append-only order_events rows, one named function per kind of event, written on the
caller's cursor inside the caller's transaction (core.domain.events reads them back in words)."""

from __future__ import annotations

import json

from core.base.formatting import utc_now


def _record(cur, order_id: int, *, actor: str, action: str, from_status: str | None = None,
            to_status: str | None = None, details: dict | None = None) -> None:
    cur.execute(
        "INSERT INTO order_events (order_id, happened_at, actor, action, from_status, to_status, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [order_id, utc_now(), actor, action, from_status, to_status,
         json.dumps(details or {}, ensure_ascii=False, default=str)],
    )


def order_created(cur, order_id: int, *, actor: str, to_status: str, comment_id: int | None = None) -> None:
    _record(cur, order_id, actor=actor, action="created", to_status=to_status,
            details={"comment_id": comment_id} if comment_id else {})


def order_held(cur, order_id: int, *, actor: str, reason: str) -> None:
    _record(cur, order_id, actor=actor, action="held", details={"reason": reason})


def hold_released(cur, order_id: int, *, actor: str, reason: str) -> None:
    _record(cur, order_id, actor=actor, action="hold_released", details={"reason": reason})


def action_performed(cur, order_id: int, *, actor: str, action: str, from_status: str, to_status: str,
                     changes: dict) -> None:
    """A staff action (core.domain.orders.ACTIONS) with the fields and lines it changed."""
    _record(cur, order_id, actor=actor, action=action, from_status=from_status, to_status=to_status,
            details=changes)


def handled_by_shop(cur, order_id: int, *, actor: str) -> None:
    _record(cur, order_id, actor=actor, action="handled_by_shop")


def returned(cur, order_id: int, *, actor: str, note: str) -> None:
    _record(cur, order_id, actor=actor, action="returned", details={"note": note})


def item_resolved(cur, order_id: int, *, actor: str, line_id: int, code: str, item: str) -> None:
    _record(cur, order_id, actor=actor, action="item_resolved",
            details={"line_id": line_id, "code": code, "item": item})


def staff_changed(cur, order_id: int, *, actor: str, before: str | None, after: str | None,
                  with_customer: bool = False) -> None:
    details = {"from": before, "to": after}
    if with_customer:
        details["with_customer"] = True
    _record(cur, order_id, actor=actor, action="staff_changed", details=details)


def customer_added_items(cur, order_id: int, *, actor: str, comment_id: int, from_status: str,
                         to_status: str) -> None:
    _record(cur, order_id, actor=actor, action="customer_added_items", from_status=from_status,
            to_status=to_status, details={"comment_id": comment_id})


def comment_corrected_into_lines(cur, order_id: int, *, actor: str, comment_id: int, text: str,
                                 lines: list[str]) -> None:
    _record(cur, order_id, actor=actor, action="comment_corrected_into_lines",
            details={"comment_id": comment_id, "text": text, "lines": lines})


def events_after(cur, order_id: int, event_id: int | None) -> list[dict]:
    """The order's events written after event `event_id` (None: all of them), oldest first, with their id."""
    rows = cur.execute(
        "SELECT id, happened_at, actor, action, from_status, to_status, details FROM order_events "
        "WHERE order_id = ? AND id > ? ORDER BY id", [order_id, -1 if event_id is None else event_id]).fetchall()
    names = ("id", "happened_at", "actor", "action", "from_status", "to_status", "details")
    return [dict(zip(names, row)) for row in rows]


def events_of(cur, order_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT happened_at, actor, action, from_status, to_status, details FROM order_events "
        "WHERE order_id = ? ORDER BY id", [order_id]).fetchall()
    names = ("happened_at", "actor", "action", "from_status", "to_status", "details")
    return [dict(zip(names, row)) for row in rows]


def newest_events(cur, order_id: int, *, limit: int) -> tuple[list[dict], int]:
    """The order's `limit` newest events, newest first, and how many events it has in all: an order's history can
    run to thousands of events (a loyal customer's order, saved again and again), and a screen shows a page."""
    rows = cur.execute(
        "SELECT happened_at, actor, action, from_status, to_status, details, count(*) OVER () FROM order_events "
        "WHERE order_id = ? ORDER BY id DESC LIMIT ?", [order_id, max(int(limit), 1)]).fetchall()
    names = ("happened_at", "actor", "action", "from_status", "to_status", "details")
    total = rows[0][-1] if rows else 0
    return [dict(zip(names, row[:-1])) for row in rows][:max(int(limit), 0)], total


def latest_event_id(cur, order_id: int) -> int | None:
    return cur.execute("SELECT max(id) FROM order_events WHERE order_id = ?", [order_id]).fetchone()[0]
