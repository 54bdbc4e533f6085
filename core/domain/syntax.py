"""The comment parser: a livestream comment ("chốt A1 size M 2") becomes an order intent (docs: SYNTAX.md).

Pure Python, no streamlit. `parse` is the one entry point and runs once per incoming comment, so everything that
depends only on the items and settings (compiled pattern, word tables) is built once into a cached `_Context`;
what each distinct token is gets cached in it, and finished results sit in a bounded LRU keyed on (context, text).
Choices where SYNTAX.md is silent: docs/SYNTAX_NOTES.md.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, fields
from typing import NamedTuple

import orjson

from core.base.i18n import Text

try:  # Python 3.11+ names the regex parser re._parser; older ones sre_parse.
    from re import _constants as _sre_constants
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

__all__ = [
    "KINDS", "SyntaxSettings", "InvalidSettings", "CatalogItem", "ParsedLine", "ParseResult",
    "normalize_code", "parse", "read_catalog_csv", "parse_cli",
]

# The kinds, in the order SYNTAX.md decides them.
KINDS = ("order", "cancel", "question", "review", "contact", "none")
REPEAT_POLICIES = ("once", "add")


# ---------------------------------------------------------------------------------------------------------------
# Text folding
# ---------------------------------------------------------------------------------------------------------------

def _build_fold_table() -> dict[int, str]:
    """Latin letters lose their diacritics, đ becomes d; one character for one character."""
    table: dict[int, str] = {}
    for start, stop in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for code_point in range(start, stop):
            char = chr(code_point)
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            if len(base) == 1 and base != char:
                table[code_point] = base
    table.update({ord("đ"): "d", ord("Đ"): "D", ord("ð"): "d", ord("Ð"): "D"})
    return table


_FOLD_TABLE = _build_fold_table()

# Invisible characters that split or glue words without being seen: dropped before anything else.
_INVISIBLE_RE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
                           "\ufe00-\ufe0f\ufeff]")
_LINE_BREAK_RE = re.compile("\r\n?|[\x85\u2028\u2029]")
_INVISIBLE_OR_LINE_BREAK_RE = re.compile(_INVISIBLE_RE.pattern[:-1] + "\r\x85\u2028\u2029]")


def _normalize_text(text: str) -> str:
    """NFKC, invisible characters out, lower case; \\r and Unicode line breaks become \\n.

    Runs of other white space are not rewritten: nothing downstream depends on them (the tokenizer skips white
    space and the phone pattern accepts a run of it between digit groups).
    """
    if text.isascii():
        text = text.lower()
        if "\r" in text:
            text = _LINE_BREAK_RE.sub("\n", text)
        return text
    if _INVISIBLE_OR_LINE_BREAK_RE.search(text) is not None:  # rare: one search to skip both subs
        text = _LINE_BREAK_RE.sub("\n", _INVISIBLE_RE.sub("", text))
    return unicodedata.normalize("NFKC", text).lower()


def _fold(text: str) -> str:
    return text if text.isascii() else text.translate(_FOLD_TABLE)


_LEADING_ZEROS_RE = re.compile(r"(?<![0-9])0+(?=[0-9])")


def normalize_code(code: str) -> str:
    """The key two short codes are compared on: "a-01" -> "a1", "SP012" -> "sp12", "Á1" -> "a1"."""
    text = _fold(unicodedata.normalize("NFKC", str(code)).casefold()).strip()
    text = text.replace("-", "").replace(".", "")
    return _LEADING_ZEROS_RE.sub("", text)


# ---------------------------------------------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------------------------------------------

class InvalidSettings(ValueError):
    """Syntax settings that the parser cannot use safely; the message is meant for the shop owner."""


_DEFAULT_ORDER_WORDS = ("chốt", "lấy", "mua", "đặt", "order", "sold", "giữ")
_DEFAULT_CANCEL_WORDS = ("hủy", "huỷ", "cancel", "pass", "không lấy", "ko lấy", "k lấy", "bỏ")
_DEFAULT_QUESTION_WORDS = (
    "?", "bao nhiêu", "bn", "giá", "còn không", "còn ko", "còn k", "còn hông", "còn hàng", "có không", "sao",
    "nào", "ntn", "ib", "inbox", "tư vấn",
)
_WORD_LIST_SETTINGS = ("order_words", "add_words", "cancel_words", "question_words")
_MAX_PATTERN_LENGTH = 200


@dataclass(frozen=True)
class SyntaxSettings:
    code_pattern: str = r"[a-z]{1,3}[0-9]{1,4}"
    max_qty: int = 20
    order_words: tuple[str, ...] = _DEFAULT_ORDER_WORDS
    add_words: tuple[str, ...] = ("thêm",)
    cancel_words: tuple[str, ...] = _DEFAULT_CANCEL_WORDS
    question_words: tuple[str, ...] = _DEFAULT_QUESTION_WORDS
    repeat_policy: str = "once"  # "once" | "add"

    def __post_init__(self):
        # Lists are accepted where tuples are meant, so that settings stay hashable (they key the caches).
        for name in _WORD_LIST_SETTINGS:
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))

    @classmethod
    def from_dict(cls, d: dict | None) -> SyntaxSettings:
        """Settings from JSON-like data: missing keys take the defaults, unknown keys are an error."""
        if d is None:
            return cls()
        if not isinstance(d, dict):
            raise InvalidSettings(f"syntax settings must be a JSON object, not {type(d).__name__}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(str(key) for key in d if key not in known)
        if unknown:
            raise InvalidSettings(
                f"unknown syntax setting{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"the settings are {', '.join(known)}"
            )
        values = {}
        for name, value in d.items():
            if name in _WORD_LIST_SETTINGS:
                if isinstance(value, str) or not isinstance(value, (list, tuple)):
                    raise InvalidSettings(f"{name} must be a list of words, not {type(value).__name__}")
                value = tuple(value)
            values[name] = value
        settings = cls(**values)
        settings.validate()
        return settings

    def to_dict(self) -> dict:
        """JSON-ready (lists, not tuples); `from_dict(s.to_dict()) == s`."""
        return {
            f.name: list(getattr(self, f.name)) if f.name in _WORD_LIST_SETTINGS else getattr(self, f.name)
            for f in fields(self)
        }

    def validate(self) -> None:
        """Raise InvalidSettings with a message for the shop owner when a setting cannot be used."""
        _validate_code_pattern(self.code_pattern)
        if isinstance(self.max_qty, bool) or not isinstance(self.max_qty, int):
            raise InvalidSettings(f"max_qty must be a whole number, not {self.max_qty!r}")
        if self.max_qty < 1:
            raise InvalidSettings(f"max_qty must be at least 1 (it is {self.max_qty})")
        if self.repeat_policy not in REPEAT_POLICIES:
            raise InvalidSettings(f"repeat_policy must be \"once\" or \"add\", not {self.repeat_policy!r}")
        seen: dict[tuple[str, ...], str] = {}
        for name in _WORD_LIST_SETTINGS:
            words = getattr(self, name)
            if not isinstance(words, tuple):
                raise InvalidSettings(f"{name} must be a list of words, not {type(words).__name__}")
            for word in words:
                if not isinstance(word, str):
                    raise InvalidSettings(f"{name} must hold only text, not {word!r}")
                tokens = _setting_word_tokens(word)
                if not tokens:
                    raise InvalidSettings(f"{name} has a word with no letters, digits or \"?\": {word!r}")
                if not all(is_word for is_word, _, _ in tokens):
                    raise InvalidSettings(
                        f"{name} has {word!r}, which holds a separator (, ; + & / or a new line) or a +2/*2"
                    )
                key = tuple(folded for _, _, folded in tokens)
                other = seen.get(key)
                if other is not None and other != name:
                    raise InvalidSettings(f"{word!r} is in both {other} and {name}; keep it in one of them")
                seen[key] = name


_REPEAT_OPS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
if hasattr(_sre_constants, "POSSESSIVE_REPEAT"):
    _REPEAT_OPS.add(_sre_constants.POSSESSIVE_REPEAT)


def _regex_hazard(parsed, inside_repeat: bool) -> str | None:
    """Why this parsed regex could backtrack catastrophically, or None.

    Conservative: any repetition (even "?") inside a repetition, an alternation inside a repetition, or a
    back-reference.
    """
    for op, arg in parsed:
        if op in _REPEAT_OPS:
            low, high, body = arg
            if inside_repeat:  # even an optional part inside a repetition, like (a?){20}, can blow up
                return "it repeats something that itself repeats (like (a+)+)"
            repeats = high > 1  # MAXREPEAT (no upper bound) is a large number too
            problem = _regex_hazard(body, inside_repeat or repeats)
        elif op is _sre_constants.SUBPATTERN:
            problem = _regex_hazard(arg[-1], inside_repeat)
        elif op is _sre_constants.BRANCH:
            if inside_repeat:
                return "it repeats a choice between alternatives (like (a|ab)+)"
            problem = next((p for p in (_regex_hazard(b, inside_repeat) for b in arg[1]) if p), None)
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
            problem = _regex_hazard(arg[1], inside_repeat)
        elif getattr(_sre_constants, "ATOMIC_GROUP", None) is not None and op is _sre_constants.ATOMIC_GROUP:
            problem = _regex_hazard(arg, inside_repeat)
        elif op in (_sre_constants.GROUPREF, getattr(_sre_constants, "GROUPREF_EXISTS", None)):
            return "it refers back to a group (\\1)"
        else:
            problem = None
        if problem:
            return problem
    return None


def _validate_code_pattern(pattern) -> None:
    if not isinstance(pattern, str) or not pattern.strip():
        raise InvalidSettings("code_pattern must be a non-empty regular expression, like [a-z]{1,3}[0-9]{1,4}")
    if len(pattern) > _MAX_PATTERN_LENGTH:
        raise InvalidSettings(f"code_pattern is too long ({len(pattern)} characters, at most {_MAX_PATTERN_LENGTH})")
    try:
        compiled = re.compile(pattern, re.IGNORECASE | re.ASCII)
        parsed = _sre_parser.parse(pattern, re.IGNORECASE | re.ASCII)
    except (re.error, OverflowError, RecursionError) as error:
        raise InvalidSettings(f"code_pattern {pattern!r} is not a valid regular expression: {error}") from None
    hazard = _regex_hazard(parsed, False)
    if hazard:
        raise InvalidSettings(f"code_pattern {pattern!r} could make the parser hang: {hazard}")
    if compiled.search("") is not None:
        raise InvalidSettings(f"code_pattern {pattern!r} matches an empty code; make it need at least one character")


@dataclass(frozen=True)
class CatalogItem:
    code: str                  # the item's own spelling, e.g. "A1", "SP12"
    name: str = ""
    price: int = 0             # VND integer
    stock: int | None = None
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("sizes", "colors"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value or ()))


@dataclass(frozen=True)
class ParsedLine:
    code: str                  # item's own spelling when known, else upper-case w/o separators, zeros kept
    known: bool
    qty: int
    size: str | None = None
    color: str | None = None

    def to_json(self) -> dict:
        return {"code": self.code, "known": self.known, "qty": self.qty, "size": self.size, "color": self.color}


@dataclass(frozen=True)
class ParseResult:
    kind: str                  # order | cancel | question | review | contact | none
    add: bool = False
    phone: str | None = None
    lines: tuple[ParsedLine, ...] = ()
    warnings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()   # why `review`: core.base.i18n.Texts (English as str), for staff
    # Cancel words typed without their accents (folded, "huy"): when the commenter's name holds one, the comment
    # reads as `review` (SYNTAX.md traps 4), so a reader that caches results by text keys these by name too.
    name_sensitive: tuple[str, ...] = ()
    # A corrected text the parser offers staff (Fix): the comment with a spaced code joined ("SP 12 đen" ->
    # "SP12 đen"), or None.
    suggestion: str | None = None

    def to_json(self) -> dict:
        """Exactly the output contract of SYNTAX.md (no reasons)."""
        return {
            "kind": self.kind,
            "add": self.add,
            "phone": self.phone,
            "lines": [{"code": line.code, "known": line.known, "qty": line.qty, "size": line.size,
                       "color": line.color} for line in self.lines],
            "warnings": list(self.warnings),
        }

    def json_text(self) -> str:
        """to_json() as compact JSON text, as comments store it (orjson: a million comments are stored per file)."""
        return orjson.dumps(self.to_json()).decode()


# ---------------------------------------------------------------------------------------------------------------
# Tokens and word tables
# ---------------------------------------------------------------------------------------------------------------

# Tokens: a separator (new line , ; & / or a '+' not stuck to digits); a quantity mark stuck to its digits ("+2",
# "*2"); "?"; a word, which may hold '-'/'.' between its parts (kept whole when it is letters-separator-digits, a
# code like "a-1"; split otherwise). White space, emoji and other punctuation are not tokens.
# A date ("20/11", "20-11", "20/11/2026": day <= 31, month <= 12), a time ("8:30") or a price written with
# thousands dots ("150.000", "150.000đ") is one token, read as a left-over word (SYNTAX.md, traps 3): never a
# quantity, and the "/" of a date is not a separator. "8h", "20h30", "150k", "1tr2" are words already.
# (findall returns whole tokens only while the pattern has no capturing group: none here.)
_DAY, _MONTH, _YEAR = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])", r"(?:[0-9]{4}|[0-9]{2})"
_AMOUNT_TOKEN = (rf"(?:{_DAY}/{_MONTH}(?:/{_YEAR})?|{_DAY}-{_MONTH}(?:-{_YEAR})?"
                 r"|(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
                 r"|[0-9]{1,3}(?:\.[0-9]{3})+(?:đ|d|k|vnđ|vnd)?)(?![^\W_])")
_AMOUNT_TOKEN_RE = re.compile(_AMOUNT_TOKEN)
_TOKEN_RE = re.compile(_AMOUNT_TOKEN + r"|[^\W_]+(?:[-.][^\W_]+)*|[\n,;&/?]|\+(?![0-9])|[*+][0-9]+")
_SEPARATOR_TOKENS = frozenset("\n,;&/+")
_PART_RE = re.compile(r"[^-.]+")
_LETTERS_SEP_DIGITS_RE = re.compile(r"[a-z]+[-.][0-9]+")

# A Vietnamese mobile number: 0 / 84 / +84, then 9 digits with, between two of them, a run of spaces or a dot or
# dash (-, en dash, em dash) with spaces around it or not ("0905 - 111 - 222", SYNTAX.md traps 1).
# "Not glued to a digit before it" is checked in Python: a lookbehind here would slow every search down fivefold.
_PHONE_RE = re.compile(r"(?:\+84|84|0)(?:(?:[^\S\n]*[.\-\u2013\u2014][^\S\n]*|[^\S\n]+)?[0-9]){9}(?![0-9])")
_NON_DIGITS_RE = re.compile(r"[^0-9]")
_MOBILE_PREFIXES = frozenset(
    [f"03{d}" for d in "23456789"] + ["052", "055", "056", "058", "059", "070", "076", "077", "078", "079"]
    + [f"08{d}" for d in "123456789"] + ["090", "091", "092", "093", "094", "096", "097", "098", "099"]
)

# Units after a number make it a quantity: folded spelling -> spelling with accents.
_UNITS = {"c": "c", "cai": "cái", "chiec": "chiếc", "bo": "bộ", "doi": "đôi", "sp": "sp", "set": "set",
          "hop": "hộp"}
_NUMBER_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8,
                 "chín": 9, "mười": 10}
_STANDARD_SIZES = frozenset(["xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "5xl"])
_FILLER_SIZES = frozenset(["s", "m", "l"])  # before any code these are words ("m" = mình), not sizes
_SIZE_ALIASES = {"2xl": "xxl", "3xl": "xxxl", "4xl": "xxxxl", "5xl": "xxxxxl"}
_BUILTIN_COLORS = ("đen", "trắng", "đỏ", "xanh", "xanh lá", "xanh dương", "xanh navy", "vàng", "hồng", "tím",
                   "nâu", "xám", "ghi", "be", "kem", "cam", "bạc")
_FILLERS = ("shop", "sốp", "ạ", "a", "ơi", "nhé", "nhe", "nha", "nhá", "ha", "nè", "e", "em", "chị", "c",
            "anh", "mình", "mik", "mk", "tớ", "t", "cho", "với", "vs", "luôn", "giúp", "giùm", "dùm", "please",
            "pls", "ok", "oke", "okie", "nữa", "mã", "mẫu", "màu", "sp", "đơn")
_PHONE_LABELS = ("sđt", "sdt", "số đt", "đt", "dt", "phone", "tel")
# "Put it in my cart": order phrases, longer than (so winning over) the cancel word bỏ.
_CART_PHRASES = ("bỏ giỏ", "bỏ vào giỏ", "bỏ vô giỏ")
_SEPARATOR_WORDS = ("và", "with")
_QTY_MARKS = ("x", "sl", "số lượng")
_SIZE_MARKS = ("size", "sz", "sai")
# After a size mark, words that ask which size rather than give one (folded): "size gì", "sz j", "size mấy".
_SIZE_PLACEHOLDERS = frozenset(["gi", "j", "may", "nao", "bn", "?"])

_NUM_UNIT_RE = re.compile(r"([0-9]{1,6})(c|cai|chiec|bo|doi|sp|set|hop)")
_QTY_FORM_RE = re.compile(r"(?:x|sl)([0-9]{1,6})")
_SIZE_FORM_RE = re.compile(r"(?:sz|size)([0-9]{1,3}|xs|s|m|l|xl|xxl|xxxl|[2-5]xl)")
_SIZE_THEN_QTY_RE = re.compile(r"(xs|s|m|l|xl|xxl|xxxl|[2-5]xl)([0-9]{1,3})")
_CODE_X_QTY_RE = re.compile(r"([a-z0-9]{1,12}?[0-9])x([0-9]{1,3})")
_CODE_SIZE_RE = re.compile(r"([a-z]{1,6}[0-9]{1,6})([a-z]{1,4})([0-9]{1,2})?")
_LETTERS_THEN_REST_RE = re.compile(r"([^\W\d_]{1,8})([^\W\d_]{1,6}[0-9].*)")
_HAS_DIGIT_RE = re.compile(r"[0-9]")
_MAX_CODE_LENGTH = 24
_MAX_NUMBER_DIGITS = 6

# Phrase kinds, in priority order when one spelling is in two tables.
(_P_CANCEL, _P_QUESTION, _P_ADD, _P_ORDER, _P_SEPARATOR, _P_QTY_MARK, _P_SIZE_MARK, _P_NUMBER_WORD, _P_COLOR,
 _P_FILLER) = range(10)
# How a phrase token must be typed: any accents; the right accents when typed with accents; exactly.
_M_FOLDED, _M_ACCENTS, _M_EXACT = 0, 1, 2

# Token classes: what a token is on its own, before its neighbours are looked at.
(_T_SEP, _T_MARK, _T_NUM, _T_QTY, _T_QTY_FORM, _T_SIZE_FORM, _T_CODE, _T_GLUED, _T_SIZE_WORD, _T_SML, _T_WORD,
 _T_IGNORE) = range(12)


def _split_tokens(norm: str) -> list[str]:
    if "\n" in norm:
        tokens = _TOKEN_RE.findall(norm)
    else:
        # Same tokens as findall on the whole text (no token spans white space), two to three times as fast:
        # most chunks between spaces are one plain word.
        tokens = norm.split()
        if not all(map(str.isalnum, tokens)):
            chunks, tokens = tokens, []
            for chunk in chunks:
                if chunk.isalnum():
                    tokens.append(chunk)
                else:
                    tokens += _TOKEN_RE.findall(chunk)
    if "-" not in norm and "." not in norm:
        return tokens
    split: list[str] = []
    for token in tokens:
        if "-" in token or "." in token:
            if _LETTERS_SEP_DIGITS_RE.fullmatch(_fold(token)):  # "a-1", "sp.12": one code
                split.append(token.replace("-", "").replace(".", ""))
            elif "0" <= token[0] <= "9" and _AMOUNT_TOKEN_RE.fullmatch(token):  # "20-11", "150.000đ": one word
                split.append(token)
            else:
                split.extend(_PART_RE.findall(token))
        else:
            split.append(token)
    return split


def _setting_word_tokens(word: str) -> list[tuple[bool, str, str]]:
    """(is a word, spelling, folded spelling) for each token of a settings word or a built-in phrase."""
    return [(token not in _SEPARATOR_TOKENS and token[0] not in "*+", token, _fold(token))
            for token in _split_tokens(_normalize_text(word))]


def _color_key(text: str) -> str:
    """Folded words of a color joined by one space: "Xanh  Lá" -> "xanh la"."""
    return " ".join(fold for _, _, fold in _setting_word_tokens(text))


def _size_key(raw: str) -> str:
    key = _fold(raw.strip().lower()).replace(" ", "")
    key = _SIZE_ALIASES.get(key, key)
    if key.isdigit():
        key = key.lstrip("0") or "0"
    return key


# ---------------------------------------------------------------------------------------------------------------
# The compiled context: everything that depends only on (items, settings)
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Phrase:
    kind: int
    raws: tuple[str, ...]      # spelling with accents, token by token
    modes: tuple[int, ...]     # _M_* per token
    value: object = None       # number for number words; (key, display) for colors

    def accepts(self, raws, folds) -> bool:
        for mode, wanted, raw, fold in zip(self.modes, self.raws, raws, folds):
            if mode == _M_EXACT:
                if raw != wanted:
                    return False
            elif mode == _M_ACCENTS:
                if raw != wanted and raw != fold:
                    return False
        return True


@dataclass
class _ItemInfo:
    code: str
    sizes: dict[str, str]      # size key -> the item's spelling
    colors: dict[str, str]     # color key -> the item's spelling


class _CodeRead(NamedTuple):
    """A token read as a code, with what came glued to it ("a1m2": A1, size M, ×2)."""
    code: str                      # as output
    item: _ItemInfo | None         # None: unknown code
    doubt: tuple[str, bool] | None = None  # (review reason, only when another code came before)
    size: tuple[str, str] | None = None    # (as typed, size key)
    qty: int | None = None


class _TokenInfo(NamedTuple):
    """What a token is on its own; cached per spelling, since the words of live comments repeat a lot."""
    fold: str                      # without accents
    kind: int                      # _T_*
    data: object                   # per kind: the number, a _CodeRead, ...
    longest_phrase: int            # tokens in the longest phrase that starts with this one (0: none)
    phrase: _Phrase | None       # the one-token phrase this token is, typed as the phrase wants
    is_unit: bool                  # "cái", "c", "bộ": makes the number before it a quantity
    size_key: str


_RESULT_CACHE_SIZE = 8192
_CACHEABLE_TEXT_LENGTH = 2_000
_TOKEN_CACHE_SIZE = 50_000
_PARSED_LINE_CACHE_SIZE = 4_096
_MAX_CACHED_TOKEN_LENGTH = 40
_MAX_REASONS = 8
_QUESTION_SPAN = 8  # tokens from the first word of a split question phrase to its last


class _Context:
    """Word tables and regexes for one (items, settings) pair, plus its caches."""

    def __init__(self, items: tuple[CatalogItem, ...], settings: SyntaxSettings):
        settings.validate()
        self.settings = settings
        self.max_qty = settings.max_qty
        self.code_re = re.compile(settings.code_pattern, re.IGNORECASE | re.ASCII)
        self.known: dict[str, _ItemInfo] = {}
        for item in items:
            key = normalize_code(item.code)
            if not key or key in self.known:
                continue  # the first item with a code wins, as in a catalog read top-down
            self.known[key] = _ItemInfo(
                code=str(item.code),
                sizes={_size_key(str(s)): str(s).strip() for s in item.sizes if str(s).strip()},
                colors={_color_key(str(c)): str(c).strip() for c in item.colors if _color_key(str(c))},
            )
        self.phrases: dict[tuple[str, ...], list[_Phrase]] = {}
        self.phrase_length: dict[str, int] = {}  # first folded token -> longest phrase starting with it
        self._add_phrases(settings)
        self._add_colors(items)
        for entries in self.phrases.values():
            entries.sort(key=lambda phrase: phrase.kind)
        # Question words of several words also count with other words between theirs: "còn màu đen không" is
        # "còn ... không", the Vietnamese yes/no question around what is asked about.
        self.split_questions: dict[str, list[_Phrase]] = {}
        for folds, entries in self.phrases.items():
            for phrase in entries:
                if phrase.kind == _P_QUESTION and len(folds) > 1:
                    self.split_questions.setdefault(folds[0], []).append(phrase)
        self.token_infos: dict[str, _TokenInfo] = {}
        self.parsed_lines: dict[tuple, ParsedLine] = {}

    # -- tables --------------------------------------------------------------------------------------------

    def _add(self, text: str, kind: int, mode: int, value=None) -> None:
        tokens = [(raw, fold) for is_word, raw, fold in _setting_word_tokens(text) if is_word]
        if not tokens:
            return
        raws = tuple(raw for raw, _ in tokens)
        folds = tuple(fold for _, fold in tokens)
        if mode == _M_FOLDED:
            # A keyword whose folded spelling is also a unit ("bỏ" vs "bộ", both "bo") counts only with its accents.
            modes = tuple(_M_EXACT if raw != fold and fold in _UNITS else _M_FOLDED for raw, fold in tokens)
        else:
            modes = (mode,) * len(tokens)
        phrase = _Phrase(kind, raws, modes, value)
        entries = self.phrases.setdefault(folds, [])
        if phrase not in entries:
            entries.append(phrase)
        self.phrase_length[folds[0]] = max(self.phrase_length.get(folds[0], 0), len(folds))

    def _add_phrases(self, settings: SyntaxSettings) -> None:
        for word in settings.cancel_words:
            self._add(word, _P_CANCEL, _M_FOLDED)
        for word in settings.question_words:
            self._add(word, _P_QUESTION, _M_FOLDED)
        for word in settings.add_words:
            self._add(word, _P_ADD, _M_FOLDED)
        for word in (*settings.order_words, *_CART_PHRASES):
            self._add(word, _P_ORDER, _M_FOLDED)
        for word in _SEPARATOR_WORDS:
            self._add(word, _P_SEPARATOR, _M_FOLDED)
        for word in _QTY_MARKS:
            self._add(word, _P_QTY_MARK, _M_FOLDED)
        for word in _SIZE_MARKS:
            self._add(word, _P_SIZE_MARK, _M_ACCENTS)
        for word, number in _NUMBER_WORDS.items():
            self._add(word, _P_NUMBER_WORD, _M_ACCENTS, number)
        for word in (*_FILLERS, *_PHONE_LABELS):
            self._add(word, _P_FILLER, _M_FOLDED)

    def _add_colors(self, items: tuple[CatalogItem, ...]) -> None:
        for color in _BUILTIN_COLORS:
            self._add(color, _P_COLOR, _M_ACCENTS, (_color_key(color), color))
        for item in items:
            for color in item.colors:
                spelling = str(color).strip()
                if _color_key(spelling):
                    self._add(spelling, _P_COLOR, _M_ACCENTS, (_color_key(spelling), spelling))

    # -- tokens --------------------------------------------------------------------------------------------

    def infos(self, tokens: list[str]) -> list[_TokenInfo]:
        cache = self.token_infos
        if len(cache) > _TOKEN_CACHE_SIZE:
            cache.clear()
        get, learn = cache.get, self._learn
        return [get(token) or learn(token) for token in tokens]

    def _learn(self, raw: str) -> _TokenInfo:
        info = self._info(raw)
        if len(raw) <= _MAX_CACHED_TOKEN_LENGTH:  # a 100,000-letter "word" is not worth keeping
            self.token_infos[raw] = info
        return info

    def _info(self, raw: str) -> _TokenInfo:
        if raw in _SEPARATOR_TOKENS:
            return _TokenInfo(raw, _T_SEP, None, 0, None, False, raw)
        if raw[0] in "*+":  # "+2", "*2"
            digits = raw[1:]
            qty = int(digits) if len(digits) <= _MAX_NUMBER_DIGITS else None
            return _TokenInfo(raw, _T_MARK, qty, 0, None, False, raw)
        fold = _fold(raw)
        token_class, data, longest = self._classify(raw, fold)
        single = None
        for phrase in self.phrases.get((fold,), ()) if longest else ():
            mode = phrase.modes[0]
            if mode == _M_FOLDED or raw == phrase.raws[0] or (mode == _M_ACCENTS and raw == fold):
                single = phrase
                break
        accented_unit = _UNITS.get(fold)
        is_unit = accented_unit is not None and (raw == fold or raw == accented_unit)
        return _TokenInfo(fold, token_class, data, longest, single, is_unit, _size_key(raw))

    def code_of(self, fold: str) -> tuple[str, _ItemInfo | None] | None:
        """(output code, item or None) when this folded word is a short code."""
        if len(fold) > _MAX_CODE_LENGTH:
            return None
        info = self.known.get(_LEADING_ZEROS_RE.sub("", fold))
        if info is not None:
            return info.code, info
        if self.code_re.fullmatch(fold):
            return fold.upper(), None
        return None

    def _classify(self, raw: str, fold: str) -> tuple:
        """(class, data, longest phrase starting with this word)."""
        phrase_length = self.phrase_length.get(fold, 0)
        if fold == "?":
            return _T_IGNORE, None, phrase_length
        if fold.isdigit() and fold.isascii():
            code = self.code_of(fold)  # only with a pattern or catalog of numeric codes
            if code is not None:
                return _T_CODE, _CodeRead(*code), 0
            if len(fold) > _MAX_NUMBER_DIGITS:
                return _T_WORD, None, 0
            return _T_NUM, int(fold), 0
        if _HAS_DIGIT_RE.search(fold) and len(fold) <= _MAX_CODE_LENGTH:
            known = self.known.get(_LEADING_ZEROS_RE.sub("", fold))
            known_code = _CodeRead(known.code, known) if known is not None else None
            match = _NUM_UNIT_RE.fullmatch(fold)
            if match and known_code is None:  # "2c", "3cai"
                unit_raw = raw[match.start(2):]
                if unit_raw == match.group(2) or unit_raw == _UNITS[match.group(2)]:
                    return _T_QTY, int(match.group(1)), 0
            match = _QTY_FORM_RE.fullmatch(fold)
            if match:
                return _T_QTY_FORM, (int(match.group(1)), known_code), 0
            match = _SIZE_FORM_RE.fullmatch(fold)
            if match:
                return _T_SIZE_FORM, (match.group(1), _size_key(match.group(1)), known_code), 0
            code = self.code_of(fold)
            if code is not None:
                doubt = None  # (why this unknown code may be something else, only when after another code)
                if code[1] is None:
                    glued = self._glued_code(raw, fold)
                    if glued is not None and glued[0] == _T_GLUED and glued[1][1].item is not None:
                        phrase, known_read = glued[1]
                        if len(phrase.raws[0]) > 1:
                            return glued  # "ema1": "em" + the known A1 rather than an unknown EMA1
                        doubt = (Text("syntax.unknown_code_or_word", code=code[0], word=phrase.raws[0],
                                      known=known_read.code), False)
                    match = _SIZE_THEN_QTY_RE.fullmatch(fold)
                    if match:
                        doubt = (Text("syntax.unknown_code_or_size", code=code[0], size=match.group(1).upper(),
                                      qty=int(match.group(2))), True)
                return _T_CODE, _CodeRead(*code, doubt), 0
            glued = self._glued_code(raw, fold)
            if glued is not None:
                return glued
            if fold in _STANDARD_SIZES:
                return _T_SIZE_WORD, fold, 0
            return _T_WORD, None, phrase_length
        if fold in _FILLER_SIZES:
            return _T_SML, fold, phrase_length
        if fold in _STANDARD_SIZES:
            return _T_SIZE_WORD, fold, phrase_length
        match = _SIZE_FORM_RE.fullmatch(fold)
        if match and not phrase_length:  # "sizem", "szxl"
            return _T_SIZE_FORM, (match.group(1), _size_key(match.group(1)), None), 0
        code = self.code_of(fold)  # a custom pattern may allow codes without digits
        if code is not None:
            return _T_CODE, _CodeRead(*code), phrase_length
        return _T_WORD, None, phrase_length

    def _glued_code(self, raw: str, fold: str) -> tuple | None:
        """Codes typed without a space: "a1x2" (×2), "a1m" / "a1m2" (a size of A1, ×2), "chốta1" (a word, A1).

        Only splits that leave little doubt: the code must be a known one before a size, the word a one-word
        keyword or filler.
        """
        match = _CODE_X_QTY_RE.fullmatch(fold)
        if match:
            code = self.code_of(match.group(1))
            if code is not None:
                return _T_CODE, _CodeRead(*code, qty=int(match.group(2))), 0
        match = _CODE_SIZE_RE.fullmatch(fold)
        if match:
            code = self.code_of(match.group(1))
            key = _size_key(match.group(2))
            if code is not None and code[1] is not None and (key in code[1].sizes or key in _STANDARD_SIZES):
                qty = int(match.group(3)) if match.group(3) else None
                return _T_CODE, _CodeRead(*code, size=(match.group(2), key), qty=qty), 0
        match = _LETTERS_THEN_REST_RE.fullmatch(fold)
        if match:
            for cut in range(len(match.group(1)), 0, -1):
                for phrase in self.phrases.get((fold[:cut],), ()):
                    if phrase.kind in (_P_ORDER, _P_ADD, _P_CANCEL, _P_FILLER) and len(phrase.raws) == 1 \
                            and (phrase.modes[0] == _M_FOLDED or raw[:cut] == phrase.raws[0]):
                        rest = self._classify(raw[cut:], fold[cut:])
                        # A filler glued to an unknown code ("abcd12") is too much of a guess.
                        if rest[0] == _T_CODE and (rest[1].item is not None or phrase.kind != _P_FILLER):
                            return _T_GLUED, (phrase, rest[1]), 0
        return None

    def phrase_at(self, tokens: list[str], infos: list[_TokenInfo], index: int):
        """(phrase, length) of the longest phrase starting at tokens[index], or None."""
        longest = infos[index].longest_phrase
        if longest > 1:
            for length in range(min(longest, len(tokens) - index), 1, -1):
                # Separators never form a key (settings words with them are refused), so no check for them.
                folds = tuple(info.fold for info in infos[index:index + length])
                entries = self.phrases.get(folds)
                if entries:
                    raws = tokens[index:index + length]
                    for phrase in entries:
                        if phrase.accepts(raws, folds):
                            return phrase, length
        single = infos[index].phrase
        return (single, 1) if single is not None else None


@functools.lru_cache(maxsize=64)
def _context(items: tuple[CatalogItem, ...], settings: SyntaxSettings) -> _Context:
    return _Context(items, settings)


_DEFAULT_SETTINGS = SyntaxSettings()
_last_lookup_lock = threading.Lock()
_last_lookup: tuple = (None, (), None, None)  # (items object, items tuple, settings object, context)


def _context_for(items, settings: SyntaxSettings) -> _Context:
    """The cached context; the last one is reused without hashing when the same objects come back."""
    global _last_lookup
    last_items, last_tuple, last_settings, last_context = _last_lookup
    if settings is last_settings:
        if items is last_items and type(items) is tuple:
            return last_context
        # A list may have changed since: compare its items (by identity first, in C).
        if type(items) is list and len(items) == len(last_tuple) and tuple(items) == last_tuple:
            return last_context
    items_tuple = tuple(items) if items is not None else ()
    context = _context(items_tuple, settings)
    with _last_lookup_lock:
        _last_lookup = (items, items_tuple, settings, context)
    return context


# ---------------------------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------------------------

class _Line:
    __slots__ = ("code", "info", "qty", "size", "color")

    def __init__(self, code: str, info: _ItemInfo | None):
        self.code = code
        self.info = info
        self.qty: int | None = None
        self.size: str | None = None
        self.color: str | None = None


# Reasons for review without parameters: built once (a Text renders again in the reader's language).
_TWO_QUANTITIES = Text("syntax.two_quantities")
_TWO_SIZES = Text("syntax.two_sizes")
_TWO_COLORS = Text("syntax.two_colors")
_QTY_BELOW_MINIMUM = Text("syntax.qty_below_minimum")
_CANCEL_WITH_ORDER_WORD = Text("syntax.cancel_with_order_word")
_CANCEL_AFTER_CODE = Text("syntax.cancel_after_code")
_QUESTION_WITH_ORDER_WORD = Text("syntax.question_with_order_word")


class _Parse:
    """The state of one comment being read left to right."""

    __slots__ = ("context", "lines", "current", "group", "reasons", "left_over", "order_word", "add_word",
                 "cancel_word", "question_word", "cancel_after_code", "name_words", "bare_cancels", "name_cancel")

    def __init__(self, context: _Context, name_words: frozenset = frozenset()):
        self.context = context
        self.name_words = name_words         # the commenter's name, folded word by word
        self.bare_cancels: list[str] = []    # cancel words typed without their accents, folded
        self.name_cancel: str | None = None  # such a word that is also a word of the commenter's name
        self.lines: list[_Line] = []
        self.current: _Line | None = None    # the line of the code seen in this segment
        self.group: list[tuple] = []         # sizes/colors/quantities of this segment before its code
        self.reasons: dict[str, None] = {}  # ordered and without repeats
        self.left_over: list[str] = []
        self.order_word = self.add_word = self.cancel_word = self.question_word = False
        self.cancel_after_code = False

    def reason(self, text: Text) -> None:
        self.reasons[text] = None

    def read_cancel(self, raws, phrase: _Phrase) -> None:
        """A cancel word; typed without its accents ("huy") and a word of the commenter's own name, it is the
        name, and the comment goes to review (SYNTAX.md traps 4)."""
        bare = [raw for raw, wanted in zip(raws, phrase.raws) if raw != wanted and raw == _fold(raw)]
        if bare:
            self.bare_cancels.extend(bare)
            if self.name_words and not self.name_words.isdisjoint(bare):
                self.name_cancel = " ".join(raws)
                return
        self.cancel_word = True
        if self.lines:
            self.cancel_after_code = True

    # -- attributes ----------------------------------------------------------------------------------------

    # Each attribute goes to the line of this segment's code, or waits in the group for the code that comes
    # next (or, at the separator, for the previous line). In the group it is a tuple: ("qty", n),
    # ("num", n, raw, size key), ("size", raw, size key), ("color", key, display).

    def emit_qty(self, qty: int) -> None:
        if self.current is not None:
            self.set_qty(self.current, qty)
        else:
            self.group.append(("qty", qty))

    def emit_size(self, raw: str, key: str) -> None:
        if self.current is not None:
            self.set_size(self.current, raw, key)
        else:
            self.group.append(("size", raw, key))

    def emit_color(self, key: str, display: str) -> None:
        if self.current is not None:
            self.set_color(self.current, key, display)
        else:
            self.group.append(("color", key, display))

    def apply(self, line: _Line, attribute: tuple, before_code: bool) -> None:
        kind = attribute[0]
        if kind == "num":  # a bare number: a size when the item has it as a size, else the quantity
            if not before_code and line.size is None and line.info is not None \
                    and attribute[3] in line.info.sizes:
                self.set_size(line, attribute[2], attribute[3])
            else:
                self.set_qty(line, attribute[1])
        elif kind == "qty":
            self.set_qty(line, attribute[1])
        elif kind == "size":
            self.set_size(line, attribute[1], attribute[2])
        else:
            self.set_color(line, attribute[1], attribute[2])

    def set_qty(self, line: _Line, qty: int) -> None:
        if line.qty is not None:
            self.reason(_TWO_QUANTITIES)
        else:
            line.qty = qty

    def set_size(self, line: _Line, raw: str, key: str) -> None:
        if line.size is not None:
            self.reason(_TWO_SIZES)
            return
        if line.info is not None and line.info.sizes:
            spelling = line.info.sizes.get(key)
            if spelling is None:
                self.reason(Text("syntax.no_such_size", code=line.code, size=raw.upper()))
            else:
                line.size = spelling
                return
        line.size = raw.upper()

    def set_color(self, line: _Line, key: str, display: str) -> None:
        if line.color is not None:
            self.reason(_TWO_COLORS)
            return
        if line.info is not None and line.info.colors:
            spelling = line.info.colors.get(key)
            if spelling is None:
                self.reason(Text("syntax.no_such_color", code=line.code, color=display))
            else:
                display = spelling
        line.color = display

    # -- structure -----------------------------------------------------------------------------------------

    def add_code(self, code: str, info: _ItemInfo | None) -> None:
        line = _Line(code, info)
        self.lines.append(line)
        if self.group:  # a quantity/size/color before the code in its segment is the code's own
            for attribute in self.group:
                self.apply(line, attribute, before_code=True)
            self.group = []
        self.current = line

    def end_segment(self) -> None:
        """At a separator: a group with no code of its own fills the previous line or repeats its code."""
        if self.current is None and self.group and self.lines:
            previous = self.lines[-1]
            info = previous.info
            gives = set()
            for attribute in self.group:
                kind = attribute[0]
                if kind == "num":
                    kind = "size" if "size" not in gives and info is not None and attribute[3] in info.sizes \
                        else "qty"
                gives.add(kind)
            has = {name for name, value in (("qty", previous.qty), ("size", previous.size),
                                            ("color", previous.color)) if value is not None}
            target = previous
            if gives & has:  # "A1 M 2, L 1": another line of the same code, taking nothing else from it
                target = _Line(previous.code, previous.info)
                self.lines.append(target)
            for attribute in self.group:
                self.apply(target, attribute, before_code=False)
            self.group = []
        elif self.current is None and self.group:
            # No code yet: a quantity binds within its own segment only ("12 cái, A2 L", SYNTAX.md traps 6).
            # Sizes and colors still wait for the next code ("size M, A1").
            kept = []
            for attribute in self.group:
                if attribute[0] in ("qty", "num"):
                    self.reason(Text("syntax.qty_without_code", qty=attribute[1]))
                else:
                    kept.append(attribute)
            self.group = kept
        self.current = None

    # -- the loop ------------------------------------------------------------------------------------------

    def run(self, tokens: list[str], infos: list[_TokenInfo]) -> None:
        phrase_at = self.context.phrase_at
        count = len(tokens)
        index = 0
        while index < count:
            info = infos[index]
            fold, token_kind, data, longest_phrase, phrase, is_unit, size_key = info
            if longest_phrase:
                if longest_phrase == 1:
                    length = 1
                else:
                    phrase, length = phrase_at(tokens, infos, index) or (None, 0)
                if phrase is not None:
                    kind = phrase.kind
                    if kind == _P_FILLER:  # the most common phrases: handled here
                        index += length
                    elif kind == _P_ORDER:
                        self.order_word = True
                        index += length
                    else:
                        index = self.read_phrase(tokens, infos, index, phrase, length)
                    continue
            if token_kind == _T_CODE:
                self.read_code(data)
                index += 1
            elif token_kind == _T_NUM:
                if index + 1 < count and infos[index + 1].is_unit:  # "2 cái"
                    self.emit_qty(data)
                    index += 2
                    continue
                line = self.current
                if line is None:
                    self.group.append(("num", data, tokens[index], size_key))
                elif line.size is None and line.info is not None and size_key in line.info.sizes:
                    self.set_size(line, tokens[index], size_key)  # "B5 30": a size of B5
                else:
                    self.set_qty(line, data)
                index += 1
            elif token_kind == _T_SEP:
                self.end_segment()
                index += 1
            else:
                index = self.read_other(tokens, infos, index, info)
        self.end_segment()

    def asks_around(self, tokens, infos, index: int) -> bool:
        """Whether the question phrase that starts at tokens[index] ends later in the same segment."""
        for phrase in self.context.split_questions[infos[index].fold]:
            positions = [index]
            position = index + 1
            for wanted in phrase.raws[1:]:
                wanted_fold = _fold(wanted)
                while position < len(tokens) and position - index <= _QUESTION_SPAN \
                        and infos[position].kind != _T_SEP and infos[position].fold != wanted_fold:
                    position += 1
                if position >= len(tokens) or position - index > _QUESTION_SPAN or infos[position].kind == _T_SEP:
                    break
                positions.append(position)
                position += 1
            else:
                if phrase.accepts([tokens[i] for i in positions], [infos[i].fold for i in positions]):
                    return True
        return False

    def read_code(self, read: _CodeRead) -> None:
        if read.doubt is not None and (self.lines or not read.doubt[1]):
            self.reason(read.doubt[0])
        self.add_code(read.code, read.item)
        if read.size is not None:
            self.set_size(self.current, *read.size)
        if read.qty is not None:
            self.set_qty(self.current, read.qty)

    def read_phrase(self, tokens, infos, index: int, phrase: _Phrase, length: int) -> int:
        kind = phrase.kind
        after = index + length
        if kind == _P_FILLER:
            return after
        if kind == _P_COLOR:
            self.emit_color(*phrase.value)
            return after
        if kind == _P_CANCEL:
            self.read_cancel(tokens[index:after], phrase)
            return after
        if kind == _P_QUESTION:
            self.question_word = True
            return after
        if kind == _P_ORDER:
            self.order_word = True
            return after
        if kind == _P_ADD:
            self.add_word = True
            return after
        if kind == _P_SEPARATOR:
            self.end_segment()
            return after
        if after < len(tokens):
            following = infos[after]
            if kind == _P_QTY_MARK:  # "x 2", "sl 2", "số lượng 2"
                if following.kind == _T_NUM:
                    self.emit_qty(following.data)
                    return after + 2 if after + 1 < len(tokens) and infos[after + 1].is_unit else after + 1
                if following.kind == _T_QTY:
                    self.emit_qty(following.data)
                    return after + 1
            elif kind == _P_SIZE_MARK:  # "size M", "sz 38", "sai L": any value but a code or a keyword
                if following.fold in _SIZE_PLACEHOLDERS:  # "size gì": which size? (SYNTAX.md traps 2)
                    self.question_word = True
                    return after + 1
                if following.longest_phrase:
                    found = self.context.phrase_at(tokens, infos, after)
                    if found is not None and found[0].kind == _P_QUESTION:  # "size bao nhiêu", "size?"
                        self.question_word = True
                        return after
                if following.kind in (_T_NUM, _T_SIZE_WORD, _T_SML, _T_WORD) and not (
                        following.longest_phrase and self.context.phrase_at(tokens, infos, after)):
                    self.emit_size(tokens[after], following.size_key)
                    return after + 1
            elif kind == _P_NUMBER_WORD:  # "hai cái"
                if following.is_unit:
                    self.emit_qty(phrase.value)
                    return after + 1
        self.left_over.extend(tokens[index:after])
        return after

    def read_other(self, tokens, infos, index: int, info: _TokenInfo) -> int:
        token_class, data = info.kind, info.data
        if token_class == _T_MARK:  # "+2", "*2"
            if data is None:
                self.left_over.append(tokens[index])
                return index + 1
            self.emit_qty(data)
            return index + 2 if index + 1 < len(tokens) and infos[index + 1].is_unit else index + 1
        if token_class == _T_QTY:  # "2c"
            self.emit_qty(data)
            return index + 1
        if token_class == _T_QTY_FORM:  # "x2", "sl2": a quantity, unless a known code before any code
            qty, known_code = data
            if known_code is not None and not self.lines:
                self.read_code(known_code)
                return index + 1
            self.emit_qty(qty)
            return index + 2 if index + 1 < len(tokens) and infos[index + 1].is_unit else index + 1
        if token_class == _T_SIZE_FORM:  # "size38", "sz38"
            value, key, known_code = data
            if known_code is not None and not self.lines:
                self.read_code(known_code)
            else:
                self.emit_size(value, key)
            return index + 1
        if token_class == _T_GLUED:  # "chốta1"
            phrase, code_data = data
            if phrase.kind == _P_ORDER:
                self.order_word = True
            elif phrase.kind == _P_ADD:
                self.add_word = True
            elif phrase.kind == _P_CANCEL:  # "huyd1"
                self.read_cancel((tokens[index][:len(phrase.raws[0])],), phrase)
            self.read_code(code_data)
            return index + 1
        if token_class == _T_SIZE_WORD:
            self.emit_size(tokens[index], info.size_key)
            return index + 1
        if token_class == _T_SML:
            if self.lines:
                self.emit_size(tokens[index], info.size_key)
            return index + 1  # before any code: a filler ("m lấy a1" = "I take A1")
        if token_class == _T_IGNORE:
            return index + 1
        raw = tokens[index]
        if info.fold in self.context.split_questions and self.asks_around(tokens, infos, index):
            self.question_word = True
            return index + 1
        # A word that the item has among its sizes ("free"), after its code.
        target = self.current or (self.lines[-1] if self.lines else None)
        if target is not None and target.info is not None and info.size_key in target.info.sizes:
            self.emit_size(raw, info.size_key)
            return index + 1
        self.left_over.append(raw)
        return index + 1


def _joined_before(norm: str, start: int) -> bool:
    """Whether the phone-shaped number at `start` is the tail of something else: a longer digit run, a price's
    groups ("1.000.000" holds no phone at its zeros), or a code whose digits run on into a quantity and a price
    ("a-01 2 1.000.000" and "G07 2 1.000.000" are a code ×2 and a price, not the numbers 0121000000, 0721000000). A phone
    glued to words stays one: "sdt0981234567", "sdt-0981234567", "A1-0912345678"."""
    before = norm[start - 1] if start else ""
    if before.isdigit():
        return True
    if before.isalpha() or (before in "-\u2013\u2014" and start > 1 and norm[start - 2].isalpha()):
        # Glued to letters: a code's digits (G07, a-01, SP-12) when only a few digits come before the first gap.
        first_group = len(norm[start:]) - len(norm[start:].lstrip("0123456789"))
        return first_group <= 3
    return before == "." and start > 1 and norm[start - 2].isdigit()


def _find_phones(norm: str) -> tuple[str, list[str], list[str]]:
    """(text with phone-shaped numbers blanked out, valid phones, warnings), phones in order, once each."""
    match = _PHONE_RE.search(norm)
    if match is None:
        return norm, [], []
    phones: dict[str, None] = {}
    warnings: dict[str, None] = {}
    pieces: list[str] = []
    end = 0
    while match is not None:
        start = match.start()
        if _joined_before(norm, start):  # the tail of a code or of a longer number: not a phone
            match = _PHONE_RE.search(norm, start + 1)
            continue
        digits = match.group().replace(" ", "").replace(".", "").replace("-", "").replace("+", "")
        if not digits.isdigit():  # other white space between the groups
            digits = _NON_DIGITS_RE.sub("", digits)
        number = "0" + digits[2:] if len(digits) == 11 else digits  # 84 + 9 digits
        if number[:3] in _MOBILE_PREFIXES:
            phones[number] = None
        else:
            warnings[f"{number} is not a Vietnamese mobile number"] = None
        pieces.append(norm[end:start])
        end = match.end()
        match = _PHONE_RE.search(norm, end)
    if not pieces:
        return norm, [], []
    pieces.append(norm[end:])
    return " ".join(pieces), list(phones), list(warnings)


_MAX_LEFT_OVER_SHOWN = 60
_new_object = object.__new__


def _new_parsed_line(code: str, known: bool, qty: int, size: str | None, color: str | None) -> ParsedLine:
    # Same object as ParsedLine(...), at half the cost: a frozen dataclass sets each field through
    # object.__setattr__, and this runs for every new line.
    line = _new_object(ParsedLine)
    line.__dict__.update(code=code, known=known, qty=qty, size=size, color=color)
    return line


def _new_parse_result(kind: str, add: bool, phone: str | None, lines: tuple, warnings: tuple,
                      reasons: tuple, name_sensitive: tuple, suggestion: str | None) -> ParseResult:
    result = _new_object(ParseResult)  # see _new_parsed_line
    result.__dict__.update(kind=kind, add=add, phone=phone, lines=lines, warnings=warnings, reasons=reasons,
                           name_sensitive=name_sensitive, suggestion=suggestion)
    return result


# A letter group and a number apart, as typed: "SP 12" for SP12 (SYNTAX.md traps 5).
_SPACED_CODE_RE = re.compile(r"(?<![^\W_])([^\W\d_]{1,8})[^\S\n]+(\d{1,6})(?![^\W_])")


def _spaced_codes(context: _Context, tokens: list[str], infos: list[_TokenInfo]) -> list[tuple[str, str]]:
    """(as typed, the livestream's code) for each letter group followed by a number that together spell one of
    the livestream's codes: "sp 12" -> ("SP 12", "SP12")."""
    found = []
    known = context.known
    for index in range(len(tokens) - 1):
        fold = infos[index].fold
        if infos[index + 1].kind == _T_NUM and fold.isalpha() and fold.isascii():
            item = known.get(_LEADING_ZEROS_RE.sub("", fold + tokens[index + 1]))
            if item is not None:
                found.append((f"{fold.upper()} {tokens[index + 1]}", item.code))
    return found


def _joined_codes(context: _Context, text: str) -> str:
    """The comment as typed, with each spaced code joined into the livestream's spelling of it."""
    def join(match: re.Match) -> str:
        item = context.known.get(normalize_code(match.group(1) + match.group(2)))
        return item.code if item is not None else match.group()
    return _SPACED_CODE_RE.sub(join, text)


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset:
    """The commenter's display name, folded word by word: "Lê Huy" -> {"le", "huy"}."""
    return frozenset(fold for is_word, _, fold in _setting_word_tokens(name) if is_word)


def _checked_lines(context: _Context, state: _Parse) -> tuple:
    """The order lines read, with a reason for a quantity of 0 or over the maximum; the same few lines come back
    all live long ("A1 M ×1"): they are immutable, so one object serves."""
    lines = []
    max_qty = context.max_qty
    known_lines = context.parsed_lines
    for line in state.lines:
        qty = 1 if line.qty is None else line.qty
        if qty == 0:
            state.reason(_QTY_BELOW_MINIMUM)
        elif qty > max_qty:
            state.reason(Text("syntax.qty_over_maximum", qty=qty, maximum=max_qty))
        key = (line.code, line.info is not None, qty, line.size, line.color)
        parsed = known_lines.get(key)
        if parsed is None:
            if len(known_lines) >= _PARSED_LINE_CACHE_SIZE:
                known_lines.clear()
            parsed = known_lines[key] = _new_parsed_line(*key)
        lines.append(parsed)
    return tuple(lines)


def _kind_of(state: _Parse, lines: tuple, phones: list) -> tuple[str, tuple, list]:
    """What the comment is (order, review, cancel, question, contact, none), its lines, and why it needs review."""
    reasons = []
    asking_to_buy = state.order_word or state.add_word
    if state.cancel_word:
        if asking_to_buy:
            kind = "review"
            reasons.append(_CANCEL_WITH_ORDER_WORD)
        elif state.cancel_after_code:
            kind = "review"
            reasons.append(_CANCEL_AFTER_CODE)
        else:
            kind = "cancel"
    elif state.question_word:
        if asking_to_buy:
            kind = "review"
            reasons.append(_QUESTION_WITH_ORDER_WORD)
        else:
            kind, lines = "question", ()
    elif lines:
        if state.left_over:
            shown = " ".join(state.left_over)
            if len(shown) > _MAX_LEFT_OVER_SHOWN:
                shown = shown[:_MAX_LEFT_OVER_SHOWN - 1] + "…"
            reasons.append(Text("syntax.left_over_words", words=shown))
        reasons.extend(state.reasons)
        if len(phones) > 1:
            reasons.append(Text("syntax.two_phones", first=phones[0], second=phones[1]))
        kind = "review" if reasons else "order"
    elif phones:
        if len(phones) > 1:
            kind = "review"
            reasons.append(Text("syntax.two_phones", first=phones[0], second=phones[1]))
        else:
            kind = "contact"
    else:
        kind = "none"
    return kind, lines, reasons


def _parse_text(context: _Context, text: str, name_words: frozenset = frozenset()) -> ParseResult:
    norm, phones, warnings = _find_phones(_normalize_text(text))
    tokens = _split_tokens(norm)
    state = _Parse(context, name_words)
    infos = context.infos(tokens)
    state.run(tokens, infos)

    phone = phones[0] if phones else None
    if len(phones) > 1:
        shown = ", ".join(phones[:3]) + (", …" if len(phones) > 3 else "")
        warnings.append(f"several phone numbers ({shown}); kept {phone}")

    lines = _checked_lines(context, state)

    kind, lines, reasons = _kind_of(state, lines, phones)
    suggestion = None
    if not state.lines and context.known:
        # No code at all, but a letter group and a number that spell one: never none, never a cancel of the
        # whole draft; staff see which code it may be, and Fix offers the joined reading.
        spaced = _spaced_codes(context, tokens, infos)
        if spaced:
            kind = "review"
            reasons = [Text("syntax.spaced_code", typed=typed, code=code) for typed, code in spaced] + reasons
            suggestion = _joined_codes(context, text)
            if suggestion == text:
                suggestion = None
    if state.name_cancel is not None:
        kind = "review"
        reasons.insert(0, Text("syntax.cancel_word_is_name", word=state.name_cancel))
    return _new_parse_result(kind, state.add_word and kind in ("order", "review"), phone, lines,
                             tuple(warnings[:_MAX_REASONS]), tuple(dict.fromkeys(reasons[:_MAX_REASONS])),
                             tuple(state.bare_cancels), suggestion)


@functools.lru_cache(maxsize=_RESULT_CACHE_SIZE)
def _parse_cached(context: _Context, text: str) -> ParseResult:
    # Keyed on the context (one per items + settings) and the text; results are immutable, so sharing is safe.
    return _parse_text(context, text)


def parse(text: str, items=(), settings: SyntaxSettings | None = None, *,
          commenter_name: str | None = None) -> ParseResult:
    """Read one comment against the livestream's items (CatalogItem sequence) and syntax settings.

    commenter_name, when known, is the commenter's display name: a cancel word typed without accents that is
    also a word of it ("huy" by "Lê Huy") makes the comment review. Results are cached by text; the name is
    looked at only for texts that hold such a word (`ParseResult.name_sensitive`).
    Raises InvalidSettings for settings that do not validate; never raises for any comment text.
    """
    if type(text) is not str:
        text = "" if text is None else str(text)
    context = _context_for(items, _DEFAULT_SETTINGS if settings is None else settings)
    if len(text) > _CACHEABLE_TEXT_LENGTH:
        result = _parse_text(context, text)
    else:
        result = _parse_cached(context, text)
    if result.name_sensitive and commenter_name:
        name_words = _name_words(str(commenter_name))
        if not name_words.isdisjoint(result.name_sensitive):
            return _parse_text(context, text, name_words)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Catalog CSV and the command line
# ---------------------------------------------------------------------------------------------------------------

_AMOUNT_RE = re.compile(r"[0-9]+|[0-9]{1,3}(?:[.,][0-9]{3})+")


def _whole_number(value: str, what: str, line_number: int) -> int:
    text = value.strip().replace(" ", "")
    if not _AMOUNT_RE.fullmatch(text):
        raise ValueError(f"line {line_number}: {what} {value!r} is not a whole number")
    return int(text.replace(".", "").replace(",", ""))


def read_catalog_csv(path_or_file) -> list[CatalogItem]:
    """Items from a CSV with the header code,name,price,stock,sizes,colors (other columns are ignored).

    Options are separated by '|'; an empty stock means unlimited (None). A bad row raises ValueError naming
    its line number.
    """
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, encoding="utf-8-sig", newline="") as handle:
            return _read_catalog(handle)
    content = path_or_file.read()
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    elif content.startswith("\ufeff"):
        content = content[1:]
    return _read_catalog(io.StringIO(content, newline=""))


def _read_catalog(handle) -> list[CatalogItem]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise ValueError("line 1: the catalog is empty; it needs the header code,name,price,stock,sizes,colors")
    columns = [name.strip().lower() for name in header]
    if "code" not in columns:
        raise ValueError("line 1: the header has no 'code' column (expected code,name,price,stock,sizes,colors)")
    position = {name: columns.index(name) for name in ("code", "name", "price", "stock", "sizes", "colors")
                if name in columns}
    items: list[CatalogItem] = []
    seen: dict[str, int] = {}
    for row in reader:
        line_number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            raise ValueError(f"line {line_number}: {len(row)} fields for {len(columns)} columns")

        def cell(name: str) -> str:
            at = position.get(name)
            return row[at].strip() if at is not None and at < len(row) else ""  # noqa: B023 (called within the same pass of the loop)

        code = cell("code")
        if not code:
            raise ValueError(f"line {line_number}: the code is empty")
        key = normalize_code(code)
        if key in seen:
            raise ValueError(f"line {line_number}: the code {code} is already on line {seen[key]}")
        seen[key] = line_number
        price = _whole_number(cell("price"), "price", line_number) if cell("price") else 0
        stock = _whole_number(cell("stock"), "stock", line_number) if cell("stock") else None
        items.append(CatalogItem(
            code=code, name=cell("name"), price=price, stock=stock,
            sizes=tuple(s.strip() for s in cell("sizes").split("|") if s.strip()),
            colors=tuple(c.strip() for c in cell("colors").split("|") if c.strip()),
        ))
    return items


def parse_cli(argv_stdin, stdout, catalog: list[CatalogItem], settings: SyntaxSettings, jsonl: bool) -> int:
    """One JSON line out per line in, in order. With jsonl, each line is an object whose "text" is the comment,
    and whose optional "name" is the commenter's display name.

    A malformed JSONL line gives {"error": ...} on its line and the rest goes on. Returns 0, or 1 when some
    line was malformed.
    """
    items = tuple(catalog)
    status = 0
    for line in argv_stdin:
        if line.endswith("\n"):
            line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
        if jsonl:
            try:
                record = json.loads(line)
            except ValueError as error:
                output = {"error": f"not JSON: {error}"}
                status = 1
            else:
                text = record.get("text") if isinstance(record, dict) else None
                if isinstance(text, str):
                    name = record.get("name")  # the commenter's display name, when known
                    output = parse(text, items, settings,
                                   commenter_name=name if isinstance(name, str) else None).to_json()
                else:
                    output = {"error": 'expected a JSON object with the comment in its "text" field'}
                    status = 1
        else:
            output = parse(line, items, settings).to_json()
        stdout.write(json.dumps(output, ensure_ascii=False) + "\n")
    return status
