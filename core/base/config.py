"""Configuration: environment variables win over .streamlit/secrets.toml, which wins over defaults.

Every setting is declared once in SETTINGS (name, default, help); tests check each is documented in the README.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str
    secret: bool = False  # its value is scrubbed from everything stored or shown (core.base.redact)
    url: bool = False  # a URL: the credentials it carries are secrets too


SETTINGS: tuple[Setting, ...] = (
    Setting("CHOTDON_DB", str(PROJECT_ROOT / "data" / "chotdon.duckdb"), "Path of the shop's DuckDB file."),
    Setting("CHOTDON_TIMEZONE", "Asia/Ho_Chi_Minh", "The shop's time zone, for every time shown."),
    Setting("CHOTDON_DEMO", "1", "Create the demo shop on first start when the database is empty (0 to skip)."),
    Setting("CHOTDON_MSHOPKEEPER_URL", None, "MShopKeeper open platform base URL (Send to shop).",
            url=True),
    Setting("CHOTDON_MSHOPKEEPER_DOMAIN", None, "The shop's MShopKeeper domain, e.g. myshop.mshopkeeper.vn."),
    Setting("CHOTDON_MSHOPKEEPER_SECRET", None, "The shop's MShopKeeper secret key (secret).", secret=True),
    Setting("CHOTDON_MSHOPKEEPER_BRANCH", None, "MShopKeeper branch id for new orders."),
    Setting("CHOTDON_OCM_WEBHOOK_URL", None, "Where shipping-book events are POSTed.", url=True),
    Setting("CHOTDON_OCM_WEBHOOK_SECRET", None, "HMAC key for X-Chotdon-Signature (secret).",
            secret=True),
    Setting("CHOTDON_FACEBOOK_GRAPH_URL", "https://graph.facebook.com", "Facebook Graph API base URL.", url=True),
    Setting("CHOTDON_FACEBOOK_STREAM_URL", "https://streaming-graph.facebook.com", "Facebook streaming base URL.",
            url=True),
    Setting("CHOTDON_FACEBOOK_PAGE_TOKEN", None, "Facebook Page access token (secret).", secret=True),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _secrets_file() -> dict:
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def get(name: str) -> str | None:
    """The value of one setting: environment, then secrets.toml, then its default."""
    if name not in _BY_NAME:
        raise KeyError(f"unknown setting {name}")
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    secret = _secrets_file().get(name)
    if secret not in (None, ""):
        return str(secret)
    return _BY_NAME[name].default


def secret_values() -> list[str]:
    """The values of the settings marked secret that are set (core.base.redact scrubs them)."""
    return [value for value in (get(s.name) for s in SETTINGS if s.secret) if value]


def url_values() -> list[str]:
    """The values of the URL settings that are set (the credentials in them are secrets too)."""
    return [value for value in (get(s.name) for s in SETTINGS if s.url) if value]


def database_path(explicit: str | None = None) -> str:
    return explicit or get("CHOTDON_DB")  # type: ignore[return-value]


def timezone_name() -> str:
    return get("CHOTDON_TIMEZONE") or "Asia/Ho_Chi_Minh"
