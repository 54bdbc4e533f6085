"""Setup: livestreams and their items (editable table, CSV import), and staff."""

import pandas as pd
import streamlit as st

from core import livestreams, staff
from core.errors import ChotdonError
from core.formatting import shop_time_text
from ui.order_form import show_error
from ui.state import actor, flash, get_store, selected_livestream_id, show_flashes
from ui.text import plain

store = get_store()
st.title("⚙️ Setup", anchor=False)
show_flashes()
livestream_tab, items_tab, staff_tab = st.tabs(["Livestreams", "Items of the livestream", "Staff"])

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
            st.session_state["livestream_id"] = new_id
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
                result = livestreams.save_items(store, livestream_id, new_items, actor=actor())
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
                result = livestreams.merge_items(store, livestream_id, imported, actor=actor())
            except UnicodeDecodeError:
                st.error("The file is not UTF-8 text; save it as CSV UTF-8 and try again.")
            except ChotdonError as error:
                show_error(error)
            else:
                flash(f"Imported {len(imported)} rows; the livestream has {result['items']} items.")
                st.rerun()

with staff_tab:
    users = staff.list_users(store, active_only=False)
    st.dataframe(
        pd.DataFrame({
            "Username": [u["username"] for u in users], "Name": [u["display_name"] for u in users],
            "Role": [u["role"] for u in users], "Active": [u["active"] for u in users],
        }),
        hide_index=True, use_container_width=True,
    )
    with st.form("new_staff", border=True, clear_on_submit=True):
        st.markdown("**Add a staff member**")
        c1, c2, c3 = st.columns([1, 2, 1])
        username = c1.text_input("Username", key="new_staff_username", placeholder="lan")
        display_name = c2.text_input("Name", key="new_staff_name", placeholder="Nguyễn Thị Lan")
        role = c3.selectbox("Role", options=list(staff.ROLES), index=1, key="new_staff_role")
        added = st.form_submit_button("Add staff member", type="primary", key="add_staff")
    if added:
        try:
            staff.add_user(store, username, display_name, role)
        except ChotdonError as error:
            show_error(error)
        else:
            flash(f"{display_name.strip()} can now be picked as staff in charge.")
            st.rerun()
