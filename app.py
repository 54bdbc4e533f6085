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

# Our own layout CSS (never customer text): a busy live needs the width for the stream and the order side by side.
st.html(
    """<style>
    [data-testid="stMainBlockContainer"] {padding: 1.2rem 1.5rem 2rem 1.5rem; max-width: 100%;}
    [data-testid="stSidebarContent"] {padding-top: 0.5rem;}
    h1 {font-size: 1.8rem !important; padding-top: 0.2rem !important;}
    </style>"""
)

navigation = st.navigation(PAGES)
sidebar(get_store())
navigation.run()
