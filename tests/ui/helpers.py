"""AppTest helpers. A test's app logs in through the documented hook: a session token from core.services.auth in
st.session_state[ui.access.TOKEN_KEY], as the login form leaves it (no password needed, no test-only code path)."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

from google.protobuf import text_format

from core.base import config, i18n
from core.db.store import open_store
from core.runtime import deliveries, reporting
from core.services import auth, orders
from core.services.demo import create_demo_shop
from tests.integration.helpers import feed
from ui.access import TOKEN_KEY

# What a translation key looks like on screen ("orders.title"); one that is a key of the English table is raw.
KEY = re.compile(r"\b[a-z_]+(?:\.[a-z0-9_]+)+\b")
ENGLISH_KEYS = set(i18n.table("en"))

# The AppTest the test drives now: the newest signed in (see drive). tests/ui/conftest.py reads it, and empties it
# after each test.
DRIVEN = None


@contextmanager
def demo_shop(tmp_path, monkeypatch, *comments: tuple[str, str]):
    """The demo shop in a fresh database that the app under test opens (CHOTDON_DB), with `comments` as
    (customer, message) pairs one second apart. Yields (store, livestream id); the outbox worker the app starts
    is stopped before the store closes, so it is never mid-query at close."""
    path = str(tmp_path / "shop.duckdb")
    monkeypatch.setenv("CHOTDON_DB", path)
    monkeypatch.setenv("CHOTDON_DEMO", "0")
    store = open_store(path)
    livestream_id = create_demo_shop(store)
    if comments:
        feed(store, livestream_id, *comments)
    try:
        yield store, livestream_id
    finally:
        deliveries.stop_worker(store)
        reporting.stop_worker(store)
        store.close()


def sign_in(at, username: str = "owner"):
    """Logs the AppTest `at` in as `username` (a user of the test's shop, CHOTDON_DB); returns `at`."""
    store = open_store(config.database_path())
    user = auth.user_by_username(store, username)
    assert user is not None, f"the test shop has no user {username}"
    at.session_state[TOKEN_KEY] = auth.start_session(store, user).token
    return drive(at)


def drive(at):
    """Records `at` as the AppTest the test drives now: outside a script run, format_funcs speak its session's
    language (tests/ui/conftest.py). sign_in does this; an AppTest that is not signed in can be recorded here.
    Returns `at`."""
    global DRIVEN
    DRIVEN = at
    return at


def nodes(node):
    """`node` and every node under it in an AppTest's element tree (at._tree), depth first."""
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from nodes(child)


def screen_text(at) -> str:
    """Everything the page sent, as one text: every element's proto in protobuf text format (labels, values,
    options, help, placeholders, table headers, chart specs, the grid's column definitions)."""
    return "\n".join(text_format.MessageToString(node.proto, as_utf8=True) for node in nodes(at._tree)
                     if hasattr(getattr(node, "proto", None), "ListFields"))


def raw_keys_in(text: str) -> set[str]:
    """The translation keys in `text` that were shown as they are instead of translated."""
    return {key for key in KEY.findall(text) if key in ENGLISH_KEYS}


def raw_keys(at) -> set[str]:
    """The raw translation keys on the AppTest's screen."""
    return raw_keys_in(screen_text(at))


def assert_no_raw_key(at) -> None:
    keys = raw_keys(at)
    assert not keys, keys


def order_id_of(store, livestream_id: int, customer: str) -> int:
    """The id of `customer`'s order in the livestream."""
    frame = orders.list_orders(store, livestream_id)
    return int(frame[frame["customer"] == customer]["order_id"].iloc[0])


def shown(markdown: str) -> str:
    """Markdown a page wrote through ui.text.plain, as the reader sees it: no escapes, no word joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


# The order form's lines table (st.data_editor): AppTest cannot click its cells; a keyed editor takes its edit
# state, as the browser sends it, through session_state before a run.
def pick(at, base: str, row: int, **cells):
    """Edits cells of the lines table as the browser sends them (the table's edit state), then runs."""
    editing = dict(at.session_state[f"{base}-lines"]) if f"{base}-lines" in at.session_state else {}
    rows = {int(k): dict(v) for k, v in editing.get("edited_rows", {}).items()}
    rows.setdefault(row, {}).update(cells)
    at.session_state[f"{base}-lines"] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def item_options(at, key: str) -> list[str]:
    """The labels the lines table's item column offers (its column configuration, as the browser gets it)."""
    columns = json.loads(at.data_editor(key).proto.columns)
    return [option["label"] for option in columns["item"]["type_config"]["options"]]
