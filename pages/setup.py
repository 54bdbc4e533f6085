"""Setup: livestreams and their items (editable table, CSV import), and staff."""

import pandas as pd
import streamlit as st

from core import auth, facebook, livestreams, mshopkeeper, shipping, staff
from core.errors import ChotdonError
from core.formatting import shop_time_text
from ui.order_form import show_error
from ui.syntax_settings import render_syntax_settings
from ui.state import actor, current_user, flash, get_store, selected_livestream_id, show_flashes
from ui.text import plain

store = get_store()
st.title("⚙️ Setup", anchor=False)
show_flashes()
livestream_tab, items_tab, staff_tab, carriers_tab, mshopkeeper_tab = st.tabs(
    ["Livestreams", "Items of the livestream", "Staff", "Carriers", "MShopKeeper"])

with livestream_tab:
    with st.form("new_livestream", border=True):
        st.markdown("**New livestream**")
        c1, c2, c3 = st.columns([2.4, 1, 1.4])
        title = c1.text_input("Title", key="new_livestream_title", placeholder="Live xả hàng tối thứ Sáu")
        platform = c2.selectbox("Platform", options=list(livestreams.PLATFORMS), key="new_livestream_platform")
        source_ref = c3.text_input("Live video id (optional)", key="new_livestream_source")
        copy_from_options = {0: "no items yet"} | {
            row["id"]: f"copy items of: {row['title']} · #{row['id']}" for row in livestreams.list_livestreams(store)
        }
        copy_from = st.selectbox("Items", options=list(copy_from_options), format_func=copy_from_options.get,
                                 key="new_livestream_copy")
        created = st.form_submit_button("Create livestream", type="primary", key="create_livestream")
    if created:
        try:
            items = None
            if copy_from:
                items = [livestreams.LiveItem(**{**item.__dict__, "id": None})
                         for item in livestreams.list_items(store, copy_from)]
            new_id = livestreams.create_livestream(store, title, platform=platform, source_ref=source_ref,
                                                   items=items)
        except ChotdonError as error:
            show_error(error)
        else:
            st.session_state["select_livestream_id"] = new_id  # the sidebar selects it before drawing its box
            flash(f"Livestream {title.strip()} created; it is now selected in the sidebar.")
            st.rerun()

    rows = livestreams.list_livestreams(store)
    if rows:
        st.dataframe(
            pd.DataFrame({
                "#": [r["id"] for r in rows], "Title": [r["title"] for r in rows],
                "Platform": [r["platform"] for r in rows], "Status": [r["status"] for r in rows],
                "Started": [shop_time_text(r["started_at"], True) for r in rows],
                "Created": [shop_time_text(r["created_at"], True) for r in rows],
            }),
            hide_index=True, use_container_width=True,
        )
        livestream_id = selected_livestream_id(store)
        current = livestreams.get_livestream(store, livestream_id)
        c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
        new_status = c1.selectbox("Status of the selected livestream", options=list(livestreams.LIVESTREAM_STATUSES),
                                  index=livestreams.LIVESTREAM_STATUSES.index(current["status"]),
                                  key=f"status-{livestream_id}")
        if c2.button("Set status", key="set_livestream_status"):
            livestreams.set_livestream_status(store, livestream_id, new_status)
            flash(f"Livestream #{livestream_id} is now {new_status}.")
            st.rerun()
        policies = livestreams.BLACKLISTED_ORDER_COMMENTS
        policy = st.radio("Order comments of blacklisted customers (⛔ bom hàng)", options=list(policies),
                          index=list(policies).index(current["blacklisted_order_comments"]),
                          format_func=policies.get, key=f"blacklist-policy-{livestream_id}")
        if policy != current["blacklisted_order_comments"]:
            try:
                livestreams.set_blacklisted_order_comments(store, livestream_id, policy, by=current_user())
            except ChotdonError as error:
                show_error(error)
            else:
                flash("Saved: order comments of blacklisted customers now " + policies[policy] + ".")
                st.rerun()
        if current["platform"] == "facebook":
            source = facebook.load_source(store, livestream_id)
            with st.form(f"facebook_source-{livestream_id}", border=True):
                st.markdown("**Facebook Live source** of the selected livestream")
                f1, f2 = st.columns([1, 2])
                video_id = f1.text_input("Live video id", value=source.live_video_id or "",
                                         key=f"facebook_video-{livestream_id}",
                                         help="The number in the live video's link; pasting the link works too.")
                token_note = ("saved; leave empty to keep it" if source.token_saved else
                              "the shop's CHOTDON_FACEBOOK_PAGE_TOKEN is used" if source.page_token else "none yet")
                page_token = f2.text_input(f"Page access token ({token_note})", type="password",
                                           key=f"facebook_token-{livestream_id}")
                save_facebook = st.form_submit_button("Save Facebook source", key="save_facebook_source")
            if save_facebook:
                try:
                    facebook.save_source(store, livestream_id, live_video_id=video_id, page_token=page_token)
                except ChotdonError as error:
                    show_error(error)
                else:
                    st.session_state.pop(f"facebook_token-{livestream_id}", None)  # the secret does not linger
                    flash("Facebook source saved. On the Livestream screen, stop and start Facebook Live to use it.")
                    st.rerun()

with items_tab:
    livestream_id = selected_livestream_id(store)
    if livestream_id is None:
        st.info("Create a livestream first.")
    else:
        current = livestreams.get_livestream(store, livestream_id)
        st.markdown(f"Items of **{plain(current['title'])}**. Short codes are what viewers type (A1, SP12); "
                    "sizes and colors are separated by `|`; an empty stock means unlimited.")
        items = livestreams.list_items(store, livestream_id)
        table = pd.DataFrame({
            "id": pd.array([item.id for item in items], dtype="Int64"),
            "code": [item.code for item in items], "name": [item.name for item in items],
            "price": pd.array([item.price for item in items], dtype="Int64"),
            "stock": pd.array([item.stock for item in items], dtype="Int64"),
            "sizes": ["|".join(item.sizes) for item in items], "colors": ["|".join(item.colors) for item in items],
            "sku": [item.sku or "" for item in items],
        })
        edited = st.data_editor(
            table, key=f"items-editor-{livestream_id}-{current['catalog_version']}", num_rows="dynamic",
            hide_index=True, use_container_width=True,
            column_config={
                "id": None,
                "code": st.column_config.TextColumn("Short code", required=True, max_chars=12),
                "name": st.column_config.TextColumn("Name", required=True, width="large"),
                "price": st.column_config.NumberColumn("Price ₫", min_value=0, step=1000, format="localized"),
                "stock": st.column_config.NumberColumn("Stock", min_value=0, step=1, format="%d",
                                                 help="empty = unlimited"),
                "sizes": st.column_config.TextColumn("Sizes", help="e.g. S|M|L|XL or 36|37|38"),
                "colors": st.column_config.TextColumn("Colors", help="e.g. Đen|Trắng"),
                "sku": st.column_config.TextColumn("SKU"),
            },
        )
        if st.button("Save items", type="primary", key="save_items"):
            try:
                new_items = [
                    livestreams.LiveItem(
                        id=None if pd.isna(row["id"]) else int(row["id"]),
                        code=str(row["code"] or "").strip() if not pd.isna(row["code"]) else "",
                        name=str(row["name"] or "").strip() if not pd.isna(row["name"]) else "",
                        price=0 if pd.isna(row["price"]) else int(row["price"]),
                        stock=None if pd.isna(row["stock"]) else int(row["stock"]),
                        sizes=tuple(str(row["sizes"] or "").split("|")) if not pd.isna(row["sizes"]) else (),
                        colors=tuple(str(row["colors"] or "").split("|")) if not pd.isna(row["colors"]) else (),
                        sku=None if pd.isna(row["sku"]) else str(row["sku"]),
                    )
                    for _, row in edited.iterrows()
                    if not all(pd.isna(row[c]) or row[c] == "" for c in ("code", "name", "price"))
                ]
                result = livestreams.save_items(store, livestream_id, new_items, actor=actor(), by=current_user())
            except ChotdonError as error:
                show_error(error)
            else:
                filled = result["blank_lines_filled"]
                flash(f"Saved {result['items']} items." + (f" {filled} blank order lines got their item." if filled
                                                             else ""))
                st.rerun()

        st.markdown("**Import from CSV** (header `code,name,price,stock,sizes,colors`, optional `sku`): rows with "
                    "a code already in the table update it, new codes are added, the others stay.")
        upload = st.file_uploader("Items CSV", type=["csv"], key=f"items-csv-{livestream_id}")
        if upload is not None and st.button("Import", key="import_items"):
            try:
                imported = livestreams.items_from_csv(upload.getvalue().decode("utf-8-sig"))
                result = livestreams.merge_items(store, livestream_id, imported, actor=actor(), by=current_user())
            except UnicodeDecodeError:
                st.error("The file is not UTF-8 text; save it as CSV UTF-8 and try again.")
            except ChotdonError as error:
                show_error(error)
            else:
                flash(f"Imported {len(imported)} rows; the livestream has {result['items']} items.")
                st.rerun()

        st.divider()
        render_syntax_settings(store, livestream_id)

with staff_tab:
    owner = current_user()
    users = staff.list_users(store, active_only=False)
    locks = auth.lock_states(store)
    st.dataframe(
        pd.DataFrame({
            "Username": [u["username"] for u in users], "Name": [u["display_name"] for u in users],
            "Role": [u["role"] for u in users], "Active": [u["active"] for u in users],
            "Can log in": [u["can_log_in"] for u in users],
            "Login": [("🔒 locked until " + shop_time_text(locks[u["id"]]["locked_until"]))
                      if locks.get(u["id"], {}).get("locked_until") else
                      (f"{locks[u['id']]['failures']} wrong passwords" if u["id"] in locks else "")
                      for u in users],
        }),
        hide_index=True, use_container_width=True,
    )
    with st.form("new_staff", border=True, clear_on_submit=True):
        st.markdown("**Add a staff member**")
        c1, c2, c3, c4 = st.columns([1, 1.6, 1.4, 0.8])
        username = c1.text_input("Username", key="new_staff_username", placeholder="lan")
        display_name = c2.text_input("Name", key="new_staff_name", placeholder="Nguyễn Thị Lan")
        password = c3.text_input(f"Password ({auth.MIN_PASSWORD_LENGTH}+ characters)", type="password",
                                 key="new_staff_password", help="Leave empty to set it later; until then they "
                                 "cannot log in, but can be put in charge of customers.")
        role = c4.selectbox("Role", options=list(staff.ROLES), index=1, key="new_staff_role")
        added = st.form_submit_button("Add staff member", type="primary", key="add_staff")
    if added:
        try:
            staff.add_user(store, username, display_name, role, by=owner, password=password or None)
        except ChotdonError as error:
            show_error(error)
        else:
            flash(f"{display_name.strip()} can now be picked as staff in charge"
                  + (" and can log in." if password else "; set a password so they can log in."))
            st.rerun()

    st.markdown("**A staff member's login**")
    names = {u["id"]: f"{u['display_name']} ({u['username']})" for u in users}
    a1, a2 = st.columns([1.2, 2], vertical_alignment="bottom")
    chosen = a1.selectbox("Staff member", options=list(names), format_func=names.get, index=None,
                          key="manage_user", placeholder="pick someone")
    if chosen is not None:
        target = next(u for u in users if u["id"] == chosen)
        with a2.form("reset_password", border=False, clear_on_submit=True):
            r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
            new_password = r1.text_input("New password", type="password", key="reset_password_value")
            reset = r2.form_submit_button("Set password", key="reset_password_submit",
                                          help="Their sessions end; a lock is lifted")
        if reset:
            try:
                auth.set_password(store, chosen, new_password, by=owner)
            except ChotdonError as error:
                show_error(error)
            else:
                flash(f"New password set for {target['display_name']}; they log in with it now.")
                st.rerun()
        b1, b2 = st.columns(2)
        if chosen in locks and b1.button("🔓 Unlock", key="unlock_user",
                                         help="Lifts the lock after wrong passwords at once"):
            auth.unlock(store, chosen, by=owner)
            flash(f"{target['display_name']} can try to log in again.")
            st.rerun()
        switch_label = "Switch off" if target["active"] else "Switch on again"
        if b2.button(switch_label, key="switch_user",
                     help="A switched-off account cannot log in; its sessions end at once"):
            try:
                staff.set_active(store, chosen, not target["active"], by=owner)
            except ChotdonError as error:
                show_error(error)
            else:
                flash(f"{target['display_name']} is {'switched off' if target['active'] else 'active again'}.")
                st.rerun()

with carriers_tab:
    st.markdown("The carriers Ship offers, in this order. The usual fee is what the carrier charges the shop (Ship "
                "starts from it); the tracking link has `{tracking}` where the tracking number goes.")
    carriers = shipping.list_carriers(store)
    carrier_table = pd.DataFrame({
        "id": pd.array([c.id for c in carriers], dtype="Int64"),
        "name": pd.array([c.name for c in carriers], dtype="string"),
        "default_fee": pd.array([c.default_fee for c in carriers], dtype="Int64"),
        "tracking_url": pd.array([c.tracking_url or "" for c in carriers], dtype="string"),
        "active": pd.array([c.active for c in carriers], dtype="boolean"),
    })
    edited_carriers = st.data_editor(
        carrier_table, key=f"carriers-editor-{len(carriers)}-{sum(c.id for c in carriers)}", num_rows="dynamic",
        hide_index=True, use_container_width=True,
        column_config={
            "id": None,
            "name": st.column_config.TextColumn("Carrier", required=True),
            "default_fee": st.column_config.NumberColumn("Usual fee ₫", min_value=0, step=1000, format="localized"),
            "tracking_url": st.column_config.TextColumn("Tracking link", width="large",
                                                        help="e.g. https://donhang.ghn.vn/?order_code={tracking}"),
            "active": st.column_config.CheckboxColumn("Offered", default=True),
        },
    )
    if st.button("Save carriers", type="primary", key="save_carriers"):
        try:
            result = shipping.save_carriers(store, [
                shipping.Carrier(
                    id=None if pd.isna(row["id"]) else int(row["id"]),
                    name="" if pd.isna(row["name"]) else str(row["name"]),
                    default_fee=0 if pd.isna(row["default_fee"]) else int(row["default_fee"]),
                    tracking_url=None if pd.isna(row["tracking_url"]) else str(row["tracking_url"]),
                    active=True if pd.isna(row["active"]) else bool(row["active"]),
                )
                for _, row in edited_carriers.iterrows()
                if not (pd.isna(row["name"]) or str(row["name"]).strip() == "") or not pd.isna(row["id"])
            ])
        except ChotdonError as error:
            show_error(error)
        else:
            flash(f"Saved {result['carriers']} carriers.")
            st.rerun()

with mshopkeeper_tab:
    connection = mshopkeeper.connection_from_settings()
    if connection is None:
        st.info("MShopKeeper is not configured, so **Send to shop** puts orders in the Shop inbox. To connect it, set "
                "`CHOTDON_MSHOPKEEPER_URL`, `CHOTDON_MSHOPKEEPER_DOMAIN` and `CHOTDON_MSHOPKEEPER_SECRET` (and "
                "optionally `CHOTDON_MSHOPKEEPER_BRANCH`) in the environment or `.streamlit/secrets.toml`, then "
                "restart Chotdon.")
    else:
        st.markdown(f"**Send to shop** creates each order at **{plain(connection.domain)}** through "
                    f"{plain(connection.base_url)}"
                    + (f", branch `{plain(connection.branch_id)}`." if connection.branch_id else
                       ", MShopKeeper's default branch."))
        st.caption("The secret key is set; it is never shown. Pushes and their answers are on the Integrations "
                   "screen.")
    if st.button("Test connection", key="test_mshopkeeper", disabled=connection is None):
        with st.spinner("Logging in to MShopKeeper…"):
            check = mshopkeeper.check_connection(connection)
        st.session_state["mshopkeeper_check"] = check
    check = st.session_state.get("mshopkeeper_check")
    if check is not None and connection is not None:
        (st.success if check.ok else st.error)(plain(check.message))
        if check.branches:
            st.dataframe(pd.DataFrame(check.branches, columns=["Branch id", "Branch"]), hide_index=True)
