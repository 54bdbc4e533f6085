"""Issue 13, item 14: core.db.store.describe_open_failure names what is wrong with the shop's database file."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from core.db.store import Store, describe_open_failure, file_problem


def _error_opening(path) -> BaseException:
    with pytest.raises(Exception) as caught:
        Store(str(path))
    return caught.value


def test_a_file_held_by_another_process_is_named_held(tmp_path):
    path = tmp_path / "shop.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               f"c = duckdb.connect({str(path)!r}); print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        said = describe_open_failure(_error_opening(path))
    finally:
        holder.stdin.close()
        holder.wait(30)
    assert said.key == "database.held" and str(path) in said and "Close that program" in said


def test_random_bytes_are_corrupt_and_a_cut_file_is_truncated(tmp_path):
    noise = tmp_path / "noise.duckdb"
    noise.write_bytes(os.urandom(100_000))
    assert describe_open_failure(_error_opening(noise)).key == "database.corrupt"
    made = tmp_path / "made.duckdb"
    with duckdb.connect(str(made)) as connection:
        connection.execute("CREATE TABLE t AS SELECT range AS i, repeat('x', 50) AS s FROM range(200000)")
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(made.read_bytes()[:made.stat().st_size // 3])
    assert describe_open_failure(_error_opening(cut)).key == "database.truncated"


@pytest.mark.parametrize(("message", "key"), [
    ("IO Error: Could not write file \"/x/shop.duckdb.wal\": No space left on device", "database.full"),
    ("IO Error: Cannot open file \"/x/shop.duckdb\": Permission denied", "database.read_only"),
    ("IO Error: Cannot open file \"/x/shop.duckdb\": Read-only file system", "database.read_only"),
    ("Catalog Error: Table with name nope does not exist!", "database.cannot_open"),
])
def test_the_problem_is_read_from_duckdbs_words(message, key):
    said = describe_open_failure(duckdb.IOException(message))
    assert said.key == key and ("/x/shop.duckdb" in said or "nope" in said)
    assert (file_problem(duckdb.IOException(message)) is None) == (key == "database.cannot_open")
    assert file_problem(RuntimeError("No space left on device")) is None  # not the file's trouble


def test_the_command_line_says_the_same_sentence_for_a_damaged_file_and_exits_2(tmp_path):
    noise = tmp_path / "noise.duckdb"
    noise.write_bytes(os.urandom(100_000))
    result = subprocess.run([sys.executable, "-m", "core", "--db", str(noise), "orders", "--livestream", "1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert str(describe_open_failure(_error_opening(noise), str(noise))) in result.stderr
    assert "Traceback" not in result.stderr and "IO Error" not in result.stderr
