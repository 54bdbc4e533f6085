"""`python -m bench.live_idle_sampler [streamlit options]`: ui.serve for bench.live_idle (started by
bench.app_runner.serve with module="bench.live_idle_sampler"). With LIVE_PROFILE=1, a
sampling profiler over all threads; with LIVE_SILENT=1, a demo live that plays its first comment and then nothing
for an hour (a live on air with no new comment: what an open tab costs when there is nothing to show). The
reporting copy's worker is not started (it rewrites a copy of the whole database every five minutes when anything
changed, whether a tab is open or not: a minute's window would or would not hold one of its runs).

The profiler: every 10 ms it records the stack of each thread whose CPU time (/proc/self/task/<id>/stat) went up since the last
look, weighted by the ticks it used; at exit it prints, per function, the share of the process's CPU ticks that had
it on the stack (inclusive) and at the top (self). Threads that sleep or wait cost nothing and are not counted.
Used by bench.live_idle.
"""

from __future__ import annotations

import atexit
import collections
import signal
import sys
import threading
import time

from bench.app_runner import cpu_ticks

inclusive: collections.Counter = collections.Counter()
leaf: collections.Counter = collections.Counter()
samples = 0


def _ticks(native_id: int) -> int:
    try:
        return cpu_ticks(f"/proc/self/task/{native_id}/stat")
    except OSError:  # the thread has ended
        return 0


def _sample() -> None:
    global samples
    me = threading.get_ident()
    last: dict[int, int] = {}
    while True:
        time.sleep(0.01)
        frames = sys._current_frames()
        for thread in threading.enumerate():
            frame = frames.get(thread.ident)
            if thread.ident == me or frame is None or thread.native_id is None:
                continue
            ticks = _ticks(thread.native_id)
            used = ticks - last.get(thread.native_id, ticks)
            last[thread.native_id] = ticks
            if used <= 0:
                continue
            samples += used
            leaf[f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_code.co_name}"] += used
            seen = set()
            while frame is not None:
                name = f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_code.co_name}"
                if name not in seen:
                    seen.add(name)
                    inclusive[name] += used
                frame = frame.f_back


def _report(*_) -> None:
    global samples
    print(f"\n== profile: {samples} CPU ticks of Python threads", flush=True)
    for title, counter in (("inclusive", inclusive), ("self", leaf)):
        print(f"-- {title}")
        for name, count in counter.most_common(45):
            print(f"{100 * count / max(samples, 1):5.1f}%  {name}")
    sys.stdout.flush()
    inclusive.clear()
    leaf.clear()
    samples = 0


def _silent_demo() -> None:
    from datetime import timedelta

    import core.runtime.demo_replay as demo_replay
    from core.services.demo import demo_comments

    first, second = demo_comments()[:2]
    second = second._replace(commented_at=first.commented_at + timedelta(hours=1))
    demo_replay.demo_comments = lambda: [first, second]


if __name__ == "__main__":
    import os

    import core.runtime.reporting as reporting

    reporting.start_worker = lambda store, every=None: None
    if os.environ.get("LIVE_SILENT") == "1":
        _silent_demo()
    if os.environ.get("LIVE_PROFILE") == "1":
        atexit.register(_report)
        signal.signal(signal.SIGUSR1, _report)  # print and start again: bench.live_idle's one window per page
        threading.Thread(target=_sample, daemon=True, name="sampler").start()
    from ui.serve import main

    main()
