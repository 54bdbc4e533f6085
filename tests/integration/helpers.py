"""Small builders for integration tests."""

from datetime import datetime, timedelta

from core.integrations.comment_files import IncomingComment
from core.services.comments import ingest_comments

START = datetime(2026, 11, 20, 13, 0, 0)  # naive UTC = 20:00 in Ho Chi Minh City


def comment(n: int, user: str, message: str, seconds: int | None = None) -> IncomingComment:
    return IncomingComment(
        comment_id=f"c{n}", user_id=f"u-{user}", user_name=user, message=message,
        commented_at=START + timedelta(seconds=n if seconds is None else seconds),
    )


def feed(store, livestream_id, *messages: tuple[str, str], start: int = 1):
    """Ingests (user, message) pairs as comments c{start}, c{start+1}, ... one second apart."""
    return ingest_comments(
        store, livestream_id, [comment(start + i, user, text) for i, (user, text) in enumerate(messages)],
        source="test",
    )
