"""AppTest: the Reports page opens from app.py, each of its tabs renders, and the SQL console works by its keys."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import livestreams, sql_console
from tests.ui.helpers import demo_shop, sign_in

ROOT = Path(__file__).resolve().parents[2]
TABS = ["📍 This livestream", "🗓 Across lives", "🧮 SQL console", "⬇ Exports"]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    with demo_shop(tmp_path, monkeypatch, ("Nguyễn Lan", "chốt A1 M 2"), ("**Trần** Mai", "SP12 đen 1"),
                   ("Lê Khoa", "A1 còn size L không?"), ("Nguyễn Lan", "0912 345 678")) as shop:
        yield shop


def reports_page() -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    at.switch_page("pages/reports.py").run()
    return at


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_reports_page_opens_from_the_app_with_the_live_figures(shop):
    at = reports_page()
    assert not at.exception, at.exception
    assert at.title[0].value == "📊 Reports"
    shown = metrics(at)
    assert shown["Comments"] == "4" and shown["Order comments"] == "2" and shown["Orders"] == "2"
    assert shown["Revenue pending"] == "748.000 ₫"  # A1 2 × 149.000 + SP12 450.000
    assert shown["Revenue confirmed"] == "0 ₫"


@pytest.mark.parametrize("tab", TABS[1:])
def test_every_reports_tab_renders_without_exception(shop, tab):
    at = reports_page()
    at.session_state["reports_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_customer_names_are_never_markdown_on_the_reports_page(shop):
    at = reports_page()
    assert all("**Trần**" not in m.value or "\\*\\*Trần" in m.value for m in at.markdown)


def test_the_console_runs_a_query_and_refuses_a_drop(shop):
    at = reports_page()
    at.session_state["reports_tab"] = "🧮 SQL console"
    at.run()
    at.text_area(key="console_sql").set_value("SELECT code, status FROM orders ORDER BY code").run()
    at.button(key="console_run").click().run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("2 rows") for c in at.caption)
    assert at.dataframe[-1].value["code"].tolist() == ["L1-001", "L1-002"]

    at.text_area(key="console_sql").set_value("DROP TABLE orders").run()
    at.button(key="console_run").click().run()
    assert any("DROP statements are refused" in e.value for e in at.error)
    store, _ = shop
    assert store.scalar("SELECT count(*) FROM orders") == 2


def test_the_console_saves_a_query_and_opens_it_again(shop):
    store, _ = shop
    at = reports_page()
    at.session_state["reports_tab"] = "🧮 SQL console"
    at.run()
    at.text_area(key="console_sql").set_value("SELECT count(*) AS n FROM comments").run()
    at.text_input(key="console_save_name").set_value("Comment count").run()
    at.button(key="console_save").click().run()
    assert not at.exception, at.exception
    assert sql_console.saved_query(store, "Comment count")["sql"] == "SELECT count(*) AS n FROM comments"

    at.text_area(key="console_sql").set_value("SELECT 1").run()
    at.selectbox(key="console_pick").set_value(("saved", "Comment count")).run()
    assert at.text_area(key="console_sql").value == "SELECT count(*) AS n FROM comments"


def test_the_owner_refreshes_the_reporting_copy_from_the_exports_tab(shop):
    store, _ = shop
    at = reports_page()
    at.session_state["reports_tab"] = "⬇ Exports"
    at.run()
    assert any(c.value == "Not written yet." or c.value.startswith("Last refreshed: ") for c in at.caption)
    at.button(key="reporting_copy_refresh").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Reporting copy refreshed") for s in at.success), [s.value for s in at.success]
    assert any(c.value.startswith("Last refreshed: ") for c in at.caption)
    assert (Path(store.path).with_name("shop.reporting") / "chotdon.duckdb").exists()


@pytest.mark.parametrize("sql", [
    "SELECT status, sum(total) FROM orders GROUP BY status ORDER BY status",  # unaliased: HUGEINT, "sum(total)"
    "SELECT sum(total) FROM orders",  # one row, one column
    "SELECT code, status FROM orders ORDER BY code",  # text only
    "SELECT code, total AS \"a.b[0]\", total::DECIMAL(18, 2) AS money FROM orders ORDER BY code",
    "SELECT 1 AS a, 2 AS a",  # two columns of one name
])
def test_the_console_quick_chart_never_crashes(shop, sql):
    at = reports_page()
    at.session_state["reports_tab"] = "🧮 SQL console"
    at.run()
    at.text_area(key="console_sql").set_value(sql).run()
    at.button(key="console_run").click().run()
    assert not at.exception, at.exception
    charts = at.get("vega_lite_chart")
    if "code, status" in sql:
        assert not charts and any(c.value == "A chart needs a column of numbers." for c in at.caption)
    else:
        assert len(charts) == 1


def test_a_live_whose_demo_has_ended_is_not_shown_live(shop):
    store, livestream_id = shop
    livestreams.set_livestream_status(store, livestream_id, "live")  # as the demo leaves it once played
    at = reports_page()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    heading = next(m.value for m in at.markdown if m.value.startswith("**Live xả hàng thu đông"))
    assert "🔴" not in heading, heading
    assert "no comments are coming in" in heading
