"""A livestream's comment source on Facebook (Setup): the live video id and the Page token it is read with, and
how far the poller has read (so that a restart picks up where it stopped)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.base import config
from core.base.errors import InvalidInput
from core.base.formatting import utc_now
from core.base.i18n import Text
from core.db.store import Store
from core.domain.users import User, require_owner
from core.services.livestreams import get_livestream


@dataclass(frozen=True)
class FacebookSource:
    live_video_id: str | None
    page_token: str | None
    token_saved: bool  # the livestream has its own token (else the CHOTDON_FACEBOOK_PAGE_TOKEN setting is used)
    polled_through: datetime | None  # naive UTC


_VIDEO_URL = re.compile(r"/videos/(?:[^/?#]+/)?(\d+)")
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def clean_live_video_id(text: str | None) -> str | None:
    """The live video id as typed, or taken from a pasted video link (…/videos/1234567890/)."""
    text = (text or "").strip()
    if not text:
        return None
    found = _VIDEO_URL.search(text)
    if found:
        return found.group(1)
    if not _VIDEO_ID.match(text):
        raise InvalidInput("facebook.bad_video_id", value=text)
    return text


def load_source(store: Store, livestream_id: int) -> FacebookSource:
    livestream = get_livestream(store, livestream_id)
    rows = store.query("SELECT page_token, polled_through FROM facebook_sources WHERE livestream_id = ?",
                       [livestream_id])
    own_token = rows[0]["page_token"] if rows else None
    return FacebookSource(
        live_video_id=livestream["source_ref"] or None,
        page_token=own_token or config.get("CHOTDON_FACEBOOK_PAGE_TOKEN"),
        token_saved=bool(own_token),
        polled_through=rows[0]["polled_through"] if rows else None,
    )


def save_source(store: Store, livestream_id: int, *, by: User, live_video_id: str | None,
                page_token: str | None = None) -> FacebookSource:
    """Sets the live video id; a non-empty page_token replaces the saved one (empty keeps it). The owner's: the
    token speaks for the shop's Facebook Page."""
    require_owner(by, Text("facebook.what_set_source"))
    livestream = get_livestream(store, livestream_id)
    if livestream["platform"] != "facebook":
        raise InvalidInput("facebook.only_facebook_has_source")
    video_id = clean_live_video_id(live_video_id)
    token = (page_token or "").strip() or None
    if token is not None and (len(token) < 20 or any(ch.isspace() for ch in token)):
        raise InvalidInput("facebook.bad_token")
    now = utc_now()
    with store.transaction() as cur:
        if video_id != livestream["source_ref"]:
            cur.execute("UPDATE livestreams SET source_ref = ? WHERE id = ?", [video_id, livestream_id])
            # Another video starts from its first comment.
            cur.execute("UPDATE facebook_sources SET polled_through = NULL WHERE livestream_id = ?", [livestream_id])
        if token is not None:
            cur.execute(
                "INSERT INTO facebook_sources (livestream_id, page_token, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (livestream_id) DO UPDATE SET page_token = excluded.page_token, "
                "updated_at = excluded.updated_at",
                [livestream_id, token, now],
            )
    return load_source(store, livestream_id)


def save_polled_through(store: Store, livestream_id: int, moment: datetime) -> None:
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO facebook_sources (livestream_id, polled_through, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (livestream_id) DO UPDATE SET "
            "polled_through = greatest(coalesce(facebook_sources.polled_through, excluded.polled_through), "
            "excluded.polled_through), updated_at = excluded.updated_at",
            [livestream_id, moment, utc_now()],
        )


