"""One path for every source of comments (files, hand entry, the demo live): store once, parse, move orders.

A batch is one transaction: after a crash a comment is either stored and applied, or not stored at all, and
re-reading the source adds only what is missing (comments are unique per platform on their comment id).
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Iterator

from core import orders
from core.errors import InvalidInput
from core.formatting import to_utc_naive, utc_now
from core.livestreams import Catalog, get_livestream, load_catalog
from core.phones import normalize_vn_phone
from core.store import Store
from core.syntax import normalize_code, parse

KINDS = ("order", "cancel", "question", "review", "contact", "none")


@dataclass(frozen=True)
class IncomingComment:
    comment_id: str
    user_id: str | None
    user_name: str
    message: str
    commented_at: datetime  # naive UTC


@dataclass
class IngestSummary:
    comments: int = 0
    new: int = 0
    duplicates: int = 0
    bad_lines: int = 0
    orders_created: int = 0
    orders_updated: int = 0
    kinds: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "comments": self.comments, "new": self.new, "duplicates": self.duplicates, "bad_lines": self.bad_lines,
            "orders_created": self.orders_created, "orders_updated": self.orders_updated,
            "kinds": {kind: self.kinds.get(kind, 0) for kind in KINDS},
            "errors": self.errors[:100],
        }


# -- reading comment records ----------------------------------------------------------------------------------
_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_time(value) -> datetime:
    """ISO 8601 (with Z, +07:00 or Graph's +0000) or Unix seconds -> naive UTC."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=timezone.utc).replace(tzinfo=None)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("the comment time is missing")
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=timezone.utc).replace(tzinfo=None)
    text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a time (use ISO 8601, e.g. 2026-11-20T12:03:11+07:00)") from None
    return to_utc_naive(moment)


def comment_from_record(record: dict) -> IncomingComment:
    """A Graph API comment object or the flat form {id, user_id, user_name, message, created_at}."""
    if not isinstance(record, dict):
        raise ValueError("a comment must be a JSON object")
    comment_id = record.get("id")
    if comment_id in (None, ""):
        raise ValueError("the comment has no id")
    sender = record.get("from")
    if isinstance(sender, dict):
        user_id, user_name = sender.get("id"), sender.get("name")
    else:
        user_id, user_name = record.get("user_id"), record.get("user_name")
    message = record.get("message")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise ValueError("the message must be text")
    created = record.get("created_time", record.get("created_at"))
    user_name = (str(user_name).strip() if user_name is not None else "") or "(hidden name)"
    return IncomingComment(
        comment_id=str(comment_id), user_id=str(user_id) if user_id not in (None, "") else None,
        user_name=user_name, message=message, commented_at=parse_time(created),
    )


def read_comment_text(text: str, filename: str = "") -> Iterator[tuple[int, IncomingComment | None, str | None]]:
    """(line number, comment or None, error or None) for each line of a JSONL or CSV comment file."""
    text = text.lstrip("\ufeff")
    looks_like_jsonl = filename.lower().endswith((".jsonl", ".json", ".ndjson")) or text.lstrip().startswith("{")
    if looks_like_jsonl:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, comment_from_record(json.loads(line)), None
            except json.JSONDecodeError as error:
                yield number, None, f"not valid JSON ({error.msg})"
            except ValueError as error:
                yield number, None, str(error)
        return
    reader = csv.DictReader(io.StringIO(text))
    header = set(reader.fieldnames or [])
    required = {"id", "user_id", "user_name", "message", "created_at"}
    if not required <= header:
        yield 1, None, "the CSV header must be id,user_id,user_name,message,created_at"
        return
    for row in reader:
        try:
            yield reader.line_num, comment_from_record(dict(row)), None
        except ValueError as error:
            yield reader.line_num, None, str(error)


def hand_entry_comments(text: str, *, entry_token: str | None = None,
                        now: datetime | None = None) -> tuple[list[IncomingComment], list[str]]:
    """Comments typed or pasted by staff, one per line as `Customer name: comment`.

    entry_token makes the comment ids of one form submission stable, so that a double click stores them once.
    """
    token = entry_token or uuid.uuid4().hex
    now = now or utc_now()
    comments: list[IncomingComment] = []
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, message = line.partition(":")
        if not colon or not name.strip() or not message.strip():
            errors.append(f"line {number}: write the customer's name, a colon, then the comment (Lan: A1 M 2)")
            continue
        name = " ".join(name.split())
        comments.append(
            IncomingComment(
                comment_id=f"hand-{token}-{number}", user_id="name:" + name.casefold(), user_name=name,
                message=message.strip(), commented_at=now,
            )
        )
    return comments, errors


# -- storing and applying -------------------------------------------------------------------------------------------
def ingest_comments(store: Store, livestream_id: int, comments: Iterable[IncomingComment], *, source: str,
                    summary: IngestSummary | None = None, batch_size: int = 500) -> IngestSummary:
    summary = summary or IngestSummary()
    livestream = get_livestream(store, livestream_id)
    batch: list[IncomingComment] = []
    for comment in comments:
        summary.comments += 1
        batch.append(comment)
        if len(batch) >= batch_size:
            _ingest_batch(store, livestream, batch, source, summary)
            batch = []
    if batch:
        _ingest_batch(store, livestream, batch, source, summary)
    return summary


def ingest_text(store: Store, livestream_id: int, text: str, *, filename: str = "", source: str = "file") -> IngestSummary:
    summary = IngestSummary()
    good: list[IncomingComment] = []
    for number, comment, error in read_comment_text(text, filename):
        if error is not None:
            summary.comments += 1
            summary.bad_lines += 1
            summary.errors.append({"line": number, "error": error})
        else:
            good.append(comment)
    return ingest_comments(store, livestream_id, good, source=source, summary=summary)


def _ingest_batch(store: Store, livestream: dict, batch: list[IncomingComment], source: str,
                  summary: IngestSummary) -> None:
    platform = livestream["platform"]
    livestream_id = livestream["id"]
    created: set[int] = set()
    updated: set[int] = set()
    with store.transaction() as cur:
        ids = list({c.comment_id for c in batch})
        known = {
            row[0]
            for row in cur.execute(
                "SELECT platform_comment_id FROM comments WHERE platform = ? AND platform_comment_id IN "
                "(SELECT unnest(?::VARCHAR[]))",
                [platform, ids],
            ).fetchall()
        }
        fresh: list[IncomingComment] = []
        for comment in batch:
            if comment.comment_id in known:
                summary.duplicates += 1
                continue
            known.add(comment.comment_id)
            fresh.append(comment)
        # Served in the order viewers wrote them, whatever order they arrived in.
        fresh.sort(key=lambda c: c.commented_at)
        catalog = load_catalog(cur, livestream_id)
        now = utc_now()
        for comment in fresh:
            customer_id = _customer_id(cur, platform, comment, now)
            result = parse(comment.message, catalog.parser_items, catalog.settings)
            summary.kinds[result.kind] += 1
            comment_row_id = cur.execute(
                "INSERT INTO comments (livestream_id, platform, platform_comment_id, customer_id, message, "
                "commented_at, received_at, source, kind, parse_result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                [livestream_id, platform, comment.comment_id, customer_id, comment.message, comment.commented_at,
                 now, source, result.kind, json.dumps(result.to_json(), ensure_ascii=False)],
            ).fetchone()[0]
            effect, order_id, was_created = _apply(cur, catalog, livestream_id, customer_id, comment, comment_row_id,
                                                   result)
            if order_id is not None:
                cur.execute("UPDATE comments SET effect = ?, order_id = ? WHERE id = ?",
                            [effect, order_id, comment_row_id])
                (created if was_created else updated).add(order_id)
            elif effect != "none":
                cur.execute("UPDATE comments SET effect = ? WHERE id = ?", [effect, comment_row_id])
            summary.new += 1
    summary.orders_created += len(created)
    summary.orders_updated += len(updated - created)


def _customer_id(cur, platform: str, comment: IncomingComment, now: datetime) -> int:
    user_id = comment.user_id or "anonymous:" + comment.user_name.casefold()
    row = cur.execute(
        "SELECT id, display_name FROM customers WHERE platform = ? AND platform_user_id = ?", [platform, user_id]
    ).fetchone()
    if row:
        if row[1] != comment.user_name and comment.user_name != "(hidden name)":
            cur.execute("UPDATE customers SET display_name = ? WHERE id = ?", [comment.user_name, row[0]])
        return row[0]
    return cur.execute(
        "INSERT INTO customers (platform, platform_user_id, display_name, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        [platform, user_id, comment.user_name, now],
    ).fetchone()[0]


def _lines_key(result) -> str:
    return json.dumps(result.to_json()["lines"], sort_keys=True, ensure_ascii=False)


def _apply(cur, catalog: Catalog, livestream_id: int, customer_id: int, comment: IncomingComment,
           comment_row_id: int, result) -> tuple[str, int | None, bool]:
    """Moves the customer's orders as DESIGN.md says for this kind. Returns (effect, order id, order created)."""
    if result.kind == "order":
        return _apply_order(cur, catalog, livestream_id, customer_id, comment, comment_row_id, result)
    if result.kind == "cancel":
        return _apply_cancel(cur, livestream_id, customer_id, comment_row_id, result)
    if result.kind == "contact" and result.phone:
        return _apply_contact(cur, livestream_id, customer_id, comment_row_id, result.phone)
    return "none", None, False


def _open_order(cur, livestream_id: int, customer_id: int, statuses) -> tuple[int, str] | None:
    row = cur.execute(
        f"SELECT id, status FROM orders WHERE livestream_id = ? AND customer_id = ? "
        f"AND status IN ({','.join('?' * len(statuses))}) ORDER BY created_at DESC, id DESC LIMIT 1",
        [livestream_id, customer_id, *statuses],
    ).fetchone()
    return (row[0], row[1]) if row else None


def _apply_order(cur, catalog, livestream_id, customer_id, comment, comment_row_id, result):
    if not result.add and catalog.settings.repeat_policy == "once":
        key = _lines_key(result)
        earlier = cur.execute(
            "SELECT parse_result FROM comments WHERE livestream_id = ? AND customer_id = ? AND kind = 'order' "
            "AND effect IN ('created', 'added') AND id <> ?",
            [livestream_id, customer_id, comment_row_id],
        ).fetchall()
        if any(json.dumps(json.loads(row[0])["lines"], sort_keys=True, ensure_ascii=False) == key
               for row in earlier):
            return "repeat", None, False
    found = _open_order(cur, livestream_id, customer_id, sorted(orders.OPEN_FOR_COMMENTS))
    created = found is None
    if created:
        order_id = orders.create_draft(cur, livestream_id=livestream_id, customer_id=customer_id,
                                       first_comment_at=comment.commented_at, actor=orders.COMMENT_ACTOR,
                                       comment_id=comment_row_id)
    else:
        order_id, status = found
        if status == orders.AWAITING_CONFIRMATION:
            orders.touch(cur, order_id, new_status=orders.DRAFT)
            orders.record_event(cur, order_id, actor=orders.COMMENT_ACTOR, action="customer_added_items",
                                from_status=status, to_status=orders.DRAFT, details={"comment_id": comment_row_id})
        cur.execute("UPDATE orders SET first_comment_at = least(first_comment_at, ?) WHERE id = ?",
                    [comment.commented_at, order_id])
    affected_items: set[int] = set()
    added = []
    for line in result.lines:
        item_id = catalog.item_id_by_code_key.get(normalize_code(line.code))
        item = catalog.item(item_id)
        orders.add_line(cur, order_id, code_typed=line.code, item_id=item_id, qty=line.qty, size=line.size,
                        color=line.color, unit_price=item.price if item else 0, claimed_at=comment.commented_at,
                        comment_id=comment_row_id)
        added.append(f"{line.code} ×{line.qty}")
        if item_id is not None:
            affected_items.add(item_id)
    if result.phone:
        _set_phone(cur, customer_id, order_id, result.phone)
    orders.touch(cur, order_id)
    orders.record_event(cur, order_id, actor=orders.COMMENT_ACTOR, action="comment_lines_added",
                        details={"comment_id": comment_row_id, "lines": added})
    for item_id in affected_items:
        orders.rebalance_item_stock(cur, item_id, actor=orders.COMMENT_ACTOR)
    return ("created" if created else "added"), order_id, created


def _apply_cancel(cur, livestream_id, customer_id, comment_row_id, result):
    draft = _open_order(cur, livestream_id, customer_id, [orders.DRAFT])
    if draft is None:
        later = _open_order(cur, livestream_id, customer_id,
                            [orders.AWAITING_CONFIRMATION, orders.AWAITING_SHIPMENT, orders.SENT_TO_SHOP])
        if later is None:
            return "none", None, False
        orders.record_event(cur, later[0], actor=orders.COMMENT_ACTOR, action="cancel_requested",
                            details={"comment_id": comment_row_id,
                                     "codes": [line.code for line in result.lines]})
        orders.touch(cur, later[0])
        return "cancel_requested", later[0], False
    order_id = draft[0]
    named = {normalize_code(line.code) for line in result.lines}
    lines = cur.execute(
        "SELECT l.id, l.code_typed, l.item_id, i.code FROM order_lines l LEFT JOIN live_items i ON i.id = l.item_id "
        "WHERE l.order_id = ?",
        [order_id],
    ).fetchall()
    removed = [
        row for row in lines
        if not named or normalize_code(row[1]) in named or (row[3] and normalize_code(row[3]) in named)
    ]
    if not removed:
        return "none", None, False
    cur.execute(f"DELETE FROM order_lines WHERE id IN ({','.join('?' * len(removed))})", [r[0] for r in removed])
    orders.record_event(cur, order_id, actor=orders.COMMENT_ACTOR, action="customer_cancelled_lines",
                        details={"comment_id": comment_row_id, "lines": [r[1] for r in removed]})
    if len(removed) == len(lines):
        orders.touch(cur, order_id, new_status=orders.CANCELLED)
        orders.record_event(cur, order_id, actor=orders.COMMENT_ACTOR, action="cancel", from_status=orders.DRAFT,
                            to_status=orders.CANCELLED, details={"comment_id": comment_row_id})
    else:
        orders.touch(cur, order_id)
    for item_id in {r[2] for r in removed if r[2] is not None}:
        orders.rebalance_item_stock(cur, item_id, actor=orders.COMMENT_ACTOR)
    return "cancelled", order_id, False


def _apply_contact(cur, livestream_id, customer_id, comment_row_id, phone):
    found = _open_order(cur, livestream_id, customer_id, sorted(orders.EDITABLE))
    order_id = found[0] if found else None
    _set_phone(cur, customer_id, order_id, phone)
    if order_id is None:
        return "contact", None, False
    orders.record_event(cur, order_id, actor=orders.COMMENT_ACTOR, action="phone_from_comment",
                        details={"comment_id": comment_row_id, "phone": phone})
    orders.touch(cur, order_id)
    return "contact", order_id, False


def _set_phone(cur, customer_id: int, order_id: int | None, phone: str) -> None:
    phone = normalize_vn_phone(phone) or phone
    cur.execute("UPDATE customers SET phone = ? WHERE id = ?", [phone, customer_id])
    if order_id is not None:
        cur.execute("UPDATE orders SET receiver_phone = ? WHERE id = ?", [phone, order_id])


def comment_stream(store: Store, livestream_id: int, limit: int = 200, kinds: Iterable[str] | None = None) -> list[dict]:
    """The newest comments first, with the customer, and the order Edit opens: the one the comment touched,
    else the customer's current order in this livestream (None when they have none)."""
    params: list = [livestream_id]
    where = "c.livestream_id = ?"
    kinds = list(kinds or [])
    if kinds:
        where += f" AND c.kind IN ({','.join('?' * len(kinds))})"
        params += kinds
    params.append(limit)
    return store.query(
        f"""
SELECT c.id, c.commented_at, c.customer_id, cu.display_name AS customer, c.message, c.kind, c.effect,
       c.parse_result, cu.blacklisted, e.id AS edit_order_id, e.code AS order_code, e.status AS order_status
FROM comments c
JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN LATERAL (
    SELECT o.id, o.code, o.status FROM orders o
    WHERE o.id = c.order_id OR (c.order_id IS NULL AND o.livestream_id = c.livestream_id
                                AND o.customer_id = c.customer_id)
    ORDER BY o.id = c.order_id DESC, o.status = 'cancelled', o.created_at DESC LIMIT 1
) e ON TRUE
WHERE {where} ORDER BY c.commented_at DESC, c.id DESC LIMIT ?""",
        params,
    )


def comment_counts(store: Store, livestream_id: int) -> dict:
    rows = store.query("SELECT kind, count(*) AS n FROM comments WHERE livestream_id = ? GROUP BY kind",
                       [livestream_id])
    return {row["kind"]: row["n"] for row in rows}


def validate_livestream_for_ingest(store: Store, livestream_id) -> int:
    try:
        livestream_id = int(livestream_id)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{livestream_id}' is not a livestream id.") from None
    get_livestream(store, livestream_id)
    return livestream_id
