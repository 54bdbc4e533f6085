"""Customer text is shown as text, never as HTML or Markdown: names and comments are written by anyone."""

import re

# Every character Markdown or Streamlit's own directives (:red[...], $math$, :emoji:) give a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def plain(text: object) -> str:
    """Escapes text so that st.markdown shows it literally."""
    if text is None:
        return ""
    value = str(text).replace("\r", " ").replace("\n", " ⏎ ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)
