"""What an idle open Livestream tab, and an idle Reports → This livestream tab, cost the server: CPU-seconds a minute
of the server process, next to the same server with no tab open (the baseline, measured in the same run).

The shop is bench.browser_shops' cached live200k (built once into .bench-cache/browser/, shared with the browser
bench; `LIVE_SHOP=live20k` or `demo` for a smaller one). Its shape fits: the 200,000-comment live is the newest
livestream, so the Livestream page shows it, and the demo replay plays into it. It differs from the shop of the
figures in docs/notes/live-idle.md (built by this module before it joined browser_shops): 18,000 customers, so
about 17,000 orders rather than 25,000; a Facebook live, so the stream also reads its answer marks (one query a
redraw) as a Facebook live does in the shop; and the browser bench's two big orders and twelve saved drafts.
Compare figures within one run, not with that note's.

Each live starts from a fresh copy of the shop, the app is started and the owner logged in as in the browser bench
(bench.app_runner), in headless Chromium at 1366×768, and the demo live is played into the big live at 1× (about
eight comments a minute). The server's user + system CPU time (bench.app_runner.cpu_per_minute, /proc/PID/stat) is
read over a window with the Livestream page open, then with Reports → This livestream open, then with no tab
(`about:blank`): a tab's cost is its figure minus the no-tab baseline. Two lives: the quiet one above, and one on
air with nothing new (a demo of two comments an hour apart).

The server runs through bench.live_idle_sampler, a wrapper of ui.serve, rather than ui.serve itself, because
- it leaves out the reporting copy's worker: that rewrites a copy of the whole database 10 s after start and then
  every five minutes when anything changed (the demo replay changes something every few seconds), whether a tab is
  open or not, so one window of the six would hold one of its runs and another would not;
- it makes the silent live (LIVE_SILENT=1 replaces the demo's comments inside the server process);
- with LIVE_PROFILE=1 it samples the server's threads and prints, per window, where their CPU time went.

`.venv/bin/python -m bench live_idle` (about 8 minutes with the shop cached; LIVE_WINDOW=60 seconds a window,
LIVE_SHOP=live200k, LIVE_PROFILE=1).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

from bench.app_runner import cpu_per_minute, memory_mib

ROOT = Path(__file__).resolve().parent.parent
SHOP = os.environ.get("LIVE_SHOP", "live200k")
WINDOW = float(os.environ.get("LIVE_WINDOW", "60"))
PROFILE = os.environ.get("LIVE_PROFILE") == "1"
VIEWPORT = {"width": 1366, "height": 768}
SETTLE_MS = 5_000  # after a page is drawn (or left), before its window
LIVES = (("quiet", "quiet live: the demo at 1×, about eight comments a minute"),
         ("silent", "live on air, no new comment"))
TARGET = 1.0  # issue 15, item 1: an idle open Livestream tab costs under 1 CPU-second a minute


def _window(pid: int) -> float:
    """CPU-seconds a minute over one window; with the profiler, that window's profile printed to the log."""
    if PROFILE:
        os.kill(pid, signal.SIGUSR1)  # the sampler starts counting afresh
    figure = cpu_per_minute(pid, WINDOW)
    if PROFILE:
        os.kill(pid, signal.SIGUSR1)  # and prints this window's profile
    return figure


def measure(browser, shop_db: Path, silent: bool) -> dict:
    """One live: the server's CPU with a Livestream tab, a Reports tab, no tab; its resident memory."""
    from playwright.sync_api import expect

    from bench.app_runner import login, serve
    from bench.browser_labels import label

    figures = {}
    with tempfile.TemporaryDirectory(prefix="bench-live-idle-") as work:
        work = Path(work)
        db = work / "shop.duckdb"
        shutil.copyfile(shop_db, db)
        log = work / "streamlit.log"
        with serve(db, log, module="bench.live_idle_sampler", env={"LIVE_SILENT": "1" if silent else "0"}) as server:
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            try:
                tab = context.new_page()
                tab.set_default_timeout(60_000)
                login(tab, server.url)
                play = tab.get_by_role("button", name=label("livestream.play_demo"), exact=True)
                expect(play).to_be_visible(timeout=60_000)
                title = tab.get_by_role("heading", level=1).first.inner_text().removeprefix("🔴").strip()
                tab.get_by_label(label("livestream.demo_speed")).click()
                tab.get_by_role("option", name=label("livestream.speed_option", speed=1), exact=True).click()
                play.click()
                expect(tab.get_by_role("button", name=label("livestream.stop_demo"), exact=True)).to_be_visible(
                    timeout=60_000)
                tab.wait_for_timeout(SETTLE_MS)
                shown_before = _comments_shown(tab)
                figures["livestream_tab"] = _window(server.pid)
                figures["new_comments"] = _comments_shown(tab) - shown_before
                figures["rss_livestream"], _ = memory_mib(server.pid)
                tab.goto(server.url + "/reports")
                expect(tab.get_by_text(title).first).to_be_visible(timeout=60_000)
                tab.wait_for_timeout(SETTLE_MS)
                figures["reports_tab"] = _window(server.pid)
                tab.goto("about:blank")
                tab.wait_for_timeout(SETTLE_MS)
                figures["no_tab"] = _window(server.pid)
                figures["rss_end"], figures["rss_peak"] = memory_mib(server.pid)
            finally:
                context.close()
        if PROFILE:  # the sampler printed each window's profile, and the whole run's on the way out
            print(log.read_text(), flush=True)
    return figures


def _comments_shown(tab) -> int:
    """The live's comment count on the Livestream page's counts line ("205,201 comments · …")."""
    line = tab.locator("[data-testid='stMarkdownContainer'] p").filter(
        has_text=re.compile(r"^\S+ comments · ")).first.inner_text()
    return int(re.sub(r"\D", "", line.split(" comments")[0]))


def _cost(figures: dict, key: str) -> str:
    """A tab's figure, its cost over the no-tab baseline and its ratio to it."""
    value, base = figures[key], figures["no_tab"]
    ratio = f"{value / base:.1f}×" if base > 0 else "—"
    return f"{value:.2f} | {value - base:.2f} | {ratio}"


def report(meta: dict, results: dict[str, dict]) -> str:
    rows = []
    for key, title in LIVES:
        f = results[key]
        per_minute = f["new_comments"] * 60 / WINDOW
        if per_minute:  # a tab that shows new comments is at work, not idle: its cost per comment it showed
            mark = f" ({1000 * (f['livestream_tab'] - f['no_tab']) / per_minute:.0f} ms a new comment)"
        else:  # the idle tab of the target
            mark = " ✅" if f["livestream_tab"] - f["no_tab"] < TARGET else " ❌"
        rows.append(f"| {title} | {per_minute:.0f} | {f['no_tab']:.2f} | {_cost(f, 'livestream_tab')}{mark} "
                    f"| {_cost(f, 'reports_tab')} | {f['rss_livestream']:.0f} / {f['rss_end']:.0f} / "
                    f"{f['rss_peak']:.0f} |")
    table = "\n".join(rows)
    build = f"{meta['build_seconds']:.0f} s" + (" (cached)" if meta.get("cached") else "")
    return f"""## Idle live tab

`{f'LIVE_SHOP={SHOP} ' if SHOP != 'live200k' else ''}.venv/bin/python -m bench live_idle` — bench.browser_shops'
{SHOP} shop ({meta['comments']:,} comments, {meta['orders']:,} orders; build {build}), a live on air in it, one tab
open on it in Chromium at {VIEWPORT['width']}×{VIEWPORT['height']}, the server's CPU (user + system, /proc/PID/stat)
over {WINDOW:.0f} s a window, in CPU-seconds a minute. The baseline is the same server in the same run with no tab
open (the demo replay's own ingesting); a tab's cost is its figure minus the baseline, and its ratio is its figure
÷ the baseline. The server runs without the reporting copy's worker (bench/live_idle.py says why). Target: an idle
Livestream tab (nothing new to show) costs under {TARGET:.0f}. A tab on a live with new comments redraws its stream for
each (the watcher checks every 2 s): that work grows with the comments, and is given per new comment shown.

| live | new comments a minute | no tab (baseline) | Livestream tab | its cost | ÷ baseline | Reports, This livestream | its cost | ÷ baseline | server RSS MiB (Livestream / end / peak) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{table}
"""


def run() -> str:
    from playwright.sync_api import sync_playwright

    from bench.app_runner import CHROMIUM, CHROMIUM_FLAGS
    from bench.browser_shops import ensure_shop

    folder, meta = ensure_shop(SHOP)
    print(f"   {SHOP}: {'cached' if meta['cached'] else 'built'} in {meta['build_seconds']} s: {folder}", flush=True)
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            for key, title in LIVES:
                results[key] = measure(browser, folder / "shop.duckdb", silent=key == "silent")
                print(f"   {title}: {results[key]}", flush=True)
        finally:
            browser.close()
    return report(meta, results)


if __name__ == "__main__":
    print(run())
