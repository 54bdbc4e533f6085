"""The idle-tab bench's /proc reader (shared with the browser bench and the sampler) and its section's figures."""

import os

from bench.app_runner import cpu_ticks, memory_mib
from bench.live_idle import report


def test_cpu_ticks_count_user_and_system_after_a_command_name_with_spaces_and_parentheses(tmp_path):
    stat = tmp_path / "stat"
    fields = ["S", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "1200", "34", "5", "6"]
    stat.write_text("4242 (python -m (x) y) " + " ".join(fields) + "\n")
    assert cpu_ticks(stat) == 1234
    assert cpu_ticks(f"/proc/{os.getpid()}/stat") >= 0


def test_memory_of_this_process_is_resident_now_and_at_its_peak():
    now, peak = memory_mib(os.getpid())
    assert 0 < now <= peak


def test_the_section_gives_the_baseline_each_tabs_cost_its_ratio_and_the_command():
    figures = {"no_tab": 0.5, "livestream_tab": 1.25, "reports_tab": 2.5, "rss_livestream": 270.2,
               "rss_end": 300.0, "rss_peak": 310.0}
    text = report({"comments": 200_004, "orders": 17_000, "build_seconds": 300, "cached": True},
                  {"quiet": dict(figures, new_comments=10), "silent": dict(figures, livestream_tab=1.75,
                                                                          new_comments=0)})
    assert ".venv/bin/python -m bench live_idle" in text
    quiet, silent = [line for line in text.splitlines() if line.startswith("| quiet") or line.startswith("| live on")]
    # A tab showing new comments: its cost per comment (0.75 CPU-s a minute for 10 a minute), no target mark.
    assert "| 10 | 0.50 | 1.25 | 0.75 | 2.5× (75 ms a new comment) | 2.50 | 2.00 | 5.0× | 270 / 300 / 310 |" in quiet
    assert "| 0 | 0.50 | 1.75 | 1.25 | 3.5× ❌ |" in silent  # the idle tab, against the target
