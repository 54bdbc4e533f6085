"""Answer settings per livestream (core.services.answers): saved and read back, checked when saved, the owner's,
the preview in both languages, and the rate limit per page."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.base.errors import AccessDenied, InvalidInput, NotFound
from core.domain.users import SYSTEM_USER, User
from core.services import answers

STAFF = User(id=2, username="lan", display_name="Lan", role="staff")


def test_a_livestream_starts_with_every_answer_off_and_vietnamese_templates(store, livestream_id):
    settings = answers.get_settings(store, livestream_id)
    assert settings == answers.AnswerSettings()
    assert not (settings.reply_publicly or settings.message_privately or settings.hide_phone_comments)
    assert "{code}" in settings.reply_template and settings.language == "vi"


def test_settings_are_saved_per_livestream(store, livestream_id):
    wanted = answers.AnswerSettings(reply_publicly=True, reply_template="Đã nhận {code} ạ", message_privately=True,
                                    message_template="Chào {name}\n{order}", hide_phone_comments=True)
    assert answers.save_settings(store, livestream_id, wanted, by=SYSTEM_USER) == wanted
    assert answers.get_settings(store, livestream_id) == wanted
    other = livestreams_other(store)
    assert answers.get_settings(store, other) == answers.AnswerSettings()


def livestreams_other(store) -> int:
    from core.services import livestreams

    return livestreams.create_livestream(store, "Another live", platform="facebook")


def test_an_unknown_placeholder_is_refused_and_nothing_is_saved(store, livestream_id):
    bad = answers.AnswerSettings(reply_publicly=True, reply_template="Cảm ơn {khach} nhé")
    with pytest.raises(InvalidInput, match=r"\{khach\}"):
        answers.save_settings(store, livestream_id, bad, by=SYSTEM_USER)
    assert answers.get_settings(store, livestream_id) == answers.AnswerSettings()


def test_an_empty_template_is_refused_while_its_answer_is_on(store, livestream_id):
    with pytest.raises(InvalidInput):
        answers.save_settings(store, livestream_id, answers.AnswerSettings(message_privately=True,
                                                                           message_template=""), by=SYSTEM_USER)
    saved = answers.save_settings(store, livestream_id, answers.AnswerSettings(message_template=""), by=SYSTEM_USER)
    assert saved.message_template == ""


def test_only_the_owner_sets_answers(store, livestream_id):
    with pytest.raises(AccessDenied):
        answers.save_settings(store, livestream_id, answers.AnswerSettings(reply_publicly=True), by=STAFF)
    with pytest.raises(AccessDenied):
        answers.set_rate_limit(store, 10, by=STAFF)


def test_an_unknown_livestream_is_not_found(store):
    with pytest.raises(NotFound):
        answers.get_settings(store, 99)
    with pytest.raises(NotFound):
        answers.save_settings(store, 99, answers.AnswerSettings(), by=SYSTEM_USER)


def test_placeholders_of_each_template():
    assert answers.placeholders("reply") == ("code", "name")
    assert "order" in answers.placeholders("message")
    with pytest.raises(InvalidInput):
        answers.placeholders("hide")


def test_the_preview_shows_a_sample_order_in_the_answers_language():
    vietnamese = answers.preview(answers.AnswerSettings())
    assert vietnamese.reply.startswith("Shop đã nhận đơn ") and "Nguyễn Thị Lan" in vietnamese.reply
    assert "Tổng tiền: 548.000 ₫" in vietnamese.message and "địa chỉ nhận hàng" in vietnamese.message
    english = answers.preview(answers.default_settings("en"))
    assert "Total: 548.000 ₫" in english.message and "your delivery address" in english.message
    assert "Thank you Nguyễn Thị Lan" in english.reply
    shown_in_english = answers.preview(answers.AnswerSettings(), language="en")
    assert "Total: 548.000 ₫" in shown_in_english.message


def test_the_preview_refuses_what_saving_refuses():
    with pytest.raises(InvalidInput, match=r"\{order\}"):
        answers.preview(replace(answers.AnswerSettings(), message_template="Chào {name}"))
    with pytest.raises(InvalidInput, match="before turning it on"):
        answers.preview(answers.AnswerSettings(reply_publicly=True, reply_template=""))
    assert answers.preview(answers.AnswerSettings(reply_template="")).reply == ""


def test_the_rate_limit_is_30_a_minute_until_the_owner_sets_it(store):
    assert answers.get_rate_limit(store) == 30
    assert answers.set_rate_limit(store, 12, by=SYSTEM_USER) == 12
    assert answers.get_rate_limit(store) == 12
    with pytest.raises(InvalidInput):
        answers.set_rate_limit(store, 500, by=SYSTEM_USER)
    assert answers.get_rate_limit(store) == 12
