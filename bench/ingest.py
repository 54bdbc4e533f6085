"""Ingest speed: a million Graph API comments through `python -m core ingest`, against a floor measured in the
same run (the same file read with json.loads, each message folded, one code regex, one bulk insert), and live
latency: comments fed at 1,000 a second through the live pipeline while the Livestream screen's queries run.

`python -m bench ingest` (COMMENTS=200000 for a shorter run); the floor alone: `python -m bench.ingest floor F DB`.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b[a-z]{1,3}[-.]?[0-9]{1,4}\b")
FOLD = str.maketrans({**{c: "a" for c in "àáảãạăằắẳẵặâầấẩẫậ"}, **{c: "e" for c in "èéẻẽẹêềếểễệ"},
                      **{c: "i" for c in "ìíỉĩị"}, **{c: "o" for c in "òóỏõọôồốổỗộơờớởỡợ"},
                      **{c: "u" for c in "ùúủũụưừứửữự"}, **{c: "y" for c in "ỳýỷỹỵ"}, "đ": "d"})


def floor(path: str, db: str) -> None:
    """What any ingester must do at least: read, decode, fold, find codes, store once."""
    import duckdb
    import pyarrow as pa

    ids, users, names, messages, times, codes = [], [], [], [], [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            folded = unicodedata.normalize("NFKC", record["message"]).lower().translate(FOLD)
            ids.append(record["id"])
            users.append(record["from"]["id"])
            names.append(record["from"]["name"])
            messages.append(record["message"])
            times.append(record["created_time"])
            codes.append(" ".join(CODE.findall(folded)))
    connection = duckdb.connect(db)
    batch = pa.table({"id": ids, "user_id": users, "user_name": names, "message": messages, "created": times,
                      "codes": codes})
    connection.register("batch", batch)
    connection.execute("CREATE TABLE comments AS SELECT * FROM batch")
    connection.close()


def _timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{command} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024


def _live_latency(folder: Path, seconds: int, rate: int) -> dict:
    """Feeds comments at `rate` a second through the live pipeline while the Livestream page's queries run."""
    sys.path.insert(0, str(ROOT))
    from bench.comment_generator import catalog_csv, generate
    from core.db.store import Store
    from core.integrations.comment_files import comment_from_record
    from core.runtime.pipeline import LivePipeline
    from core.services import comments as ingest
    from core.services import livestreams, orders

    store = Store(str(folder / "live.duckdb"))
    livestream_id = livestreams.create_livestream(store, "latency", platform="facebook",
                                                  items=livestreams.items_from_csv(catalog_csv()))
    stop = threading.Event()
    page_queries = 0

    def livestream_page() -> None:
        nonlocal page_queries
        # What the Livestream page's live panel reads on each refresh (pages/livestream.py), four times as often
        # as one open page refreshes it: a few staff watching the live.
        while not stop.is_set():
            ingest.comment_counts(store, livestream_id)
            orders.count_orders(store, livestream_id)
            rows = ingest.comment_stream(store, livestream_id, limit=40)
            ingest.explain_comments(store, livestream_id, [row["message"] for row in rows if row["kind"] == "review"])
            page_queries += 1
            time.sleep(0.5)

    reader = threading.Thread(target=livestream_page, daemon=True)
    reader.start()
    pipeline = LivePipeline(store, livestream_id, source="bench")
    pipeline.start()
    comments = [comment_from_record(c) for c in generate(seconds * rate, seed=11, live_video_id="lat")]
    started = time.perf_counter()
    for index, comment in enumerate(comments):
        due = started + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        pipeline.submit(comment)
    pipeline.stop(drain=True)
    stop.set()
    reader.join(5)
    latencies = sorted(pipeline.latencies)
    stored = store.scalar("SELECT count(*) FROM comments")
    store.close()
    return {"fed": len(comments), "stored": stored, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1], "page_queries": page_queries,
            "batches": pipeline.batches}


def run() -> str:
    count = int(os.environ.get("COMMENTS", "1000000"))
    live_seconds = int(os.environ.get("LIVE_SECONDS", "60"))
    sys.path.insert(0, str(ROOT))
    from bench.comment_generator import catalog_csv, write_jsonl

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        comments = folder / "comments.jsonl"
        items = folder / "items.csv"
        items.write_text(catalog_csv(), encoding="utf-8")
        write_jsonl(comments, count)
        size_mb = comments.stat().st_size / 2**20
        python = sys.executable
        # Best of two runs each, every run a fresh process (and a fresh database): this machine's neighbours make
        # single runs vary by a tenth.
        floor_time, floor_memory = min(_timed([python, "-m", "bench.ingest", "floor", str(comments),
                                               str(folder / f"floor{run}.duckdb")]) for run in (1, 2))
        runs = []
        for run in (1, 2):
            db = str(folder / f"shop{run}.duckdb")
            subprocess.run([python, "-m", "core", "--db", db, "livestream", "create", "--title", "bench", "--items",
                            str(items), "--platform", "facebook"], cwd=ROOT, check=True, capture_output=True)
            runs.append(_timed([python, "-m", "core", "--db", db, "ingest", str(comments), "--livestream", "1"]))
        ingest_time, ingest_memory = min(runs)
        again_time, _ = _timed([python, "-m", "core", "--db", db, "ingest", str(comments), "--livestream", "1"])
        live = _live_latency(folder, live_seconds, 1000)
    return f"""## Ingest

`COMMENTS={count} .venv/bin/python -m bench ingest` — {count:,} generated comments in Graph API form
({size_mb:.0f} MB JSONL, ~30,000 customers, 40 items, about 40% order comments), each command a fresh process,
best of two runs for the floor and for the ingest (each into a fresh database).

| what | seconds | comments/s | peak memory | ratio to floor |
|---|---:|---:|---:|---:|
| floor: json.loads + fold + one code regex + one bulk insert | {floor_time:.1f} | {count / floor_time:,.0f} | {floor_memory} MiB | 1.00 |
| `python -m core ingest` (parse, customers, orders, lines, events, stock) | {ingest_time:.1f} | {count / ingest_time:,.0f} | {ingest_memory} MiB | **{ingest_time / floor_time:.2f}** |
| the same file again (every comment a duplicate) | {again_time:.1f} | {count / again_time:,.0f} | | {again_time / floor_time:.2f} |

Target: at most 2× the floor.

### Live latency
{live['fed']:,} comments fed at 1,000 a second for {live_seconds} s through `core.runtime.pipeline.LivePipeline` (each batch is what arrived while
the previous one was written, up to 2,000: `core.runtime.pipeline.next_batch`, as the Facebook worker stores its stream), while a reader thread ran the Livestream screen's live-panel queries (counts, the newest 40 comments, review reasons) every 0.5 s
({live['page_queries']} rounds). From arrival to the order being committed: **p50 {live['p50_ms']:.0f} ms, p99
{live['p99_ms']:.0f} ms** (target p99 under 100 ms); {live['stored']:,} comments stored in {live['batches']} batches.
"""


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "floor":
        floor(sys.argv[2], sys.argv[3])
    else:
        print(run())
