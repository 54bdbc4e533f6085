"""The pieces every Reports tab uses: a figure's block (a chart, its table view and a CSV download of the same
rows), tables that write money, counts and times as the reader's language does, and a few words."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core.base.formatting import vnd
from core.services import exports, orders
from ui.i18n import date_text, number, say, t

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


def percent_text(share: float | None) -> str:
    return "–" if share is None or pd.isna(share) else f"{share:.0%}"


def status_label(status: str) -> str:
    return say(orders.STATUS_LABELS[status])
