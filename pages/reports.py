"""Reports: how the selected livestream sold (live while it runs), how lives compare, the owner's SQL console,
and exports. Every figure comes from core.services.reports, core.services.sql_console or core.services.exports; this page only shows them."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from core.base.errors import ChotdonError
from core.base.formatting import vnd
from core.runtime.demo_replay import demo_replay
from core.services import exports, livestreams, orders, reports, sql_console
from ui.feedback import flash, show_error, show_flashes
from ui.i18n import date_text, language, number, say, t
from ui.session import actor, current_user, get_store, selected_livestream_id
from ui.text import plain

LIVE_REFRESH_SECONDS = 5
# Vega's own number format with dots for thousands, as core.base.formatting.vnd writes money.
MONEY_AXIS = alt.Axis(labelExpr="replace(format(datum.value, ',d'), regexp(',', 'g'), '.') + ' ₫'",  # not screen text
                      title=None)

store = get_store()
st.title(t("reports.title"), anchor=False)
# Our own layout CSS (no customer text): VND amounts are long, so figures use a smaller number than st.metric's.
st.html("""<style>
    [data-testid="stMetric"] {border: 1px solid rgba(49, 51, 63, 0.18); border-radius: 0.5rem;
                              padding: 0.35rem 0.75rem 0.45rem 0.75rem;}
    [data-testid="stMetricValue"] {font-size: 1.4rem;}
    [data-testid="stMetricLabel"] p {font-size: 0.8rem;}
    .st-key-console_sql textarea {font-family: "Source Code Pro", monospace; font-size: 0.85rem;}
    </style>""")  # not screen text
show_flashes()


# -- shared pieces -------------------------------------------------------------------------------------------
TABLE_ROWS = 500  # a table on the page shows the first rows (the most important: every report is sorted)


def show_table(frame: pd.DataFrame, columns: dict[str, str], *, money: tuple[str, ...] = (),
               percent: tuple[str, ...] = ()) -> None:
    """A sortable table of the named columns under their titles (`columns`: column -> title in the reader's
    language): money as 150.000 ₫, counts and times as the reader's language writes them (1,234 / 1.234, 27 Nov 2026
    20:05 / 20:05 27/11/2026); the table still sorts by the numbers and times themselves. The CSV has every row."""
    shown = frame[list(columns)].head(TABLE_ROWS).rename(columns=columns)
    styler = shown.style.format(vnd, subset=[columns[c] for c in money], na_rep="")
    if percent:
        styler = styler.format("{:.0%}", subset=[columns[c] for c in percent], na_rep="")
    counts = [title for column, title in columns.items() if column not in money
              and pd.api.types.is_integer_dtype(frame[column]) and column != "livestream_id"]
    if counts:
        styler = styler.format(number, subset=counts, na_rep="")
    times = [title for column, title in columns.items() if pd.api.types.is_datetime64_any_dtype(frame[column])]
    if times:
        styler = styler.format(day_and_time, subset=times, na_rep="")
    st.dataframe(styler, hide_index=True, width="stretch")
    if len(frame) > TABLE_ROWS:
        st.caption(t("reports.first_rows", shown=number(TABLE_ROWS), total=number(len(frame))))


def day_and_time(moment) -> str:
    """A shop-local time as the reader's language writes a day, with hours and minutes."""
    return t("reports.day_and_time", day=date_text(moment), time=moment.strftime("%H:%M"))


def download_csv(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    # The file is made when the button is pressed, not on every (live) rerun.
    st.download_button("⬇ CSV", data=lambda: exports.to_csv(frame), file_name=exports.file_name(file_stem, "csv"),
                       mime=exports.FORMATS["csv"].mime, key=key, on_click="ignore", type="tertiary",
                       help=t("reports.download_csv_help"))


def chart_block(title: str, chart: alt.Chart | None, frame: pd.DataFrame, columns: dict[str, str], *,
                key: str, money: tuple[str, ...] = (), percent: tuple[str, ...] = ()) -> None:
    """A chart with its table view and a CSV download of the same rows, under the same column titles."""
    with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
        st.markdown(f"**{title}**", width="content")
        download_csv(frame[list(columns)].rename(columns=columns), key, key=f"download-{key}")
    if frame.empty:
        st.caption(t("reports.nothing_yet"))
        return
    if chart is None:
        show_table(frame, columns, money=money, percent=percent)
        return
    chart_tab, table_tab = st.tabs([t("reports.tab_chart"), t("reports.tab_table")])
    with chart_tab:
        st.altair_chart(chart, width="stretch")
    with table_tab:
        show_table(frame, columns, money=money, percent=percent)


def money_tooltip(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.assign(**{f"{column}_text": frame[column].map(vnd)})


def percent_text(share: float | None) -> str:
    return "–" if share is None or pd.isna(share) else f"{share:.0%}"


# -- this livestream -----------------------------------------------------------------------------------------
def figure_metrics(figures: reports.Figures) -> None:
    counts = st.columns(6)
    counts[0].metric(t("reports.comments"), number(figures.comments))
    counts[1].metric(t("reports.order_comments"), number(figures.order_comments))
    counts[2].metric(t("reports.into_orders"), percent_text(figures.comment_to_order_share),
                     help=t("reports.help_share"))
    counts[3].metric(t("reports.buyers"), number(figures.customers_ordered), help=t("reports.help_buyers"))
    counts[4].metric(t("reports.orders"), number(figures.orders), help=t("reports.help_orders"))
    counts[5].metric(t("reports.cancelled_orders"), number(figures.cancelled_orders))
    money = st.columns([1.5, 1.5, 1.25, 1, 0.9, 1.2])
    money[0].metric(t("reports.revenue_confirmed"), vnd(figures.revenue_confirmed),
                    help=t("reports.help_revenue_confirmed"))
    money[1].metric(t("reports.revenue_pending"), vnd(figures.revenue_pending), help=t("reports.help_revenue_pending"))
    money[2].metric(t("reports.average_order"), vnd(figures.average_order_value) or "–",
                    help=t("reports.help_average"))
    money[3].metric(t("reports.items_claimed"), number(figures.items_claimed))
    money[4].metric(t("reports.waitlisted"), number(figures.items_waitlisted))
    money[5].metric(t("reports.cancel_comments"), number(figures.cancel_comments))
    st.caption(t("reports.figures_note"))


def timeline_chart(timeline: pd.DataFrame) -> alt.Chart:
    long = timeline.melt(id_vars=["minute"], value_vars=["comments", "order_comments"], var_name="series",
                         value_name="count")
    series = {"comments": t("reports.comments"), "order_comments": t("reports.order_comments")}
    long["series"] = long["series"].map(series)
    long["time"] = long["minute"].dt.strftime("%H:%M")
    # The minutes are naive shop time; the browser reads a naive time as its own wall clock and shows it back
    # unchanged, so the axis reads in shop time whatever the browser's zone.
    return (
        alt.Chart(long)
        .mark_line(interpolate="monotone", point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X("minute:T", axis=alt.Axis(format="%H:%M", title=None)),
            y=alt.Y("count:Q", axis=alt.Axis(title=t("reports.per_minute"))),
            color=alt.Color("series:N", legend=alt.Legend(orient="top", title=None),
                            scale=alt.Scale(domain=list(series.values()), range=["#9aa5b1", "#e8590c"])),
            tooltip=[alt.Tooltip("time:N", title=t("reports.col.minute")),
                     alt.Tooltip("series:N", title=t("reports.what")),
                     alt.Tooltip("count:Q", title=t("reports.count"))],
        )
        .properties(height=240)
    )


STATUS_COLORS = {
    orders.DRAFT: "#adb5bd", orders.AWAITING_CONFIRMATION: "#fab005", orders.AWAITING_SHIPMENT: "#1c7ed6",
    orders.SENT_TO_SHOP: "#7048e8", orders.SHIPPED: "#2f9e44", orders.CANCELLED: "#ffa8a8",
}


def status_chart(by_status: pd.DataFrame) -> alt.Chart:
    data = money_tooltip(by_status, "value")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=170)),
            x=alt.X("orders:Q", title=t("reports.orders_axis")),
            color=alt.Color("status:N", legend=None, scale=alt.Scale(domain=list(STATUS_COLORS),
                                                                     range=list(STATUS_COLORS.values()))),
            tooltip=[alt.Tooltip("label:N", title=t("reports.col.status")),
                     alt.Tooltip("orders:Q", title=t("reports.col.orders")),
                     alt.Tooltip("value_text:N", title=t("reports.col.value"))],
        )
        .properties(height=alt.Step(22))
    )


def items_chart(top_items: pd.DataFrame) -> alt.Chart:
    data = top_items.head(12).copy()
    data["label"] = data["code"] + " · " + data["name"]
    data["stock_left_text"] = data["stock_left"].map(lambda v: t("reports.unlimited") if pd.isna(v) else number(v))
    long = data.melt(id_vars=["label", "code", "stock_left_text", "claimed"], value_vars=["served", "waitlisted"],
                     var_name="part", value_name="units")
    parts = {"served": t("reports.in_stock"), "waitlisted": t("reports.col.waitlisted")}
    long["part"] = long["part"].map(parts)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=190, labelOverlap=False)),
            x=alt.X("units:Q", title=t("reports.units_axis")),
            color=alt.Color("part:N", legend=alt.Legend(orient="top", title=None),
                            scale=alt.Scale(domain=list(parts.values()), range=["#2f9e44", "#f08c00"])),
            tooltip=[alt.Tooltip("label:N", title=t("reports.col.item")), alt.Tooltip("part:N", title=" "),
                     alt.Tooltip("units:Q", title=t("reports.units")),
                     alt.Tooltip("stock_left_text:N", title=t("reports.col.stock_left"))],
        )
        .properties(height=alt.Step(20))
    )


def revenue_parts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key and part (Confirmed, Pending) of the revenue, with a money tooltip: stacked bars."""
    long = frame.melt(id_vars=keys, value_vars=["revenue_confirmed", "revenue_pending"], var_name="part",
                      value_name="value")
    long["part"] = long["part"].map({"revenue_confirmed": t("reports.confirmed"),
                                     "revenue_pending": t("reports.pending")})
    return money_tooltip(long, "value")


def revenue_scale() -> alt.Scale:
    return alt.Scale(domain=[t("reports.confirmed"), t("reports.pending")], range=["#1c7ed6", "#a5d8ff"])


def staff_chart(by_staff: pd.DataFrame) -> alt.Chart:
    long = revenue_parts(by_staff, ["staff"])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("staff:N", title=None, sort=list(by_staff["staff"])),
            x=alt.X("value:Q", axis=MONEY_AXIS),
            color=alt.Color("part:N", legend=alt.Legend(orient="top", title=None), scale=revenue_scale()),
            tooltip=[alt.Tooltip("staff:N", title=t("reports.col.staff")),
                     alt.Tooltip("part:N", title=t("reports.revenue")),
                     alt.Tooltip("value_text:N", title=t("reports.col.value"))],
        )
        .properties(height=alt.Step(28))
    )


def livestream_panel(livestream_id: int, is_live: bool) -> None:
    try:
        report = reports.live_report(store, livestream_id)
    except ChotdonError as error:
        show_error(error)
        return
    held = day_and_time(report.held_at) if report.held_at else t("reports.not_started")
    state = (t("reports.state_live", seconds=LIVE_REFRESH_SECONDS) if is_live
             else t("reports.state_other", status=t(f"reports.live_status.{report.status}")))
    st.markdown(t("reports.heading", title=plain(report.title), held=held, state=state))
    figure_metrics(report.figures)

    chart_block(t("reports.chart_timeline"),
                timeline_chart(report.timeline) if not report.timeline.empty else None, report.timeline,
                {"minute": t("reports.col.minute"), "comments": t("reports.col.comments"),
                 "order_comments": t("reports.col.order_comments"), "new_orders": t("reports.col.new_orders")},
                key=f"timeline-{livestream_id}")

    # Status labels and "nobody in charge" in the reader's language (core's frames carry them in English).
    by_status = report.by_status.assign(label=report.by_status["status"].map(status_label))
    by_staff = report.by_staff.assign(staff=report.by_staff["staff"].where(report.by_staff["staff_id"].notna(),
                                                                           t("reports.nobody")))
    left, right = st.columns(2, gap="medium")
    with left:
        chart_block(t("reports.chart_status"), status_chart(by_status), by_status,
                    {"label": t("reports.col.status"), "orders": t("reports.col.orders"),
                     "items": t("reports.col.items"), "value": t("reports.col.value")},
                    money=("value",), key=f"status-{livestream_id}")
    with right:
        chart_block(t("reports.chart_items"), items_chart(report.top_items), report.top_items,
                    {"code": t("reports.col.code"), "name": t("reports.col.item"), "price": t("reports.col.price"),
                     "claimed": t("reports.col.claimed"), "waitlisted": t("reports.col.waitlisted"),
                     "stock": t("reports.col.stock"), "stock_left": t("reports.col.stock_left"),
                     "claimed_value": t("reports.col.value_claimed"), "customers": t("reports.col.customers")},
                    money=("price", "claimed_value"), key=f"items-{livestream_id}")
    left, right = st.columns(2, gap="medium")
    with left:
        chart_block(t("reports.chart_staff"), staff_chart(by_staff), by_staff,
                    {"staff": t("reports.col.staff"), "orders": t("reports.col.orders"),
                     "customers": t("reports.col.customers"), "items": t("reports.col.items"),
                     "revenue_confirmed": t("reports.col.confirmed"), "revenue_pending": t("reports.col.pending"),
                     "cancelled_orders": t("reports.col.cancelled")},
                    money=("revenue_confirmed", "revenue_pending"), key=f"staff-{livestream_id}")
    with right:
        chart_block(t("reports.chart_customers"), None, report.largest_customers,
                    {"customer": t("reports.col.customer"), "order_codes": t("reports.col.order_list"),
                     "items": t("reports.col.items"), "waitlisted": t("reports.col.waitlisted"),
                     "value": t("reports.col.value"), "blacklisted": t("reports.col.blacklisted")},
                    money=("value",), key=f"customers-{livestream_id}")


def status_label(status: str) -> str:
    return say(orders.STATUS_LABELS[status])


# -- across lives --------------------------------------------------------------------------------------------
def lives_chart(lives: pd.DataFrame) -> alt.Chart:
    data = lives.assign(live=[t("reports.live_label", id=live_id, day=date_text(held))
                              for live_id, held in zip(lives["livestream_id"], lives["held_at"])])
    long = revenue_parts(data, ["live", "title"])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("live:N", sort=list(data["live"]), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", axis=MONEY_AXIS),
            color=alt.Color("part:N", legend=alt.Legend(orient="top", title=None), scale=revenue_scale()),
            tooltip=[alt.Tooltip("title:N", title=t("reports.col.livestream")),
                     alt.Tooltip("part:N", title=t("reports.revenue")),
                     alt.Tooltip("value_text:N", title=t("reports.col.value"))],
        )
        .properties(height=260)
    )


def lives_columns() -> dict[str, str]:
    return {
        "livestream_id": t("reports.col.number"), "title": t("reports.col.livestream"),
        "held_at": t("reports.col.held"),
        "comments": t("reports.col.comments"), "order_comments": t("reports.col.order_comments"),
        "customers_ordered": t("reports.col.customers"), "orders": t("reports.col.orders"),
        "revenue_confirmed": t("reports.col.confirmed"), "revenue_pending": t("reports.col.pending"),
        "average_order_value": t("reports.col.average_order"),
        "comment_to_order_share": t("reports.col.comments_to_orders"),
        "items_claimed": t("reports.col.items_claimed"), "items_waitlisted": t("reports.col.waitlisted"),
        "cancelled_orders": t("reports.col.cancelled"),
        **{f"orders_{status}": status_label(status) for status in orders.STATUSES if status != orders.CANCELLED},
    }


def across_lives_panel() -> None:
    span = reports.held_date_span(store)
    if span is None:
        st.info(t("reports.no_livestream"))
        return
    controls = st.columns([1.6, 1.4, 3], vertical_alignment="bottom")
    picked = controls[0].date_input(t("reports.dates_held"), value=span, format="DD/MM/YYYY", key="across_dates")
    grouping = controls[1].segmented_control(
        t("reports.grouping"), options=list(reports.ITEM_GROUPINGS), default="code", required=True,
        format_func={"code": t("reports.same_code"), "name": t("reports.same_name")}.get, key="across_grouping")
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        st.info(t("reports.pick_end"))
        return
    since, until = picked
    try:
        report = reports.across_lives_report(store, since, until, item_grouping=grouping or "code")
    except ChotdonError as error:
        show_error(error)
        return
    totals = report.totals
    controls[2].caption(t("reports.lives_in_range", count=number(len(report.lives)), since=date_text(since),
                          until=date_text(until)))
    if report.lives.empty:
        st.info(t("reports.no_lives_in_range"))
        return
    metrics = st.columns([0.8, 1, 0.9, 1.5, 1.5, 1.2])
    metrics[0].metric(t("reports.livestreams"), number(len(report.lives)))
    metrics[1].metric(t("reports.comments"), number(totals.comments))
    metrics[2].metric(t("reports.orders"), number(totals.orders))
    metrics[3].metric(t("reports.revenue_confirmed"), vnd(totals.revenue_confirmed),
                      help=t("reports.help_revenue_confirmed"))
    metrics[4].metric(t("reports.revenue_pending"), vnd(totals.revenue_pending),
                      help=t("reports.help_revenue_pending"))
    metrics[5].metric(t("reports.average_order"), vnd(totals.average_order_value) or "–")

    chart_block(t("reports.chart_lives"), lives_chart(report.lives), report.lives, lives_columns(),
                money=("revenue_confirmed", "revenue_pending", "average_order_value"),
                percent=("comment_to_order_share",), key="lives")

    items = report.items
    every = items[items["in_every_live"]]
    chart_block(t("reports.chart_items_every", every=number(len(every)), items=number(len(items))), None, items,
                {"code": t("reports.col.code"), "name": t("reports.col.item"),
                 "lives_sold": t("reports.col.lives_sold"), "lives_offered": t("reports.col.lives_offered"),
                 "lives_with_sales": t("reports.col.lives_with_sales"), "claimed": t("reports.col.units_claimed"),
                 "served": t("reports.col.units_in_stock"), "claimed_value": t("reports.col.value_claimed"),
                 "in_every_live": t("reports.col.in_every_live")},
                money=("claimed_value",), key="items-across")
    left, right = st.columns(2, gap="medium")
    with left:
        chart_block(t("reports.chart_returning", count=number(len(report.returning_customers))), None,
                    report.returning_customers,
                    {"customer": t("reports.col.customer"), "lives": t("reports.col.lives"),
                     "orders": t("reports.col.orders"), "items": t("reports.col.items"),
                     "value": t("reports.col.value"), "last_order_at": t("reports.col.last_order"),
                     "blacklisted": t("reports.col.blacklisted")},
                    money=("value",), key="returning")
    with right:
        chart_block(t("reports.chart_blacklist", count=number(len(report.blacklist_hits))), None,
                    report.blacklist_hits,
                    {"customer": t("reports.col.customer"), "blacklist_reason": t("reports.col.reason"),
                     "orders": t("reports.col.orders"), "cancelled_orders": t("reports.col.cancelled"),
                     "value": t("reports.col.value"), "order_codes": t("reports.col.order_codes"),
                     "last_order_at": t("reports.col.last_order")},
                    money=("value",), key="blacklist")


# -- SQL console ---------------------------------------------------------------------------------------------
def load_console_query() -> None:
    """Puts the picked saved query or example into the editor (a callback: it runs before the editor is drawn)."""
    picked = st.session_state.get("console_pick")
    if not picked:
        return
    source, name = picked
    if source == "example":
        st.session_state["console_sql"] = sql_console.EXAMPLES[name]
    else:
        try:
            st.session_state["console_sql"] = sql_console.saved_query(store, name)["sql"]
        except ChotdonError:
            pass  # deleted meanwhile; the list is refreshed by this rerun
    st.session_state["console_save_name"] = name if source == "saved" else ""


def console_panel() -> None:
    st.caption(t("console.intro", seconds=f"{sql_console.TIME_LIMIT_SECONDS:g}", rows=number(sql_console.MAX_ROWS)))
    editor, schema_column = st.columns([1.9, 1], gap="medium")
    with schema_column:
        st.markdown(t("console.views_title"))
        with st.container(height=345):
            for view in sql_console.VIEWS:
                with st.expander(f"`{view.name}` · {say(view.about)}"):
                    st.markdown("\n".join(f"- `{column}` {say(meaning)}" for column, meaning in view.columns))
    with editor:
        saved = sql_console.saved_queries(store)
        choices = [("example", name) for name in sql_console.EXAMPLES] + [("saved", q["name"]) for q in saved]
        st.selectbox(t("console.pick"), options=choices, index=None, key="console_pick",
                     format_func=lambda c: "💾 " + c[1] if c[0] == "saved"
                     else "💡 " + say(sql_console.EXAMPLE_TITLES.get(c[1], c[1])),
                     placeholder=t("console.pick_placeholder", saved=number(len(saved)),
                                   examples=number(len(sql_console.EXAMPLES))),
                     on_change=load_console_query)
        st.session_state.setdefault("console_sql", next(iter(sql_console.EXAMPLES.values())))
        sql = st.text_area("SQL", key="console_sql", height=175)
        buttons = st.columns([1, 1.6, 1, 1], vertical_alignment="bottom")
        run = buttons[0].button(t("console.run"), type="primary", key="console_run", width="stretch")
        name = buttons[1].text_input(t("console.name"), key="console_save_name",
                                     placeholder=t("console.name_placeholder"), label_visibility="collapsed")
        save = buttons[2].button(t("console.save"), key="console_save", width="stretch")
        pick = st.session_state.get("console_pick")
        deletable = bool(pick and pick[0] == "saved")
        delete = buttons[3].button(t("console.delete"), key="console_delete", width="stretch",
                                   disabled=not deletable, help=t("console.delete_help"))
    if save:
        try:
            sql_console.save_query(store, name, sql, actor=actor(), by=current_user())
        except ChotdonError as error:
            show_error(error)
        else:
            flash(t("console.saved", name=" ".join(name.split())))
            st.rerun()
    if delete and deletable:
        try:
            sql_console.delete_saved_query(store, pick[1], by=current_user())
        except ChotdonError as error:
            show_error(error)
        else:
            st.session_state.pop("console_pick", None)
            flash(t("console.deleted", name=pick[1]))
            st.rerun()
    if run:
        st.session_state.pop("console_result", None)
        st.session_state.pop("console_error", None)
        try:
            st.session_state["console_result"] = sql_console.run_query(store, sql, by=current_user())
        except ChotdonError as error:
            st.session_state["console_error"] = error.text  # shown in the reader's language, now and on reruns
    if st.session_state.get("console_error"):
        st.error(plain(say(st.session_state["console_error"])))
    result: sql_console.ConsoleResult | None = st.session_state.get("console_result")
    if result is not None:
        show_console_result(result)


def show_console_result(result: sql_console.ConsoleResult) -> None:
    frame = result.frame
    head = st.columns([3, 1, 1, 1], vertical_alignment="center")
    message = say(result.message)
    if result.truncated:
        head[0].warning(message)
    else:
        head[0].caption(message)
    stem = sql_console.file_stem(st.session_state.get("console_save_name") or "query")
    for column, fmt in zip(head[1:], exports.FORMATS):
        column.download_button(f"⬇ {exports.FORMATS[fmt].label}", data=lambda f=fmt: exports.encode(frame, f),
                               file_name=exports.file_name(stem, fmt), mime=exports.FORMATS[fmt].mime,
                               key=f"console-download-{fmt}", on_click="ignore", width="stretch")
    table_tab, chart_tab = st.tabs([t("console.tab_result"), t("console.tab_chart")])
    with table_tab:
        st.dataframe(frame, hide_index=True, width="stretch", height=320)
    with chart_tab:
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                   and not pd.api.types.is_bool_dtype(frame[c])]
        if frame.empty or not numeric:
            st.caption(t("console.chart_needs_numbers"))
            return
        pick = st.columns([1, 1, 1])
        x = pick[0].selectbox(t("console.across"), options=list(frame.columns), key="console_chart_x")
        y = pick[1].selectbox(t("console.height"), options=numeric, index=len(numeric) - 1, key="console_chart_y")
        kind = pick[2].segmented_control(t("console.chart"), options=["bars", "line"], default="bars", required=True,
                                         format_func={"bars": t("console.bars"), "line": t("console.line")}.get,
                                         key="console_chart_kind")
        data = frame[[x, y]] if x != y else frame[[y]].reset_index()
        if kind == "line":
            st.line_chart(data, x=x if x != y else "index", y=y, height=280)
        else:
            st.bar_chart(data, x=x if x != y else "index", y=y, height=280)


# -- exports -------------------------------------------------------------------------------------------------
def exports_panel(livestream_id: int | None) -> None:
    choices = st.columns([1.6, 1.2, 1.6], vertical_alignment="bottom")
    kind = choices[0].selectbox(t("exports.what"), options=list(exports.KINDS),
                                format_func=lambda k: say(exports.KINDS[k][0]), key="export_kind")
    scope_options = (["livestream"] if livestream_id is not None else []) + ["range"]
    scope_kind = choices[1].segmented_control(
        t("exports.scope"), options=scope_options, default=scope_options[0], required=True, key="export_scope",
        format_func={"livestream": t("exports.scopes.livestream"), "range": t("exports.scopes.range")}.get)
    if scope_kind == "range":
        span = reports.held_date_span(store) or (date.today(), date.today())
        picked = choices[2].date_input(t("exports.dates_held"), value=span, format="DD/MM/YYYY", key="export_dates")
        if not isinstance(picked, (tuple, list)) or len(picked) != 2:
            st.info(t("reports.pick_end"))
            return
        scope = exports.Scope(since=picked[0], until=picked[1])
    else:
        scope = exports.Scope(livestream_id=livestream_id)
        title = livestreams.get_livestream(store, livestream_id)["title"]
        choices[2].markdown(t("exports.picked_livestream", title=plain(title)))
    try:
        preview, total = exports.preview(store, kind, scope, rows=TABLE_ROWS)
    except ChotdonError as error:
        show_error(error)
        return
    reader = language()  # CSV and Excel files carry the reader's column titles; Parquet the column names
    stem = f"{kind}-{scope.slug}"
    buttons = st.columns([2, 1, 1, 1], vertical_alignment="center")
    buttons[0].caption(t("exports.rows_note", rows=number(total)))
    for column, fmt in zip(buttons[1:], exports.FORMATS):
        too_big = fmt == "xlsx" and total >= exports.EXCEL_MAX_ROWS
        # The file is built when the button is pressed, not on every rerun of the page.
        column.download_button(
            f"⬇ {exports.FORMATS[fmt].label}",
            data=lambda f=fmt: exports.export_file(store, kind, scope, f, reader),
            file_name=exports.file_name(stem, fmt), mime=exports.FORMATS[fmt].mime, key=f"export-{fmt}",
            on_click="ignore", width="stretch", disabled=too_big,
            help=t("exports.too_big_for_excel") if too_big else None)
    st.dataframe(exports.for_people(preview, reader), hide_index=True, width="stretch", height=380)
    if total > len(preview):
        st.caption(t("exports.preview_first", shown=number(len(preview)), total=number(total)))


# -- the page ------------------------------------------------------------------------------------------------
livestream_id = selected_livestream_id(store)
live_tab, across_tab, console_tab, exports_tab = st.tabs(
    [t("reports.tab_live"), t("reports.tab_across"), t("reports.tab_console"), t("reports.tab_exports")],
    key="reports_tab", on_change="rerun")

with live_tab:
    if live_tab.open is not False:
        if livestream_id is None:
            st.info(t("reports.no_livestream"))
        else:
            status = livestreams.get_livestream(store, livestream_id)["status"]
            is_live = status == "live" or demo_replay(store, livestream_id).running
            st.fragment(run_every=LIVE_REFRESH_SECONDS if is_live else None)(livestream_panel)(livestream_id, is_live)
with across_tab:
    if across_tab.open is not False:
        across_lives_panel()
with console_tab:
    if console_tab.open is not False:
        console_panel()
with exports_tab:
    if exports_tab.open is not False:
        exports_panel(livestream_id)
