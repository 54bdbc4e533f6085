"""An order's history in words: each order_events row as a sentence in the reader's language (pure)."""

from __future__ import annotations

import json

from core.base.i18n import Text
from core.domain.orders import ACTIONS, STATUS_LABELS

# Fields a staff action may change, as the history names them.
_CHANGED_FIELDS = ("receiver_name", "receiver_phone", "receiver_address", "note", "shipping_fee", "discount",
                   "payment", "carrier", "tracking_number")


def _line_change(change) -> Text | str:
    if not isinstance(change, dict):
        return str(change)  # events saved before line changes were kept as data
    kind = change.get("change")
    if kind not in ("added", "picked", "changed", "removed"):
        return str(change)
    return Text(f"orders.event.line_{kind}", code=change.get("code") or "", qty=change.get("qty") or "",
                item=change.get("item") or "")


def describe_event(event: dict) -> Text:
    """One row of an order's history (order_events) in words: what happened, its status move, what changed."""
    action = event["action"]
    try:
        details = json.loads(event.get("details") or "{}")
    except (TypeError, ValueError):
        details = {}
    if not isinstance(details, dict):
        details = {}
    nobody = Text("orders.event.nobody")
    if action in ACTIONS:
        what = ACTIONS[action].label
    elif action == "created":
        what = Text("orders.event.created_from_comment" if details.get("comment_id") else "orders.event.created")
    elif action in ("comment_lines_added", "customer_cancelled_lines", "comment_corrected_into_lines"):
        lines = details.get("lines") or []
        what = Text(f"orders.event.{action}", lines=", ".join(str(line) for line in lines))
    elif action == "cancel_requested":
        codes = details.get("codes") or []
        what = Text("orders.event.cancel_requested_codes" if codes else "orders.event.cancel_requested",
                    codes=", ".join(str(code) for code in codes))
    elif action == "phone_from_comment":
        what = Text("orders.event.phone_from_comment", phone=details.get("phone") or "")
    elif action == "staff_changed":
        what = Text("orders.event.staff_changed", before=details.get("from") or nobody,
                    after=details.get("to") or nobody)
    elif action in ("stock_assigned", "waitlisted"):
        what = Text(f"orders.event.{action}", waiting=details.get("waitlisted_now", 0))
    elif action == "item_resolved":
        what = Text("orders.event.item_resolved", code=details.get("code") or "", item=details.get("item") or "")
    elif action == "returned" and details.get("note"):
        what = Text("orders.event.returned_note", note=details["note"])
    elif action in ("held", "hold_released", "handled_by_shop", "returned", "customer_added_items"):
        what = Text(f"orders.event.{action}")
    else:
        what = Text("orders.event.other", action=action)
    parts: list = [what]
    if event.get("to_status") in STATUS_LABELS and event.get("to_status") != event.get("from_status"):
        before = event.get("from_status")
        parts.append(Text("orders.event.move", before=STATUS_LABELS[before], after=STATUS_LABELS[event["to_status"]])
                     if before in STATUS_LABELS else Text("orders.event.status", status=STATUS_LABELS[event["to_status"]]))
    if action in ACTIONS:
        changed = [Text(f"orders.event.field_{name}") for name in _CHANGED_FIELDS if name in details]
        if changed:
            parts.append(Text("orders.event.changed", fields=changed))
        if details.get("lines"):
            parts.append(Text("orders.event.lines", changes=[_line_change(c) for c in details["lines"]]))
    return Text("orders.event.parts", parts=parts) if len(parts) > 1 else what
