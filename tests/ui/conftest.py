"""AppTest runs the app as `python -m ui.serve` serves it: through app.py and its st.navigation on every page.

Without this, AppTest sees the pages/ folder and, like a bare `streamlit run`, runs a switched-to page on its own,
skipping app.py's login gate and role check (ui/serve.py explains the same fix for the real server).

And a selectbox's format_func, when AppTest calls it outside a run, speaks the language of the app being driven."""

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

import ui.i18n
from core.base import i18n
from tests.ui import helpers


@pytest.fixture(autouse=True)
def pages_through_app_py(monkeypatch):
    original = PagesManager.__init__

    def init_as_served(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_as_served)


@pytest.fixture(autouse=True)
def format_funcs_in_the_apps_language(monkeypatch):
    """AppTest re-formats a selectbox's current value with the page's format_func in the test's own thread, outside
    the app's session, before each run (the browser instead sends the label it shows). There ui.i18n.language()
    cannot see the session and says English, so a value shown in Vietnamese would not be found among the options.
    Outside a script run, the language is read from the session of the AppTest being driven (helpers.drive, done
    by helpers.sign_in); with none, ui.i18n.language() answers as it would."""
    original = ui.i18n.language

    def language() -> str:
        driven = helpers.DRIVEN
        if get_script_run_ctx(suppress_warning=True) is None and driven is not None:
            state = driven.session_state
            chosen = state[ui.i18n.LANGUAGE_KEY] if ui.i18n.LANGUAGE_KEY in state else None
            return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
        return original()

    helpers.DRIVEN = None
    monkeypatch.setattr(ui.i18n, "language", language)
    yield
    helpers.DRIVEN = None


@pytest.fixture(autouse=True)
def no_page_failed_unseen(request, caplog):
    """ui.failure turns a page's uncaught exception into an apology (no AppTest exception element): a test fails
    on one all the same, unless it is marked `page_failure_expected`."""
    yield
    if request.node.get_closest_marker("page_failure_expected") is None:
        failed = [record for record in caplog.records
                  if record.name == "chotdon.ui" and record.getMessage().startswith("page failed")]
        assert not failed, "a page failed: " + "\n".join(
            record.getMessage() + "\n" + caplog.text for record in failed[:1])


def pytest_configure(config):
    config.addinivalue_line("markers", "page_failure_expected: the test makes a page fail on purpose (ui.failure)")
