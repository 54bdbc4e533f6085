"""The English words the browser bench looks for, read from core/locales/en (the app's own texts), so that the bench
finds buttons and messages by what a user reads, and follows when a label changes."""

from __future__ import annotations

import re
from string import Formatter

from core.base import i18n


def label(key: str, **params) -> str:
    """The English text of `key`, as the screen shows it."""
    if key not in i18n.table("en"):
        raise KeyError(f"no English text {key} in core/locales/en")
    return i18n.translate(key, "en", **params)


def pattern(key: str, **known) -> re.Pattern:
    """A regex for a message of `key`: the parameters given are matched as written, the others as any text."""
    template = i18n.table("en")[key]
    parts = []
    for literal, field, _, _ in Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            name = field.split(".")[0].split("[")[0]
            parts.append(re.escape(str(known[name])) if name in known else ".*?")
    return re.compile("".join(parts))
