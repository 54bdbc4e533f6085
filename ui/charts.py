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
