"""What a reader sees when something fails: never Streamlit's crash box, with its traceback and "Ask Google".

`guarded(run)` runs a page (app.py runs the whole app through it, and a fragment's own reruns go through it too):
an uncaught exception becomes a short apology with an error id, and the traceback goes to the log under that id.
`database_unavailable(error)` is the page shown when the shop's database file cannot be opened: what is wrong and
what to do (core.db.store.describe_open_failure). Streamlit keeps serving; a reload tries the file again.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable

import streamlit as st

from core.base import config
from core.db.store import describe_open_failure, file_problem
from ui.i18n import say, t
from ui.text import plain

log = logging.getLogger("chotdon.ui")


def _error_id() -> str:
    return uuid.uuid4().hex[:8]


def apologise(error: BaseException) -> str:
    """Logs `error` with its traceback under a new error id, and shows the apology with that id; returns the id.
    When the error is the database file's own trouble (disk full, a lock), the page says that too."""
    error_id = _error_id()
    log.error("page failed, error id %s", error_id, exc_info=error)  # not screen text
    st.error(t("app.page_failed", id=error_id), icon="🙏")
    problem = file_problem(error)
    if problem is not None:
        st.warning(plain(say(problem)))
    return error_id


def guarded(run: Callable) -> Callable:
    """`run` with any uncaught exception shown as apologise() shows it. Streamlit's st.stop and st.rerun are
    BaseExceptions and pass through."""

    @functools.wraps(run)
    def guarded_run(*args, **kwargs):
        try:
            return run(*args, **kwargs)
        except Exception as error:  # the edge of the app: everything a page did not expect ends here
            apologise(error)
            return None

    return guarded_run


def database_unavailable(error: BaseException) -> None:
    """The shop's database cannot be opened: what is wrong and what to do; nothing else of the app runs."""
    error_id = _error_id()
    log.error("cannot open the database, error id %s", error_id, exc_info=error)  # not screen text
    st.title(t("app.database_title"), anchor=False)
    st.error(plain(say(describe_open_failure(error, config.database_path()))))
    st.caption(t("app.database_error_id", id=error_id))
    st.stop()
