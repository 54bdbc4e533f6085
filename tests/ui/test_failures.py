"""Issue 13, items 14 and 15: a page that fails, and a database file that cannot be opened, are said in words on
the page, never shown as Streamlit's crash box (an AppTest exception element)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import livestreams
from tests.ui.helpers import demo_shop, sign_in

ROOT = Path(__file__).resolve().parents[2]


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.mark.page_failure_expected
def test_an_uncaught_exception_is_an_apology_with_the_error_id_in_the_log(tmp_path, monkeypatch, caplog):
    """A page whose core call raises something nobody expected: an apology with an error id, the same id in the
    log with the traceback, and the sidebar still there to reach the other pages."""
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2")):
        def broken(*args, **kwargs):
            raise RuntimeError("the page broke on purpose")

        monkeypatch.setattr(livestreams, "get_livestream", broken)
        at = sign_in(_app()).run()
        assert not at.exception, at.exception
        apology = [e.value for e in at.error if "Sorry" in e.value]
        assert len(apology) == 1, [e.value for e in at.error]
        error_id = re.search(r"\*\*([0-9a-f]{8})\*\*", apology[0]).group(1)
        logged = [r for r in caplog.records if r.name == "chotdon.ui" and error_id in r.getMessage()]
        assert logged and "the page broke on purpose" in caplog.text and "Traceback" in caplog.text
        assert any(button.label == "Log out" for button in at.sidebar.button)  # the other pages are still there


def _unusable_database(tmp_path, monkeypatch, content: bytes) -> AppTest:
    path = tmp_path / "shop.duckdb"
    path.write_bytes(content)
    monkeypatch.setenv("CHOTDON_DB", str(path))
    monkeypatch.setenv("CHOTDON_DEMO", "0")
    return _app().run()


def _a_real_database(tmp_path) -> bytes:
    import duckdb

    made = tmp_path / "made.duckdb"
    with duckdb.connect(str(made)) as connection:
        connection.execute("CREATE TABLE t AS SELECT range AS i, repeat('x', 50) AS s FROM range(200000)")
    return made.read_bytes()


def _shown(markdown: str) -> str:
    """Markdown as the reader sees it: escapes and word joiners (ui.text.plain) gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def test_a_corrupt_database_file_is_a_page_saying_what_to_do(tmp_path, monkeypatch):
    at = _unusable_database(tmp_path, monkeypatch, os.urandom(200_000))
    assert not at.exception, at.exception
    assert at.title[0].value == "Chotdon cannot use the shop's database"
    said = _shown(at.error[0].value)
    assert f"The shop's database {tmp_path / 'shop.duckdb'} is damaged or is not a Chotdon database" in said
    assert "last good copy from your backups" in said


def test_a_truncated_database_file_is_a_page_saying_what_to_do(tmp_path, monkeypatch):
    whole = _a_real_database(tmp_path)
    at = _unusable_database(tmp_path, monkeypatch, whole[:len(whole) // 3])
    assert not at.exception, at.exception
    assert "is cut short" in _shown(at.error[0].value)


def test_a_database_held_by_another_process_is_a_page_saying_what_to_do(tmp_path, monkeypatch):
    """Another program (a second Chotdon, a notebook) holds the file: the page says so, and a reload once it has
    let go opens the shop (a failed open is not cached)."""
    import subprocess
    import sys

    path = tmp_path / "shop.duckdb"
    monkeypatch.setenv("CHOTDON_DB", str(path))
    monkeypatch.setenv("CHOTDON_DEMO", "0")
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys\n"
                               f"c = duckdb.connect({str(path)!r}); print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        at = _app().run()
        assert not at.exception, at.exception
        assert "Another program holds the shop's database" in _shown(at.error[0].value)
    finally:
        holder.stdin.close()
        holder.wait(30)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]  # the set-up or login form now
    from core.db.store import open_store
    from core.runtime import deliveries

    store = open_store(str(path))  # the app's, opened on the reload: its worker stops before it closes
    deliveries.stop_worker(store)
    store.close()


@pytest.mark.page_failure_expected
def test_a_callback_that_fails_is_an_apology_too(tmp_path, monkeypatch, caplog):
    """A widget's callback (On duty on the Livestream screen) runs before the page: its failure is the same
    apology, and the page itself still draws."""
    from core.services import assignment

    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2")) as (store, livestream_id):
        at = sign_in(_app()).run()

        def broken(*args, **kwargs):
            raise RuntimeError("on duty broke on purpose")

        monkeypatch.setattr(assignment, "set_on_duty", broken)
        box = at.multiselect(key=f"on_duty-{livestream_id}")
        from core.services import staff

        box.set_value([staff.list_users(store)[0]["id"]]).run()
        assert not at.exception, at.exception
        assert any("Sorry" in e.value for e in at.error), [e.value for e in at.error]
        assert "on duty broke on purpose" in caplog.text
        assert at.title  # the page drew after the apology
