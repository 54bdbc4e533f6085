"""AppTest: the Integrations screen lists answers on Facebook like any push, in Vietnamese: the target, what each
answer does, "may have been sent" (which Retry does not offer), and each try."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.domain.users import SYSTEM_USER
from core.services import auth, outbox, sources
from tests.integration import fake_facebook as fb
from tests.integration.answer_fixtures import deliver, fake, fb_comment, feed_facebook, turn_on  # noqa: F401
from tests.integration.push_fixtures import no_integrations  # noqa: F401
from tests.ui.helpers import demo_shop, raw_keys, sign_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def answered(tmp_path, monkeypatch, no_integrations, fake):
    with demo_shop(tmp_path, monkeypatch) as (store, livestream_id):
        auth.set_user_language(store, auth.user_by_username(store, "owner").id, "vi")
        sources.save_source(store, livestream_id, by=SYSTEM_USER, live_video_id=fake.video_id,
                            page_token=fake.token)
        turn_on(store, livestream_id)
        fake.fail_answers(fb.DROP_AFTER_STORE, kind="message")
        feed_facebook(store, livestream_id, fb_comment(1, "Nguyễn Lan", "chốt A1 M 0912345678"))
        deliver(store)
        yield store


def test_answers_on_the_integrations_screen_in_vietnamese(answered):
    store = answered
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page("pages/integrations.py").run()
    assert not at.exception, at.exception
    at.radio(key="pushes_view-vi").set_value("all").run()
    table = at.dataframe[0].value
    rows = dict(zip(table["Nội dung"], table["Trạng thái"], strict=True))
    assert rows == {"trả lời dưới bình luận": "✅ đã nhận", "tin nhắn riêng (Messenger)": "❓ có thể đã gửi",
                    "ẩn bình luận": "✅ đã nhận"}
    assert set(table["Hệ thống"]) == {"Facebook"}
    problem = table["Sự cố"][list(table["Nội dung"]).index("tin nhắn riêng (Messenger)")]
    assert "không gửi lại" in problem and "Messenger" in problem
    assert not [w for w in at.multiselect if w.key == "pushes_to_retry"]  # nothing to retry: sent or in doubt
    message = next(r for r in outbox.list_pushes(store) if r["action"] == "message")
    at.selectbox(key="push_details").set_value(message["id"]).run()
    tries = at.dataframe[1].value
    assert tries["Yêu cầu"].tolist() == ["POST message 1234567890123_1"]
    assert "có thể đã gửi" in tries["Kết quả"].tolist()[-1]
    assert not raw_keys(at), sorted(raw_keys(at))
