"""Customer text is shown as text, never as HTML, Markdown, a link or an icon: names and comments are written by
anyone, and a name like `:material/warning: Lan` must not imitate a status mark.

One way for every place Streamlit reads Markdown (st.markdown, st.caption, st.title, alerts, widget labels and
help): `plain(text)`. Escaping alone is not enough in Streamlit 1.67: its icon shortcodes (`:material/warning:`,
`:streamlit:`, emoji `:smile:`) and GFM's bare links (`http://x.vn`, `www.x.vn`, `a@b.vn`) are found in the text
after the backslashes are gone. A word joiner (U+2060: no width, no break, invisible) after a colon or `@` that
runs on into a word, and inside `www.`, leaves nothing for either to match, and the text still reads exactly as typed.

Where Streamlit reads no Markdown (selectbox options, data frames, AgGrid cells, text inputs) text goes as it is.
"""

import re

# Every character Markdown or Streamlit's own directives (:red[...], $math$, :emoji:) give a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
WORD_JOINER = "\u2060"
# What starts an icon shortcode or a bare link once the escapes are read: a colon followed by more of a word
# (`:name:`, `http://`, `mailto:`), an at sign in a word (`a@b.vn`), and `www` before a dot (escaped here as
# `www\.`), and one at the end (the next text may go on from it). A colon before a space ("Ship: order L1-001")
# or between digits (a time, 20:03:11) starts neither and is left as it is.
_LINK_OR_ICON = re.compile(r"(@|(?<!\d\\):|:(?!\d))(?=\S|$)|(?i:(www)(?=\\\.))")


def _joined(match: re.Match) -> str:
    return (match.group(1) or match.group(2)) + WORD_JOINER


def plain(text: object) -> str:
    """Text that st.markdown (and every label, caption and alert) shows literally: no formatting, no HTML, no
    link, no icon. Line breaks show as ⏎ (one customer text stays one line on screen)."""
    if text is None:
        return ""
    value = str(text).replace("\r", " ").replace("\n", " ⏎ ")
    return _LINK_OR_ICON.sub(_joined, _MARKDOWN_SPECIAL.sub(r"\\\1", value))
