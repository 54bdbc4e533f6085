"""`python -m bench [name ...]` runs the benchmarks and rewrites their sections of docs/PERFORMANCE.md.

Each benchmark is a module bench/<name>.py with `run() -> str` returning its Markdown section (figures, the
baseline measured in the same run, their ratio, and the command that reproduces it). Sections of benchmarks not
run this time are kept as they were, and so is the hand-written text after the last section.
"""

from __future__ import annotations

import importlib
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
BENCHES = ["parse", "ingest", "reports", "browser", "live_idle"]
HEADER = """# Performance

Measured by `make bench` (or `.venv/bin/python -m bench NAME` for one section). Every figure is given next to a
baseline measured in the same run on the same machine, and as a ratio to it; absolute times vary between
machines, ratios much less. Tests never assert timings.
"""


def _sections(text: str) -> dict[str, str]:
    found = {}
    for match in re.finditer(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", text, re.S):
        found[match.group(1)] = match.group(2)
    return found


def _notes(text: str) -> str:
    """What people wrote below the measured sections (where the figures stand, what to do next)."""
    ends = list(re.finditer(r"<!-- /bench:\w+ -->\n", text))
    return text[ends[-1].end():] if ends else ""


def main(argv: list[str]) -> int:
    names = argv or BENCHES
    available = [name for name in names if (Path(__file__).parent / f"{name}.py").exists()]
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    existing = _sections(current)
    notes = _notes(current)
    for name in available:
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        print(f"== bench {name}", flush=True)
        body = module.run()
        stamp = (f"\n_Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
                 f"Python {platform.python_version()}, {time.perf_counter() - started:.0f} s._\n")
        existing[name] = body.rstrip() + "\n" + stamp
        print(body, flush=True)
    parts = [HEADER]
    for name in BENCHES + sorted(set(existing) - set(BENCHES)):
        if name in existing:
            parts.append(f"<!-- bench:{name} -->\n{existing[name]}<!-- /bench:{name} -->\n")
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(parts) + notes, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
