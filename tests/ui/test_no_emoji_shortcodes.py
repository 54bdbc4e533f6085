"""AppTest: no Markdown a page sends looks like an emoji shortcode to Streamlit's frontend. A time such as
"20:07:06" does (":07:"); Streamlit then loads its emoji plugin (a 259 kB script) and draws the text again, on every
load of Livestream (a time under each of its 20 names) and on every Edit (the time in the order form's head).
Times go into Markdown through ui.i18n.markdown_time (ui.text.plain: escaped colons, "20\\:07\\:06", read the same and
match nothing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import demo_shop, nodes, order_id_of, sign_in

ROOT = Path(__file__).resolve().parents[2]
# Streamlit 1.67's own test (StreamlitMarkdown's hasEmojiShortcode): its JavaScript \w is ASCII.
EMOJI_SHORTCODE = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:", re.ASCII)
# The elements whose text Streamlit reads as Markdown, by their proto's name.
MARKDOWN_PROTOS = {"Markdown", "Heading", "Alert"}


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("Trần Mai", "Z9 2"),
                   ("Bùi An", "K3 1")) as shop:
        yield shop


def markdown_texts(at) -> list[str]:
    return [node.proto.body for node in nodes(at._tree)
            if type(getattr(node, "proto", None)).__name__ in MARKDOWN_PROTOS]


@pytest.mark.parametrize("page", ["pages/livestream.py", "pages/orders.py", "pages/customers.py"])
def test_no_markdown_on_a_page_with_times_reads_as_an_emoji_shortcode(shop, page):
    store, livestream_id = shop
    an = store.scalar("SELECT id FROM customers WHERE display_name = 'Bùi An'")
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    if page != "pages/livestream.py":
        at.switch_page(page).run()
    # What shows a time once it is opened: the order form (beside the stream, or the list's), a customer's details.
    opened = {"pages/livestream.py": ("live_edit_order", order_id_of(store, livestream_id, "Nguyễn Lan")),
              "pages/orders.py": ("list_edit_order", order_id_of(store, livestream_id, "Trần Mai")),
              "pages/customers.py": ("customer_id", an)}
    name, value = opened[page]
    at.session_state[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = markdown_texts(at)
    with_time = [text for text in texts if re.search(r"\d\d\\?:\d\d", text)]
    assert with_time, f"{page} shows no time: the test would prove nothing"
    assert not [text for text in texts if EMOJI_SHORTCODE.search(text)]
