"""Setup: livestreams and their items (editable table, CSV import), and staff."""

import pandas as pd
import streamlit as st

from core.base import redact
from core.domain.users import ROLE_LABELS, ROLES
from core.integrations import mshopkeeper
from core.services import auth, livestreams, shipping, sources, staff
from ui.answer_settings import render_answer_settings, render_rate_limit
from ui.feedback import act, flash, show_flashes
from ui.i18n import number, say, t, time_text, worded_key
from ui.session import actor, current_user, get_store, selected_livestream_id
from ui.setup_tables import carriers_from_table, carriers_table, items_from_table, items_table
from ui.syntax_settings import render_syntax_settings
from ui.text import plain

store = get_store()
st.title(t("setup.title"), anchor=False)
show_flashes()
livestream_tab, items_tab, staff_tab, carriers_tab, mshopkeeper_tab = st.tabs(
    [t("setup.tab_livestreams"), t("setup.tab_items"), t("setup.tab_staff"), t("setup.tab_carriers"),
     t("setup.tab_mshopkeeper")],
    # Keyed and tracked: the tab picked stays open when an action reruns the page (setting a password, saving).
    key="setup_tab", on_change="rerun")

with livestream_tab:
    with st.form("new_livestream", border=True):
        st.markdown(t("setup.new_livestream"))
        c1, c2, c3 = st.columns([2.4, 1, 1.4])
        title = c1.text_input(t("setup.livestream_title"), key="new_livestream_title",
                              placeholder=t("setup.livestream_title_placeholder"))
        platform = c2.selectbox(t("setup.platform"), options=list(livestreams.PLATFORMS),
                                format_func=lambda p: say(livestreams.PLATFORM_LABELS.get(p, p)),
                                key="new_livestream_platform")
        source_ref = c3.text_input(t("setup.live_video_id_optional"), key="new_livestream_source")
        copy_from_options = {0: t("setup.no_items_yet")} | {
            row["id"]: t("setup.copy_items_of", title=row["title"], id=row["id"])
            for row in livestreams.list_livestreams(store)
        }
        copy_from = st.selectbox(t("setup.items"), options=list(copy_from_options), format_func=copy_from_options.get,
                                 key="new_livestream_copy")
        created = st.form_submit_button(t("setup.create_livestream"), type="primary", key="create_livestream")
    if created:
        def create_livestream() -> int:
            items = livestreams.items_to_copy(store, copy_from) if copy_from else None
            return livestreams.create_livestream(store, title, platform=platform, source_ref=source_ref, items=items)

        # the sidebar selects the new livestream before drawing its box
        act(create_livestream, t("setup.livestream_created", title=title.strip()),
            then=lambda new_id: st.session_state.update(select_livestream_id=new_id))

    rows = livestreams.list_livestreams(store)
    if rows:
        st.dataframe(
            pd.DataFrame({
                "#": [r["id"] for r in rows], t("setup.col_title"): [r["title"] for r in rows],
                t("setup.col_platform"): [say(livestreams.PLATFORM_LABELS.get(r["platform"], r["platform"]))
                                          for r in rows],
                t("setup.col_status"): [say(livestreams.STATUS_LABELS.get(r["status"], r["status"])) for r in rows],
                t("setup.col_started"): [time_text(r["started_at"], True) for r in rows],
                t("setup.col_created"): [time_text(r["created_at"], True) for r in rows],
            }),
            hide_index=True, width="stretch",
        )
        livestream_id = selected_livestream_id(store)
        current = livestreams.get_livestream(store, livestream_id)
        c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
        new_status = c1.selectbox(t("setup.status_of_selected"), options=list(livestreams.LIVESTREAM_STATUSES),
                                  index=livestreams.LIVESTREAM_STATUSES.index(current["status"]),
                                  format_func=lambda s: say(livestreams.STATUS_LABELS[s]),
                                  key=f"status-{livestream_id}")
        if c2.button(t("setup.set_status"), key="set_livestream_status"):
            livestreams.set_livestream_status(store, livestream_id, new_status)
            flash(t("setup.status_set", id=livestream_id, status=say(livestreams.STATUS_LABELS[new_status])))
            st.rerun()
        policies = livestreams.BLACKLISTED_ORDER_COMMENTS
        policy = st.radio(t("setup.blacklist_policy"), options=list(policies),
                          index=list(policies).index(current["blacklisted_order_comments"]),
                          format_func=lambda p: say(policies[p]), key=worded_key(f"blacklist-policy-{livestream_id}"))
        if policy != current["blacklisted_order_comments"]:
            act(lambda: livestreams.set_blacklisted_order_comments(store, livestream_id, policy, by=current_user()),
                t("setup.blacklist_policy_saved", policy=policies[policy]))
        if current["platform"] == "facebook":
            source = sources.load_source(store, livestream_id)
            with st.form(f"facebook_source-{livestream_id}", border=True):
                st.markdown(t("setup.facebook_source"))
                f1, f2 = st.columns([1, 2])
                video_id = f1.text_input(t("setup.live_video_id"), value=source.live_video_id or "",
                                         key=f"facebook_video-{livestream_id}", help=t("setup.live_video_id_help"))
                token_note = t("setup.token_saved" if source.token_saved else
                               "setup.token_from_settings" if source.page_token else "setup.token_none")
                page_token = f2.text_input(t("setup.page_token", note=token_note), type="password",
                                           key=f"facebook_token-{livestream_id}")
                save_facebook = st.form_submit_button(t("setup.save_facebook_source"), key="save_facebook_source")
            if save_facebook:
                act(lambda: sources.save_source(store, livestream_id, by=current_user(), live_video_id=video_id,
                                                page_token=page_token),
                    t("setup.facebook_source_saved"),  # and the secret does not linger in the form
                    then=lambda _: st.session_state.pop(f"facebook_token-{livestream_id}", None))
            render_answer_settings(store, livestream_id)
            render_rate_limit(store)

with items_tab:
    livestream_id = selected_livestream_id(store)
    if livestream_id is None:
        st.info(t("setup.create_livestream_first"))
    else:
        current = livestreams.get_livestream(store, livestream_id)
        st.markdown(t("setup.items_intro", title=plain(current["title"])))
        items = livestreams.list_items(store, livestream_id)
        edited = st.data_editor(
            items_table(items), key=f"items-editor-{livestream_id}-{current['catalog_version']}", num_rows="dynamic",
            hide_index=True, width="stretch",
            column_config={
                "id": None,
                "code": st.column_config.TextColumn(t("setup.col_code"), required=True, max_chars=12),
                "name": st.column_config.TextColumn(t("setup.col_name"), required=True, width="large"),
                "price": st.column_config.TextColumn(t("setup.col_price"), help=t("setup.col_price_help")),
                "stock": st.column_config.TextColumn(t("setup.col_stock"), help=t("setup.col_stock_help")),
                "sizes": st.column_config.TextColumn(t("setup.col_sizes"), help=t("setup.col_sizes_help")),
                "colors": st.column_config.TextColumn(t("setup.col_colors"), help=t("setup.col_colors_help")),
                "sku": st.column_config.TextColumn(t("setup.col_sku")),
            },
        )
        if st.button(t("setup.save_items"), type="primary", key="save_items"):
            act(lambda: livestreams.save_items(store, livestream_id, items_from_table(edited), actor=actor(),
                                               by=current_user()),
                lambda result: t("setup.items_saved_filled", items=number(result["items"]),
                                 filled=number(result["blank_lines_filled"])) if result["blank_lines_filled"]
                else t("setup.items_saved", items=number(result["items"])))

        st.markdown(t("setup.import_intro"))
        upload = st.file_uploader(t("setup.items_csv"), type=["csv"], key=f"items-csv-{livestream_id}")
        if upload is not None and st.button(t("setup.import"), key="import_items"):
            try:
                csv_text = upload.getvalue().decode("utf-8-sig")
            except UnicodeDecodeError:
                st.error(t("setup.not_utf8"))
            else:
                def import_items() -> tuple[int, dict]:
                    imported = livestreams.items_from_csv(csv_text)
                    return len(imported), livestreams.merge_items(store, livestream_id, imported, actor=actor(),
                                                                  by=current_user())

                act(import_items,
                    lambda done: t("setup.imported", rows=number(done[0]), items=number(done[1]["items"])))

        st.divider()
        render_syntax_settings(store, livestream_id)

with staff_tab:
    owner = current_user()
    users = staff.list_users(store, active_only=False)
    locks = auth.lock_states(store)
    st.dataframe(
        pd.DataFrame({
            t("setup.col_username"): [u["username"] for u in users],
            t("setup.col_display_name"): [u["display_name"] for u in users],
            t("setup.col_role"): [say(ROLE_LABELS.get(u["role"], u["role"])) for u in users],
            t("setup.col_active"): [u["active"] for u in users],
            t("setup.col_can_log_in"): [u["can_log_in"] for u in users],
            t("setup.col_login"): [t("setup.locked_until", time=time_text(locks[u["id"]]["locked_until"]))
                                   if locks.get(u["id"], {}).get("locked_until") else
                                   (t("setup.wrong_passwords", count=number(locks[u["id"]]["failures"]))
                                    if u["id"] in locks else "")
                                   for u in users],
        }),
        hide_index=True, width="stretch",
    )
    with st.form("new_staff", border=True, clear_on_submit=True):
        st.markdown(t("setup.add_staff_heading"))
        c1, c2, c3, c4 = st.columns([1, 1.6, 1.4, 0.8])
        username = c1.text_input(t("setup.username"), key="new_staff_username", placeholder="lan")
        display_name = c2.text_input(t("setup.display_name"), key="new_staff_name",
                                     placeholder=t("setup.display_name_placeholder"))
        password = c3.text_input(t("setup.password", length=auth.MIN_PASSWORD_LENGTH), type="password",
                                 key="new_staff_password", help=t("setup.password_help"))
        role = c4.selectbox(t("setup.role"), options=list(ROLES), index=1,
                            format_func=lambda r: say(ROLE_LABELS[r]), key="new_staff_role")
        added = st.form_submit_button(t("setup.add_staff"), type="primary", key="add_staff")
    if added:
        act(lambda: staff.add_user(store, username, display_name, role, by=owner, password=password or None),
            t("setup.staff_added_can_log_in" if password else "setup.staff_added_no_password",
              name=display_name.strip()))

    st.markdown(t("setup.login_heading"))
    names = {u["id"]: f"{u['display_name']} ({u['username']})" for u in users}
    a1, a2 = st.columns([1.2, 2], vertical_alignment="bottom")
    chosen = a1.selectbox(t("setup.staff_member"), options=list(names), format_func=names.get, index=None,
                          key="manage_user", placeholder=t("setup.staff_member_placeholder"))
    if chosen is not None:
        target = next(u for u in users if u["id"] == chosen)
        with a2.form("reset_password", border=False, clear_on_submit=True):
            r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
            new_password = r1.text_input(t("setup.new_password"), type="password", key="reset_password_value")
            reset = r2.form_submit_button(t("setup.set_password"), key="reset_password_submit",
                                          help=t("setup.set_password_help"))
        if reset:
            act(lambda: auth.set_password(store, chosen, new_password, by=owner),
                t("setup.password_set", name=target["display_name"]))
        b1, b2 = st.columns(2)
        if chosen in locks and b1.button(t("setup.unlock"), key="unlock_user", help=t("setup.unlock_help")):
            auth.unlock(store, chosen, by=owner)
            flash(t("setup.unlocked", name=target["display_name"]))
            st.rerun()
        switch_label = t("setup.switch_off" if target["active"] else "setup.switch_on")
        if b2.button(switch_label, key="switch_user", help=t("setup.switch_help")):
            act(lambda: staff.set_active(store, chosen, not target["active"], by=owner),
                t("setup.switched_off" if target["active"] else "setup.switched_on", name=target["display_name"]))

with carriers_tab:
    st.markdown(t("setup.carriers_intro"))
    carriers = shipping.list_carriers(store)
    edited_carriers = st.data_editor(
        carriers_table(carriers), key=f"carriers-editor-{len(carriers)}-{sum(c.id for c in carriers)}", num_rows="dynamic",
        hide_index=True, width="stretch",
        column_config={
            "id": None,
            "name": st.column_config.TextColumn(t("setup.col_carrier"), required=True),
            "default_fee": st.column_config.NumberColumn(t("setup.col_usual_fee"), min_value=0, step=1000,
                                                         format="localized"),
            "tracking_url": st.column_config.TextColumn(t("setup.col_tracking_link"), width="large",
                                                        help=t("setup.col_tracking_link_help")),
            "active": st.column_config.CheckboxColumn(t("setup.col_offered"), default=True),
        },
    )
    if st.button(t("setup.save_carriers"), type="primary", key="save_carriers"):
        act(lambda: shipping.save_carriers(store, carriers_from_table(edited_carriers), by=current_user()),
            lambda result: t("setup.carriers_saved", count=number(result["carriers"])))

with mshopkeeper_tab:
    connection = mshopkeeper.connection_from_settings()
    if connection is None:
        st.info(t("setup.mshopkeeper_off"))
    else:
        shown_url = plain(redact.mask_url(connection.base_url))
        st.markdown(t("setup.mshopkeeper_on_branch", domain=plain(connection.domain), url=shown_url,
                      branch=plain(connection.branch_id)) if connection.branch_id else
                    t("setup.mshopkeeper_on", domain=plain(connection.domain), url=shown_url))
        st.caption(t("setup.mshopkeeper_secret_set"))
    if st.button(t("setup.test_connection"), key="test_mshopkeeper", disabled=connection is None):
        with st.spinner(t("setup.logging_in")):
            check = mshopkeeper.check_connection(connection)
        st.session_state["mshopkeeper_check"] = check
    check = st.session_state.get("mshopkeeper_check")
    if check is not None and connection is not None:
        (st.success if check.ok else st.error)(plain(say(redact.scrub(
            check.message, redact.known_secrets(*mshopkeeper.known_tokens())))))
        if check.branches:
            st.dataframe(pd.DataFrame(check.branches, columns=[t("setup.col_branch_id"), t("setup.col_branch")]),
                         hide_index=True)
