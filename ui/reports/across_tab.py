"""Reports, "Across livestreams": how the lives held between two dates compare, their items and customers."""

from __future__ import annotations

import streamlit as st

from core.base.formatting import vnd
from core.db.store import Store
from core.services import orders, reports
from ui.charts import lives_chart
from ui.feedback import act
from ui.i18n import date_text, number, t, worded_key
from ui.reports.blocks import chart_block, status_label


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


def across_tab(store: Store) -> None:
    span = reports.held_date_span(store)
    if span is None:
        st.info(t("reports.no_livestream"))
        return
    controls = st.columns([1.6, 1.4, 3], vertical_alignment="bottom")
    picked = controls[0].date_input(t("reports.dates_held"), value=span, format="DD/MM/YYYY", key="across_dates")
    grouping = controls[1].segmented_control(
        t("reports.grouping"), options=list(reports.ITEM_GROUPINGS), default="code", required=True,
        format_func={"code": t("reports.same_code"), "name": t("reports.same_name")}.get, key=worded_key("across_grouping"))
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        st.info(t("reports.pick_end"))
        return
    since, until = picked
    report = act(lambda: reports.across_lives_report(store, since, until, item_grouping=grouping or "code"),
                 rerun=False)
    if report is None:
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
