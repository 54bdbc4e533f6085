"""Browser tests: a real `streamlit run` on a free port with its own database, driven by Debian's chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(db: Path, *args: str, input: str | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "core", "--db", str(db), *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, input=input)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `apt-get install chromium` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


class RunningApp:
    def __init__(self, url: str, db: Path):
        self.url = url
        self.db = db


# The demo shop's owner gets this password in every browser test's shop (the first-start test starts without it).
OWNER, OWNER_PASSWORD = "owner", "e2e-owner-password"


@contextmanager
def running_app(tmp_path: Path, prepare=None, *, owner_password: str | None = OWNER_PASSWORD):
    """Chotdon on a free port for the duration of the block; `prepare(db)` may fill the database first through
    the CLI. The server is stopped (and killed if it does not stop) when the block ends."""
    db = tmp_path / "e2e.duckdb"
    _cli(db, "init", "--demo")
    if owner_password:
        _cli(db, "user", "password", OWNER, input=owner_password + "\n")
    if prepare is not None:
        prepare(db)
    port = _free_port()
    env = dict(os.environ, CHOTDON_DB=str(db), CHOTDON_DEMO="1", PYTHONUNBUFFERED="1")
    with open(tmp_path / "streamlit.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address",
             "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/_stcore/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None:
                    raise RuntimeError((tmp_path / "streamlit.log").read_text())
                time.sleep(0.3)
            else:
                raise RuntimeError("streamlit did not start in 60 s")
            yield RunningApp(url, db)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    # Assertions wait as long as actions: CI machines are small and a Streamlit rerun can take a few seconds.
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=15_000)
    yield tab
    context.close()


def login(tab, app: RunningApp, path: str = "", *, username: str = OWNER, password: str = OWNER_PASSWORD):
    """Opens `path` of the app and logs in on the login page it shows; returns once the page itself is there."""
    from playwright.sync_api import expect

    tab.goto(app.url + path)
    form = tab.locator('[data-testid="stForm"]').filter(has=tab.get_by_role("button", name="Log in"))
    expect(form).to_be_visible(timeout=30_000)
    form.get_by_role("textbox", name="Username").fill(username)
    form.get_by_role("textbox", name="Password").fill(password)
    form.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("button", name="Log out")).to_be_visible(timeout=30_000)


def until_idle(tab, settle_ms: int = 600) -> None:
    """Waits until the app has finished its reruns. A page with the orders grid runs twice after an action (the
    grid sends its selection again once it is drawn); a form button clicked during that second run is lost."""
    from playwright.sync_api import expect

    tab.wait_for_timeout(settle_ms)
    expect(tab.locator('[data-test-script-state="notRunning"]')).to_have_count(1, timeout=30_000)


def screenshot(tab, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=False)
    return path


E2E_COMMENTS = [
    ("e1", "u1", "Nguyễn Lan", "chốt A1 M 2"),
    ("e2", "u1", "Nguyễn Lan", "sdt 0912 345 678 nha"),
    ("e3", "u2", "Trần Mai", "Z9 2"),
    ("e4", "u3", "Lê Huy", "K3 3 0987654321"),
    ("e5", "u4", "Phạm Vy", "SP12 nâu 0903111222"),
    ("e6", "u5", "Đỗ Hà", "G07 38 0905111222"),
    ("e7", "u6", "Bùi An", "D9 L 0977123456"),
    ("e8", "u7", "Hồ Bích", "A2 L 0933444555"),
    ("e9", "u8", "Vũ Hạnh", "V3 M 0944555666"),
    ("e10", "u9", "Lý Linh", "A1 còn size L không shop?"),
]


def write_comments(db: Path, tmp_path: Path) -> None:
    """The e2e shop: the demo livestream with ten comments from nine customers, twenty seconds apart."""
    import json

    lines = [
        json.dumps({"id": cid, "user_id": uid, "user_name": name, "message": text,
                    "created_at": f"2026-11-20T20:{index // 3:02d}:{(index % 3) * 20:02d}+07:00"},
                   ensure_ascii=False)
        for index, (cid, uid, name, text) in enumerate(E2E_COMMENTS)
    ]
    path = tmp_path / "e2e-comments.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _cli(db, "ingest", str(path), "--livestream", "1")


@pytest.fixture(scope="module")
def shop_app(tmp_path_factory):
    """One running app per test module, on the e2e shop."""
    tmp_path = tmp_path_factory.mktemp("e2e")
    with running_app(tmp_path, prepare=lambda db: write_comments(db, tmp_path)) as app:
        yield app


@pytest.fixture(scope="module")
def empty_demo_app(tmp_path_factory):
    """The app as `make run` starts it: the demo shop, no comments yet."""
    tmp_path = tmp_path_factory.mktemp("demo")
    with running_app(tmp_path) as app:
        yield app


# The order form's lines are one st.data_editor table (glide-data-grid draws it on a canvas): a cell is reached by its
# place (rows 35 px high under a 35 px header; the item column comes first) and read through the grid's accessible
# table (its cells' ids are glide-cell-<column>-<row>; only the cells in view are there).
LINE_ROW_PX = 35
PRICE_COLUMN = 4  # item, size, color, qty, price, remove, note


def lines_table(scope):
    return scope.locator('[data-testid="stDataFrame"]').first


def pick_line_item(tab, scope, row: int, typed: str) -> None:
    """Picks the item of line `row` (0 = the first line) in the order form's lines table, as staff do: double-click
    its cell, type the start of the item's label, Enter."""
    from playwright.sync_api import expect

    from ui.order_form import ITEM_COLUMN_PX

    table = lines_table(scope)
    expect(table.locator("canvas").first).to_be_visible()
    table.dblclick(position={"x": ITEM_COLUMN_PX / 2, "y": LINE_ROW_PX * (row + 1) + LINE_ROW_PX / 2})
    expect(tab.get_by_test_id("portal").locator(".gdg-clip-region")).to_be_visible()
    tab.keyboard.type(typed)
    tab.keyboard.press("Enter")


def line_cell(scope, row: int, column: int):
    return lines_table(scope).locator(f'[id$="glide-cell-{column}-{row}"]')
