"""Both languages are complete, every key the code names exists, and no screen text is written outside the tables."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

from core.base import errors, i18n
from core.base.errors import IncompleteOrder, InvalidInput
from core.base.formatting import vnd
from core.base.i18n import Text

ROOT = Path(__file__).resolve().parents[2]
CODE_FILES = sorted([*ROOT.glob("core/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])
SCREEN_FILES = [path for path in CODE_FILES if path.parts[-2] in ("ui", "pages") or path.name == "app.py"]
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# Calls whose first argument is a translation key.
KEY_CALLS = {"t", "Text", "translate", "ChotdonError", "NotFound", "InvalidInput", "ConcurrentChange",
             "ActionNotAllowed", "AccessDenied", "LoginRefused", "FacebookProblem"}
ENGLISH = i18n.table("en")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_language_has_the_same_keys_and_placeholders():
    for language in i18n.LANGUAGES:
        entries = i18n.table(language)
        assert entries, f"no table for {language}"
        missing = sorted(set(ENGLISH) - set(entries))
        extra = sorted(set(entries) - set(ENGLISH))
        assert not missing, f"{language} lacks {len(missing)} keys, e.g. {missing[:10]}"
        assert not extra, f"{language} has keys English lacks: {extra[:10]}"
        for key, template in entries.items():
            assert template.strip(), f"{language}: {key} is empty"
            assert i18n.placeholders(template) == i18n.placeholders(ENGLISH[key]), \
                f"{language}: {key} has placeholders {i18n.placeholders(template)}, English {i18n.placeholders(ENGLISH[key])}"


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _keys_named(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and _call_name(node) in KEY_CALLS and node.args:
            yield node.lineno, node.args[0]


@pytest.mark.parametrize("path", CODE_FILES, ids=_relative)
def test_every_key_the_code_names_exists(path):
    problems = []
    for line, argument in _keys_named(path):
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            if not KEY_PATTERN.match(argument.value):
                problems.append(f"line {line}: {argument.value!r} is not a key (namespace.name)")
            elif argument.value not in ENGLISH:
                problems.append(f"line {line}: key {argument.value} is in no table")
        elif isinstance(argument, ast.JoinedStr) and not any(isinstance(part, ast.Constant) and "." in part.value
                                                              for part in argument.values):
            problems.append(f"line {line}: an f-string message; use a key with parameters")
    assert not problems, "\n".join(problems)


# --- No screen text outside the tables -------------------------------------------------------------------------
# Keyword arguments whose values are identifiers or formats, never words for people.
NOT_TEXT_KEYWORDS = {
    "key", "type", "format", "label_visibility", "vertical_alignment", "selection_mode", "width", "height", "mime",
    "file_name", "anchor", "url_path", "autocomplete", "on_click", "on_change", "column_order", "position",
    "layout", "page_icon", "icon", "border", "gap", "horizontal_alignment", "unsafe_allow_html", "language",
    "orient", "how", "errors", "encoding", "sep", "dtype", "columns_key", "selection", "theme", "cellStyle",
}
# Names that stay as they are in every language.
BRANDS = {"Chotdon", "MShopKeeper", "Facebook", "TikTok", "OCM", "VND", "CSV", "JSONL", "Excel", "COD", "SQL",
          "DuckDB", "MISA", "Graph", "API", "URL", "ID", "JSON", "HTML", "PDF", "UTC", "ISO"}
WORD = re.compile(r"[^\W\d_]{2,}")
PRAGMA = "# not screen text"


def _looks_like_words(text: str) -> bool:
    words = WORD.findall(text)
    if not words or all(word in BRANDS for word in words):
        return False
    if all(word.isascii() and word.islower() for word in words) and " " not in text.strip():
        return False  # an identifier, a status value, a widget key: draft, cod, livestream_id
    if text.startswith((":material/", "#", "%", "<", "{")) and " " not in text:
        return False
    return True


def _exempt_nodes(tree: ast.AST) -> set[int]:
    exempt: set[int] = set()

    def mark(node):
        for inner in ast.walk(node):
            exempt.add(id(inner))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            mark(body[0])  # docstrings
        elif isinstance(node, ast.keyword) and node.arg in NOT_TEXT_KEYWORDS:
            mark(node.value)
        elif isinstance(node, ast.Subscript):
            mark(node.slice)
        elif isinstance(node, ast.Compare):
            mark(node)
        elif isinstance(node, ast.Call) and _call_name(node) in KEY_CALLS | {"getenv", "get", "pop", "setdefault",
                                                                             "query", "scalar", "execute"} \
                and node.args:
            mark(node.args[0])
    return exempt


@pytest.mark.parametrize("path", SCREEN_FILES, ids=_relative)
def test_no_screen_text_outside_the_tables(path):
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source, str(path))
    exempt = _exempt_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in exempt:
            continue
        if PRAGMA in lines[node.lineno - 1] or PRAGMA in lines[getattr(node, "end_lineno", node.lineno) - 1]:
            continue
        if _looks_like_words(node.value):
            found.append(f"line {node.lineno}: {node.value[:60]!r}")
    assert not found, f"{len(found)} texts written in the code instead of core/locales:\n" + "\n".join(found)


# --- Rendering -------------------------------------------------------------------------------------------------
def test_a_text_reads_as_english_and_renders_in_vietnamese():
    text = Text("errors.unknown_language", language="fr", choices="en, vi")
    assert text == "There is no language fr: choose one of en, vi."
    assert text.render("vi").startswith("Không có ngôn ngữ fr")


def test_errors_carry_their_text_and_nested_texts_render_in_the_same_language():
    error = InvalidInput("errors.unknown_language", language="fr", choices="en, vi")
    assert str(error) == "There is no language fr: choose one of en, vi."
    assert errors.localize(error, "vi").startswith("Không có ngôn ngữ")
    incomplete = IncompleteOrder("L1-001", Text("common.language"), [Text("common.language"), "x"])
    assert "Ngôn ngữ: đơn L1-001" in errors.localize(incomplete, "vi")
    assert "Ngôn ngữ; x" in errors.localize(incomplete, "vi")


def test_a_stored_text_comes_back_in_either_language():
    stored = Text("errors.unknown_language", language="fr", choices="en, vi").to_json()
    again = i18n.from_stored(stored)
    assert again.render("vi").startswith("Không có ngôn ngữ fr")
    assert i18n.from_stored("an older plain message") == "an older plain message"


def test_money_dates_and_numbers_follow_the_language():
    assert vnd(150000) == "150.000 ₫"
    assert i18n.number(1234567, "en") == "1,234,567" and i18n.number(1234567, "vi") == "1.234.567"
    moment = datetime(2026, 11, 27, 14, 3, 11)
    assert i18n.date_text(moment, "en") == "27 Nov 2026"
    assert i18n.date_text(moment, "vi") == "27/11/2026"
    assert i18n.local_time_text(moment, "en", with_date=True) == "27 Nov 14:03:11"
    assert i18n.local_time_text(moment, "vi", with_date=True) == "14:03:11 27/11"


def test_a_missing_key_falls_back_to_english_then_shows_the_key():
    assert i18n.translate("common.no_such_key", "vi") == "common.no_such_key"


def test_counts_in_core_messages_follow_the_language_even_when_stored():
    from core.base.i18n import Number

    text = Text("exports.excel_too_many_rows", limit=Number(1048575), rows=Number(2000000))
    assert "1,048,575" in text and "2,000,000" in text
    assert "1.048.575" in text.render("vi")
    assert "2.000.000" in i18n.from_stored(text.to_json()).render("vi")


def test_keys_the_code_builds_from_names_exist():
    """Keys made at run time (f"...{name}") are checked here, name by name."""
    from core.services import orders
    from core.services.comments import KINDS

    built = [f"order_form.help.{action}" for action in orders.ACTIONS]
    built += [f"status.{status}" for status in orders.STATUSES]
    built += [f"status.phrase.{status}" for status in orders.STATUSES]
    built += [f"ingest.kind_{kind}" for kind in KINDS]
    built += [f"order_form.payment_{way}" for way in orders.PAYMENTS]
    built += [f"formats.month_{month}" for month in range(1, 13)]
    assert [key for key in built if key not in ENGLISH] == []


def test_durations_in_core_messages_follow_the_language_even_when_stored():
    from core.base.i18n import Number, Seconds

    text = Text("console.rows_many", rows=Number(1234), seconds=Seconds(0.25))
    assert text == "1,234 rows in 0.25 s"
    assert i18n.from_stored(text.to_json()).render("vi") == "1.234 dòng trong 0,25 giây"
