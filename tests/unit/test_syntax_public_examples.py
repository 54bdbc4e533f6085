"""The acceptance table of SYNTAX.md, read from syntax_public_examples.md: every row must pass.

The markdown file is the source of truth; this module only reads it. For `review` rows only the kind is binding
(SYNTAX.md says so); for the other kinds the lines, phone, `add` and the presence of warnings are checked too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.domain.syntax import CatalogItem, ParseResult, parse

TABLE_FILE = Path(__file__).with_name("syntax_public_examples.md")
_CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")
_STANDARD_SIZES = {"XS", "S", "M", "L", "XL", "XXL", "XXXL", "2XL", "3XL", "4XL", "5XL"}


def _tables(text: str) -> list[list[list[str]]]:
    """Every markdown table in the text as rows of cells (the header row first, the --- row dropped)."""
    tables, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in _CELL_SPLIT_RE.split(stripped[1:-1])]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def _table_with_header(tables, first_column: str) -> list[dict[str, str]]:
    for table in tables:
        if table[0][0] == first_column:
            header = table[0]
            return [dict(zip(header, row)) for row in table[1:]]
    raise AssertionError(f"no table starting with the column {first_column!r} in {TABLE_FILE.name}")


TABLES = _tables(TABLE_FILE.read_text(encoding="utf-8"))
ITEMS = tuple(
    CatalogItem(
        code=row["code"], name=row["name"], price=int(row["price"]),
        stock=int(row["stock"]) if row["stock"] else None,
        sizes=tuple(s for s in row["sizes"].split("|") if s),
        colors=tuple(c for c in row["colors"].split("|") if c),
    )
    for row in _table_with_header(TABLES, "code")
)
ITEMS_BY_CODE = {item.code: item for item in ITEMS}


@dataclass(frozen=True)
class Example:
    comment: str
    kind: str
    warns: bool
    add: bool
    lines: tuple | None        # None: whole draft / not binding; tuples (code, known, qty, size, color)
    phone: str | None


def _expected_line(text: str, known: bool) -> tuple:
    words = text.split()
    code, rest = words[0], words[1:]
    qty = None
    if rest and rest[-1].startswith("×"):
        qty = int(rest.pop()[1:])
    size = color = None
    item = ITEMS_BY_CODE.get(code)
    for word in rest:
        if item is not None and (item.sizes or item.colors):
            is_size = word in item.sizes or (word.upper() in _STANDARD_SIZES and word not in item.colors)
        else:
            is_size = word.upper() in _STANDARD_SIZES or word.isdigit()
        if is_size:
            size = word
        else:
            color = word
    return (code, known, qty, size, color)


def _expected_lines(cell: str) -> tuple | None:
    if cell == "(whole draft)":
        return ()
    lines: list[tuple] = []
    for part in [p.strip() for p in cell.split(",") if p.strip()]:
        if part == "known false":
            code, _, qty, size, color = lines.pop()
            lines.append((code, False, qty, size, color))
        else:
            lines.append(_expected_line(part, known=True))
    return tuple(lines)


def _examples() -> list[Example]:
    examples = []
    for row in _table_with_header(TABLES, "comment"):
        comment = row["comment"]
        comment = "" if comment == "(empty)" else comment.strip("`")
        kind_cell = row["kind"]
        examples.append(Example(
            comment=comment,
            kind=kind_cell.split()[0].strip(","),
            warns="warning" in kind_cell,
            add="add: true" in kind_cell,
            lines=_expected_lines(row["lines (code size color ×qty)"]),
            phone=row["phone"] or None,
        ))
    return examples


EXAMPLES = _examples()


def _actual_lines(result: ParseResult) -> tuple:
    return tuple((line.code, line.known, line.qty, line.size, line.color) for line in result.lines)


def test_the_markdown_file_holds_the_whole_public_table():
    assert len(ITEMS) == 6
    assert len(EXAMPLES) >= 60
    assert {example.kind for example in EXAMPLES} == {"order", "cancel", "question", "review", "contact", "none"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.comment or "(empty)" for e in EXAMPLES])
def test_each_public_example_parses_as_the_table_says(example: Example):
    result = parse(example.comment, ITEMS)
    assert result.kind == example.kind, result.reasons
    if example.kind == "review":
        return  # only the kind is binding for review rows
    assert result.phone == example.phone
    assert result.add == example.add
    assert bool(result.warnings) == example.warns, result.warnings
    if example.kind == "order":
        assert _actual_lines(result) == example.lines
    elif example.kind == "cancel":
        assert tuple(line.code for line in result.lines) == tuple(line[0] for line in example.lines)
    else:
        assert result.lines == ()


REVIEWS_WITH_LINES = [e for e in EXAMPLES if e.kind == "review" and e.lines]


@pytest.mark.parametrize("example", REVIEWS_WITH_LINES, ids=[e.comment for e in REVIEWS_WITH_LINES])
def test_each_review_example_shows_the_best_effort_lines_of_the_table_and_says_why(example: Example):
    result = parse(example.comment, ITEMS)
    assert _actual_lines(result) == example.lines
    assert result.reasons


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.comment or "(empty)" for e in EXAMPLES])
def test_each_public_example_gives_exactly_the_json_of_the_output_contract(example: Example):
    output = parse(example.comment, ITEMS).to_json()
    assert list(output) == ["kind", "add", "phone", "lines", "warnings"]
    assert all(list(line) == ["code", "known", "qty", "size", "color"] for line in output["lines"])
    assert json.loads(json.dumps(output, ensure_ascii=False)) == output
