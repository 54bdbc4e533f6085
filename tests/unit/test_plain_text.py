"""ui.text.plain: customer text as Streamlit's Markdown sees it, once its escapes are read, has nothing left that
makes an icon (:material/warning:, :streamlit:, :smile:), a bare link (http://, www., a@b.vn) or formatting."""

import re

import pytest

from ui.text import WORD_JOINER, plain

HOSTILE = [
    ":material/warning: Lan http://x.vn a@b.vn **bold**",
    ":streamlit: :smile: :+1: :-1: mailto:c@d.vn WWW.shop.vn https://x.vn/a?b=c",
    "<b>html</b> [link](http://x.vn) ![img](http://x.vn/i.png) $x^2$ :red[red] `code` # heading",
    "name:streamlit:",
]


def _as_markdown_reads_it(escaped: str) -> str:
    return re.sub(r"\\(.)", r"\1", escaped)


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_reads_as_typed_and_starts_no_icon_or_link(text):
    read = _as_markdown_reads_it(plain(text))
    assert read.replace(WORD_JOINER, "") == text
    assert not re.search(r":[A-Za-z+\-/]", read), read  # an icon shortcode or a scheme's ://
    assert not re.search(r"@\w", read), read  # an e-mail address
    assert not re.search(r"(?i)www\.", read), read
    assert not re.search(r"(?<!\\)[*_`<>\[\]$#]", plain(text).replace("\\\\", "")), plain(text)  # all escaped


def test_our_own_sentences_and_times_keep_their_colons():
    assert plain("Ship: order L1-001 at 20:03:11") == "Ship\\: order L1\\-001 at 20\\:03\\:11"
