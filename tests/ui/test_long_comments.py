"""Issue 13, item 4 on the Livestream screen: a long comment costs the page what it shows, the rest on demand."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.integrations.comment_files import MESSAGE_LIMIT
from core.services.comments import SHOWN_CHARS
from tests.ui.helpers import demo_shop, screen_text, shown, sign_in

ROOT = Path(__file__).resolve().parents[2]


def test_a_one_megabyte_comment_sends_only_what_the_stream_shows(tmp_path, monkeypatch):
    long_text = "A1 M 1 " + "ngàyđẹp" * 150_000  # a million characters
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", long_text), ("Trần Mai", "K3 2")):
        at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
        assert not at.exception, at.exception
        sent = screen_text(at)
        assert len(sent) < 60_000, len(sent)  # the whole page, with a 1 MB comment in it
        assert shown(next(m.value for m in at.markdown if "ngàyđẹp" in m.value)) == long_text[:SHOWN_CHARS]
        cut = [c.value for c in at.caption if "Cut when stored" in c.value]
        assert cut and "1,050,007 characters" in cut[0] and "8,000 are kept" in cut[0], cut
        more = next(b for b in at.button if b.label.startswith("Show the rest"))
        assert more.label == f"Show the rest ({MESSAGE_LIMIT - SHOWN_CHARS:,} more characters)"
        more.click().run()
        assert not at.exception, at.exception
        pieces = [shown(m.value) for m in at.markdown if "ngàyđẹp" in m.value]
        assert "".join(pieces) == long_text[:MESSAGE_LIMIT]
        assert any(b.label == "Show less" for b in at.button)
