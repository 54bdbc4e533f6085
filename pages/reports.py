"""Reports: how the selected livestream sold (live while it runs), how lives compare, the owner's SQL console,
and exports. Each tab's body is a module of ui/reports/ (the charts are in ui/charts.py); every figure comes from
core.services.reports, core.services.sql_console or core.services.exports; this page only picks the tab."""

from __future__ import annotations

import streamlit as st

from ui.feedback import show_flashes
from ui.i18n import t
from ui.reports.across_tab import across_tab
from ui.reports.console_tab import console_tab
from ui.reports.exports_tab import exports_tab
from ui.reports.live_tab import live_tab
from ui.session import get_store, selected_livestream_id

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

livestream_id = selected_livestream_id(store)
live, across, console, exports = st.tabs(
    [t("reports.tab_live"), t("reports.tab_across"), t("reports.tab_console"), t("reports.tab_exports")],
    key="reports_tab", on_change="rerun")
# Only the open tab runs (on_change="rerun"): a closed tab's queries cost nothing.
with live:
    if live.open is not False:
        live_tab(store, livestream_id)
with across:
    if across.open is not False:
        across_tab(store)
with console:
    if console.open is not False:
        console_tab(store)
with exports:
    if exports.open is not False:
        exports_tab(store, livestream_id)
