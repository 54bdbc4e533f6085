"""The owner's SQL console: only one SELECT runs, on a locked-down copy; long queries stop; results are capped."""

import time

import pytest

from core.base import errors
from core.base.errors import InvalidInput, NotFound
from core.domain.users import SYSTEM_USER
from core.services import sql_console
from core.services.sql_console import ConsoleQueryFailed, ConsoleRefused, ConsoleTimeout
from tests.integration.helpers import feed


@pytest.fixture
def shop(store, livestream_id):
    feed(store, livestream_id, ("Lan", "A1 M 2"), ("Mai", "SP12 1"), ("Khoa", "còn size L không shop?"))
    return store


def run_query(store, sql, **options):
    """The console as the owner runs it (core refuses anyone else)."""
    return sql_console.run_query(store, sql, by=SYSTEM_USER, **options)


def counts(store):
    return [store.scalar(f"SELECT count(*) FROM {table}") for table in ("orders", "order_lines", "comments")]


def test_a_select_over_the_views_answers(shop):
    result = run_query(shop, "SELECT c.display_name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id "
                             "ORDER BY o.total DESC")
    assert result.frame.values.tolist() == [["Mai", 450_000], ["Lan", 300_000]]
    assert not result.truncated and result.message.startswith("2 rows")


def test_with_from_first_describe_and_summarize_are_selects(shop):
    assert run_query(shop, "WITH t AS (SELECT count(*) AS n FROM comments) SELECT n FROM t").frame["n"][0] == 3
    assert len(run_query(shop, "FROM items").frame) == 6
    assert "column_name" in run_query(shop, "DESCRIBE comments").frame.columns
    assert len(run_query(shop, "SUMMARIZE order_lines").frame) > 0


def test_times_in_the_views_are_shop_time(shop):
    first = run_query(shop, "SELECT min(commented_at) AS t FROM comments").frame["t"][0]
    assert first.strftime("%d/%m %H:%M") == "20/11 20:00"  # 13:00 UTC


def test_staff_view_has_no_password_hashes(shop):
    columns = list(run_query(shop, "SELECT * FROM staff").frame.columns)
    assert "password_hash" not in columns and "username" in columns
    with pytest.raises(ConsoleQueryFailed, match="password_hash"):
        run_query(shop, "SELECT password_hash FROM staff")


@pytest.mark.parametrize("sql, kind", [
    ("INSERT INTO orders (code) VALUES ('X')", "INSERT"),
    ("UPDATE orders SET status = 'shipped'", "UPDATE"),
    ("DELETE FROM comments", "DELETE"),
    ("DROP TABLE orders", "DROP"),
    ("CREATE TABLE x AS SELECT 1", "CREATE"),
    ("ATTACH '/tmp/other.duckdb' AS other", "ATTACH"),
    ("COPY orders TO '/tmp/orders.csv'", "COPY"),
    ("PRAGMA database_list", "PRAGMA"),
    ("SET enable_external_access = true", "SET"),
    ("RESET lock_configuration", "SET"),
    ("INSTALL httpfs", "LOAD"),
    ("EXPLAIN SELECT 1", "EXPLAIN"),
    ("CALL pragma_version()", "CALL"),
])
def test_statements_that_are_not_selects_are_refused_by_their_type(shop, sql, kind):
    before = counts(shop)
    with pytest.raises(ConsoleRefused) as refused:
        run_query(shop, sql)
    assert f"{kind} statements are refused" in str(refused.value)
    assert "read-only" in str(refused.value)
    assert counts(shop) == before


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/hostname')",
    "SELECT * FROM read_parquet('/tmp/anything.parquet')",
    "SELECT * FROM read_json('/tmp/anything.json')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM read_parquet('https://example.com/data.parquet')",
])
def test_file_and_network_functions_are_refused(shop, sql):
    with pytest.raises(ConsoleQueryFailed) as refused:
        run_query(shop, sql)
    assert "cannot read files, reach the network" in str(refused.value)


def test_the_shops_database_file_cannot_be_reached(shop):
    # The console's connection is a separate in-memory database: the shop's own tables are not there at all.
    with pytest.raises(ConsoleQueryFailed, match="schema_migrations"):
        run_query(shop, "SELECT * FROM schema_migrations")
    for path in (shop.path, "/etc/passwd"):
        with pytest.raises(ConsoleQueryFailed):
            run_query(shop, f"SELECT * FROM '{path}'")


def test_two_statements_an_empty_text_and_bad_sql_get_a_message(shop):
    with pytest.raises(ConsoleRefused, match="one statement at a time"):
        run_query(shop, "SELECT 1; DROP TABLE orders")
    with pytest.raises(ConsoleRefused, match="Type a SELECT"):
        run_query(shop, "   -- nothing here\n")
    with pytest.raises(ConsoleQueryFailed, match="not valid SQL"):
        run_query(shop, "SELEC * FROM orders")
    assert counts(shop)[0] == 2


def test_python_variables_are_not_tables(shop):
    secret = [1, 2, 3]  # noqa: F841 (DuckDB could otherwise read a local variable by its name)
    with pytest.raises(ConsoleQueryFailed, match="secret"):
        run_query(shop, "SELECT * FROM secret")


def test_a_query_that_runs_too_long_is_interrupted(shop):
    started = time.monotonic()
    with pytest.raises(ConsoleTimeout, match="longer than 0.5 s"):
        run_query(shop, "SELECT count(*) FROM range(100000000) a, range(100000) b, comments", time_limit=0.5)
    assert time.monotonic() - started < 10
    assert len(run_query(shop, "SELECT * FROM comments").frame) == 3  # the next query runs normally


def test_a_large_result_is_capped_with_a_message(shop):
    result = run_query(shop, "SELECT range AS n FROM range(1000000) ORDER BY n", max_rows=10_000)
    assert len(result.frame) == 10_000 and result.truncated
    assert result.frame["n"].iloc[-1] == 9_999
    assert "first 10,000 rows only" in result.message
    exact = run_query(shop, "SELECT range AS n FROM range(10000)", max_rows=10_000)
    assert len(exact.frame) == 10_000 and not exact.truncated


def test_a_result_too_large_in_bytes_is_cut_while_fetching_with_a_message(shop):
    # The query that took the app from 313 MB to 6 GB: 10,000 rows of 100 kB. Fetching stops at the byte cap, so
    # what the console keeps (and the session holds) is about the cap, not the whole result.
    result = run_query(shop, "SELECT repeat('x', 100000) AS s FROM range(10000)")
    kept = int(result.frame.memory_usage(deep=True).sum())
    assert kept <= 2 * sql_console.MAX_BYTES  # pandas strings carry some overhead over the Arrow bytes counted
    assert 0 < len(result.frame) < 10_000 and result.truncated
    megabytes = sql_console.MAX_BYTES // 2**20
    assert f"cut at {len(result.frame):,} rows / {megabytes} MB" in result.message
    vietnamese = errors.localize(result.message, "vi")
    assert f"{megabytes} MB" in vietnamese and vietnamese != result.message
    small = run_query(shop, "SELECT repeat('x', 1000) AS s FROM range(5)", max_bytes=2**20)
    assert len(small.frame) == 5 and not small.truncated


def test_a_row_larger_than_the_byte_cap_leaves_an_empty_cut_result(shop):
    result = run_query(shop, "SELECT repeat('x', 3000000) AS s", max_bytes=2**20)
    assert result.frame.empty and list(result.frame.columns) == ["s"] and result.truncated


def test_the_time_limit_holds_while_rows_are_fetched(shop):
    # The first rows come at once, the rest are slow to make and stream out as they are made: the time runs out
    # while the console is fetching, not before the first row. The console says it stopped the query (not DuckDB's or Arrow's error).
    with pytest.raises(ConsoleTimeout, match="longer than 0.5 s"):
        run_query(shop, "SELECT CASE WHEN i < 2000 THEN '' ELSE md5(repeat(i::VARCHAR, 20000)) END AS h "
                       "FROM range(1000000) t(i)", time_limit=0.5)
    assert len(run_query(shop, "SELECT * FROM comments").frame) == 3


def test_an_error_raised_while_fetching_is_the_consoles_message(shop):
    with pytest.raises(ConsoleQueryFailed, match="boom"):
        run_query(shop, "SELECT CASE WHEN i = 9000 THEN error('boom') ELSE i END AS n FROM range(10000) t(i)")


def test_saved_queries_are_kept_by_name_and_replaced_on_save(shop):
    first = sql_console.save_query(shop, "  Orders  per   live ", "SELECT livestream_id, count(*) FROM orders "
                                   "GROUP BY ALL", actor="owner", by=SYSTEM_USER)
    assert [q["name"] for q in sql_console.saved_queries(shop)] == ["Orders per live"]
    again = sql_console.save_query(shop, "Orders per live", "SELECT count(*) AS n FROM orders", actor="owner",
                                   by=SYSTEM_USER)
    assert again == first
    saved = sql_console.saved_query(shop, "Orders per live")
    assert saved["sql"] == "SELECT count(*) AS n FROM orders"
    assert run_query(shop, saved["sql"]).frame["n"][0] == 2
    sql_console.save_query(shop, "A first", "FROM staff", actor="owner", by=SYSTEM_USER)
    assert [q["name"] for q in sql_console.saved_queries(shop)] == ["A first", "Orders per live"]
    sql_console.delete_saved_query(shop, "A first", by=SYSTEM_USER)
    with pytest.raises(NotFound):
        sql_console.saved_query(shop, "A first")


def test_only_queries_the_console_would_run_can_be_saved(shop):
    with pytest.raises(ConsoleRefused):
        sql_console.save_query(shop, "wipe", "DELETE FROM orders", actor="owner", by=SYSTEM_USER)
    with pytest.raises(InvalidInput, match="name"):
        sql_console.save_query(shop, "  ", "SELECT 1", actor="owner", by=SYSTEM_USER)
    assert sql_console.saved_queries(shop) == []


def test_saved_queries_are_not_in_the_consoles_views(shop):
    sql_console.save_query(shop, "mine", "SELECT 1", actor="owner", by=SYSTEM_USER)
    with pytest.raises(ConsoleQueryFailed):
        run_query(shop, "SELECT * FROM saved_queries")


def test_every_example_runs_and_every_view_matches_its_documented_columns(shop):
    for sql in sql_console.EXAMPLES.values():
        run_query(shop, sql)
    for view in sql_console.VIEWS:
        columns = list(run_query(shop, f"SELECT * FROM {view.name} LIMIT 0").frame.columns)
        assert columns == [name for name, _ in view.columns], view.name


def test_sums_come_back_as_numbers_not_decimals(shop):
    frame = run_query(shop, "SELECT sum(qty) AS units, sum(amount) / 3 AS third, sum(unit_price) FILTER "
                            "(WHERE false) AS nothing FROM order_lines").frame
    assert str(frame["units"].dtype) == "int64" and frame["units"][0] == 3
    assert str(frame["third"].dtype) == "float64" and frame["third"][0] == 250_000


def test_only_the_owner_may_use_the_console(shop):
    from core.base.errors import AccessDenied
    from core.domain.users import User

    lan = User(id=2, username="lan", display_name="Nguyễn Thị Lan", role="staff")
    with pytest.raises(AccessDenied):
        sql_console.run_query(shop, "SELECT 1", by=lan)
    with pytest.raises(AccessDenied):
        sql_console.save_query(shop, "mine", "SELECT 1", actor="lan", by=lan)
    assert sql_console.saved_queries(shop) == []


def test_views_examples_and_results_read_in_both_languages(shop):
    from core.base import i18n

    for view in sql_console.VIEWS:
        assert view.about.render("vi") != view.about.key and view.about.render("vi") != str(view.about)
        for _, meaning in view.columns:
            assert meaning.key in i18n.table("vi"), meaning.key
    assert set(sql_console.EXAMPLE_TITLES) == set(sql_console.EXAMPLES)
    result = run_query(shop, "SELECT range AS n FROM range(1234)")
    assert result.message.render("en").startswith("1,234 rows in ")
    assert result.message.render("vi").startswith("1.234 dòng trong ")
    assert run_query(shop, "SELECT 1").message.startswith("1 row in ")
    with pytest.raises(ConsoleRefused) as refused:
        run_query(shop, "DROP TABLE orders")
    assert "DROP statements are refused" in str(refused.value)
    assert "câu lệnh DROP bị từ chối" in errors.localize(refused.value, "vi")
