"""Reports, "SQL console": the owner's read-only queries over the shop's views, saved queries and examples, the
result as a table, a chart and files."""

from __future__ import annotations

import streamlit as st

from core.base.errors import ChotdonError
from core.db.store import Store
from core.services import exports, sql_console
from ui.charts import chart_numbers, numeric_columns, quick_chart
from ui.failure import guarded
from ui.feedback import act
from ui.i18n import number, say, t
from ui.session import actor, current_user
from ui.text import plain


def load_console_query(store: Store) -> None:
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


def console_tab(store: Store) -> None:
    st.caption(t("console.intro", seconds=f"{sql_console.TIME_LIMIT_SECONDS:g}", rows=number(sql_console.MAX_ROWS),
                 megabytes=number(sql_console.MAX_BYTES // 2**20)))
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
                     on_change=guarded(load_console_query), args=(store,))
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
        act(lambda: sql_console.save_query(store, name, sql, actor=actor(), by=current_user()),
            t("console.saved", name=" ".join(name.split())))
    if delete and deletable:
        act(lambda: sql_console.delete_saved_query(store, pick[1], by=current_user()),
            t("console.deleted", name=pick[1]), then=lambda _: st.session_state.pop("console_pick", None))
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
        numeric = numeric_columns(chart_numbers(frame))
        if frame.empty or not numeric:
            st.caption(t("console.chart_needs_numbers"))
            return
        pick = st.columns([1, 1, 1])
        names = [str(column) for column in frame.columns]  # by position: two columns may share a name
        x = pick[0].selectbox(t("console.across"), options=range(len(names)), format_func=names.__getitem__,
                              key="console_chart_x")
        y = pick[1].selectbox(t("console.height"), options=numeric, index=len(numeric) - 1,
                              format_func=names.__getitem__, key="console_chart_y")
        kind = pick[2].segmented_control(t("console.chart"), options=["bars", "line"], default="bars", required=True,
                                         format_func={"bars": t("console.bars"), "line": t("console.line")}.get,
                                         key="console_chart_kind")
        if x in range(len(names)) and y in numeric:
            st.altair_chart(quick_chart(frame, x, y, kind), width="stretch")
