"""Reports speed: a shop of 50 livestreams and a million comments, generated straight into a temporary DuckDB
file with set-based SQL (no parser, no ingest), then the Reports screen's core calls for one live and across all
lives, against the floor: DuckDB running the very same SQL texts with the same parameters into Arrow, in the same
run. Also the SQL console: one query through its locked-down snapshot against the same query on the shop.

`python -m bench reports` (LIVES=50 COMMENTS=1000000 by default; smaller for a quick look).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

LIVES = int(os.environ.get("LIVES", "50"))
COMMENTS = int(os.environ.get("COMMENTS", "1000000"))
ITEMS_PER_LIVE = 20
CUSTOMERS = 40_000
STAFF = 3
ORDER_SHARE = 0.15  # orders per comment; with ~2 lines an order, 30% of comments are order comments
REPEATS = 5

ITEM_NAMES = [
    "Áo thun cotton basic", "Áo sơ mi lụa", "Quần jean ống suông", "Váy hoa nhí", "Túi xách da mini",
    "Giày sneaker đế độn", "Kẹp tóc ngọc trai", "Set đồ bộ lụa", "Áo khoác dạ", "Chân váy xếp ly",
    "Quần tây công sở", "Áo len cổ lọ", "Khăn choàng len", "Mũ bucket", "Dép quai ngang", "Ví cầm tay",
    "Áo hai dây", "Đầm dự tiệc", "Quần short jean", "Áo polo nam", "Thắt lưng da", "Balo mini", "Son kem lì",
    "Kính mát", "Vòng tay bạc", "Bông tai", "Áo croptop", "Quần ống loe", "Sandal quai mảnh", "Áo blazer",
]


def generate(path: str) -> dict:
    """Writes the shop; returns what it holds. Every row is consistent with the schema and with the others:
    each order line has the order comment that claimed it (created for the first line, added for the rest),
    stock is served in claim order, totals follow from the lines."""
    from core.db.store import Store

    orders_per_live = max(1, int(COMMENTS / LIVES * ORDER_SHARE))
    comments_per_live = COMMENTS // LIVES
    store = Store(path)
    cur = store.cursor()
    params = {"lives": LIVES, "items": ITEMS_PER_LIVE, "customers": CUSTOMERS, "staff": STAFF,
              "orders": orders_per_live, "comments": comments_per_live, "names": ITEM_NAMES}
    started = time.perf_counter()
    for sql in GENERATE_SQL:
        cur.execute(sql, {name: value for name, value in params.items() if f"${name}" in sql})
    cur.execute("CHECKPOINT")
    counts = {table: cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("livestreams", "live_items", "customers", "comments", "orders", "order_lines")}
    cur.close()
    store.close()
    counts["seconds"] = time.perf_counter() - started
    return counts


GENERATE_SQL = [
    # Staff: the owner and two staff members (no password hashes needed here).
    "INSERT INTO users (id, username, display_name, role, created_at) "
    "SELECT range + 1, 'staff' || (range + 1), 'Nhân viên ' || (range + 1), "
    "CASE WHEN range = 0 THEN 'owner' ELSE 'staff' END, TIMESTAMP '2026-01-01' FROM range($staff)",
    # Lives three days apart, each 2 hours from 13:00 UTC (20:00 in Ho Chi Minh City).
    "INSERT INTO livestreams (id, title, platform, source_ref, status, started_at, ended_at, created_at) "
    "SELECT range + 1, 'Live ' || (range + 1), 'facebook', 'live-' || (range + 1), 'ended', "
    "TIMESTAMP '2026-01-01 13:00' + INTERVAL (range * 3) DAY, "
    "TIMESTAMP '2026-01-01 15:00' + INTERVAL (range * 3) DAY, TIMESTAMP '2026-01-01' + INTERVAL (range * 3) DAY "
    "FROM range($lives)",
    # Items: codes A1..A20 in every live, names drawn from a list that drifts between lives (so by-name and
    # by-code groupings differ), some stock unlimited.
    "INSERT INTO live_items (id, livestream_id, code, code_key, name, sku, price, stock, position) "
    "SELECT l * $items + k + 1, l + 1, 'A' || (k + 1), 'a' || (k + 1), "
    "$names[((k + l // 10) % len($names)) + 1], 'SKU-' || (k + 1), (50 + (hash(k) % 12) * 50) * 1000, "
    "CASE WHEN k % 5 = 0 THEN NULL ELSE 200 + hash(l, k) % 500 END, k "
    "FROM range($lives) t(l), range($items) u(k)",
    "INSERT INTO customers (id, platform, platform_user_id, display_name, phone, blacklisted, blacklist_reason, "
    "staff_id, created_at) "
    "SELECT range + 1, 'facebook', 'fb-' || (100000 + range), 'Khách ' || (range + 1), "
    "'09' || lpad((range * 7919 % 100000000)::VARCHAR, 8, '0'), range % 997 = 0, "
    "CASE WHEN range % 997 = 0 THEN 'bom hàng' END, range % $staff + 1, TIMESTAMP '2026-01-01' "
    "FROM range($customers)",
    # Orders: one per customer per live (a prime stride over the customers), statuses 40/10/20/10/15/5 %.
    """
    CREATE TEMP TABLE gen_orders AS
    SELECT l * $orders + o + 1 AS id, l + 1 AS livestream_id, o AS number,
           ((l * 7919 + o * 104729) % $customers) + 1 AS customer_id,
           hash(l, o, 'status') % 100 AS pick,
           TIMESTAMP '2026-01-01 13:00' + INTERVAL (l * 3) DAY
               + to_seconds((o * 6000 // $orders + hash(l, o) % 60)::BIGINT) AS first_at,
           1 + hash(l, o, 'lines') % 3 AS lines
    FROM range($lives) t(l), range($orders) u(o)
    """,
    """
    INSERT INTO orders (id, code, livestream_id, number, customer_id, status, staff_id, first_comment_at,
                        receiver_name, receiver_phone, receiver_address, shipping_fee, discount, payment,
                        version, created_at, updated_at)
    SELECT id, 'L' || livestream_id || '-' || lpad((number + 1)::VARCHAR, 4, '0'), livestream_id, number + 1,
           customer_id,
           CASE WHEN pick < 40 THEN 'draft' WHEN pick < 50 THEN 'awaiting_confirmation'
                WHEN pick < 70 THEN 'awaiting_shipment' WHEN pick < 80 THEN 'sent_to_shop'
                WHEN pick < 95 THEN 'shipped' ELSE 'cancelled' END,
           customer_id % 3 + 1, first_at, 'Khách ' || customer_id, '0912345678', '1 Lê Lợi, TP.HCM',
           CASE WHEN pick % 3 = 0 THEN 30000 ELSE 0 END, CASE WHEN pick % 7 = 0 THEN 20000 ELSE 0 END, 'cod',
           1, first_at, first_at
    FROM gen_orders ORDER BY id
    """,
    """
    CREATE TEMP TABLE gen_lines AS
    SELECT row_number() OVER (ORDER BY o.id, n) AS id, o.id AS order_id, o.livestream_id, n,
           (o.livestream_id - 1) * $items + hash(o.id, n) % $items + 1 AS item_id,
           1 + hash(o.id, n, 'qty') % 3 AS qty,
           o.first_at + to_seconds((n * 40)::BIGINT) AS claimed_at
    FROM gen_orders o, range(3) r(n) WHERE n < o.lines
    """,
    # Stock served as the app serves it: committed orders first, then by claim time; cancelled claims hold none.
    """
    INSERT INTO order_lines (id, order_id, code_typed, item_id, qty, unit_price, source_comment_id, claimed_at,
                             waitlisted_qty)
    SELECT id, order_id, code, item_id, qty, price, id, claimed_at,
           CASE WHEN stock IS NULL OR cancelled THEN 0
                ELSE qty - least(qty, greatest(0, stock - (claimed_before_and_now - qty))) END
    FROM (
        SELECT g.id, g.order_id, i.code, g.item_id, g.qty, i.price, g.claimed_at, i.stock,
               o.status = 'cancelled' AS cancelled,
               sum(CASE WHEN o.status = 'cancelled' THEN 0 ELSE g.qty END) OVER (
                   PARTITION BY g.item_id
                   ORDER BY o.status IN ('awaiting_shipment', 'sent_to_shop', 'shipped') DESC, g.claimed_at, g.id
                   ROWS UNBOUNDED PRECEDING) AS claimed_before_and_now
        FROM gen_lines g JOIN live_items i ON i.id = g.item_id JOIN orders o ON o.id = g.order_id
    )
    ORDER BY id
    """,
    # Comments: one order comment per line, then chatter, questions, phones and cancels up to the live's count,
    # all inserted in live order as a real shop's comments arrive.
    """
    INSERT INTO comments (id, livestream_id, platform, platform_comment_id, customer_id, message, commented_at,
                          received_at, source, kind, parse_result, order_id, effect)
    SELECT id, livestream_id, 'facebook', 'c' || id, customer_id, message, commented_at, commented_at, 'bench',
           kind, '{}', order_id, effect
    FROM (
        SELECT g.id, g.livestream_id, o.customer_id, 'A' || (g.item_id - (g.livestream_id - 1) * $items) || ' '
               || g.qty AS message, g.claimed_at AS commented_at, 'order' AS kind, g.order_id,
               CASE WHEN g.n = 0 THEN 'created' ELSE 'added' END AS effect
        FROM gen_lines g JOIN gen_orders o ON o.id = g.order_id
        UNION ALL
        SELECT 10000000 + l * $comments + c, l + 1, (hash(l, c) % $customers) + 1,
               CASE hash(l, c, 'kind') % 4 WHEN 0 THEN 'còn size M không shop?' WHEN 1 THEN 'đẹp quá ❤️'
                    WHEN 2 THEN '0912 345 678' ELSE 'huỷ nha shop' END,
               TIMESTAMP '2026-01-01 13:00' + INTERVAL (l * 3) DAY + to_seconds((hash(l, c, 't') % 7200)::BIGINT),
               CASE hash(l, c, 'kind') % 4 WHEN 0 THEN 'question' WHEN 1 THEN 'none' WHEN 2 THEN 'contact'
                    ELSE 'cancel' END, NULL, 'none'
        FROM range($lives) t(l), range($comments) u(c)
        WHERE c < $comments - (SELECT count(*) FROM gen_lines WHERE livestream_id = l + 1)
    )
    ORDER BY livestream_id, commented_at, id
    """,
    "DROP TABLE gen_lines",
    "DROP TABLE gen_orders",
]


def _median_seconds(action, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _floor(store, queries) -> None:
    """DuckDB alone on the same SQL: one cursor, one read transaction, each result fetched as NumPy arrays (the
    fastest fetch measured here, ahead of Arrow tables and DataFrames)."""
    cursor = store.cursor()
    try:
        cursor.begin()
        for sql, params in queries:
            cursor.execute(sql, params).fetchnumpy()
        cursor.rollback()
    finally:
        cursor.close()


def run() -> str:
    from core.base import config
    from core.db.store import Store
    from core.domain.users import SYSTEM_USER
    from core.services import reports, sql_console

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench-reports.duckdb")
        made = generate(path)
        store = Store(path)
        try:
            middle = LIVES // 2
            live_sql = list(reports.live_queries(middle).values())
            reports.live_report(store, middle)  # warm the caches once, for both sides alike
            one_core = _median_seconds(lambda: reports.live_report(store, middle))
            one_floor = _median_seconds(lambda: _floor(store, live_sql))

            since, until = reports.held_date_span(store)
            range_sql, range_params = reports.range_query(since, until)

            def across_floor():
                cursor = store.cursor()
                try:
                    ids = [row[0] for row in cursor.execute(range_sql, range_params).fetchall()]
                finally:
                    cursor.close()
                _floor(store, list(reports.across_lives_queries(ids).values()))

            all_core = _median_seconds(lambda: reports.across_lives_report(store, since, until))
            all_floor = _median_seconds(across_floor)
            lives_seen = len(reports.across_lives_report(store, since, until).lives)

            question = "SELECT kind, count(*) AS n FROM comments GROUP BY kind ORDER BY n DESC"
            comments_view = sql_console.VIEWS_BY_NAME["comments"].sql
            direct = f"WITH comments AS ({comments_view}) {question}"
            zone = {"zone": config.timezone_name()}
            console_core = _median_seconds(lambda: sql_console.run_query(store, question, by=SYSTEM_USER),
                                           repeats=3)
            console_floor = _median_seconds(lambda: _floor(store, [(direct, zone)]), repeats=3)
        finally:
            store.close()

    def row(what, core_s, floor_s, target):
        return (f"| {what} | {core_s:.3f} | {floor_s:.3f} | **{core_s / floor_s:.2f}** | {target} |")

    lines = [
        "## Reports",
        "",
        f"`.venv/bin/python -m bench reports` — a generated shop: {made['livestreams']} livestreams, "
        f"{made['comments']:,} comments, {made['orders']:,} orders with {made['order_lines']:,} lines, "
        f"{made['customers']:,} customers, {made['live_items']:,} items (written with set-based SQL in "
        f"{made['seconds']:.0f} s). Median of {REPEATS} runs; the floor is DuckDB running the same SQL texts with the "
        "same parameters, fetched as NumPy arrays on one cursor in one read transaction, in the same run.",
        "",
        "| what | core seconds | floor seconds | ratio | target |",
        "|---|---:|---:|---:|---|",
        row(f"one live (`reports.live_report`, live #{LIVES // 2}: figures, statuses, timeline, items, staff, "
            "customers)", one_core, one_floor, "< 0.5 s"),
        row(f"across all lives (`reports.across_lives_report`, {lives_seen} lives: figures side by side, items in "
            "every live, returning customers, blacklist hits)", all_core, all_floor, "< 2 s"),
        row("SQL console: comments per kind over all comments (snapshot of the `comments` view into a "
            "locked-down connection, then the query), floor: the same view and query on the shop", console_core,
            console_floor, "—"),
        "",
        f"One live: **{one_core:.3f} s** (target 0.5 s); across all lives: **{all_core:.3f} s** (target 2 s). "
        "What the core adds to the floor is pandas: turning results into frames, filling quiet minutes, one row "
        "per status, a column per status. The console pays for its safety by copying the views a query names "
        f"(here {made['comments']:,} comments) into its own locked-down in-memory database on every run.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
