"""Reports, "This livestream": how the selected livestream sold, refreshed every few seconds while it is live."""

from __future__ import annotations

import streamlit as st

from core.base.formatting import vnd
from core.db.store import Store
from core.runtime.demo_replay import demo_replay
from core.runtime.facebook import facebook_worker
from core.services import comments, livestreams, reports
from ui.charts import items_chart, staff_chart, status_chart, timeline_chart
from ui.failure import guarded
from ui.feedback import act
from ui.i18n import number, t
from ui.live_refresh import panel_drawn, watch
from ui.reports.blocks import chart_block, day_and_time, percent_text, status_label
from ui.text import plain

LIVE_REFRESH_SECONDS = 5
LIVE_PANEL = "reports_live"


def live_tab(store: Store, livestream_id: int | None) -> None:
    if livestream_id is None:
        st.info(t("reports.no_livestream"))
        return
    livestream = livestreams.get_livestream(store, livestream_id)
    is_live = source_running(store, livestream)
    # Redrawn when its figures' data changed (checked every few seconds while live), not on every tick.
    st.fragment(guarded(livestream_panel))(store, livestream_id, is_live)
    if is_live:
        watch(LIVE_PANEL, lambda: live_stamp(store, livestream_id), every=LIVE_REFRESH_SECONDS)


def live_stamp(store: Store, livestream_id: int) -> tuple:
    """Changes when the report's figures may have: the livestream's comments and orders, its source running."""
    livestream = livestreams.get_livestream(store, livestream_id)
    return comments.stream_stamp(store, livestream_id), livestream["status"], source_running(store, livestream)


def source_running(store: Store, livestream: dict) -> bool:
    """Comments are coming in: the demo live is playing, or the Facebook source is reading. A livestream still
    marked live whose demo or source has ended is not shown as live (its figures no longer move)."""
    if demo_replay(store, livestream["id"]).running:
        return True
    return livestream["platform"] == "facebook" and facebook_worker(store, livestream["id"]).running


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


def livestream_panel(store: Store, livestream_id: int, is_live: bool) -> None:
    if is_live:
        panel_drawn(LIVE_PANEL, live_stamp(store, livestream_id))
    report = act(lambda: reports.live_report(store, livestream_id), rerun=False)
    if report is None:
        return
    held = day_and_time(report.held_at) if report.held_at else t("reports.not_started")
    if is_live:
        state = t("reports.state_live", seconds=LIVE_REFRESH_SECONDS)
    elif report.status == "live":
        state = t("reports.state_idle")
    else:
        state = t("reports.state_other", status=t(f"reports.live_status.{report.status}"))
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
                    {"customer": t("reports.col.customer"), "orders": t("reports.col.orders"),
                     "order_codes": t("reports.col.order_list"),
                     "items": t("reports.col.items"), "waitlisted": t("reports.col.waitlisted"),
                     "value": t("reports.col.value"), "blacklisted": t("reports.col.blacklisted")},
                    money=("value",), key=f"customers-{livestream_id}")
