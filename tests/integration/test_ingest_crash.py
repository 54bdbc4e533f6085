"""A large file ingested by a process that is killed (SIGKILL) mid-way, then run again, ends exactly as an
uninterrupted run: every comment once, the same orders."""

import json
import signal
import subprocess
import sys
from pathlib import Path

from bench.comment_generator import catalog_csv, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


def cli(db, *args, **popen):
    return [sys.executable, "-m", "core", "--db", str(db), *args]


def prepare(db: Path, items: Path) -> None:
    subprocess.run(cli(db, "livestream", "create", "--title", "crash", "--items", str(items), "--platform",
                       "facebook"), cwd=ROOT, check=True, capture_output=True)


def snapshot(db: Path) -> tuple[int, int, list]:
    result = subprocess.run(cli(db, "orders", "--livestream", "1", "--json"), cwd=ROOT, check=True,
                            capture_output=True, text=True)
    orders = [{k: o[k] for k in ("code", "status", "customer", "staff", "first_comment_at", "total", "lines",
                                 "receiver_phone")} for o in json.loads(result.stdout)]
    from core.db.store import Store

    store = Store(str(db))
    counts = (store.scalar("SELECT count(*) FROM comments"),
              store.scalar("SELECT count(DISTINCT platform_comment_id) FROM comments"))
    store.close()
    return counts[0], counts[1], orders


def test_killed_ingest_run_again_leaves_every_comment_once_and_the_same_orders(tmp_path):
    comments, items = tmp_path / "comments.jsonl", tmp_path / "items.csv"
    items.write_text(catalog_csv(), encoding="utf-8")
    write_jsonl(comments, 30_000, customers=3_000)

    whole, crashed = tmp_path / "whole.duckdb", tmp_path / "crashed.duckdb"
    for db in (whole, crashed):
        prepare(db, items)
    subprocess.run(cli(whole, "ingest", str(comments), "--livestream", "1"), cwd=ROOT, check=True,
                   capture_output=True)

    process = subprocess.Popen(cli(crashed, "ingest", str(comments), "--livestream", "1", "--progress"), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    batches_done = 0
    for line in process.stderr:
        if line.startswith("read "):
            batches_done += 1
            if batches_done == 1:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(60)
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    stored_after_kill, _, _ = snapshot(crashed)
    assert 0 < stored_after_kill < 30_000

    rerun = subprocess.run(cli(crashed, "ingest", str(comments), "--livestream", "1"), cwd=ROOT, check=True,
                           capture_output=True, text=True)
    summary = json.loads(rerun.stdout)
    assert summary["duplicates"] >= stored_after_kill
    assert summary["new"] == 30_000 - summary["duplicates"]

    expected, crashed_state = snapshot(whole), snapshot(crashed)
    assert crashed_state[0] == crashed_state[1] == expected[0] == 30_000
    assert crashed_state[2] == expected[2]
