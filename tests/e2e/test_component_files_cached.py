"""The order grid's script is kept by the browser (ui/serve.py): Streamlit serves a component's files with no
lifetime, so every visit to Livestream orders fetched, gzipped and compiled its 4.7 MB script again."""

from pathlib import Path

import httpx
import st_aggrid

from tests.e2e.conftest import login, until_idle

COMPONENT = "/component/st_aggrid.AgGrid.agGrid"


def built_script() -> str:
    build = Path(st_aggrid.__file__).parent / "frontend" / "build"
    (script,) = [path for path in (build / "static" / "js").glob("main.*.js")]
    return f"{COMPONENT}/static/js/{script.name}"


def visit_orders(page, shop_app) -> None:
    page.goto(shop_app.url + "/orders")
    page.frame_locator('iframe[title*="agGrid" i]').first.locator(".ag-row").first.wait_for(timeout=30_000)
    until_idle(page)


def test_a_second_visit_to_the_orders_screen_takes_the_grid_script_from_the_browser(page, shop_app):
    cdp = page.context.new_cdp_session(page)
    urls, from_network, from_cache = {}, [], []
    cdp.on("Network.requestWillBeSent", lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.responseReceived", lambda event: (
        from_cache if event["response"].get("fromDiskCache") or event["response"].get("fromMemoryCache")
        else from_network).append(event["response"]["url"]))
    cdp.on("Network.requestServedFromCache", lambda event: from_cache.append(urls.get(event["requestId"])))
    cdp.send("Network.enable")
    login(page, shop_app, "/orders")
    visit_orders(page, shop_app)
    script = shop_app.url + built_script()
    # Once the browser holds the whole script (a fetch of its own: the first visits' fetches may be dropped, as
    # Streamlit starts the grid's frame twice on a load and drops the first), visits take it from the cache.
    page.evaluate("url => fetch(url).then(response => response.arrayBuffer())", script)
    page.wait_for_timeout(500)  # the protocol's events arrive after the fetch
    fetched = from_network.count(script)
    for _ in range(2):
        visit_orders(page, shop_app)
    assert from_network.count(script) == fetched, from_network.count(script) - fetched
    assert script in from_cache


def test_hashed_component_files_are_cacheable_and_the_rest_is_not(shop_app):
    # (the grid's component is known to the server once a page showed it: the test above)
    script = httpx.get(shop_app.url + built_script(), timeout=30)
    assert script.status_code == 200 and len(script.content) > 1_000_000
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    page = httpx.get(shop_app.url + f"{COMPONENT}/index.html", timeout=30)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"  # not named by its content
    missing = httpx.get(shop_app.url + f"{COMPONENT}/static/js/main.0123abcd.js", timeout=30)
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
