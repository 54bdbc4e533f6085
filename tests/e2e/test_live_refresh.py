"""The Livestream page's comment stream, live: a new comment shows up by itself within the refresh interval, and
while nothing changes the server does not send the stream again (ui.live_refresh)."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, until_idle


def received_bytes(page, seconds: float) -> int:
    """What the server sent this tab over its websocket during the next `seconds`."""
    sizes = []

    def listen(socket):
        socket.on("framereceived", lambda payload: sizes.append(len(payload)))

    page.on("websocket", listen)
    page.reload()  # the tab's websocket opens again, now listened to
    expect(page.get_by_text("Lý Linh").first).to_be_visible(timeout=30_000)
    until_idle(page)
    sizes.clear()
    page.wait_for_timeout(seconds * 1000)
    return sum(sizes)


def test_a_new_comment_of_the_demo_live_appears_without_a_click(page, empty_demo_app):
    login(page, empty_demo_app)
    page.get_by_label("Demo speed").click()
    page.get_by_role("option", name="1× live speed").click()
    page.get_by_role("button", name="▶ Play demo live").click()
    # The demo's first comment is played at once; its second 7 s later, its third 11 s later (at 1×).
    expect(page.get_by_text("hello shop", exact=True)).to_be_visible(timeout=20_000)
    expect(page.get_by_text("chào shop ạ", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_text("❤️❤️", exact=True)).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="⏹ Stop demo").click()
    expect(page.get_by_role("button", name="▶ Play demo live")).to_be_visible()


def test_an_unchanged_stream_is_not_sent_again(page, shop_app):
    login(page, shop_app)
    # Not live: the stream is checked every 10 s. Before, each check redrew it (every row sent again, ~20 KB for
    # these ten comments); now a check that finds nothing new sends only the watcher's bookkeeping.
    sent = received_bytes(page, 12)
    assert sent < 4_000, sent


def test_the_livestream_address_opens_the_livestream_page(page, shop_app):
    # The Livestream page is the default page, served at `/`; its own address opened it under Streamlit's
    # "Page not found" box.
    login(page, shop_app, "/livestream")
    expect(page.get_by_text("Showing 1–10 of 10 comments")).to_be_visible()
    until_idle(page)
    expect(page.get_by_text("Running the app's main page")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
