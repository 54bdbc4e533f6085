"""How money and times are shown: VND with dots (150.000 ₫), times in the shop's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

from core.base import config, i18n
from core.base.errors import InvalidInput


def vnd(amount: int | float | None) -> str:
    """Vietnamese đồng, as shops write it in both languages: 150.000 ₫."""
    if amount is None:
        return ""
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " ₫"


def shop_zone() -> ZoneInfo:
    return ZoneInfo(config.timezone_name())


def to_shop_time(utc_naive: datetime | None) -> datetime | None:
    """Stored times are naive UTC; this gives an aware time in the shop's zone."""
    if utc_naive is None:
        return None
    return utc_naive.replace(tzinfo=UTC).astimezone(shop_zone())


def shop_time_text(utc_naive: datetime | None, with_date: bool = False, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    return i18n.local_time_text(to_shop_time(utc_naive), language, with_date=with_date)


def shop_clock_texts(utc_naive):
    """shop_time_text for a whole pandas Series of naive UTC times at once ("14:03:11"; "" for a missing time): a
    list of thousands of orders is formatted in milliseconds instead of a Python call per row."""
    moments = pd.to_datetime(utc_naive).dt.tz_localize(UTC).dt.tz_convert(shop_zone())
    return moments.dt.strftime("%H:%M:%S").fillna("")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(moment: datetime) -> datetime:
    """Any aware time to naive UTC; a naive time is taken as the shop's local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=shop_zone())
    return moment.astimezone(UTC).replace(tzinfo=None)


# A time of day as staff type it: 20:10, 20h10, 20.10, 2010, 8:05, 20 (on the hour).
_CLOCK = re.compile(r"(\d{1,2})(?:\s*[:hH.]\s*(\d{2})|(\d{2}))?")


def clock_from_text(text: str) -> time | None:
    """The time of day typed in `text`, None when it is empty; InvalidInput when it is not a time."""
    text = text.strip()
    if not text:
        return None
    match = _CLOCK.fullmatch(text)
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2) or match.group(3) or 0)
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise InvalidInput("formats.not_a_time", text=text)
