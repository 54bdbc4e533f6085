"""What ui/serve.py changes in what the server sends: the order grid's files are kept by the browser (Streamlit serves
a component's files with no lifetime, so every visit to Livestream orders fetched, gzipped and compiled its script
again), and a page opened at its own address asks the server's health once (Streamlit's page asked at
/orders/_stcore/health first, got a 404 and waited 100 ms before asking at /_stcore/health)."""

import httpx

from tests.e2e.conftest import login, until_idle
from ui.grid import GRID_COMPONENT, GRID_FRONTEND
from ui.serve import KEPT_AND_REFRESHED, _cache_control_for

COMPONENT = f"/component/{GRID_COMPONENT}"


def built_file(pattern: str) -> str:
    (path,) = (GRID_FRONTEND / "static").glob(pattern)
    return f"{COMPONENT}/static/{path.name}"


def built_script() -> str:
    return built_file("index.*.js")


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
    # Once the browser holds the whole script (a fetch of its own: while the first visits' frames are still loading
    # it, Chromium may not keep their copy), visits take it from the cache.
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
    style = httpx.get(shop_app.url + built_file("index.*.css"), timeout=30)
    assert style.status_code == 200 and b"ag-" in style.content
    assert style.headers["cache-control"] == "public, max-age=31536000, immutable"
    # A file not named by its content (streamlit-aggrid's own build had bootstrap.min.css): used from the browser's
    # copy while a fresh one is fetched behind it.
    assert _cache_control_for(f"{COMPONENT}/bootstrap.min.css") == KEPT_AND_REFRESHED
    page = httpx.get(shop_app.url + f"{COMPONENT}/index.html", timeout=30)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"  # the frame's entry
    assert b"BACKEND_BASE_URL" not in page.content  # the grid's page, not Streamlit's
    missing = httpx.get(shop_app.url + f"{COMPONENT}/static/index.ABCDEFGH.js", timeout=30)
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")


def test_streamlits_page_is_told_where_the_server_is_at_any_address(shop_app):
    for address in ("/", "/orders", "/customers", "/no-such-page"):
        page = httpx.get(shop_app.url + address, headers={"accept-encoding": "gzip"}, timeout=30)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "content-encoding" not in page.headers and int(page.headers["content-length"]) == len(page.content)
        assert page.text.count("window.__streamlit = {BACKEND_BASE_URL: window.location.origin + ''};") == 1
        assert page.text.index("BACKEND_BASE_URL") < page.text.index('<script type="module"')
    assert httpx.get(shop_app.url + "/_stcore/health", timeout=30).text == "ok"


def test_a_page_opened_at_its_own_address_asks_the_servers_health_once(page, shop_app):
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/_stcore/health" in request.url else None)
    login(page, shop_app, "/orders")
    asked.clear()
    visit_orders(page, shop_app)
    assert asked == [shop_app.url + "/_stcore/health"]
