"""Reports, "Exports": the shop's records of one livestream or of the lives held between two dates, as CSV, Excel
or Parquet, with a preview; and the read-only reporting copy beside the database, with its time and a refresh."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.db.store import Store
from core.runtime import reporting
from core.services import exports, livestreams, reporting_copy, reports
from ui.feedback import act
from ui.i18n import language, markdown_time, number, say, t, worded_key
from ui.reports.blocks import TABLE_ROWS
from ui.session import current_user
from ui.text import plain


def exports_tab(store: Store, livestream_id: int | None) -> None:
    export_block(store, livestream_id)
    if store.path != ":memory:":
        reporting_copy_block(store)


def reporting_copy_block(store: Store) -> None:
    with st.container(border=True):
        # The folder goes in a code span (the shop's own path, not customer text): no Markdown escapes there.
        st.markdown(t("reporting.title"))
        st.caption(t("reporting.about", folder=str(reporting_copy.folder_for(store)).replace("`", "'"),
                     minutes=number(round(reporting.REFRESH_SECONDS / 60))))
        row = st.columns([2, 1.4], vertical_alignment="center")
        refreshed = reporting_copy.last_refreshed(store)
        row[0].caption(t("reporting.refreshed_at", time=markdown_time(refreshed, with_date=True)) if refreshed
                       else t("reporting.never"))
        if row[1].button(t("reporting.refresh"), key="reporting_copy_refresh", width="stretch"):
            act(lambda: reporting_copy.refresh(store, by=current_user()),
                lambda done: t("reporting.refreshed", tables=number(len(done.tables)),
                               seconds=f"{done.seconds:.1f}"))


def export_block(store: Store, livestream_id: int | None) -> None:
    choices = st.columns([1.6, 1.2, 1.6], vertical_alignment="bottom")
    kind = choices[0].selectbox(t("exports.what"), options=list(exports.KINDS),
                                format_func=lambda k: say(exports.KINDS[k][0]), key="export_kind")
    scope_options = (["livestream"] if livestream_id is not None else []) + ["range"]
    scope_kind = choices[1].segmented_control(
        t("exports.scope"), options=scope_options, default=scope_options[0], required=True, key=worded_key("export_scope"),
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
    previewed = act(lambda: exports.preview(store, kind, scope, rows=TABLE_ROWS), rerun=False)
    if previewed is None:
        return
    preview, total = previewed
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
