"""Chotdon: closing livestream orders. Entry point: page config, navigation over pages/, shared sidebar."""

import streamlit as st

from ui.state import get_store, sidebar

st.set_page_config(page_title="Chotdon", page_icon="🛒", layout="wide")

PAGES = [
    st.Page("pages/livestream.py", title="Livestream", icon="🔴", url_path="livestream", default=True),
    st.Page("pages/orders.py", title="Livestream orders", icon="🧾", url_path="orders"),
    st.Page("pages/shipping_book.py", title="Shipping book", icon="📦", url_path="shipping-book"),
    st.Page("pages/shop_inbox.py", title="Shop inbox", icon="🏪", url_path="shop-inbox"),
    st.Page("pages/setup.py", title="Setup", icon="⚙️", url_path="setup"),
]

navigation = st.navigation(PAGES)
sidebar(get_store())
navigation.run()
