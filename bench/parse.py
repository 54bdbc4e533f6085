"""Parse throughput: `python -m core parse` on a generated stream of 200,000 realistic comments, against a floor
measured in the same run (Unicode folding + one code regex + one JSON line per comment, also as a CLI reading
standard input), and the worst cases: very long and hostile comments.

`python -m bench parse` (PARSE_COMMENTS=50000 for a shorter run).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR_SCRIPT = r"""
import json, re, sys, unicodedata
from bench.ingest import CODE, FOLD
out = sys.stdout
for line in sys.stdin:
    folded = unicodedata.normalize("NFKC", line.rstrip("\n")).lower().translate(FOLD)
    out.write(json.dumps({"codes": CODE.findall(folded)}, ensure_ascii=False))
    out.write("\n")
"""


def _timed(command: list[str], stdin_path: Path) -> float:
    with open(stdin_path, "rb") as source:
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, stdin=source, capture_output=True)
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode()[-2000:])
    lines = result.stdout.count(b"\n")
    if lines != sum(1 for _ in open(stdin_path, "rb")):
        raise RuntimeError(f"{command}: {lines} output lines for a different number of input lines")
    return elapsed


def _worst_cases() -> list[tuple[str, float]]:
    sys.path.insert(0, str(ROOT))
    from bench.comment_generator import catalog_rows
    from core.domain.syntax import CatalogItem, parse

    items = tuple(CatalogItem(code=r["code"], name=r["name"], price=r["price"],
                              sizes=tuple(filter(None, r["sizes"].split("|"))),
                              colors=tuple(filter(None, r["colors"].split("|")))) for r in catalog_rows())
    cases = {
        "10,000 characters of order words": ("chốt A1 M 2 lấy K3 x2 0912345678 " * 320)[:10_000],
        "10,000 digits": "9" * 10_000,
        "5,000 × '0 '": "0 " * 5_000,
        "10,000 characters of emoji": "😍" * 10_000,
        "10,000 × 'a-'": "a-" * 5_000,
    }
    timings = []
    for label, text in cases.items():
        best = float("inf")
        for attempt in range(3):
            # A fresh text each try, so the result cache cannot answer.
            started = time.perf_counter()
            parse(text + " " * (attempt + 1), items)
            best = min(best, time.perf_counter() - started)
        timings.append((label, best))
    return timings


def run() -> str:
    count = int(os.environ.get("PARSE_COMMENTS", "200000"))
    sys.path.insert(0, str(ROOT))
    from bench.comment_generator import catalog_csv, generate

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        catalog = folder / "items.csv"
        catalog.write_text(catalog_csv(), encoding="utf-8")
        comments = folder / "comments.txt"
        with open(comments, "w", encoding="utf-8") as handle:
            for comment in generate(count, seed=5):
                handle.write(comment["message"].replace("\n", " ") + "\n")
        distinct = len(set(open(comments, encoding="utf-8")))
        python = sys.executable
        floor = min(_timed([python, "-c", FLOOR_SCRIPT], comments) for _ in range(2))
        parsed = min(_timed([python, "-m", "core", "parse", "--catalog", str(catalog)], comments) for _ in range(2))
    worst = _worst_cases()
    rows = "\n".join(f"| {label} | {seconds * 1000:.1f} ms |" for label, seconds in worst)
    return f"""## Parse

`PARSE_COMMENTS={count} .venv/bin/python -m bench parse` — {count:,} generated comments ({distinct:,} distinct texts:
live comments repeat), one per line on standard input, best of two runs, each a fresh process.

| what | seconds | comments/s | ratio to floor |
|---|---:|---:|---:|
| floor: NFKC fold + one code regex + one JSON line per comment | {floor:.2f} | {count / floor:,.0f} | 1.00 |
| `python -m core parse --catalog items.csv` | {parsed:.2f} | {count / parsed:,.0f} | **{parsed / floor:.2f}** |

Target: at most 3× the floor. The parser keeps a bounded cache of results keyed on the text and the livestream's
items and settings.

Hostile and long comments (best of three, each text new to the cache; target well under 100 ms):

| comment | parse time |
|---|---:|
{rows}
"""


if __name__ == "__main__":
    print(run())
