"""AppTest runs the app as `python -m ui.serve` serves it: through app.py and its st.navigation on every page.

Without this, AppTest sees the pages/ folder and, like a bare `streamlit run`, runs a switched-to page on its own,
skipping app.py's login gate and role check (ui/serve.py explains the same fix for the real server)."""

import pytest
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture(autouse=True)
def pages_through_app_py(monkeypatch):
    original = PagesManager.__init__

    def init_as_served(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_as_served)
