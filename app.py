"""Chotdon: closing livestream orders. Entry point: page config, login gate, navigation over pages/ by role,
shared sidebar. Everything runs through ui.failure.guarded: an uncaught exception on any page is a short apology
with an error id in the log, never Streamlit's crash box; a database file that cannot be opened is a page saying
what is wrong and what to do."""

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.access import logged_in_user, login_screen, refuse_owner_page
from ui.failure import database_unavailable, guarded
from ui.i18n import t
from ui.session import get_store
from ui.sidebar import sidebar

st.set_page_config(page_title="Chotdon", page_icon="🛒", layout="wide")

# The owner's pages (by url path). Staff do not see them in the menu, and get a refusal at their address.
OWNER_ONLY = {"setup", "integrations", "reports"}


# The session's last unknown address: the reruns that follow (logging in, a click) name its page by hash only.
LOST_ADDRESS_KEY = "_lost_address"


def not_found_page(url_path: str):
    return st.Page(page_not_found, title=t("app.page_not_found"), icon="🧭", url_path=url_path, visibility="hidden")


def default_page_by_its_name(pages: list) -> None:
    """`/livestream` typed as an address opens the Livestream page. The default page is served at `/`, and Streamlit
    looks an address up among the pages' served paths only: its own name would open it under an English "Page not
    found" box. Asked for by name, it is asked for by its hash instead."""
    ctx = get_script_run_ctx()
    if ctx is None or ctx.pages_manager.intended_page_script_hash:
        return
    wanted = (ctx.pages_manager.intended_page_name or "").strip("/")
    default = next((page for page in pages if page._default), pages[0])
    if wanted and wanted == default._url_path:
        ctx.pages_manager.set_script_intent(default._script_hash, "")


def unknown_address_page(pages: list):
    """A hidden "page not found" page at the address this run was asked for, when no page has it (`/nope`), else
    None. Streamlit would run the first page under an English "Page not found" box; Chotdon answers with its own page at that address instead, so the address stays and the menu
    leads home. An address with a `/` inside cannot be a page's: Streamlit's box stays."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    manager = ctx.pages_manager
    wanted_hash = manager.intended_page_script_hash
    if wanted_hash:
        if any(p._script_hash == wanted_hash for p in pages):
            return None  # a page picked in the menu
        lost = st.session_state.get(LOST_ADDRESS_KEY)
        page = not_found_page(lost) if lost else None
        return page if page is not None and page._script_hash == wanted_hash else None
    wanted = (manager.intended_page_name or "").strip("/")
    # The default page is served at `/` but keeps its own name (`/livestream`) reserved: no other page may have it
    # (default_page_by_its_name opens it).
    if not wanted or "/" in wanted or wanted in {page._url_path for page in pages} | {page.url_path for page in pages}:
        return None
    try:
        page = not_found_page(wanted)
    except StreamlitAPIException:  # an address no page could have: Streamlit's box stays
        return None
    st.session_state[LOST_ADDRESS_KEY] = wanted
    return page


def page_not_found() -> None:
    st.title(f"🧭 {t('app.page_not_found')}", anchor=False)
    st.info(t("app.page_not_found_text"))
    st.page_link("pages/livestream.py", label=t("app.page_not_found_home"), icon="🏠")


def main() -> None:
    try:
        store = get_store()  # not cached when it fails: the next visit (a reload) tries the file again
    except Exception as error:  # held, full, read-only, truncated, corrupt: said in words, nothing else runs
        database_unavailable(error)
        return
    user = logged_in_user(store)  # None until someone logs in on this tab (or its browser has a live session cookie)

    def menu(url_path: str) -> str:
        return "hidden" if user is not None and not user.is_owner and url_path in OWNER_ONLY else "visible"

    pages = [
        st.Page("pages/livestream.py", title=t("app.page_livestream"), icon="🔴", url_path="livestream", default=True),
        st.Page("pages/orders.py", title=t("app.page_orders"), icon="🧾", url_path="orders"),
        st.Page("pages/shipping_book.py", title=t("app.page_shipping_book"), icon="📦", url_path="shipping-book"),
        st.Page("pages/shop_inbox.py", title=t("app.page_shop_inbox"), icon="🏪", url_path="shop-inbox"),
        st.Page("pages/customers.py", title=t("app.page_customers"), icon="👥", url_path="customers"),
        st.Page("pages/setup.py", title=t("app.page_setup"), icon="⚙️", url_path="setup", visibility=menu("setup")),
        st.Page("pages/integrations.py", title=t("app.page_integrations"), icon="🔌", url_path="integrations",
                visibility=menu("integrations")),
        st.Page("pages/reports.py", title=t("app.page_reports"), icon="📊", url_path="reports",
                visibility=menu("reports")),
    ]

    default_page_by_its_name(pages)
    lost = unknown_address_page(pages)
    if lost is not None:
        pages.append(lost)

    # Our own layout CSS (never customer text): a busy live needs the width for the stream and the order side by side.
    st.html(
        """<style>
        [data-testid="stMainBlockContainer"] {padding: 1.2rem 1.5rem 2rem 1.5rem; max-width: 100%;}
        [data-testid="stSidebarContent"] {padding-top: 0.5rem;}
        h1 {font-size: 1.8rem !important; padding-top: 0.2rem !important;}
        </style>"""  # not screen text
    )

    # Navigation is declared before the gate, so that after logging in the tab lands on the page its address names.
    navigation = st.navigation(pages, position="sidebar" if user is not None else "hidden")
    if user is None:
        login_screen(store)  # the owner set-up on first start, else the login form; stops here
    sidebar(store, user)
    if navigation.url_path in OWNER_ONLY and not user.is_owner:
        refuse_owner_page(navigation.title)
    navigation.run()


guarded(main)()
