"""Secrets out of everything Chotdon stores or shows: credentials in URLs, bearer tokens, and the configured keys.

`scrub` is the one function: the outbox deliverer runs it over every answer, problem and try before they are
stored, and the screens over what they show (rows stored before it existed included). `mask_url` is for a URL shown
as a URL (the webhook address on the Integrations screen). Both are pure text functions; `known_secrets` adds the
values of the settings marked secret in core.base.config, which scrub removes wherever they appear.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

from core.base import config
from core.base.i18n import Text

MASK = "•••"
# A configured secret shorter than this is not searched for in free text (it would blot out ordinary words); it is
# still masked where it stands as a credential (a URL's userinfo, a token= value, a Bearer header).
MIN_SECRET_CHARS = 4

# Names whose values are credentials: a query parameter, a JSON key, a header, a key=value pair.
_SENSITIVE = (r"(?:[\w.-]*(?:token|secret|passw(?:or)?d|pwd|passphrase|auth(?:orization|entication)?|signature|"
              r"credential|session|cookie|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?key)"
              r"(?:[_.-][\w.-]*)?|key|sig|pass)")
_SENSITIVE_NAME = re.compile(rf"^{_SENSITIVE}$", re.IGNORECASE)

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>`]+")
# "Authorization: Bearer abc", "Basic dXNlcjpwYXNz" in a header echo or a log line.
_SCHEME_TOKEN = re.compile(r"\b(Bearer|Basic|Digest|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
# "token": "abc", 'password': 'x y' (a quoted value runs to its closing quote; \" inside is part of it).
_QUOTED_PAIR = re.compile(rf"""(?P<head>(?P<q1>["']?)\b{_SENSITIVE}(?P=q1)\s*[:=]\s*)(?P<q2>["'])"""
                          r"""(?P<value>(?:\\.|(?!(?P=q2)).)*)(?P=q2)""", re.IGNORECASE)
# token=abc, Authorization: xyz (bare values end at a space, a quote or a separator).
_BARE_PAIR = re.compile(rf"""(?P<head>\b{_SENSITIVE}\s*[:=]\s*)(?P<value>(?!["'\s]|{re.escape(MASK)})(?:(?:Bearer|Basic|Digest|Token)\s+)?[^\s"'&,;}}\]<>]+)""",
                        re.IGNORECASE)


def mask_url(url: str | None) -> str | None:
    """The URL with its user, password and the values of credential-like query parameters masked:
    https://u:p@host/hook?token=abc&shop=1 -> https://•••:•••@host/hook?token=•••&shop=1."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return _SCHEME_TOKEN.sub(rf"\1\2{MASK}", url)  # not readable as a URL: mask what can be recognised
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = (f"{MASK}:{MASK}" if ":" in userinfo else MASK) + "@" + host
    query = "&".join(_masked_pair(pair) for pair in parts.query.split("&")) if parts.query else parts.query
    fragment = "&".join(_masked_pair(pair) for pair in parts.fragment.split("&")) if "=" in parts.fragment \
        else parts.fragment
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def _masked_pair(pair: str) -> str:
    name, equals, value = pair.partition("=")
    if equals and value and _SENSITIVE_NAME.match(unquote(name)):
        return f"{name}={MASK}"
    return pair


def url_credentials(url: str | None) -> list[str]:
    """The credentials a URL carries (user, password, credential-like query values), to be scrubbed elsewhere."""
    if not url:
        return []
    try:
        parts = urlsplit(url.strip())
        found = [unquote(part) for part in (parts.username, parts.password) if part]
        if parts.username and parts.password:
            found.append(f"{unquote(parts.username)}:{unquote(parts.password)}")  # as Basic auth encodes it
        for pair in (parts.query + "&" + parts.fragment).split("&"):
            name, equals, value = pair.partition("=")
            if equals and value and _SENSITIVE_NAME.match(unquote(name)):
                found.append(unquote(value))
    except ValueError:
        return []
    return found


def known_secrets(*extra: str | None) -> tuple[str, ...]:
    """The configured secrets (core.base.config.secret_values, the credentials in configured URLs) and `extra`
    (a token in use), each with the forms it takes in an answer (URL-, JSON- and base64-encoded)."""
    values = [*config.secret_values(), *(v for url in config.url_values() for v in url_credentials(url)),
              *(e for e in extra if e)]
    forms: set[str] = set()
    for value in values:
        value = str(value)
        if len(value) < MIN_SECRET_CHARS:
            continue
        forms.update({value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
                      json.dumps(value, ensure_ascii=False)[1:-1],
                      base64.b64encode(value.encode("utf-8")).decode("ascii")})
    return tuple(sorted(forms, key=len, reverse=True))  # longest first: a secret inside another goes with it


def scrub(value, secrets: Iterable[str] = ()):
    """`value` without secrets: URLs masked (mask_url), Bearer/Basic credentials and the values of credential-like
    names (token=, "password": "...", Authorization: ...) replaced by •••, and every one of `secrets` blotted out.
    A Text keeps its key and has its parameters scrubbed; None and non-text values come back as they are."""
    secrets = tuple(s for s in secrets if s and len(s) >= MIN_SECRET_CHARS)
    return _scrub(value, secrets)


def _scrub(value, secrets: tuple[str, ...]):
    if isinstance(value, Text):
        return Text(value.key, **{name: _scrub(param, secrets) for name, param in value.params.items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub(part, secrets) for part in value)
    if not isinstance(value, str) or not value:
        return value
    text = str(value)
    for secret in secrets:
        text = text.replace(secret, MASK)
    text = _URL.sub(lambda m: mask_url(m.group(0)) or "", text)
    text = _SCHEME_TOKEN.sub(rf"\1\2{MASK}", text)
    text = _QUOTED_PAIR.sub(lambda m: f"{m['head']}{m['q2']}{MASK}{m['q2']}", text)
    text = _BARE_PAIR.sub(lambda m: f"{m['head']}{MASK}", text)
    return text
