"""The pure rules of answers on Facebook (core.domain.answers): templates checked when saved, what a public reply
may say, and the order message in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.base.errors import InvalidInput
from core.domain import answers as rules
from core.domain.answers import MessageLine, OrderForMessage


def order(**changes) -> OrderForMessage:
    fields = dict(code="L1-007", customer_name="Lan Nguyễn", lines=(
        MessageLine("A1", "Áo thun basic", "M", "Đen", 2, 150_000),
        MessageLine("B5", "Quần jean", "30", None, 1, 320_000, waitlisted=1)), has_phone=False, has_address=False)
    fields.update(changes)
    return OrderForMessage(**fields)


def test_an_unknown_placeholder_is_refused_by_name_in_both_languages():
    with pytest.raises(InvalidInput) as caught:
        rules.check_template("reply", "Cảm ơn {ten} đã đặt {code}", required=True)
    assert "{ten}" in caught.value.text.render("en") and "{ten}" in caught.value.text.render("vi")
    assert "{code}, {name}" in caught.value.text.render("vi")
    assert caught.value.text.render("en") != caught.value.text.render("vi")


@pytest.mark.parametrize("template", ["Hi {name", "Hi {name!r}", "Hi {code:>9}", "Hi {name.upper}", "Hi {0}",
                                      "Hi {}"])
def test_a_placeholder_that_is_not_plain_is_refused(template):
    with pytest.raises(InvalidInput):
        rules.check_template("reply", template, required=True)


def test_an_empty_template_is_refused_only_while_its_answer_is_on():
    assert rules.check_template("reply", "  ", required=False) == ""
    with pytest.raises(InvalidInput, match="before turning it on"):
        rules.check_template("reply", "  ", required=True)


def test_a_message_template_must_say_where_the_order_goes():
    with pytest.raises(InvalidInput, match="order"):
        rules.check_template("message", "Chào {name}, đơn {code}", required=True)
    assert rules.check_template("message", "Chào {name}:\n{order}", required=True) == "Chào {name}:\n{order}"


def test_a_template_too_long_is_refused():
    with pytest.raises(InvalidInput, match="too long"):
        rules.check_template("reply", "x" * 501, required=True)


def test_the_defaults_are_vietnamese_and_pass_their_own_checks():
    settings = rules.AnswerSettings()
    assert settings.reply_template.startswith("Shop đã nhận đơn {code} của {name}")
    assert not (settings.reply_publicly or settings.message_privately or settings.hide_phone_comments)
    for language in ("vi", "en"):
        rules.check_template("reply", rules.default_template("reply", language), required=True)
        rules.check_template("message", rules.default_template("message", language), required=True)


def test_a_public_reply_holds_the_code_and_only_the_letters_of_the_name():
    text = rules.render_reply("Shop đã nhận đơn {code} của {name} ạ", code="L1-007",
                              customer_name="Lan 🌸 0912 345 678 @shop www.x.com #sale", language="vi")
    assert text == "Shop đã nhận đơn L1-007 của Lan shop wwwxcom sale ạ"
    assert rules.render_reply("{name}", code="x", customer_name="0912345678", language="vi") == "chị/anh"
    assert rules.render_reply("{name}", code="x", customer_name="Đặng Thị Ánh", language="vi") == "Đặng Thị Ánh"


def test_a_name_with_braces_is_not_read_as_a_template():
    order_with_braces = order(customer_name="{order} {code}")
    text = rules.render_message("Chào {name}\n{order}", order_with_braces, "vi")
    assert text.startswith("Chào {order} {code}\n• Áo thun basic")


def test_the_order_message_lists_lines_total_and_what_is_missing_in_vietnamese():
    text = rules.render_message(rules.default_template("message", "vi"), order(shipping_fee=30_000), "vi")
    assert "• Áo thun basic (size M, màu Đen) × 2: 150.000 ₫/cái = 300.000 ₫" in text
    assert "• Quần jean (size 30) × 1: 320.000 ₫/cái = 320.000 ₫ (chờ hàng: 1)" in text
    assert "Phí giao hàng: 30.000 ₫" in text
    assert "Tổng tiền: 650.000 ₫" in text
    assert "Shop cần thêm: số điện thoại, địa chỉ nhận hàng" in text


def test_the_order_message_in_english_and_with_nothing_missing():
    text = rules.render_message("Hi {name}, {code}\n{order}\n{total}", order(has_phone=True, has_address=True),
                                "en")
    assert "Total: 620.000 ₫" in text and text.endswith("620.000 ₫")
    assert "Still needed" not in text and "size M, color Đen" in text


def test_a_long_order_message_is_cut_to_messenger_length():
    many = tuple(MessageLine(f"A{i}", "Áo" * 30, None, None, 1, 1000) for i in range(100))
    assert len(rules.render_message("{order}", order(lines=many), "vi")) == rules.MESSAGE_LIMIT


def test_the_window_closes_before_seven_days():
    made = datetime(2026, 11, 20, 13, 0)
    assert rules.within_window(made, made + timedelta(days=6, hours=23))
    assert not rules.within_window(made, made + timedelta(days=7))


@pytest.mark.parametrize("value", [0, 201, "abc", None, True, 2.5])
def test_the_rate_limit_is_a_whole_number_from_1_to_200(value):
    with pytest.raises(InvalidInput):
        rules.check_rate_limit(value)


def test_the_rate_limit_accepts_its_range():
    assert rules.check_rate_limit(1) == 1 and rules.check_rate_limit("200") == 200
