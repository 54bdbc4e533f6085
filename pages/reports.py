"""Reports: how the selected livestream sold (live while it runs), how lives compare, the owner's SQL console,
and exports. Every figure comes from core.reports, core.sql_console or core.exports; this page only shows them."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from core import exports, livestreams, orders, reports, sql_console
from core.demo import demo_replay
from core.errors import ChotdonError
from core.formatting import vnd
from ui.order_form import show_error
from ui.state import actor, current_user, flash, get_store, selected_livestream_id, show_flashes
from ui.text import plain

LIVE_REFRESH_SECONDS = 5
# Vega's own number format with dots for thousands, as core.formatting.vnd writes money.
MONEY_AXIS = alt.Axis(labelExpr="replace(format(datum.value, ',d'), regexp(',', 'g'), '.') + ' ₫'", title=None)

store = get_store()
st.title("📊 Reports", anchor=False)
# Our own layout CSS (no customer text): VND amounts are long, so figures use a smaller number than st.metric's.
st.html("""<style>
    [data-testid="stMetric"] {border: 1px solid rgba(49, 51, 63, 0.18); border-radius: 0.5rem;
                              padding: 0.35rem 0.75rem 0.45rem 0.75rem;}
    [data-testid="stMetricValue"] {font-size: 1.4rem;}
    [data-testid="stMetricLabel"] p {font-size: 0.8rem;}
    .st-key-console_sql textarea {font-family: "Source Code Pro", monospace; font-size: 0.85rem;}
    </style>""")
show_flashes()


# -- shared pieces -------------------------------------------------------------------------------------------
TABLE_ROWS = 500  # a table on the page shows the first rows (the most important: every report is sorted)


def show_table(frame: pd.DataFrame, columns: dict[str, str], *, money: tuple[str, ...] = (),
               percent: tuple[str, ...] = ()) -> None:
    """A sortable table of the named columns under friendly titles: money as 150.000 ₫, counts as 1.234, times as
    27/11/2026 20:05 (the table still sorts by the numbers and times themselves). The CSV has every row."""
    shown = frame[list(columns)].head(TABLE_ROWS).rename(columns=columns)
    styler = shown.style.format(vnd, subset=[columns[c] for c in money], na_rep="")
    if percent:
        styler = styler.format("{:.0%}", subset=[columns[c] for c in percent], na_rep="")
    counts = [title for column, title in columns.items() if column not in money
              and pd.api.types.is_integer_dtype(frame[column]) and column != "livestream_id"]
    if counts:
        styler = styler.format(dotted, subset=counts, na_rep="")
    times = [title for column, title in columns.items() if pd.api.types.is_datetime64_any_dtype(frame[column])]
    if times:
        styler = styler.format(lambda t: t.strftime("%d/%m/%Y %H:%M"), subset=times, na_rep="")
    st.dataframe(styler, hide_index=True, width="stretch")
    if len(frame) > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS} of {dotted(len(frame))} rows; the CSV has them all.")


def download_csv(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    # The file is made when the button is pressed, not on every (live) rerun.
    st.download_button("⬇ CSV", data=lambda: exports.to_csv(frame), file_name=exports.file_name(file_stem, "csv"),
                       mime=exports.FORMATS["csv"].mime, key=key, on_click="ignore", type="tertiary",
                       help="Download this table as CSV")


def chart_block(title: str, chart: alt.Chart | None, frame: pd.DataFrame, columns: dict[str, str], *,
                key: str, money: tuple[str, ...] = (), percent: tuple[str, ...] = ()) -> None:
    """A chart with its table view and a CSV download of the same rows."""
    with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
        st.markdown(f"**{title}**", width="content")
        download_csv(frame[list(columns)], key, key=f"download-{key}")
    if frame.empty:
        st.caption("Nothing yet.")
        return
    if chart is None:
        show_table(frame, columns, money=money, percent=percent)
        return
    chart_tab, table_tab = st.tabs(["📈 Chart", "🔢 Table"])
    with chart_tab:
        st.altair_chart(chart, width="stretch")
    with table_tab:
        show_table(frame, columns, money=money, percent=percent)


def money_tooltip(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.assign(**{f"{column}_text": frame[column].map(vnd)})


def percent_text(share: float | None) -> str:
    return "–" if share is None or pd.isna(share) else f"{share:.0%}"


# -- this livestream -----------------------------------------------------------------------------------------
FIGURE_HELP = {
    "revenue_confirmed": "Orders in the shipping book, sent to the shop or shipped.",
    "revenue_pending": "Drafts and orders awaiting the customer's confirmation.",
    "share": "Comments that created an order or added items to one, out of all comments.",
    "claimed": "Units in orders that are not cancelled; waitlisted units wait for stock.",
}


def figure_metrics(figures: reports.Figures) -> None:
    counts = st.columns(6)
    counts[0].metric("Comments", dotted(figures.comments))
    counts[1].metric("Order comments", dotted(figures.order_comments))
    counts[2].metric("Into orders", percent_text(figures.comment_to_order_share),
                     help=FIGURE_HELP["share"])
    counts[3].metric("Buyers", dotted(figures.customers_ordered),
                     help="Customers with an order that is not cancelled.")
    counts[4].metric("Orders", dotted(figures.orders), help="Orders that are not cancelled.")
    counts[5].metric("Cancelled orders", dotted(figures.cancelled_orders))
    money = st.columns([1.5, 1.5, 1.25, 1, 0.9, 1.2])
    money[0].metric("Revenue confirmed", vnd(figures.revenue_confirmed),
                    help=FIGURE_HELP["revenue_confirmed"])
    money[1].metric("Revenue pending", vnd(figures.revenue_pending), help=FIGURE_HELP["revenue_pending"])
    money[2].metric("Average order", vnd(figures.average_order_value) or "–",
                    help="Confirmed and pending revenue over orders.")
    money[3].metric("Items claimed", dotted(figures.items_claimed))
    money[4].metric("Waitlisted", dotted(figures.items_waitlisted))
    money[5].metric("Cancel comments", dotted(figures.cancel_comments))
    st.caption("Confirmed: in the shipping book, sent to the shop or shipped · pending: drafts and orders awaiting "
               "confirmation · items: units in orders that are not cancelled, waitlisted ones waiting for stock.")


def dotted(number) -> str:
    return f"{int(number):,}".replace(",", ".")


def timeline_chart(timeline: pd.DataFrame) -> alt.Chart:
    long = timeline.melt(id_vars=["minute"], value_vars=["comments", "order_comments"], var_name="series",
                         value_name="count")
    long["series"] = long["series"].map({"comments": "Comments", "order_comments": "Order comments"})
    long["time"] = long["minute"].dt.strftime("%H:%M")
    # The minutes are naive shop time; the browser reads a naive time as its own wall clock and shows it back
    # unchanged, so the axis reads in shop time whatever the browser's zone.
    return (
        alt.Chart(long)
        .mark_line(interpolate="monotone", point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X("minute:T", axis=alt.Axis(format="%H:%M", title=None)),
            y=alt.Y("count:Q", axis=alt.Axis(title="per minute")),
            color=alt.Color("series:N", legend=alt.Legend(orient="top", title=None),
                            scale=alt.Scale(range=["#9aa5b1", "#e8590c"])),
            tooltip=[alt.Tooltip("time:N", title="Minute"), alt.Tooltip("series:N", title="What"),
                     alt.Tooltip("count:Q", title="Count")],
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
            x=alt.X("orders:Q", title="orders"),
            color=alt.Color("status:N", legend=None, scale=alt.Scale(domain=list(STATUS_COLORS),
                                                                     range=list(STATUS_COLORS.values()))),
            tooltip=[alt.Tooltip("label:N", title="Status"), alt.Tooltip("orders:Q", title="Orders"),
                     alt.Tooltip("value_text:N", title="Value")],
        )
        .properties(height=alt.Step(22))
    )


def items_chart(top_items: pd.DataFrame) -> alt.Chart:
    data = top_items.head(12).copy()
    data["label"] = data["code"] + " · " + data["name"]
    data["stock_left_text"] = data["stock_left"].map(lambda v: "unlimited" if pd.isna(v) else str(int(v)))
    long = data.melt(id_vars=["label", "code", "stock_left_text", "claimed"], value_vars=["served", "waitlisted"],
                     var_name="part", value_name="units")
    long["part"] = long["part"].map({"served": "In stock", "waitlisted": "Waitlisted"})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=190, labelOverlap=False)),
            x=alt.X("units:Q", title="units claimed"),
            color=alt.Color("part:N", legend=alt.Legend(orient="top", title=None),
                            scale=alt.Scale(domain=["In stock", "Waitlisted"], range=["#2f9e44", "#f08c00"])),
            tooltip=[alt.Tooltip("label:N", title="Item"), alt.Tooltip("part:N", title=" "),
                     alt.Tooltip("units:Q", title="Units"), alt.Tooltip("stock_left_text:N", title="Stock left")],
        )
        .properties(height=alt.Step(20))
    )


def revenue_parts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key and part (Confirmed, Pending) of the revenue, with a money tooltip: stacked bars."""
    long = frame.melt(id_vars=keys, value_vars=["revenue_confirmed", "revenue_pending"], var_name="part",
                      value_name="value")
    long["part"] = long["part"].map({"revenue_confirmed": "Confirmed", "revenue_pending": "Pending"})
    return money_tooltip(long, "value")


def staff_chart(by_staff: pd.DataFrame) -> alt.Chart:
    long = revenue_parts(by_staff, ["staff"])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("staff:N", title=None, sort=list(by_staff["staff"])),
            x=alt.X("value:Q", axis=MONEY_AXIS),
            color=alt.Color("part:N", legend=alt.Legend(orient="top", title=None),
                            scale=alt.Scale(domain=["Confirmed", "Pending"], range=["#1c7ed6", "#a5d8ff"])),
            tooltip=[alt.Tooltip("staff:N", title="Staff"), alt.Tooltip("part:N", title="Revenue"),
                     alt.Tooltip("value_text:N", title="Value")],
        )
        .properties(height=alt.Step(28))
    )


def livestream_panel(livestream_id: int, is_live: bool) -> None:
    try:
        report = reports.live_report(store, livestream_id)
    except ChotdonError as error:
        show_error(error)
        return
    held = report.held_at.strftime("%d/%m/%Y %H:%M") if report.held_at else "not started"
    state = (f"🔴 live · refreshing every {LIVE_REFRESH_SECONDS} s" if is_live
             else f"{report.status} · figures as of now")
    st.markdown(f"**{plain(report.title)}** · {held} · {state}")
    figure_metrics(report.figures)

    chart_block("Comments and order comments per minute (shop time)",
                timeline_chart(report.timeline) if not report.timeline.empty else None, report.timeline,
                {"minute": "Minute", "comments": "Comments", "order_comments": "Order comments",
                 "new_orders": "New orders"}, key=f"timeline-{livestream_id}")

    left, right = st.columns(2, gap="medium")
    with left:
        chart_block("Orders by status", status_chart(report.by_status), report.by_status,
                    {"label": "Status", "orders": "Orders", "items": "Items", "value": "Value"},
                    money=("value",), key=f"status-{livestream_id}")
    with right:
        chart_block("Top items, with stock left", items_chart(report.top_items), report.top_items,
                    {"code": "Code", "name": "Item", "price": "Price", "claimed": "Claimed",
                     "waitlisted": "Waitlisted", "stock": "Stock", "stock_left": "Stock left",
                     "claimed_value": "Value claimed", "customers": "Customers"},
                    money=("price", "claimed_value"), key=f"items-{livestream_id}")
    left, right = st.columns(2, gap="medium")
    with left:
        chart_block("Sales by staff in charge", staff_chart(report.by_staff), report.by_staff,
                    {"staff": "Staff", "orders": "Orders", "customers": "Customers", "items": "Items",
                     "revenue_confirmed": "Confirmed", "revenue_pending": "Pending",
                     "cancelled_orders": "Cancelled"},
                    money=("revenue_confirmed", "revenue_pending"), key=f"staff-{livestream_id}")
    with right:
        chart_block("Customers with the largest orders", None, report.largest_customers,
                    {"customer": "Customer", "order_codes": "Orders", "items": "Items", "waitlisted": "Waitlisted",
                     "value": "Value", "blacklisted": "Blacklisted"},
                    money=("value",), key=f"customers-{livestream_id}")


# -- across lives --------------------------------------------------------------------------------------------
def lives_chart(lives: pd.DataFrame) -> alt.Chart:
    data = lives.assign(live=lambda f: "#" + f["livestream_id"].astype(str) + " · " + f["held_at"].dt.strftime("%d/%m"))
    long = revenue_parts(data, ["live", "title"])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("live:N", sort=list(data["live"]), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", axis=MONEY_AXIS),
            color=alt.Color("part:N", legend=alt.Legend(orient="top", title=None),
                            scale=alt.Scale(domain=["Confirmed", "Pending"], range=["#1c7ed6", "#a5d8ff"])),
            tooltip=[alt.Tooltip("title:N", title="Livestream"), alt.Tooltip("part:N", title="Revenue"),
                     alt.Tooltip("value_text:N", title="Value")],
        )
        .properties(height=260)
    )


LIVES_COLUMNS = {
    "livestream_id": "#", "title": "Livestream", "held_at": "Held", "comments": "Comments",
    "order_comments": "Order comments", "customers_ordered": "Customers", "orders": "Orders",
    "revenue_confirmed": "Confirmed", "revenue_pending": "Pending", "average_order_value": "Average order",
    "comment_to_order_share": "Comments → orders", "items_claimed": "Items claimed",
    "items_waitlisted": "Waitlisted", "cancelled_orders": "Cancelled",
    **{f"orders_{status}": orders.STATUS_LABELS[status] for status in orders.STATUSES if status != orders.CANCELLED},
}


def across_lives_panel() -> None:
    span = reports.held_date_span(store)
    if span is None:
        st.info("No livestream yet: create one on the Setup page.")
        return
    controls = st.columns([1.6, 1.4, 3], vertical_alignment="bottom")
    picked = controls[0].date_input("Livestreams held", value=span, format="DD/MM/YYYY", key="across_dates")
    grouping = controls[1].segmented_control(
        "Same item in different lives means", options=list(reports.ITEM_GROUPINGS), default="code", required=True,
        format_func={"code": "same code", "name": "same name"}.get, key="across_grouping")
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        st.info("Pick the last day of the range too.")
        return
    since, until = picked
    try:
        report = reports.across_lives_report(store, since, until, item_grouping=grouping or "code")
    except ChotdonError as error:
        show_error(error)
        return
    totals = report.totals
    controls[2].caption(f"{len(report.lives)} livestreams from {since:%d/%m/%Y} to {until:%d/%m/%Y}")
    if report.lives.empty:
        st.info("No livestream was held in these days.")
        return
    metrics = st.columns([0.8, 1, 0.9, 1.5, 1.5, 1.2])
    metrics[0].metric("Livestreams", dotted(len(report.lives)))
    metrics[1].metric("Comments", dotted(totals.comments))
    metrics[2].metric("Orders", dotted(totals.orders))
    metrics[3].metric("Revenue confirmed", vnd(totals.revenue_confirmed),
                      help=FIGURE_HELP["revenue_confirmed"])
    metrics[4].metric("Revenue pending", vnd(totals.revenue_pending),
                      help=FIGURE_HELP["revenue_pending"])
    metrics[5].metric("Average order", vnd(totals.average_order_value) or "–")

    chart_block("Each livestream side by side", lives_chart(report.lives), report.lives, LIVES_COLUMNS,
                money=("revenue_confirmed", "revenue_pending", "average_order_value"),
                percent=("comment_to_order_share",), key="lives")

    items = report.items
    every = items[items["in_every_live"]]
    chart_block(f"Items that sold in every live with sales ({dotted(len(every))} of {dotted(len(items))} items)", None,
                items,
                {"code": "Code", "name": "Item", "lives_sold": "Lives sold in", "lives_offered": "Lives offered in",
                 "lives_with_sales": "Lives with sales", "claimed": "Units claimed", "served": "Units in stock",
                 "claimed_value": "Value claimed", "in_every_live": "In every live"},
                money=("claimed_value",), key="items-across")
    left, right = st.columns(2, gap="medium")
    with left:
        chart_block(f"Returning customers: orders in 2 or more lives ({dotted(len(report.returning_customers))})", None,
                    report.returning_customers,
                    {"customer": "Customer", "lives": "Lives", "orders": "Orders", "items": "Items",
                     "value": "Value", "last_order_at": "Last order", "blacklisted": "Blacklisted"},
                    money=("value",), key="returning")
    with right:
        chart_block(f"Blacklist hits: blacklisted customers with orders ({dotted(len(report.blacklist_hits))})", None,
                    report.blacklist_hits,
                    {"customer": "Customer", "blacklist_reason": "Reason", "orders": "Orders",
                     "cancelled_orders": "Cancelled", "value": "Value", "order_codes": "Order codes",
                     "last_order_at": "Last order"},
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
    st.caption("For the shop owner: read-only SQL over a snapshot of the shop's data. Only one SELECT runs at a "
               f"time, for at most {sql_console.TIME_LIMIT_SECONDS:g} s, and shows at most "
               f"{sql_console.MAX_ROWS:,} rows. Times are shop time; money is in VND.")
    editor, schema_column = st.columns([1.9, 1], gap="medium")
    with schema_column:
        st.markdown("**Views you can query**")
        with st.container(height=345):
            for view in sql_console.VIEWS:
                with st.expander(f"`{view.name}` · {view.about}"):
                    st.markdown("\n".join(f"- `{column}` {meaning}" for column, meaning in view.columns))
    with editor:
        saved = sql_console.saved_queries(store)
        choices = [("example", name) for name in sql_console.EXAMPLES] + [("saved", q["name"]) for q in saved]
        st.selectbox("Open a saved query or an example", options=choices, index=None, key="console_pick",
                     format_func=lambda c: ("💾 " if c[0] == "saved" else "💡 ") + c[1],
                     placeholder=f"{len(saved)} saved queries, {len(sql_console.EXAMPLES)} examples",
                     on_change=load_console_query)
        st.session_state.setdefault("console_sql", next(iter(sql_console.EXAMPLES.values())))
        sql = st.text_area("SQL", key="console_sql", height=175)
        buttons = st.columns([1, 1.6, 1, 1], vertical_alignment="bottom")
        run = buttons[0].button("▶ Run", type="primary", key="console_run", width="stretch")
        name = buttons[1].text_input("Name", key="console_save_name", placeholder="name to save it under",
                                     label_visibility="collapsed")
        save = buttons[2].button("💾 Save", key="console_save", width="stretch")
        pick = st.session_state.get("console_pick")
        deletable = bool(pick and pick[0] == "saved")
        delete = buttons[3].button("🗑 Delete", key="console_delete", width="stretch",
                                   disabled=not deletable, help="Delete the saved query picked above")
    if save:
        try:
            sql_console.save_query(store, name, sql, actor=actor(), by=current_user())
        except ChotdonError as error:
            show_error(error)
        else:
            flash(f"Query saved as {' '.join(name.split())}.")
            st.rerun()
    if delete and deletable:
        try:
            sql_console.delete_saved_query(store, pick[1], by=current_user())
        except ChotdonError as error:
            show_error(error)
        else:
            st.session_state.pop("console_pick", None)
            flash(f"Saved query {pick[1]} deleted.")
            st.rerun()
    if run:
        st.session_state.pop("console_result", None)
        st.session_state.pop("console_error", None)
        try:
            st.session_state["console_result"] = sql_console.run_query(store, sql, by=current_user())
        except ChotdonError as error:
            st.session_state["console_error"] = str(error)
    if st.session_state.get("console_error"):
        st.error(plain(st.session_state["console_error"]))
    result: sql_console.ConsoleResult | None = st.session_state.get("console_result")
    if result is not None:
        show_console_result(result)


def show_console_result(result: sql_console.ConsoleResult) -> None:
    frame = result.frame
    head = st.columns([3, 1, 1, 1], vertical_alignment="center")
    if result.truncated:
        head[0].warning(result.message)
    else:
        head[0].caption(result.message)
    stem = sql_console.file_stem(st.session_state.get("console_save_name") or "query")
    for column, fmt in zip(head[1:], exports.FORMATS):
        column.download_button(f"⬇ {exports.FORMATS[fmt].label}", data=lambda f=fmt: exports.encode(frame, f),
                               file_name=exports.file_name(stem, fmt), mime=exports.FORMATS[fmt].mime,
                               key=f"console-download-{fmt}", on_click="ignore", width="stretch")
    table_tab, chart_tab = st.tabs(["🔢 Result", "📈 Quick chart"])
    with table_tab:
        st.dataframe(frame, hide_index=True, width="stretch", height=320)
    with chart_tab:
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                   and not pd.api.types.is_bool_dtype(frame[c])]
        if frame.empty or not numeric:
            st.caption("A chart needs a column of numbers.")
            return
        pick = st.columns([1, 1, 1])
        x = pick[0].selectbox("Across", options=list(frame.columns), key="console_chart_x")
        y = pick[1].selectbox("Height", options=numeric, index=len(numeric) - 1, key="console_chart_y")
        kind = pick[2].segmented_control("Chart", options=["Bars", "Line"], default="Bars", required=True,
                                         key="console_chart_kind")
        data = frame[[x, y]] if x != y else frame[[y]].reset_index()
        if kind == "Line":
            st.line_chart(data, x=x if x != y else "index", y=y, height=280)
        else:
            st.bar_chart(data, x=x if x != y else "index", y=y, height=280)


# -- exports -------------------------------------------------------------------------------------------------
def exports_panel(livestream_id: int | None) -> None:
    choices = st.columns([1.6, 1.2, 1.6], vertical_alignment="bottom")
    kind = choices[0].selectbox("What", options=list(exports.KINDS), format_func=lambda k: exports.KINDS[k][0],
                                key="export_kind")
    scope_options = (["livestream"] if livestream_id is not None else []) + ["range"]
    scope_kind = choices[1].segmented_control(
        "For", options=scope_options, default=scope_options[0], required=True, key="export_scope",
        format_func={"livestream": "this livestream", "range": "a date range"}.get)
    if scope_kind == "range":
        span = reports.held_date_span(store) or (date.today(), date.today())
        picked = choices[2].date_input("Livestreams held", value=span, format="DD/MM/YYYY", key="export_dates")
        if not isinstance(picked, (tuple, list)) or len(picked) != 2:
            st.info("Pick the last day of the range too.")
            return
        scope = exports.Scope(since=picked[0], until=picked[1])
    else:
        scope = exports.Scope(livestream_id=livestream_id)
        title = livestreams.get_livestream(store, livestream_id)["title"]
        choices[2].markdown(f"Livestream: **{plain(title)}** (picked in the sidebar)")
    try:
        preview, total = exports.preview(store, kind, scope, rows=TABLE_ROWS)
    except ChotdonError as error:
        show_error(error)
        return
    stem = f"{kind}-{scope.slug}"
    buttons = st.columns([2, 1, 1, 1], vertical_alignment="center")
    buttons[0].caption(f"{dotted(total)} rows · text a spreadsheet would run as a formula is written with a "
                       "leading ' in CSV and Excel")
    for column, fmt in zip(buttons[1:], exports.FORMATS):
        too_big = fmt == "xlsx" and total >= exports.EXCEL_MAX_ROWS
        # The file is built when the button is pressed, not on every rerun of the page.
        column.download_button(
            f"⬇ {exports.FORMATS[fmt].label}",
            data=lambda f=fmt: exports.encode(exports.export_frame(store, kind, scope), f, sheet_name=kind),
            file_name=exports.file_name(stem, fmt), mime=exports.FORMATS[fmt].mime, key=f"export-{fmt}",
            on_click="ignore", width="stretch", disabled=too_big,
            help="More rows than an Excel sheet holds" if too_big else None)
    st.dataframe(preview, hide_index=True, width="stretch", height=380)
    if total > len(preview):
        st.caption(f"The first {len(preview)} rows; the files have all {dotted(total)}.")


# -- the page ------------------------------------------------------------------------------------------------
livestream_id = selected_livestream_id(store)
live_tab, across_tab, console_tab, exports_tab = st.tabs(
    ["📍 This livestream", "🗓 Across lives", "🧮 SQL console", "⬇ Exports"], key="reports_tab", on_change="rerun")

with live_tab:
    if live_tab.open is not False:
        if livestream_id is None:
            st.info("No livestream yet: create one on the Setup page.")
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
