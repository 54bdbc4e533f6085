"""Case 1: the comment stream of one livestream, live, with Edit on each comment that has an order."""

import uuid

import pandas as pd
import streamlit as st

from core.base.errors import ChotdonError
from core.base.formatting import shop_clock_texts
from core.base.i18n import Text
from core.domain.comment_rules import LINES_TAKEN, comment_can_be_fixed, comment_needs_reasons
from core.integrations.comment_files import hand_entry_comments
from core.runtime.demo_replay import demo_replay
from core.runtime.facebook import facebook_worker
from core.services import answers, assignment, livestreams, orders, staff
from core.services import comments as ingest
from ui.failure import guarded
from ui.feedback import act, flash, show_flashes
from ui.i18n import language, number, say, t
from ui.live_refresh import panel_drawn, watch
from ui.order_form import CASE1_BUTTONS, order_history, render_order_form
from ui.session import actor, current_user, get_store, selected_livestream_id
from ui.text import plain

MARKS = {
    "created": "🛒", "added": "🛒", "repeat": "🔁", "review": "⚠️", "question": "❓", "contact": "📞",
    "cancel": "🚫", "none": "💬",
}
# Comments a page of the stream shows; "Older comments" turns to the next page. Twenty fill the stream's box two and a
# half times over; each row costs the browser ~10 ms to draw, on every load and every new comment (40 rows made the
# page's load 0.4 s slower on a 2-core shop computer: docs/PERFORMANCE.md).
STREAM_PAGE = 20
# The "Show" choices: each one's label is livestream.show_<choice>.
SHOW_KINDS = {
    "all": None, "order": ["order"], "review": ["review"], "question": ["question"], "contact": ["contact"],
    "cancel": ["cancel"],
}
# What Chotdon answered on Facebook to a comment (delivered answers only; core.services.answers).
ANSWER_MARKS = {"replied": "↩", "messaged": "✉", "hidden": "🙈"}


def mark_of(kind: str, effect: str) -> str:
    if effect in LINES_TAKEN or effect == "repeat":
        return MARKS[effect]
    return MARKS.get(kind, "💬")


store = get_store()
livestream_id = selected_livestream_id(store)
if livestream_id is None:
    st.info(t("livestream.no_livestream"))
    st.stop()
livestream = livestreams.get_livestream(store, livestream_id)
replay = demo_replay(store, livestream_id)
facebook_live = facebook_worker(store, livestream_id) if livestream["platform"] == "facebook" else None

st.title(f"🔴 {plain(livestream['title'])}", anchor=False)
show_flashes()

top = st.columns([1.2, 1, 1.1, 1.5, 1.7], vertical_alignment="bottom")
# Labels made here, in the reader's language: a format_func is also called outside this run (AppTest).
speed_labels = {s: t("livestream.speed_option", speed=s) for s in (1, 5, 20, 60)}
# The browser keeps a selectbox's choice as its label: a key per language, so that after a switch of language the
# choice is not an English label that the Vietnamese options do not have (shown in English, and read as no option).
speed = top[0].selectbox(t("livestream.demo_speed"), options=list(speed_labels), index=2,
                         format_func=speed_labels.get, key=f"demo_speed-{language()}", disabled=replay.running)
if replay.running:
    if top[1].button(t("livestream.stop_demo"), key="stop_demo", width="stretch"):
        replay.stop()
        replay.wait(5)
        st.rerun()
else:
    if top[1].button(t("livestream.play_demo"), key="play_demo", type="primary", width="stretch"):
        replay.speed = float(speed)
        replay.start()
        st.rerun()
show_labels = {choice: t(f"livestream.show_{choice}") for choice in SHOW_KINDS}


def newest_page() -> None:
    """Back to the newest comments (a new filter or search starts there)."""
    st.session_state["live_older_pages"] = []


show_choice = top[2].selectbox(t("livestream.show"), options=list(SHOW_KINDS), format_func=show_labels.get,
                               key=f"show_kinds-{language()}", on_change=newest_page)


def save_on_duty() -> None:
    try:
        assignment.set_on_duty(store, livestream_id, st.session_state[f"on_duty-{livestream_id}"], by=current_user())
    except ChotdonError as error:
        flash(error.text, "error")


workers = {u["id"]: u["display_name"] for u in staff.list_users(store)}
top[4].multiselect(t("livestream.on_duty"), options=list(workers), format_func=workers.get,
                   default=[i for i in assignment.on_duty(store, livestream_id) if i in workers],
                   key=f"on_duty-{livestream_id}", on_change=guarded(save_on_duty),
                   placeholder=t("livestream.on_duty_placeholder"), help=t("livestream.on_duty_help"))
facebook_running = facebook_live is not None and facebook_live.running
if facebook_live is not None:
    if facebook_running:
        if top[3].button(t("livestream.stop_facebook"), key="stop_facebook"):
            facebook_live.stop()
            facebook_live.wait(5)
            st.rerun()
    elif top[3].button(t("livestream.start_facebook"), key="start_facebook", help=t("livestream.start_facebook_help")):
        facebook_live.start()
        st.rerun()
if replay.error:
    st.error(plain(say(replay.error)))

# The stream and the panel beside it (an order's form, a fix, a reply) are fragments: opening, acting in and closing
# a panel reruns the panel alone, so the columns keep one width whether a panel is open or not.
stream_column, editor_column = st.columns([1.05, 1.2], gap="medium")
EDITOR_PANEL = "live_editor"
# The session keys of the panels beside the stream: one is open at a time.
PANELS = ("live_edit_order", "live_fix_comment", "live_reply_comment")


def open_panel(panel: str, value: int) -> None:
    """A stream button's on_click: opens one panel beside the stream and reruns that panel alone (not the stream,
    not the page)."""
    for name in PANELS:
        st.session_state.pop(name, None)
    st.session_state[panel] = value
    st.rerun(EDITOR_PANEL)


FACEBOOK_ICONS = {"live": "🟢", "polling": "🟡", "starting": "🟡", "retrying": "🟠", "token_invalid": "🔴"}


def facebook_status() -> None:
    state = facebook_live.state()
    if state.running != facebook_running:
        st.rerun()  # it stopped by itself (a refused token): the whole page, so Start comes back
    line = t("livestream.facebook_status", icon=FACEBOOK_ICONS.get(state.phase, "⚪"),
             headline=plain(say(state.headline)))
    if state.running or state.comments_received:
        line += "  \n" + plain(" · ".join(say(part) for part in state.detail_parts()))
    st.caption(line)
    if state.error:
        (st.warning if state.phase == "retrying" else st.error)(plain(say(state.error)))
    elif state.stream_problem:
        st.caption(plain(say(state.stream_problem)))


def whole_text(row: dict) -> str:
    """The comment's stored text: the row's own when the stream sent all of it, else read for this one comment."""
    if len(row["message"]) >= row["stored_length"]:
        return row["message"]
    found = ingest.comment_stream(store, livestream_id, limit=1, comment_id=row["id"], shown_chars=None)
    return found[0]["message"] if found else row["message"]


def hidden_or_cut(row: dict) -> tuple[bool, bool]:
    """Whether the stream shows less of the comment than is stored, and whether it was cut when stored."""
    return len(row["message"]) < row["stored_length"], row["written_length"] > row["stored_length"]


def long_comment(column, row: dict) -> None:
    """Under a comment longer than the stream shows: how much is hidden, and the rest on demand (the stream sends
    SHOWN_CHARS characters of each comment, never a whole long one); under one cut when stored, how long it was."""
    shown, stored = len(row["message"]), row["stored_length"]
    hidden, cut = hidden_or_cut(row)
    if hidden:
        whole = st.session_state.get("live_whole_comment") == row["id"]
        if whole:
            column.markdown(plain(whole_text(row)[shown:]))
        label = t("livestream.show_less") if whole else t("livestream.show_more", hidden=number(stored - shown))
        column.button(label, key=f"whole-comment-{row['id']}", type="tertiary", on_click=st.session_state.update,
                      kwargs={"live_whole_comment": None if whole else row["id"]})
    if cut:
        column.caption(t("livestream.comment_cut", count=number(row["written_length"]), kept=number(stored)))


on_facebook = livestream["platform"] == "facebook"


def answer_marks(marks) -> str:
    """The answers a comment got, after the customer's name: ↩ replied, ✉ messaged, 🙈 hidden."""
    return ("  " + " ".join(mark for name, mark in ANSWER_MARKS.items() if name in marks)) if marks else ""


def reply_button(column, row: dict) -> None:
    """Under a question: opens the reply panel beside the stream (one small button; the panel is drawn once)."""
    column.button(t("answers_ui.reply"), key=f"reply-comment-{row['id']}", type="tertiary",
                  help=t("answers_ui.reply_help"), on_click=open_panel, args=("live_reply_comment", int(row["id"])))


STREAM_PANEL = "live_stream"


def stream_stamp() -> tuple:
    """Changes whenever anything the stream panel shows changes: the stored comments and orders, the demo's
    progress."""
    return ingest.stream_stamp(store, livestream_id), replay.running, replay.played


def comment_stream_panel() -> None:
    panel_drawn(STREAM_PANEL, stream_stamp())  # before the reads: a change while they run is redrawn next tick
    counts = ingest.comment_counts(store, livestream_id)
    # One line, not four metrics: the stream's column is half the screen, and a cut label reads as nothing.
    st.markdown(t("livestream.counts", comments=number(sum(counts.values())),
                  order_comments=number(counts.get("order", 0)),
                  orders=number(orders.count_orders(store, livestream_id)), review=number(counts.get("review", 0))))
    if replay.running or (replay.played and replay.played < replay.total):
        st.progress(replay.played / max(replay.total, 1),
                    text=t("livestream.demo_progress", played=number(replay.played), total=number(replay.total)))
    st.caption(t("livestream.legend") + (f"  \n{t('answers_ui.legend')}" if on_facebook else ""))
    search = st.text_input(t("livestream.search"), key="live_search", placeholder=t("livestream.search_placeholder"),
                           on_change=newest_page, label_visibility="collapsed")
    # Older pages: a stack of the last comment (commented_at, id) of each page above the one shown (keyset).
    pages = st.session_state.setdefault("live_older_pages", [])
    before = pages[-1] if pages else None
    kinds = SHOW_KINDS[show_choice]
    rows = ingest.comment_stream(store, livestream_id, limit=STREAM_PAGE, kinds=kinds, search=search, before=before)
    if search.strip() or before is not None:
        found = ingest.comment_stream_count(store, livestream_id, kinds=kinds, search=search, before=before)
    else:  # the newest page of the stream: the counts above say how many there are, no second count
        found = {"total": sum(n for kind, n in counts.items() if kinds is None or kind in kinds), "newer": 0}
    pager = st.columns([3, 1, 1, 1], vertical_alignment="center")
    if rows:
        key = "livestream.showing_found" if search.strip() else "livestream.showing"
        pager[0].caption(t(key + "_one") if found["total"] == 1 else
                         t(key, first=number(found["newer"] + 1), last=number(found["newer"] + len(rows)),
                           total=number(found["total"])))
    pager[1].button(t("livestream.newest"), key="live_newest", type="tertiary", disabled=not pages,
                    on_click=newest_page, width="stretch")
    pager[2].button(t("livestream.newer"), key="live_newer", type="tertiary", disabled=not pages,
                    on_click=lambda: pages.pop() if pages else None, width="stretch")
    older = (rows[-1]["commented_at"], rows[-1]["id"]) if rows else None
    pager[3].button(t("livestream.older"), key="live_older", type="tertiary",
                    disabled=not rows or found["newer"] + len(rows) >= found["total"],
                    on_click=lambda: pages.append(older), width="stretch")
    if not rows:
        st.info(t("livestream.no_match", search=plain(search.strip())) if search.strip()
                else t("livestream.no_comments"))
        return
    needing_review = [row for row in rows if comment_needs_reasons(row["kind"], row["effect"])]
    reasons_of = {row["id"]: result.reasons for row, result in zip(
        needing_review, ingest.explain_comments(store, livestream_id, [whole_text(row) for row in needing_review],
                                                [row["customer"] for row in needing_review]))}
    answered = answers.comment_marks(store, [row["id"] for row in rows]) if on_facebook else {}  # one query
    # The words of the rows, looked up once (each lookup reads the session's language): the stream is redrawn for
    # every new comment of a live.
    words = {"fix": t("livestream.fix"), "fix_help": t("livestream.fix_help"), "edit": t("livestream.edit")} | {
        status: say(label) for status, label in orders.STATUS_LABELS.items()}
    clock = shop_clock_texts(pd.Series([row["commented_at"] for row in rows], dtype="datetime64[ns]")).tolist()
    with st.container(height=560, border=False):
        for row, row_time in zip(rows, clock):
            stream_row(row, row_time, words=words, reasons=reasons_of.get(row["id"]),
                       marks=answered.get(row["id"]))


# A stream row: one horizontal block of fixed widths, not st.columns (five blocks a row): the stream is redrawn for
# every new comment of a live, and each element of its rows is built and sent again.
NAME_PX, CODE_PX, BUTTON_PX = 135, 72, 78


def stream_row(row: dict, row_time: str, *, words: dict, reasons: list | None, marks) -> None:
    """The customer (with the comment's marks and its time under the name), the comment, and its order or Fix."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False):
        blacklisted = "⛔ " if row["blacklisted"] else ""  # refuses deliveries (Customers screen)
        # The time through plain(), as ui.i18n.markdown_time does (the clock texts come from one vectorised call):
        # unescaped, "14:03:11" reads as an emoji shortcode to Streamlit and every row is drawn twice.
        st.markdown(f"{mark_of(row['kind'], row['effect'])} {blacklisted}**{plain(row['customer'])}**"
                    + answer_marks(marks) + f"  \n:small[:gray[{plain(row_time)}]]", width=NAME_PX)
        text = plain(row["message"]) or t("livestream.empty_comment")
        question = row["kind"] == "question" and answers.answerable(livestream["platform"], row["source"])
        if reasons or question or any(hidden_or_cut(row)):  # the comment and what goes under it, in a block of their own
            with st.container(gap=None):
                st.markdown(text)
                long_comment(st, row)
                if question:
                    reply_button(st, row)
                if reasons:  # why it needs review, in one glance: the left-over words, the quantity, the option
                    st.caption("⚠️ " + plain("; ".join(say(reason) for reason in reasons)))
        else:
            st.markdown(text, width="stretch")
        if comment_can_be_fixed(row["kind"], row["effect"]):
            st.button(words["fix"], key=f"fix-comment-{row['id']}", width=BUTTON_PX, help=words["fix_help"],
                      on_click=open_panel, args=("live_fix_comment", int(row["id"])))
        elif row["edit_order_id"] is not None:
            st.caption(f"{row['order_code']}  \n{words[row['order_status']]}", width=CODE_PX)
            st.button(words["edit"], key=f"edit-comment-{row['id']}", width=BUTTON_PX, on_click=open_panel,
                      args=("live_edit_order", int(row["edit_order_id"])))


def hand_entry_form() -> None:
    """Comments typed or pasted, one a line (`Customer name: comment`), stored once however often it is submitted."""
    token = st.session_state.setdefault("hand_entry_token", uuid.uuid4().hex)
    with st.form("hand_entry", clear_on_submit=False, border=False):
        text = st.text_area(t("livestream.comments"), key="hand_entry_text", height=120,
                            placeholder=t("livestream.hand_entry_example"))
        submitted = st.form_submit_button(t("livestream.add_comments"), key="hand_entry_submit")
    if submitted:
        comments, errors = hand_entry_comments(text, entry_token=token)
        if errors:
            st.error(t("livestream.nothing_added", errors=plain("; ".join(say(error) for error in errors))))
        elif not comments:
            st.warning(t("livestream.type_a_comment"))
        else:  # then the page reruns: the stream above was drawn before these comments were stored
            act(lambda: ingest.ingest_comments(store, livestream_id, comments, source="hand"),
                lambda summary: Text("livestream.comments_added", new=summary.new,
                                     order_comments=summary.kinds.get("order", 0), orders=summary.orders_created),
                then=lambda _: st.session_state.update(hand_entry_token=uuid.uuid4().hex))


def comment_file_form() -> None:
    """A comment file (CSV or JSONL) read into the live, with its progress and the lines it could not read."""
    upload = st.file_uploader(t("livestream.comment_file"), type=["csv", "jsonl", "json", "ndjson"],
                              key="comment_file")
    if upload is not None and st.button(t("livestream.import_comments"), key="import_comments"):
        bar = st.progress(0.0, text=t("livestream.reading"))
        data = upload.getvalue()
        total_lines = max(data.count(b"\n"), 1)
        summary = ingest.ingest_bytes(
            store, livestream_id, data, filename=upload.name, source="file",
            progress=lambda lines: bar.progress(min(lines / total_lines, 1.0),
                                                text=t("livestream.lines_read", lines=number(lines))),
        )
        bar.progress(1.0, text=t("livestream.done"))
        message = Text("livestream.imported", new=summary.new, duplicates=summary.duplicates,
                       created=summary.orders_created, updated=summary.orders_updated)
        if summary.bad_lines:
            flash(Text("livestream.imported_with_bad_lines", summary=message, count=summary.bad_lines,
                       lines=[Text("livestream.bad_line", line=e["line"], error=e["error"])
                              for e in summary.errors[:10]]), "warning")
        else:
            flash(message)
        st.rerun()  # the stream above was drawn before these comments were stored


def comment_entry() -> None:
    """The two ways in besides the live itself, each drawn only while its box is open: closed, they cost the page's
    load nothing (their forms were ~60 ms of the browser's time on every load of this screen)."""
    for key, label, form in (("live_hand_entry", "livestream.hand_entry", hand_entry_form),
                             ("live_import_file", "livestream.import_file", comment_file_form)):
        with st.expander(t(label), key=key, on_change="rerun") as box:
            if box.open:
                form()


with stream_column:
    live_now = replay.running or facebook_running
    if facebook_live is not None:  # a few lines, their times moving on every check: redrawn on each tick
        st.fragment(run_every=2 if facebook_running else None)(guarded(facebook_status))()
    # Redrawn when something it shows changed (checked every 2 s while live), not on every tick: ui.live_refresh.
    st.fragment(guarded(comment_stream_panel))()
    watch(STREAM_PANEL, stream_stamp, every=2 if live_now else 10)

    st.fragment(guarded(comment_entry))()  # opening a box reruns this, not the page


def comment_panel_head(comment_id: int, *, panel: str, title: str, quote: str) -> dict | None:
    """The top of a panel about one comment (Fix, Reply): Close, whose customer, the comment as written. None when
    the comment is gone. `panel` is the session key that keeps the panel open."""
    found = ingest.comment_stream(store, livestream_id, limit=1, comment_id=comment_id, shown_chars=None)
    st.button(t("livestream.close"), key=f"close_{panel}", on_click=st.session_state.pop, args=(panel, None))
    if not found:
        st.warning(t("livestream.comment_gone"))
        return None
    row = found[0]
    st.markdown(t(title, customer=plain(row["customer"])))
    st.caption(t(quote, comment=plain(row["message"])))
    return row


def fix_comment_panel(comment_id: int) -> None:
    """A review or question comment, corrected by staff, becomes order lines for its customer."""
    row = comment_panel_head(comment_id, panel="live_fix_comment", title="livestream.fix_title",
                             quote="livestream.fix_comment")
    if row is None:
        return
    # Pre-filled with the reading the parser offers ("SP 12 đen" -> "SP12 đen"), else the comment as typed.
    offered = ingest.explain_comment(store, livestream_id, row["message"], row["customer"]).suggestion
    text = st.text_input(t("livestream.corrected_comment"), value=offered or row["message"],
                         key=f"fix-text-{comment_id}", help=t("livestream.corrected_comment_help"))
    preview = ingest.explain_comment(store, livestream_id, text, row["customer"])
    if preview.lines:
        read = ", ".join(
            f"{line.code}{' ' + line.size if line.size else ''}{' ' + line.color if line.color else ''} ×{line.qty}"
            for line in preview.lines)
        st.caption(t("livestream.reads_as", lines=plain(read), kind=t(f"ingest.kind_{preview.kind}")))
    if preview.reasons:
        st.caption("⚠️ " + plain("; ".join(say(reason) for reason in preview.reasons)))
    submitted = st.button(t("livestream.add_to_order"), type="primary", key=f"fix-submit-{comment_id}")
    if submitted:
        def open_fixed_order(made: dict) -> None:
            st.session_state.pop("live_fix_comment", None)
            st.session_state["live_edit_order"] = made["order_id"]

        act(lambda: ingest.order_from_corrected_comment(store, comment_id, text, actor=actor()),
            lambda made: Text("livestream.fixed", code=made["code"]), then=open_fixed_order)


def reply_panel(comment_id: int) -> None:
    """A one-off public reply, written by staff, under a comment on Facebook (a question, mostly)."""
    row = comment_panel_head(comment_id, panel="live_reply_comment", title="answers_ui.reply_title",
                             quote="answers_ui.reply_comment")
    if row is None:
        return
    text = st.text_area(t("answers_ui.reply_text"), key=f"reply-text-{comment_id}", height=90,
                        help=t("answers_ui.reply_text_help"))
    if st.button(t("answers_ui.reply_send"), type="primary", key=f"reply-submit-{comment_id}"):
        def close_reply(_outbox_id: int) -> None:  # sent once: the panel and its text go
            st.session_state.pop("live_reply_comment", None)
            st.session_state.pop(f"reply-text-{comment_id}", None)

        act(lambda: answers.reply_to_comment(store, comment_id, text, actor=actor()), t("answers_ui.reply_queued"),
            then=close_reply)


def editor_panel() -> None:
    """Beside the stream: the order a comment's Edit opened, a comment being fixed or replied to, or how to start.
    Its buttons rerun it alone (a Case 1 action too: the stream redraws itself when the order it shows changes)."""
    fixing = st.session_state.get("live_fix_comment")
    replying = st.session_state.get("live_reply_comment")
    editing = st.session_state.get("live_edit_order")
    if fixing is not None:
        fix_comment_panel(int(fixing))
    elif replying is not None:
        reply_panel(int(replying))
    elif editing is None:
        st.info(t("livestream.press_edit"))
    else:
        st.button(t("livestream.close"), key="close_live_editor", on_click=st.session_state.pop,
                  args=("live_edit_order", None))
        render_order_form(store, int(editing), buttons=CASE1_BUTTONS, key_prefix="live")
        order_history(store, int(editing), key_prefix="live")


with editor_column:
    st.fragment(key=EDITOR_PANEL)(guarded(editor_panel))()
