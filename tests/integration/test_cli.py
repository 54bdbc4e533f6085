"""The command line, run as a real process against a temporary database file."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, db, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "core", "--db", str(db), *args], cwd=ROOT, input=stdin, capture_output=True,
        text=True, encoding="utf-8", timeout=120,
    )


@pytest.fixture
def shop(tmp_path):
    db = tmp_path / "cli.duckdb"
    items = tmp_path / "items.csv"
    items.write_text(
        "code,name,price,stock,sizes,colors\nA1,Áo thun basic,150000,20,S|M|L|XL,Đen|Trắng\n"
        "K3,Kẹp tóc ngọc trai,30000,100,,\n", encoding="utf-8")
    created = run("livestream", "create", "--title", "Live CLI", "--items", str(items), db=db)
    assert created.returncode == 0, created.stderr
    return db, int(created.stdout.strip()), items


def test_init_demo_creates_the_demo_shop_once(tmp_path):
    db = tmp_path / "demo.duckdb"
    first = run("init", "--demo", db=db)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["demo_livestream_id"] == 1
    second = run("init", "--demo", db=db)
    assert json.loads(second.stdout)["demo_livestream_id"] is None


def test_ingest_prints_a_summary_and_reingest_adds_nothing(shop, tmp_path):
    db, livestream_id, _ = shop
    comments = tmp_path / "c.jsonl"
    comments.write_text("\n".join([
        json.dumps({"id": "1", "user_id": "u1", "user_name": "Lan", "message": "chốt A1 M 2",
                    "created_at": "2026-11-20T20:00:01+07:00"}, ensure_ascii=False),
        "garbage line",
        json.dumps({"id": "2", "user_id": "u2", "user_name": "Mai", "message": "Z9 1",
                    "created_at": "2026-11-20T20:00:02+07:00"}),
    ]) + "\n", encoding="utf-8")
    first = run("ingest", str(comments), "--livestream", str(livestream_id), db=db)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert {k: summary[k] for k in ("comments", "new", "duplicates", "bad_lines", "orders_created",
                                    "orders_updated")} == {
        "comments": 3, "new": 2, "duplicates": 0, "bad_lines": 1, "orders_created": 2, "orders_updated": 0}
    assert summary["kinds"]["order"] == 2
    again = json.loads(run("ingest", str(comments), "--livestream", str(livestream_id), db=db).stdout)
    assert (again["new"], again["duplicates"], again["orders_created"]) == (0, 2, 0)

    listed = run("orders", "--livestream", str(livestream_id), "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    orders = json.loads(listed.stdout)
    assert [o["customer"] for o in orders] == ["Lan", "Mai"]
    assert set(orders[0]) >= {"code", "status", "customer", "staff", "first_comment_at", "total", "lines"}
    assert orders[0]["lines"] == [{"code": "A1", "item_name": "Áo thun basic", "size": "M", "color": None,
                                   "qty": 2, "unit_price": 150000, "waitlisted_qty": 0}]
    assert orders[1]["lines"][0]["item_name"] is None and orders[1]["lines"][0]["code"] == "Z9"
    assert orders[0]["total"] == 300000

    code = orders[0]["code"]
    refused = run("order", "ship", code, "--user", "lan", db=db)
    assert refused.returncode != 0
    assert "receiver phone" in refused.stderr and "Traceback" not in refused.stderr
    done = run("order", "create-order", code, "--user", "lan", "--phone", "0912345678", "--address", "Hà Nội",
               db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "awaiting_shipment"
    waiting = json.loads(run("orders", "--livestream", str(livestream_id), "--status", "awaiting_shipment",
                             "--json", db=db).stdout)
    assert [o["code"] for o in waiting] == [code]


def test_unknown_order_code_is_an_error_without_traceback(shop):
    db, _, _ = shop
    result = run("order", "ship", "L9-999", db=db)
    assert result.returncode != 0
    assert "no order with the code L9-999" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_livestream_is_an_error(shop, tmp_path):
    db, _, _ = shop
    comments = tmp_path / "c.jsonl"
    comments.write_text("", encoding="utf-8")
    result = run("ingest", str(comments), "--livestream", "99", db=db)
    assert result.returncode != 0 and "Livestream 99 does not exist" in result.stderr


def test_parse_writes_one_json_line_per_input_line(shop):
    db, _, items = shop
    result = run("parse", "--catalog", str(items), db=db, stdin="chốt A1 size M 2 cái\nA1 còn không shop\n\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0] == {"kind": "order", "add": False, "phone": None,
                        "lines": [{"code": "A1", "known": True, "qty": 2, "size": "M", "color": None}],
                        "warnings": []}
    assert lines[1]["kind"] == "question" and lines[2]["kind"] == "none"
