"""Real-style comments, grouped by the rule of SYNTAX.md they exercise, plus the parser's other entry points.

A line is written "code/size/color/qty" with "-" for none and a trailing "?" on the code when it is unknown
(`known: false`). For `review`, lines are only checked when a case gives them (SYNTAX.md binds only the kind).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from core.domain.syntax import (
    CatalogItem,
    InvalidSettings,
    ParsedLine,
    ParseResult,
    SyntaxSettings,
    normalize_code,
    parse,
    parse_cli,
    read_catalog_csv,
)

ITEMS = (
    CatalogItem("A1", "Áo thun basic", 150000, 20, ("S", "M", "L", "XL"), ("Đen", "Trắng")),
    CatalogItem("A2", "Áo sơ mi lụa", 250000, 10, ("M", "L", "XL", "XXL")),
    CatalogItem("B5", "Quần jean ống suông", 320000, 8, ("28", "29", "30", "31", "32")),
    CatalogItem("SP12", "Túi xách da", 450000, 5, (), ("Đen", "Nâu", "Kem")),
    CatalogItem("G07", "Giày sneaker", 550000, 6, ("36", "37", "38", "39", "40", "41")),
    CatalogItem("K3", "Kẹp tóc ngọc trai", 30000, 100),
    CatalogItem("D9", "Set đồ bộ lụa", 199000, 12, ("M", "L", "XL", "Free"), ("Hồng", "Xanh lá", "Be")),
)


def _line(spec: str) -> ParsedLine:
    code, size, color, qty = spec.split("/")
    return ParsedLine(code=code.rstrip("?"), known=not code.endswith("?"), qty=int(qty),
                      size=None if size == "-" else size, color=None if color == "-" else color)


def case(comment: str, kind: str, *lines: str, phone: str | None = None, add: bool = False,
         warns: bool = False, why: str | None = None, check_lines: bool = True):
    """One row: the comment, its kind, its lines; `why` is a piece of the review reason expected."""
    return pytest.param(comment, kind, tuple(_line(spec) for spec in lines), phone, add, warns, why,
                        check_lines and (kind != "review" or bool(lines)), id=repr(comment))


def check(comment, kind, lines, phone, add, warns, why, check_lines):
    result = parse(comment, ITEMS)
    assert result.kind == kind, (result.kind, result.reasons, result.lines)
    if check_lines:
        assert result.lines == lines
    assert result.phone == phone
    assert result.add == add
    assert bool(result.warnings) == warns, result.warnings
    if kind == "review":
        assert result.reasons, "a review always says why"
        if why is not None:
            assert any(why in reason for reason in result.reasons), result.reasons
    else:
        assert result.reasons == ()
    return result


PARAMS = "comment, kind, lines, phone, add, warns, why, check_lines"

# ---------------------------------------------------------------------------------------------------------------
# Rule 2: codes
# ---------------------------------------------------------------------------------------------------------------

CODES = [
    case("a1", "order", "A1/-/-/1"),
    case("A01", "order", "A1/-/-/1"),
    case("a001", "order", "A1/-/-/1"),
    case("a-1", "order", "A1/-/-/1"),
    case("A.1", "order", "A1/-/-/1"),
    case("a-01 m", "order", "A1/M/-/1"),
    case("sp-12 đen", "order", "SP12/-/Đen/1"),
    case("Sp12", "order", "SP12/-/-/1"),
    case("sp012 kem", "order", "SP12/-/Kem/1"),
    case("g7 38", "order", "G07/38/-/1"),
    case("G007 38", "order", "G07/38/-/1"),
    case("z09 2", "order", "Z09?/-/-/2"),
    case("z-09", "order", "Z09?/-/-/1"),
    case("abc1234", "order", "ABC1234?/-/-/1"),
    case("chốt Q15 size L", "order", "Q15?/L/-/1"),
    case("A1 A2 K3", "order", "A1/-/-/1", "A2/-/-/1", "K3/-/-/1"),
    case("A1 A1", "order", "A1/-/-/1", "A1/-/-/1"),
    case("abcd12", "none"),
    case("a12345", "none"),
    case("1a", "none"),
    case("chốtA1", "order", "A1/-/-/1"),
    case("emA1 m", "order", "A1/M/-/1"),
    case("A1M", "order", "A1/M/-/1"),
    case("a1xl2", "order", "A1/XL/-/2"),
    case("a1x2", "order", "A1/-/-/2"),
    case("k3x10", "order", "K3/-/-/10"),
    case("A2S", "review", why="A2 has no size S"),
    case("ca1", "review", why="CA1 is an unknown code, or c + A1"),
    case("A1 m2", "review", why="M2 is an unknown code, or size M ×2"),
    case("đặt sai A1", "review", "A1/-/-/1", why='left-over words: "sai"'),
]


@pytest.mark.parametrize(PARAMS, CODES)
def test_a_code_is_matched_ignoring_case_separators_and_leading_zeros(comment, kind, lines, phone, add, warns, why,
                                                                       check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Rule 3: quantities
# ---------------------------------------------------------------------------------------------------------------

QUANTITIES = [
    case("A1 3", "order", "A1/-/-/3"),
    case("A1 03", "order", "A1/-/-/3"),
    case("A1 x3", "order", "A1/-/-/3"),
    case("A1 X 3", "order", "A1/-/-/3"),
    case("A1 *3", "order", "A1/-/-/3"),
    case("A1*3", "order", "A1/-/-/3"),
    case("A1 +3", "order", "A1/-/-/3"),
    case("A1+1", "order", "A1/-/-/1"),
    case("A1 sl 3", "order", "A1/-/-/3"),
    case("A1 sl:3", "order", "A1/-/-/3"),
    case("A1 sl3", "order", "A1/-/-/3"),
    case("A1 SL: 3", "order", "A1/-/-/3"),
    case("A1 số lượng 3", "order", "A1/-/-/3"),
    case("A1 so luong 3", "order", "A1/-/-/3"),
    case("K3 3c", "order", "K3/-/-/3"),
    case("K3 3 c", "order", "K3/-/-/3"),
    case("K3 3 cái", "order", "K3/-/-/3"),
    case("K3 3 cai", "order", "K3/-/-/3"),
    case("K3 3cai", "order", "K3/-/-/3"),
    case("K3 3 chiếc", "order", "K3/-/-/3"),
    case("K3 3 bộ", "order", "K3/-/-/3"),
    case("K3 3 bo", "order", "K3/-/-/3"),
    case("G07 38 1 đôi", "order", "G07/38/-/1"),
    case("K3 2 sp", "order", "K3/-/-/2"),
    case("K3 2 set", "order", "K3/-/-/2"),
    case("K3 2 hộp", "order", "K3/-/-/2"),
    case("K3 x 2 cái", "order", "K3/-/-/2"),
    case("K3 một cái", "order", "K3/-/-/1"),
    case("K3 mot cai", "order", "K3/-/-/1"),
    case("K3 ba bộ", "order", "K3/-/-/3"),
    case("K3 năm cái", "order", "K3/-/-/5"),
    case("K3 mười cái", "order", "K3/-/-/10"),
    case("K3 hai", "review", "K3/-/-/1", why='left-over words: "hai"'),
    case("K3 bà cái", "review", why="left-over"),
    case("lấy 3 K3", "order", "K3/-/-/3"),
    case("3 cái K3", "order", "K3/-/-/3"),
    case("x3 K3", "order", "K3/-/-/3"),
    case("sl 3 K3", "order", "K3/-/-/3"),
    case("hai cái K3", "order", "K3/-/-/2"),
    case("A1 2 A2", "order", "A1/-/-/2", "A2/-/-/1"),
    case("A1 M, 2 A2 L", "order", "A1/M/-/1", "A2/L/-/2"),
    case("K3 20", "order", "K3/-/-/20"),
    case("K3 21", "review", "K3/-/-/21", why="quantity 21 is over the maximum 20"),
    case("K3 x100", "review", why="quantity 100 is over the maximum 20"),
    case("K3 0", "review", "K3/-/-/0", why="quantity 0"),
    case("K3 2 3", "review", "K3/-/-/2", why="two quantities for one line"),
    case("K3 x2 3", "review", why="two quantities for one line"),
    case("2 K3 3", "review", "K3/-/-/2", why="two quantities for one line"),
    case("K3 1234567", "review", why="left-over"),
    case("K3 150k", "review", why='left-over words: "150k"'),
    case("K3 2 cài", "review", why='left-over words: "cài"'),
    case("K3 1-2", "review", "K3/-/-/1", why='left-over words: "1-2"'),  # 1 February: a date, not 1 and 2
]


@pytest.mark.parametrize(PARAMS, QUANTITIES)
def test_a_quantity_binds_to_its_code_and_defaults_to_one(comment, kind, lines, phone, add, warns, why,
                                                          check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Rule 4: sizes
# ---------------------------------------------------------------------------------------------------------------

SIZES = [
    case("A1 s", "order", "A1/S/-/1"),
    case("A1 XL", "order", "A1/XL/-/1"),
    case("A1 size m", "order", "A1/M/-/1"),
    case("A1 size: m", "order", "A1/M/-/1"),
    case("A1 sz l", "order", "A1/L/-/1"),
    case("A1 sizeM", "order", "A1/M/-/1"),
    case("A2 szxl 2", "order", "A2/XL/-/2"),
    case("A1 size-m", "order", "A1/M/-/1"),
    case("A1-M-2", "order", "A1/M/-/2"),
    case("A1 - M - 2", "order", "A1/M/-/2"),
    case("A1 sai l", "order", "A1/L/-/1"),
    case("A1 sài l", "review", why='left-over words: "sài"'),
    case("A2 xxl", "order", "A2/XXL/-/1"),
    case("A2 2XL", "order", "A2/XXL/-/1"),
    case("A2 size 2xl", "order", "A2/XXL/-/1"),
    case("A2 3xl", "review", "A2/3XL/-/1", why="A2 has no size 3XL"),
    case("K3 2xl", "order", "K3/2XL/-/1"),
    case("Z9 xl", "order", "Z9?/XL/-/1"),
    case("K3 size nhỏ", "order", "K3/NHỎ/-/1"),
    case("B5 28", "order", "B5/28/-/1"),
    case("B5 28 3", "order", "B5/28/-/3"),
    case("B5 3 28", "order", "B5/28/-/3"),
    case("B5 size 32", "order", "B5/32/-/1"),
    case("B5 sz32", "order", "B5/32/-/1"),
    case("B5 size32 2", "order", "B5/32/-/2"),
    case("G07 size38", "order", "G07/38/-/1"),
    case("g07 sz 40 x2", "order", "G07/40/-/2"),
    case("B5 size 27", "review", why="B5 has no size 27"),
    case("B5 27", "review", why="quantity 27 is over the maximum 20"),
    case("B5 29 30", "review", "B5/29/-/30"),
    case("A1 size 38", "review", why="A1 has no size 38"),
    case("A1 xxl", "review", "A1/XXL/-/1", why="A1 has no size XXL"),
    case("D9 free", "order", "D9/Free/-/1"),
    case("m lấy a1", "order", "A1/-/-/1"),
    case("s lấy a1", "order", "A1/-/-/1"),
    case("size M a1", "order", "A1/M/-/1"),
    case("xl A1", "order", "A1/XL/-/1"),
    case("A1 M L", "review", "A1/M/-/1", why="two sizes for one line"),
    case("A1 size M size L", "review", why="two sizes for one line"),
    case("A1 M size L", "review", why="two sizes for one line"),
    case("A1 size", "review", "A1/-/-/1", why='left-over words: "size"'),
    case("A1 size đẹp", "review", why="A1 has no size ĐẸP"),
]


@pytest.mark.parametrize(PARAMS, SIZES)
def test_a_size_is_spelled_as_the_item_spells_it_and_must_be_one_of_its_sizes(comment, kind, lines, phone, add,
                                                                              warns, why, check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Rule 5: colors
# ---------------------------------------------------------------------------------------------------------------

COLORS = [
    case("A1 đen", "order", "A1/-/Đen/1"),
    case("A1 ĐEN", "order", "A1/-/Đen/1"),
    case("A1 den", "order", "A1/-/Đen/1"),
    case("A1 DEN", "order", "A1/-/Đen/1"),
    case("A1 trắng", "order", "A1/-/Trắng/1"),
    case("A1 trang", "order", "A1/-/Trắng/1"),
    case("A1 màu trắng", "order", "A1/-/Trắng/1"),
    case("A1 trăng", "review", why='left-over words: "trăng"'),
    case("A1 đèn", "review", why='left-over words: "đèn"'),
    case("SP12 nau", "order", "SP12/-/Nâu/1"),
    case("SP12 kem", "order", "SP12/-/Kem/1"),
    case("SP12 kèm", "review", why='left-over words: "kèm"'),
    case("SP12 be", "review", "SP12/-/be/1", why="SP12 has no color be"),
    case("D9 be", "order", "D9/-/Be/1"),
    case("D9 bé", "review", why='left-over words: "bé"'),
    case("K3 bạc", "order", "K3/-/bạc/1"),
    case("K3 bac", "order", "K3/-/bạc/1"),
    case("K3 bác", "review", why='left-over words: "bác"'),
    case("K3 đỏ", "order", "K3/-/đỏ/1"),
    case("K3 do", "order", "K3/-/đỏ/1"),
    case("K3 đó", "review", why='left-over words: "đó"'),
    case("K3 vàng", "order", "K3/-/vàng/1"),
    case("K3 vâng", "review", why='left-over words: "vâng"'),
    case("K3 xanh navy", "order", "K3/-/xanh navy/1"),
    case("K3 xanh duong", "order", "K3/-/xanh dương/1"),
    case("D9 xanh lá", "order", "D9/-/Xanh lá/1"),
    case("D9 xanh la M", "order", "D9/M/Xanh lá/1"),
    case("D9 xanh", "review", "D9/-/xanh/1", why="D9 has no color xanh"),
    case("A1 xám", "review", "A1/-/xám/1", why="A1 has no color xám"),
    case("đen A1 M", "order", "A1/M/Đen/1"),
    case("A1 đen trắng", "review", "A1/-/Đen/1", why="two colors for one line"),
    case("SP12 đen nâu", "review", why="two colors for one line"),
    case("K3 hồng 2", "order", "K3/-/hồng/2"),
    case("Q15 tím L", "order", "Q15?/L/tím/1"),
]


@pytest.mark.parametrize(PARAMS, COLORS)
def test_a_color_typed_with_accents_must_match_them_and_one_typed_without_matches_without(
        comment, kind, lines, phone, add, warns, why, check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Rule 6: separators and groups after them
# ---------------------------------------------------------------------------------------------------------------

SEPARATORS = [
    case("A1 M; A2 L", "order", "A1/M/-/1", "A2/L/-/1"),
    case("A1 M & A2 L", "order", "A1/M/-/1", "A2/L/-/1"),
    case("A1 M / A2 L", "order", "A1/M/-/1", "A2/L/-/1"),
    case("A1 S/M", "order", "A1/S/-/1", "A1/M/-/1"),
    case("A1 M\nA2 L 2", "order", "A1/M/-/1", "A2/L/-/2"),
    case("A1 M và A2 L", "order", "A1/M/-/1", "A2/L/-/1"),
    case("A1 M va K3", "order", "A1/M/-/1", "K3/-/-/1"),
    case("A1 M with K3", "order", "A1/M/-/1", "K3/-/-/1"),
    case("A1 M+K3 2", "order", "A1/M/-/1", "K3/-/-/2"),
    case("A1 M + 2", "order", "A1/M/-/2"),
    case("A1 với K3", "order", "A1/-/-/1", "K3/-/-/1"),
    case("A1 M\n2", "order", "A1/M/-/2"),
    case("A1, đen, M, 2", "order", "A1/M/Đen/2"),
    case("A1, size L", "order", "A1/L/-/1"),
    case("A1 L 2, đen", "order", "A1/L/Đen/2"),
    case("A1 M 2, 3", "order", "A1/M/-/2", "A1/-/-/3"),
    case("A1 M và L", "order", "A1/M/-/1", "A1/L/-/1"),
    case("A1 M, L, XL", "order", "A1/M/-/1", "A1/L/-/1", "A1/XL/-/1"),
    case("A1 đen S, trắng S", "order", "A1/S/Đen/1", "A1/S/Trắng/1"),
    case("A1 M đen 2, L", "order", "A1/M/Đen/2", "A1/L/-/1"),
    case("B5 29, 30 2", "order", "B5/29/-/1", "B5/30/-/2"),
    case("G07 37 2\nG07 38 1", "order", "G07/37/-/2", "G07/38/-/1"),
    case("A1 M, L L", "review", why="two sizes for one line"),
    case("A1 M 2 B5 30 1 K3 3", "order", "A1/M/-/2", "B5/30/-/1", "K3/-/-/3"),
]


@pytest.mark.parametrize(PARAMS, SEPARATORS)
def test_a_group_after_a_separator_fills_the_previous_line_or_repeats_its_code(comment, kind, lines, phone, add,
                                                                               warns, why, check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Rule 1: phones
# ---------------------------------------------------------------------------------------------------------------

PHONES = [
    case("0912345678", "contact", phone="0912345678"),
    case("0912 345 678", "contact", phone="0912345678"),
    case("0912.345.678", "contact", phone="0912345678"),
    case("0912-345-678", "contact", phone="0912345678"),
    case("+84 912 345 678", "contact", phone="0912345678"),
    case("+84912345678", "contact", phone="0912345678"),
    case("84912345678", "contact", phone="0912345678"),
    case("sđt 0338 123 456", "contact", phone="0338123456"),
    case("số đt: 0562 123 456 ạ", "contact", phone="0562123456"),
    case("đt 0701234567", "contact", phone="0701234567"),
    case("dt 0771234567", "contact", phone="0771234567"),
    case("phone 0861234567", "contact", phone="0861234567"),
    case("tel: 0961234567", "contact", phone="0961234567"),
    case("sdt0981234567", "contact", phone="0981234567"),
    case("A1 2 0912345678", "order", "A1/-/-/2", phone="0912345678"),
    case("0912345678 A1 M", "order", "A1/M/-/1", phone="0912345678"),
    case("B5 30 0912345678", "order", "B5/30/-/1", phone="0912345678"),
    case("A1 0912345678 0912 345 678", "order", "A1/-/-/1", phone="0912345678"),
    case("0123456789", "none", warns=True),
    case("0212345678", "none", warns=True),
    case("A1 0951234567", "order", "A1/-/-/1", warns=True),
    case("A1 M 2 sdt 0123 456 789", "order", "A1/M/-/2", warns=True),
    case("A1 091234567", "review", why='left-over words: "091234567"'),
    case("A1 01234567890", "review", why="left-over"),
    case("A1 0912345678 0987654321", "review", "A1/-/-/1", phone="0912345678", warns=True,
         why="two phone numbers"),
    case("0912345678 0987654321", "review", phone="0912345678", warns=True, why="two phone numbers"),
    case("hủy đơn 0912345678", "cancel", phone="0912345678"),
    case("ib 0912345678", "question", phone="0912345678"),
    case("lấy cho vợ, sdt 0909 123 456", "contact", phone="0909123456"),
    # A code's digits that run on into a quantity and a price are not a phone (0121000000 swallowed A1 before).
    case("a-01 2 1.000.000", "review", "A1/-/-/2", why='left-over words: "1.000.000"'),
    case("G07 2 1.000.000đ", "review", "G07/-/-/2", why="left-over"),
    case("A1-0912345678", "order", "A1/-/-/1", phone="0912345678"),
    case("sdt-0981234567", "contact", phone="0981234567"),
]


@pytest.mark.parametrize(PARAMS, PHONES)
def test_a_phone_is_taken_out_first_and_only_a_mobile_number_counts(comment, kind, lines, phone, add, warns, why,
                                                                   check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Rule 7: fillers, teen code, emoji, left-over words
# ---------------------------------------------------------------------------------------------------------------

FILLERS = [
    case("sốp ơi e lấy A1 nhé", "order", "A1/-/-/1"),
    case("sop oi e lay a1 nhe", "order", "A1/-/-/1"),
    case("mik chốt A1 nha", "order", "A1/-/-/1"),
    case("mk lay a1 m nhá", "order", "A1/M/-/1"),
    case("c ơi cho e A1 M với", "order", "A1/M/-/1"),
    case("chị ơi A1 M vs ạ", "order", "A1/M/-/1"),
    case("anh lấy A1 luôn", "order", "A1/-/-/1"),
    case("tớ lấy A1 giúp nhé", "order", "A1/-/-/1"),
    case("t lấy A1 giùm", "order", "A1/-/-/1"),
    case("lấy dùm A1 please", "order", "A1/-/-/1"),
    case("A1 pls", "order", "A1/-/-/1"),
    case("ok A1", "order", "A1/-/-/1"),
    case("oke A1 M", "order", "A1/M/-/1"),
    case("okie chốt A1", "order", "A1/-/-/1"),
    case("A1 nè", "order", "A1/-/-/1"),
    case("A1 ha", "order", "A1/-/-/1"),
    case("mã A1", "order", "A1/-/-/1"),
    case("mẫu A1 màu đen", "order", "A1/-/Đen/1"),
    case("sp A1", "order", "A1/-/-/1"),
    case("đơn A1 M", "order", "A1/M/-/1"),
    case("A1 😍😍", "order", "A1/-/-/1"),
    case("😍A1😍M😍2😍", "order", "A1/M/-/2"),
    case("❤️ A1 ❤️", "order", "A1/-/-/1"),
    case("A1!!! M...", "order", "A1/M/-/1"),
    case("(A1) [M]", "order", "A1/M/-/1"),
    case("#A1 @M", "order", "A1/M/-/1"),
    case("A1 đẹp", "review", "A1/-/-/1", why='left-over words: "đẹp"'),
    case("A1 nhaaa", "review", why='left-over words: "nhaaa"'),
    case("A1 cho vợ", "review", why='left-over words: "vợ"'),
    case("A1 谢谢", "review", why="left-over"),
    case("e gõ nhầm, A1 M", "review", why='left-over words: "gõ nhầm"'),
    case("hông lấy A1", "review", why='left-over words: "hông"'),
    case("bo gio K3", "review", why="left-over"),
    case("A1 x", "review", why='left-over words: "x"'),
    case("A1 sl", "review", why='left-over words: "sl"'),
]


@pytest.mark.parametrize(PARAMS, FILLERS)
def test_fillers_are_ignored_and_any_other_word_makes_a_coded_comment_review(comment, kind, lines, phone, add,
                                                                             warns, why, check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Normalisation: Unicode forms, invisible characters, white space
# ---------------------------------------------------------------------------------------------------------------

NORMALISATION = [
    case("Ａ１　Ｍ　２", "order", "A1/M/-/2"),
    case("A1 M ２", "order", "A1/M/-/2"),
    case("A1 x２", "order", "A1/-/-/2"),
    case("０９１２３４５６７８", "contact", phone="0912345678"),
    case("A\u200b1 M", "order", "A1/M/-/1"),
    case("A1\u200b M\u200d 2\ufeff", "order", "A1/M/-/2"),
    case("\u2060chốt\u00ad A1", "order", "A1/-/-/1"),
    case("A1\u00a0M\u00a02", "order", "A1/M/-/2"),
    case("A1\tM\t2", "order", "A1/M/-/2"),
    case("A1   M    2", "order", "A1/M/-/2"),
    case("A1 M\r\nA2 L", "order", "A1/M/-/1", "A2/L/-/1"),
    case("A1 M\u2028A2 L", "order", "A1/M/-/1", "A2/L/-/1"),
    case("A1 M\x00\x01\x07 2", "order", "A1/M/-/2"),
    case("CHỐT A1 SIZE M", "order", "A1/M/-/1"),
    case("cho\u0302\u0301t A1", "order", "A1/-/-/1"),  # decomposed accents compose under NFKC
    case("A1 tra\u0306\u0301ng", "order", "A1/-/Trắng/1"),
    case("A1 ℳ", "order", "A1/M/-/1"),
    case("Chot a1 trang l x2", "order", "A1/L/Trắng/2"),
]


@pytest.mark.parametrize(PARAMS, NORMALISATION)
def test_text_is_normalised_before_it_is_read(comment, kind, lines, phone, add, warns, why, check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


# ---------------------------------------------------------------------------------------------------------------
# Kinds, in the order SYNTAX.md decides them
# ---------------------------------------------------------------------------------------------------------------

KINDS = [
    case("hủy A1", "cancel", "A1/-/-/1"),
    case("huỷ A1 M", "cancel", "A1/M/-/1"),
    case("huy A1", "cancel", "A1/-/-/1"),
    case("cancel A1, K3", "cancel", "A1/-/-/1", "K3/-/-/1"),
    case("pass A1", "cancel", "A1/-/-/1"),
    case("ko lấy A2 nữa", "cancel", "A2/-/-/1"),
    case("k lay a2", "cancel", "A2/-/-/1"),
    case("không lấy nữa", "cancel"),
    case("bỏ A1 nhé", "cancel", "A1/-/-/1"),
    case("hủyA1", "cancel", "A1/-/-/1"),
    case("hủy đơn giúp em", "cancel"),
    case("huy don", "cancel"),
    case("bỏ vào giỏ A1", "order", "A1/-/-/1"),
    case("bỏ vô giỏ K3 2", "order", "K3/-/-/2"),
    case("bo K3", "review", why='left-over words: "bo"'),
    case("A1 hủy", "review", why="cancel word after a code"),
    case("K3 2 bỏ", "review", why="cancel word after a code"),
    case("A1 M 2, hủy K3", "review", why="cancel word after a code"),
    case("hủy A1 chốt A2", "review", why="cancel word together with an order word"),
    case("hủy A1 thêm A2", "review", add=True, why="cancel word together with an order word"),
    case("hủy A1 còn không", "cancel", "A1/-/-/1"),
    case("A1?", "question"),
    case("A1 M 2?", "question"),
    case("A1 bn", "question"),
    case("A1 bao nhieu", "question"),
    case("A1 gia", "question"),
    case("A1 con k", "question"),
    case("A1 còn ko shop", "question"),
    case("A1 còn hông", "question"),
    case("A1 còn hàng", "question"),
    case("A1 có không", "question"),
    case("A1 còn màu đen ko", "question"),
    case("A1 còn size M không", "question"),
    case("A1 có size L không", "question"),
    case("còn A1 không", "question"),
    case("A1 M còn, A2 không", "review", why='left-over words: "còn không"'),
    case("A1 M, còn A2 L nữa", "review", why='left-over words: "còn"'),
    case("A1 sao", "question"),
    case("mẫu nào đẹp", "question"),
    case("A1 ntn", "question"),
    case("inbox em", "question"),
    case("tư vấn A1", "question"),
    case("tu van giup e", "question"),
    case("???", "question"),
    case("chốt A1?", "review", "A1/-/-/1", why="question word together with an order word"),
    case("lấy A1 giá bn", "review", why="question word together with an order word"),
    case("thêm A1 còn không", "review", "A1/-/-/1", add=True, why="question word"),
    case("thêm A1", "order", "A1/-/-/1", add=True),
    case("them a1 2", "order", "A1/-/-/2", add=True),
    case("thêm K3 2, A1 M", "order", "K3/-/-/2", "A1/M/-/1", add=True),
    case("thêmA1", "order", "A1/-/-/1", add=True),
    case("thêm", "none"),
    case("chốt", "none"),
    case("chốt size M 2", "none"),
    case("đẹp quá", "none"),
    case("shop ơi", "none"),
    case("😍😍😍", "none"),
    case("...", "none"),
    case("", "none"),
    case("   \n\t ", "none"),
]


@pytest.mark.parametrize(PARAMS, KINDS)
def test_the_kind_is_decided_cancel_first_then_question_then_codes_then_phone(comment, kind, lines, phone, add,
                                                                              warns, why, check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


ALL_CASES = CODES + QUANTITIES + SIZES + COLORS + SEPARATORS + PHONES + FILLERS + NORMALISATION + KINDS


def test_the_table_holds_well_over_150_distinct_comments():
    comments = [param.values[0] for param in ALL_CASES]
    assert len(comments) == len(set(comments)), "each comment once"
    assert len(comments) >= 150


# ---------------------------------------------------------------------------------------------------------------
# The output contract
# ---------------------------------------------------------------------------------------------------------------

def test_to_json_is_exactly_the_output_contract_with_nulls_for_absent_values():
    output = parse("sp12 kem 1 0912345678", ITEMS).to_json()
    assert output == {"kind": "order", "add": False, "phone": "0912345678",
                      "lines": [{"code": "SP12", "known": True, "qty": 1, "size": None, "color": "Kem"}],
                      "warnings": []}
    assert json.dumps(output, ensure_ascii=False).count("null") == 1


def test_to_json_has_no_reasons_and_empty_lines_for_kinds_without_lines():
    for comment in ("A1?", "0912345678", "đẹp quá"):
        output = parse(comment, ITEMS).to_json()
        assert output["lines"] == [] and "reasons" not in output


def test_the_same_comment_gives_an_equal_result_whatever_the_container_of_items():
    assert parse("A1 M 2", list(ITEMS)) == parse("A1 M 2", ITEMS) == parse("A1 M 2", iter(ITEMS))


def test_no_items_means_every_code_is_unknown():
    result = parse("A1 M 2", ())
    assert result.kind == "order" and result.lines == (ParsedLine("A1", False, 2, "M", None),)


def test_an_item_spelled_with_lower_case_keeps_its_own_spelling():
    result = parse("SP-01 2", [CatalogItem("sp1", sizes=["S"], colors=["Đỏ đô"])])
    assert result.lines == (ParsedLine("sp1", True, 2),)
    assert parse("sp1 đỏ đô", [CatalogItem("sp1", colors=["Đỏ đô"])]).lines[0].color == "Đỏ đô"


def test_a_result_is_immutable_and_hashable():
    result = parse("A1 M 2", ITEMS)
    with pytest.raises(AttributeError):
        result.kind = "none"  # type: ignore[misc]
    assert hash(result) == hash(parse("A1 M 2", ITEMS))
    assert isinstance(result, ParseResult)


def test_the_parser_module_never_imports_streamlit():
    import subprocess
    import sys

    code = "import sys, core.domain.syntax; sys.exit(1 if 'streamlit' in sys.modules else 0)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


def test_parsing_from_several_threads_at_once_gives_the_same_results():
    from concurrent.futures import ThreadPoolExecutor

    comments = [param.values[0] for param in ALL_CASES] * 5
    expected = [parse(comment, ITEMS) for comment in comments]
    catalogs = [ITEMS, list(ITEMS), ITEMS[:3]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda pair: parse(pair[1], catalogs[pair[0] % 2]), enumerate(comments)))
        list(pool.map(lambda comment: parse(comment, catalogs[2]), comments))
    assert results == expected


def test_a_comment_that_is_not_text_is_read_as_its_text():
    assert parse(None, ITEMS).kind == "none"  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------------
# normalize_code
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, key", [
    ("A1", "a1"), ("a-01", "a1"), ("SP.012", "sp12"), ("G07", "g7"), ("A00", "a0"), ("Á1", "a1"),
    ("Ａ１", "a1"), (" k3 ", "k3"), ("B100", "b100"),
])
def test_normalize_code_gives_the_key_codes_are_compared_on(code, key):
    assert normalize_code(code) == key


# ---------------------------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------------------------

def test_default_settings_are_those_of_the_syntax_page():
    settings = SyntaxSettings()
    assert settings.code_pattern == "[a-z]{1,3}[0-9]{1,4}" and settings.max_qty == 20
    assert settings.order_words == ("chốt", "lấy", "mua", "đặt", "order", "sold", "giữ")
    assert settings.add_words == ("thêm",)
    assert "bỏ" in settings.cancel_words and "không lấy" in settings.cancel_words
    assert "?" in settings.question_words and "tư vấn" in settings.question_words
    assert settings.repeat_policy == "once"
    settings.validate()


def test_settings_round_trip_through_a_json_ready_dict():
    settings = SyntaxSettings(max_qty=5, order_words=("chốt", "lấy"), repeat_policy="add")
    data = settings.to_dict()
    assert json.loads(json.dumps(data)) == data and isinstance(data["order_words"], list)
    assert SyntaxSettings.from_dict(data) == settings
    assert SyntaxSettings.from_dict(None) == SyntaxSettings.from_dict({}) == SyntaxSettings()


def test_from_dict_takes_lists_and_keeps_defaults_for_missing_keys():
    settings = SyntaxSettings.from_dict({"order_words": ["chốt"], "max_qty": 3})
    assert settings.order_words == ("chốt",) and settings.max_qty == 3
    assert settings.cancel_words == SyntaxSettings().cancel_words
    hash(settings)


def test_from_dict_refuses_an_unknown_key_naming_it():
    with pytest.raises(ValueError, match="max_quantity"):
        SyntaxSettings.from_dict({"max_quantity": 3})


@pytest.mark.parametrize("values, message", [
    ({"code_pattern": "[a-z"}, "not a valid regular expression"),
    ({"code_pattern": "(a+)+"}, "could make the parser hang"),
    ({"code_pattern": "([a-z]*[0-9]*)*"}, "could make the parser hang"),
    ({"code_pattern": "(a|ab)+[0-9]"}, "could make the parser hang"),
    ({"code_pattern": "(a)\\1"}, "could make the parser hang"),
    ({"code_pattern": "(?:a?){20}a{20}"}, "could make the parser hang"),
    ({"code_pattern": "[a-z]*"}, "empty"),
    ({"code_pattern": "a|"}, "empty"),
    ({"code_pattern": ""}, "non-empty"),
    ({"max_qty": 0}, "at least 1"),
    ({"max_qty": "20"}, "whole number"),
    ({"repeat_policy": "twice"}, "once"),
    ({"order_words": "chốt"}, "list of words"),
    ({"order_words": ["chốt", ""]}, "no letters"),
    ({"order_words": ["a, b"]}, "separator"),
    ({"order_words": ["chốt", "hủy"]}, "both"),
])
def test_settings_that_cannot_be_used_are_refused_with_a_clear_message(values, message):
    with pytest.raises(InvalidSettings, match=message):
        SyntaxSettings.from_dict(values)


def test_validate_is_callable_on_a_hand_built_settings_object_and_parse_refuses_it():
    settings = SyntaxSettings(max_qty=0)
    with pytest.raises(InvalidSettings):
        settings.validate()
    with pytest.raises(InvalidSettings):
        parse("A1", ITEMS, settings)


def test_max_qty_is_the_limit_of_a_quantity():
    settings = SyntaxSettings(max_qty=50)
    assert parse("K3 50", ITEMS, settings).kind == "order"
    assert parse("K3 51", ITEMS, settings).kind == "review"
    assert parse("K3 3", ITEMS, SyntaxSettings(max_qty=2)).kind == "review"


def test_custom_words_replace_the_defaults():
    settings = SyntaxSettings(order_words=("gom",), cancel_words=("thôi",), question_words=("hỏi",),
                              add_words=("cộng",))
    assert parse("gom A1", ITEMS, settings).kind == "order"
    assert parse("chốt A1", ITEMS, settings).kind == "review"  # chốt is no longer a word it knows
    assert parse("thoi A1", ITEMS, settings).kind == "cancel"
    assert parse("hủy A1", ITEMS, settings).kind == "review"
    assert parse("A1 hỏi", ITEMS, settings).kind == "question"
    assert parse("A1?", ITEMS, settings).kind == "order"  # without "?" among the words it is punctuation
    result = parse("cong A1", ITEMS, settings)
    assert result.kind == "order" and result.add


def test_a_custom_code_pattern_reads_other_code_shapes():
    settings = SyntaxSettings(code_pattern=r"[a-z]{2}[0-9]{3}")
    items = [CatalogItem("AO123", sizes=("M",))]
    assert parse("ao123 m", items, settings).lines == (ParsedLine("AO123", True, 1, "M"),)
    assert parse("xy999 2", items, settings).lines == (ParsedLine("XY999", False, 2),)
    assert parse("A1 2", items, settings).kind == "none"


def test_a_known_code_is_read_even_when_it_does_not_fit_the_pattern():
    items = [CatalogItem("AB12345")]
    assert parse("ab12345 2", items).lines == (ParsedLine("AB12345", True, 2),)


# ---------------------------------------------------------------------------------------------------------------
# read_catalog_csv
# ---------------------------------------------------------------------------------------------------------------

CATALOG_CSV = """code,name,price,stock,sizes,colors,sku
A1,Áo thun basic,150000,20,S|M|L|XL,Đen|Trắng,AT-1
K3,Kẹp tóc,30000,,,,PK-3
"""


def test_read_catalog_csv_reads_options_and_empty_stock_and_ignores_extra_columns(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("\ufeff" + CATALOG_CSV, encoding="utf-8")
    items = read_catalog_csv(path)
    assert items == [
        CatalogItem("A1", "Áo thun basic", 150000, 20, ("S", "M", "L", "XL"), ("Đen", "Trắng")),
        CatalogItem("K3", "Kẹp tóc", 30000, None),
    ]
    assert read_catalog_csv(str(path)) == items
    assert read_catalog_csv(io.StringIO(CATALOG_CSV)) == items
    assert read_catalog_csv(io.BytesIO(CATALOG_CSV.encode("utf-8"))) == items


@pytest.mark.parametrize("text, message", [
    ("code,name,price\nA1,Áo,abc\n", "line 2: price 'abc'"),
    ("code,name,price,stock\nA1,Áo,1,\nK3,Kẹp,1,-2\n", "line 3: stock"),
    ("code,name\nA1,Áo\n,Kẹp\n", "line 3: the code is empty"),
    ("code,name\nA1,Áo\na-01,Áo 2\n", "line 3: the code a-01 is already on line 2"),
    ("name,price\nÁo,1\n", "line 1"),
    ("code,name\nA1,Áo,extra\n", "line 2"),
    ("", "line 1"),
])
def test_read_catalog_csv_names_the_line_of_a_bad_row(text, message):
    with pytest.raises(ValueError, match=message):
        read_catalog_csv(io.StringIO(text))


# ---------------------------------------------------------------------------------------------------------------
# parse_cli
# ---------------------------------------------------------------------------------------------------------------

def test_parse_cli_writes_one_json_line_per_comment_in_order():
    out = io.StringIO()
    status = parse_cli(io.StringIO("A1 M 2\n\nhủy K3\n0912 345 678"), out, list(ITEMS), SyntaxSettings(), False)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert status == 0
    assert [line["kind"] for line in lines] == ["order", "none", "cancel", "contact"]
    assert lines[0]["lines"] == [{"code": "A1", "known": True, "qty": 2, "size": "M", "color": None}]


def test_parse_cli_jsonl_keeps_new_lines_inside_a_comment_and_reports_bad_lines_in_place():
    source = "\n".join([
        json.dumps({"text": "A1 M\nA2 L"}, ensure_ascii=False),
        "not json",
        json.dumps({"message": "A1"}),
        json.dumps(["A1"]),
        json.dumps({"text": "chốt K3 2", "id": 7}, ensure_ascii=False),
    ]) + "\n"
    out = io.StringIO()
    status = parse_cli(io.StringIO(source), out, list(ITEMS), SyntaxSettings(), True)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert status == 1
    assert len(lines) == 5
    assert [line.get("kind") for line in lines] == ["order", None, None, None, "order"]
    assert len(lines[0]["lines"]) == 2
    assert all("error" in line for line in lines[1:4])


def test_parse_cli_writes_vietnamese_as_is_not_escaped():
    out = io.StringIO()
    parse_cli(io.StringIO("A1 đen\n"), out, list(ITEMS), SyntaxSettings(), False)
    assert '"Đen"' in out.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Traps (revision 2 of SYNTAX.md): readings that looked like orders but were not what the customer meant
# ---------------------------------------------------------------------------------------------------------------

TRAP_PHONES = [
    case("chốt A1 M 0905 - 111 - 222", "order", "A1/M/-/1", phone="0905111222"),
    case("A1 0905 – 111 – 222", "order", "A1/-/-/1", phone="0905111222"),  # en dashes
    case("A1 0905 — 111 — 222", "order", "A1/-/-/1", phone="0905111222"),  # em dashes
    case("A1 0905 . 111 . 222", "order", "A1/-/-/1", phone="0905111222"),
    case("A1 M 2 0905 -111- 222", "order", "A1/M/-/2", phone="0905111222"),
    case("K3 2 sđt 0912 - 345 - 678", "order", "K3/-/-/2", phone="0912345678"),
    case("0905 – 111 – 222", "contact", phone="0905111222"),
    case("+84 905 - 111 - 222", "contact", phone="0905111222"),
    case("sdt e 0987 . 654 . 321 nha", "contact", phone="0987654321"),
]

TRAP_SIZE_QUESTIONS = [
    case("K3 size gì shop", "question"),
    case("A1 size gi", "question"),
    case("A1 sz j", "question"),
    case("a1 sai mấy ạ", "question"),
    case("A1 size may", "question"),
    case("A1 size nào", "question"),
    case("A1 size bao nhieu", "question"),
    case("A1 size bn", "question"),
    case("A1 size?", "question"),
    case("size gì vậy shop", "question"),
    case("chốt A1 size gì", "review", why="question word together with an order word"),
    case("A1 size M", "order", "A1/M/-/1"),  # a size value is still a size
    case("B5 sz 30", "order", "B5/30/-/1"),
]

TRAP_AMOUNTS = [
    case("A1 M 20/11", "review", "A1/M/-/1", why='left-over words: "20/11"'),
    case("A1 20-11", "review", "A1/-/-/1", why='left-over words: "20-11"'),
    case("A1 M 20/11/2026", "review", "A1/M/-/1", why="20/11/2026"),
    case("20/11 A1 M", "review", "A1/M/-/1", why="20/11"),
    case("a1 m 1/2", "review", "A1/M/-/1", why="1/2"),
    case("K3 2 8h", "review", "K3/-/-/2", why='"8h"'),
    case("K3 20h30", "review", "K3/-/-/1", why="20h30"),
    case("K3 8:30", "review", "K3/-/-/1", why="8:30"),
    case("K3 2 20:15", "review", "K3/-/-/2", why="20:15"),
    case("A1 1tr2", "review", "A1/-/-/1", why="1tr2"),
    case("A1 150.000", "review", "A1/-/-/1", why="150.000"),
    case("A1 150.000đ", "review", "A1/-/-/1", why="150.000đ"),
    case("A1 1.500.000 vnd", "review", "A1/-/-/1", why="1.500.000"),
    # Not a date (month 31): the / still separates, and B5's sizes read as sizes.
    case("B5 30/31", "order", "B5/30/-/1", "B5/31/-/1"),
    case("A1 M 2/K3 1", "order", "A1/M/-/2", "K3/-/-/1"),
]

TRAP_SPACED_CODES = [
    case("SP 12 đen", "review", why="SP 12 could be SP12"),
    case("lấy SP 12", "review", why="SP12"),
    case("sp 012 nâu nha", "review", why="SP12"),
    case("A 1", "review", why="A 1 could be A1"),
    case("K 3 2", "review", why="K3"),
    case("D 9 hồng", "review", why="D9"),
    case("bỏ SP 12", "review", why="SP12"),  # never a cancel of the whole draft
    case("hủy sp 12", "review", why="SP12"),
    case("SP 12 còn không", "review", why="SP12"),
    case("SP 12 0912345678", "review", phone="0912345678", why="SP12"),  # not a contact either
    case("em lay a 1 size m", "review", why="A1"),
    case("P 99", "none"),  # spells no code of this livestream
]

TRAP_SEGMENTS = [
    case("12 cái, A2 L", "review", "A2/L/-/1", why="quantity 12"),
    case("2, K3", "review", "K3/-/-/1", why="quantity 2"),
    case("x2, A1 M", "review", "A1/M/-/1"),
    case("sl 2\nA1", "review", "A1/-/-/1"),
    case("hai cái; K3", "review", "K3/-/-/1"),
    case("lấy 2 K3", "order", "K3/-/-/2"),        # within its own segment it still binds
    case("2 cái A2 XL", "order", "A2/XL/-/2"),
    case("A1, 2 cái", "order", "A1/-/-/2"),       # after a code it fills the line before (rule 6)
]

TRAP_WRITTEN_DOWN = [
    case("bỏ vô giỏ K3 2", "order", "K3/-/-/2"),
    case("bo vo gio K3 2", "review", "K3/-/-/2", why="bo vo gio"),
    case("D9x2", "order", "D9/-/-/2"),
    case("chốtD9", "order", "D9/-/-/1"),
    case("hủyD9", "cancel", "D9/-/-/1"),
    case("A1 sizem", "order", "A1/M/-/1"),
    case("A1 szxl", "order", "A1/XL/-/1"),
]


@pytest.mark.parametrize(PARAMS, TRAP_PHONES + TRAP_SIZE_QUESTIONS + TRAP_AMOUNTS + TRAP_SPACED_CODES
                         + TRAP_SEGMENTS + TRAP_WRITTEN_DOWN)
def test_the_traps_of_revision_2_read_as_syntax_md_says(comment, kind, lines, phone, add, warns, why,
                                                        check_lines):
    check(comment, kind, lines, phone, add, warns, why, check_lines)


@pytest.mark.parametrize("comment, name, kind", [
    ("Huy D1 M", "Lê Huy", "review"),
    ("Huy D1 M", "Lan", "cancel"),
    ("Huy D1 M", None, "cancel"),
    ("huy A1", "Huy Nguyễn", "review"),
    ("HUY A1", "lê huy", "review"),
    ("huy a1", "LÊ HUY", "review"),
    ("anh Huy đây", "Huy", "review"),  # not a cancel of the whole draft
    ("huyA1", "Huy", "review"),
    ("Huy lấy A1 M", "Huy", "review"),
    ("hủy A1", "Lê Huy", "cancel"),    # typed with its accents: a cancel whoever types it
    ("huỷ A1", "Huy", "cancel"),
    ("huy a1", "Huyền", "cancel"),     # "huyen" is not "huy"
    ("pass A1", "Pass", "cancel"),     # a cancel word without accents cannot be typed without them
    ("bỏ A1", "Bo", "cancel"),
])
def test_a_cancel_word_typed_bare_that_is_the_commenters_name_is_review(comment, name, kind):
    result = parse(comment, ITEMS, commenter_name=name)
    assert result.kind == kind, result.reasons
    if kind == "review" and name and "huy" in name.lower():
        assert any("name" in reason for reason in result.reasons), result.reasons


def test_the_name_reading_does_not_leak_through_the_cache():
    assert parse("huy K3", ITEMS).kind == "cancel"
    assert parse("huy K3", ITEMS, commenter_name="Huy").kind == "review"
    assert parse("huy K3", ITEMS).kind == "cancel"
    assert parse("huy K3", ITEMS, commenter_name="Lan").kind == "cancel"
    assert parse("huy K3", ITEMS).name_sensitive == ("huy",)
    assert parse("hủy K3", ITEMS).name_sensitive == ()


def test_the_name_reason_reads_in_both_languages():
    reason = parse("huy K3", ITEMS, commenter_name="Lê Huy").reasons[0]
    assert reason.render("vi") == '"huy" có trong tên người bình luận: là tên, hay là hủy?'
    assert reason.render("en") == '"huy" is in the commenter\'s name: a name, or a cancel?'
    spaced = parse("SP 12 đen", ITEMS).reasons[0]
    assert (spaced.render("en"), spaced.render("vi")) == ("SP 12 could be SP12", "SP 12 có thể là mã SP12")


def test_a_spaced_code_offers_its_joined_reading_as_typed():
    assert parse("SP 12 đen nha", ITEMS).suggestion == "SP12 đen nha"
    assert parse("lấy Sp 012\nK 3 x2", ITEMS).suggestion == "lấy SP12\nK3 x2"
    assert parse("SP12 đen", ITEMS).suggestion is None
    assert parse("P 99", ITEMS).suggestion is None


def test_parse_cli_jsonl_reads_the_commenters_name():
    source = "\n".join(json.dumps(record, ensure_ascii=False) for record in [
        {"text": "Huy D1 M", "name": "Lê Huy"}, {"text": "Huy D1 M", "name": "Lan"}, {"text": "Huy D1 M"},
        {"text": "Huy D1 M", "name": 7},
    ]) + "\n"
    out = io.StringIO()
    assert parse_cli(io.StringIO(source), out, list(ITEMS), SyntaxSettings(), True) == 0
    assert [json.loads(line)["kind"] for line in out.getvalue().splitlines()] == ["review", "cancel", "cancel",
                                                                                 "cancel"]
