"""Browser tests: a real `streamlit run` on a free port with its own database, driven by Debian's chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
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


def _cli(db: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "core", "--db", str(db), *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
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


def start_app(tmp_path: Path, prepare=None):
    """Starts Chotdon on a free port; `prepare(db)` may fill the database first through the CLI."""
    db = tmp_path / "e2e.duckdb"
    _cli(db, "init", "--demo")
    if prepare is not None:
        prepare(db)
    port = _free_port()
    env = dict(os.environ, CHOTDON_DB=str(db), CHOTDON_DEMO="1", PYTHONUNBUFFERED="1")
    log = open(tmp_path / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
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
        process.kill()
        raise RuntimeError("streamlit did not start in 60 s")
    return process, RunningApp(url, db)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def screenshot(tab, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=False)
    return path
