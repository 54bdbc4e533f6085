"""What an idle open Livestream tab costs the server: CPU-seconds a minute of the `python -m ui.serve` process.

A shop with a 200,000-comment live (bench.comment_generator, the newest livestream, so the Livestream page shows
it), the app started as the browser tests start it, the owner logged in in headless Chromium at 1366×768, the
demo live playing into the big live at 1× (about eight comments a minute: a quiet live, the tab mostly idle).
The server's user+system CPU time is read from /proc/<pid>/stat over a window, with the tab open and, as a
baseline, with no tab open (the demo replay's own ingesting), and the same for the Reports page's live tab.

`.venv/bin/python -m bench.live_idle` (LIVE_COMMENTS=200000, LIVE_WINDOW=60 seconds; LIVE_PROFILE=1 also
samples the server's threads and prints where its time went).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "bench-owner-password"
TICKS = os.sysconf("SC_CLK_TCK")


def build_shop(folder: Path, comments: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.comment_generator import catalog_csv, write_jsonl

    db = folder / "shop.duckdb"
    items, stream = folder / "items.csv", folder / "comments.jsonl"
    items.write_text(catalog_csv(), encoding="utf-8")
    write_jsonl(stream, comments)

    def cli(*args: str, input: str | None = None) -> None:
        subprocess.run([sys.executable, "-m", "core", "--db", str(db), *args], cwd=ROOT, check=True,
                       capture_output=True, text=True, input=input)

    cli("init", "--demo")
    cli("user", "password", "owner", input=PASSWORD + "\n")
    cli("livestream", "create", "--title", "Big live", "--items", str(items))
    cli("ingest", str(stream), "--livestream", "2")
    return db


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_per_minute(pid: int, seconds: float) -> float:
    start = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - start) * 60 / seconds


def start_app(db: Path, log: Path, silent: bool) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, CHOTDON_DB=str(db), PYTHONUNBUFFERED="1", LIVE_SILENT="1" if silent else "0")
    process = subprocess.Popen([sys.executable, "-m", "bench.live_idle_sampler", "--server.port", str(port), "--server.address", "127.0.0.1",
                                "--server.headless", "true"], cwd=ROOT, env=env, stdout=log.open("w"),
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/_stcore/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(log.read_text())


def measure(db: Path, folder: Path, window: float, profile: bool, silent: bool) -> dict:
    from playwright.sync_api import expect, sync_playwright

    process, url = start_app(db, folder / "streamlit.log", silent)
    figures = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=CHROMIUM_FLAGS)
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
            tab = context.new_page()
            tab.set_default_timeout(60_000)
            tab.goto(url)
            form = tab.locator('[data-testid="stForm"]')
            form.get_by_role("textbox", name="Username").fill("owner")
            form.get_by_role("textbox", name="Password").fill(PASSWORD)
            form.get_by_role("button", name="Log in").click()
            expect(tab.get_by_role("button", name="Log out")).to_be_visible(timeout=60_000)
            expect(tab.get_by_text("Big live").first).to_be_visible(timeout=60_000)
            # Speed 1×, then Play: the demo's 337 comments over 41 minutes.
            tab.get_by_label("Demo speed").click()
            tab.get_by_role("option", name="1× live speed").click()
            tab.get_by_role("button", name="▶ Play demo live").click()
            expect(tab.get_by_role("button", name="⏹ Stop demo")).to_be_visible(timeout=60_000)
            tab.wait_for_timeout(5_000)
            pid = process.pid
            if profile:
                process.send_signal(signal.SIGUSR1)  # the sampler starts counting this window afresh
            figures["livestream_tab"] = cpu_per_minute(pid, window)
            if profile:
                process.send_signal(signal.SIGUSR1)  # and prints the Livestream page's profile
            figures["rss_livestream"] = rss_mib(pid)
            tab.goto(url + "/reports")
            expect(tab.get_by_text("Big live").first).to_be_visible(timeout=60_000)
            tab.wait_for_timeout(5_000)
            if profile:
                process.send_signal(signal.SIGUSR1)
            figures["reports_tab"] = cpu_per_minute(pid, window)
            if profile:
                process.send_signal(signal.SIGUSR1)
            tab.goto("about:blank")
            tab.wait_for_timeout(3_000)
            figures["no_tab"] = cpu_per_minute(pid, window)
            figures["rss_end"] = rss_mib(pid)
            browser.close()
    finally:
        if profile:
            process.send_signal(signal.SIGINT)  # the sampler prints its profile on the way out
        else:
            process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
    if profile:
        print((folder / "streamlit.log").read_text())
    return figures


def run() -> str:
    comments = int(os.environ.get("LIVE_COMMENTS", "200000"))
    window = float(os.environ.get("LIVE_WINDOW", "60"))
    profile = os.environ.get("LIVE_PROFILE") == "1"
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        db = build_shop(folder, comments)
        quiet = measure(db, folder, window, profile, silent=False)
        print("quiet live:", quiet, flush=True)
        silent = measure(db, folder, window, profile, silent=True)
    rows = []
    for name, f in (("quiet live: the demo at 1×, about eight comments a minute", quiet),
                    ("live on air, no new comment", silent)):
        rows.append(f"| {name} | {f['no_tab']:.2f} | {f['livestream_tab'] - f['no_tab']:.2f} "
                    f"| {f['reports_tab'] - f['no_tab']:.2f} | {f['rss_livestream']:.0f} / {f['rss_end']:.0f} MiB |")
    table = "\n".join(rows)
    return f"""## Idle live tab

`.venv/bin/python -m bench.live_idle` — a {comments:,}-comment live on air, one tab open on it at 1366×768, the
server's CPU (user + system, /proc/<pid>/stat) over {window:.0f} s. A tab's cost is the server's CPU with it open
minus the CPU with no tab open (the demo replay's own ingesting).

| live | no tab: CPU-s a minute | a Livestream tab's cost | a Reports (This livestream) tab's cost | server RSS (Livestream / end) |
|---|---:|---:|---:|---:|
{table}
"""


if __name__ == "__main__":
    print(run())
