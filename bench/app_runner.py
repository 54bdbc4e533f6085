"""Chotdon served for a benchmark: `python -m ui.serve` on a free port over a given shop file, as tests/e2e/conftest.py
starts it for the browser tests (that module needs pytest; this one needs nothing but the app), the login, and what
the server process uses, read from /proc: its CPU time and its resident memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OWNER, OWNER_PASSWORD = "owner", "bench-owner-password"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(db: Path, *args: str, input: str | None = None, timeout: float = 600) -> str:
    """`python -m core --db DB ARGS...`; its standard output, or RuntimeError with its standard error."""
    result = subprocess.run([sys.executable, "-m", "core", "--db", str(db), *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout, input=input)
    if result.returncode != 0:
        raise RuntimeError(f"python -m core {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout


def cpu_ticks(stat: str | Path) -> int:
    """User + system CPU ticks of a process or thread, from its /proc stat file (/proc/PID/stat,
    /proc/self/task/TID/stat): fields 14 and 15, counted after the command name, which may hold spaces."""
    fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_seconds(pid: int) -> float:
    return cpu_ticks(f"/proc/{pid}/stat") / TICKS


def cpu_per_minute(pid: int, seconds: float) -> float:
    """CPU seconds a minute the process used over the next `seconds`."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds * 60


def memory_mib(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, amount, _ = line.split()
            values[name] = int(amount) / 1024
    return values["VmRSS:"], values["VmHWM:"]


@dataclass
class Server:
    url: str
    pid: int
    log: Path


@contextmanager
def serve(db: Path, log: Path, *, module: str = "ui.serve", env: dict[str, str] | None = None):
    """The app on a free port for the duration of the block, stopped (SIGTERM: Streamlit shuts down and the
    process's exit handlers run; killed if need be) when it ends. `module` is what `python -m` runs, ui.serve or
    a wrapper of it taking the same options (bench.live_idle_sampler); `env`, variables added for it."""
    port = free_port()
    env = dict(os.environ, CHOTDON_DB=str(db), CHOTDON_DEMO="1", PYTHONUNBUFFERED="1", **(env or {}))
    with open(log, "w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", module, "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/_stcore/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None:
                    raise RuntimeError(log.read_text())
                time.sleep(0.2)
            else:
                raise RuntimeError("streamlit did not start in 90 s")
            yield Server(url, process.pid, log)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def login(page, url: str, path: str = "") -> None:
    """Opens `path` and logs in as the owner on the login page it shows; returns once the app is behind it."""
    from playwright.sync_api import expect

    from bench.browser_labels import label

    page.goto(url + path)
    button = label("access.log_in")
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name=button))
    expect(form).to_be_visible(timeout=60_000)
    form.get_by_role("textbox", name=label("access.username")).fill(OWNER)
    form.get_by_role("textbox", name=label("access.password")).fill(OWNER_PASSWORD)
    form.get_by_role("button", name=button).click()
    expect(page.get_by_role("button", name=label("sidebar.log_out"))).to_be_visible(timeout=60_000)
