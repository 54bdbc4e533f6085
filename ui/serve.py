"""Starts the app: `python -m ui.serve [streamlit run options]` is `streamlit run app.py` with one fix.

Streamlit treats a `pages/` folder beside the entry script as an old-style multipage app until st.navigation
has run once in the process. If the first request after a start is a page's own URL (a bookmark to /orders),
that page would run without app.py: no sidebar, no layout. Declaring up front that this app navigates with
st.navigation sends every request through app.py.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def main() -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", APP, *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
