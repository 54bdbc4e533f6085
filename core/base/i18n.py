"""Words in the user's language: translation tables, translatable messages and per-language formats.

Tables live in `core/locales/<language>/<namespace>.toml`; a key is `<namespace>.<name>` (nested TOML tables add
more dots). Values are `str.format` templates with named placeholders. English is the default and the fallback.

Core code never knows who is looking, so it builds a `Text`: a str (its English rendering, for logs, the CLI and
old callers) that also carries its key and parameters, so that a page can render it again in the user's language.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from string import Formatter

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANGUAGE = "en"
# Each language's own name, as the switch shows it.
LANGUAGES = {"en": "English", "vi": "Tiếng Việt"}


def _flatten(prefix: str, table: dict, into: dict[str, str], source: Path) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict):
            _flatten(key, value, into, source)
        elif isinstance(value, str):
            into[key] = value
        else:
            raise ValueError(f"{source}: {key} is not text")


@cache
def table(language: str) -> dict[str, str]:
    """Every key of one language, from all its namespace files."""
    entries: dict[str, str] = {}
    folder = LOCALES_DIR / language
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as handle:
            _flatten(path.stem, tomllib.load(handle), entries, path)
    return entries


def placeholders(template: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in Formatter().parse(template) if field}


class Number(int):
    """A count inside a Text: 1,234 in English, 1.234 in Vietnamese."""


class Seconds(float):
    """A duration inside a Text, to the hundredth: 0.25 in English, 0,25 in Vietnamese."""


def _render_value(value, language: str):
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, Number):
        return number(value, language)
    if isinstance(value, Seconds):
        text = f"{value:.2f}"
        return text.replace(".", ",") if language == "vi" else text
    if isinstance(value, (list, tuple)):
        return "; ".join(str(_render_value(part, language)) for part in value)
    return value


def translate(key: str, language: str = DEFAULT_LANGUAGE, /, **params) -> str:
    """The text of `key` in `language` (else English; else the key itself, so a gap shows rather than crashes)."""
    template = table(language).get(key)
    if template is None:
        template = table(DEFAULT_LANGUAGE).get(key, key)
    if not params:
        return template
    values = {name: _render_value(value, language) for name, value in params.items()}
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        return template


class Text(str):
    """A translatable message: reads as its English text, renders in any language with `render`."""

    key: str
    params: dict

    def __new__(cls, key: str, /, **params):
        self = super().__new__(cls, translate(key, DEFAULT_LANGUAGE, **params))
        self.key = key
        self.params = params
        return self

    def render(self, language: str) -> str:
        return translate(self.key, language, **self.params)

    def __reduce__(self):
        return (_rebuild_text, (self.key, self.params))

    def to_json(self) -> str:
        """For text kept in the database (an error to show later): key and plain parameters."""
        return json.dumps({"key": self.key, "params": {k: _plain_param(v) for k, v in self.params.items()}},
                          ensure_ascii=False)


def _rebuild_text(key: str, params: dict) -> Text:
    return Text(key, **params)


def _plain_param(value):
    if isinstance(value, Text):
        return {"key": value.key, "params": {k: _plain_param(v) for k, v in value.params.items()}}
    if isinstance(value, (list, tuple)):
        return [_plain_param(part) for part in value]
    if isinstance(value, Number):
        return {"number": int(value)}
    if isinstance(value, Seconds):
        return {"seconds": float(value)}
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)


def _text_from_plain(value):
    if isinstance(value, dict) and set(value) == {"number"}:
        return Number(value["number"])
    if isinstance(value, dict) and set(value) == {"seconds"}:
        return Seconds(value["seconds"])
    if isinstance(value, dict) and "key" in value:
        return Text(value["key"], **{k: _text_from_plain(v) for k, v in value.get("params", {}).items()})
    if isinstance(value, list):
        return [_text_from_plain(part) for part in value]
    return value


def from_stored(stored: str | None) -> str | None:
    """A message kept with `Text.to_json` (or older plain text, shown as it is)."""
    if not stored or not stored.startswith('{"key"'):
        return stored
    try:
        return _text_from_plain(json.loads(stored))
    except (ValueError, TypeError):
        return stored


# --- Formats: numbers and dates follow the language (money is VND in both: core.base.formatting.vnd). -------------

def number(value: int | float | None, language: str = DEFAULT_LANGUAGE) -> str:
    if value is None:
        return ""
    text = f"{int(value):,}"
    return text.replace(",", ".") if language == "vi" else text


def _month(value: date, language: str) -> str:
    return translate(f"formats.month_{value.month}", language)


def date_text(value: date | datetime | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A day: 27 Nov 2026 in English, 27/11/2026 in Vietnamese."""
    if value is None:
        return ""
    if language == "vi":
        return value.strftime("%d/%m/%Y")
    return f"{value.day} {_month(value, language)} {value.year}"


def local_time_text(local: datetime | None, language: str = DEFAULT_LANGUAGE, *, with_date: bool = False) -> str:
    """A time already in the shop's zone: 14:03:11, with the day: 27 Nov 14:03:11 / 14:03:11 27/11."""
    if local is None:
        return ""
    clock = local.strftime("%H:%M:%S")
    if not with_date:
        return clock
    if language == "vi":
        return f"{clock} {local.strftime('%d/%m')}"
    return f"{local.day} {_month(local, language)} {clock}"

