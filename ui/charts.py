"""The Reports screen's charts (Altair): each takes a frame from core.services.reports and gives a chart whose
words are in the reader's language and whose money reads as core.base.formatting.vnd writes it."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.base.formatting import vnd
from core.services import orders
from ui.i18n import date_text, number, t

# Vega's own number format with dots for thousands, as core.base.formatting.vnd writes money.
MONEY_AXIS = alt.Axis(labelExpr="replace(format(datum.value, ',d'), regexp(',', 'g'), '.') + ' ₫'",  # not screen text
                      title=None)


def money_tooltip(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.assign(**{f"{column}_text": frame[column].map(vnd)})


# Minutes between two ticks of the timeline: the smallest that leaves at most TIMELINE_TICKS ticks.
TIMELINE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)
TIMELINE_TICKS = 12


def minute_step(timeline: pd.DataFrame) -> int:
    if timeline.empty:
        return 1
    span = (timeline["minute"].max() - timeline["minute"].min()).total_seconds() / 60
    return next((step for step in TIMELINE_STEPS if span / step <= TIMELINE_TICKS), TIMELINE_STEPS[-1])


def minute_ticks(timeline: pd.DataFrame) -> list[alt.DateTime]:
    """The timeline's ticks: whole minutes, minute_step apart, as naive shop times (the browser draws them as they
    are, like the data)."""
    if timeline.empty:
        return []
    step = minute_step(timeline)
    first, last = timeline["minute"].min(), timeline["minute"].max()
    first = first.floor(f"{step}min") if step < 60 else first.floor("h")
    return [alt.DateTime(year=m.year, month=m.month, date=m.day, hours=m.hour, minutes=m.minute)
            for m in pd.date_range(first, last, freq=f"{step}min")]


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
            # Ticks on whole minutes only, at most about a dozen: left to itself, Vega ticks a short live every
            # 10 or 30 seconds and the "%H:%M" labels repeat (20:00 20:00 20:01).
            x=alt.X("minute:T", axis=alt.Axis(format="%H:%M", title=None, values=minute_ticks(timeline))),
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


def chart_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each column that holds numbers as numbers: DuckDB's HUGEINT and DECIMAL may arrive as Python
    objects, which no chart can measure. Columns of text stay text. By position: a query may name two columns alike."""
    numbers = frame.copy()
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if values.dtype == object and values.notna().any():
            converted = pd.to_numeric(values, errors="coerce")
            if converted.notna().sum() == values.notna().sum():
                numbers.isetitem(position, converted.astype("float64"))
    return numbers


def numeric_columns(frame: pd.DataFrame) -> list[int]:
    """The positions of the columns a chart can measure."""
    return [position for position in range(frame.shape[1])
            if pd.api.types.is_numeric_dtype(frame.iloc[:, position])
            and not pd.api.types.is_bool_dtype(frame.iloc[:, position])]


def quick_chart(frame: pd.DataFrame, x: int, y: int, kind: str) -> alt.Chart:
    """The SQL console's chart of the column at position y across the one at x (the row number when x is y), bars
    or a line. The columns go in under fixed names: Vega reads `sum(total)` as a sum of `total`, and a dot or
    brackets in a name as a path into nested data; the axes still show the query's own names."""
    numbers = chart_numbers(frame)
    y_title = str(frame.columns[y])
    data = pd.DataFrame({"y": numbers.iloc[:, y].to_numpy()})
    if x == y:
        data["x"], x_type, x_title = range(1, len(numbers) + 1), "ordinal", "#"
    else:
        values = numbers.iloc[:, x]
        x_title = str(frame.columns[x])
        if pd.api.types.is_datetime64_any_dtype(values):
            data["x"], x_type = values.to_numpy(), "temporal"
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            data["x"], x_type = values.to_numpy(), "quantitative"
        else:  # text, booleans, lists: as text, in the query's order
            data["x"], x_type = values.map(lambda v: "" if v is None else str(v)).to_numpy(), "nominal"
    chart = alt.Chart(data)
    chart = chart.mark_line(point=True) if kind == "line" else chart.mark_bar()
    sort = None if x_type in ("nominal", "ordinal") else "ascending"
    return chart.encode(
        x=alt.X(field="x", type=x_type, title=x_title, sort=sort),
        y=alt.Y(field="y", type="quantitative", title=y_title),
        tooltip=[alt.Tooltip(field="x", type=x_type, title=x_title),
                 alt.Tooltip(field="y", type="quantitative", title=y_title)],
    ).properties(height=280)
