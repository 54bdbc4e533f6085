"""ui.serve's rewriting of Streamlit's page: the server's address goes into its head, whatever the page's address,
base path or compression; any other page passes unchanged."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import streamlit
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from ui.serve import BackendAddressInPage, with_backend_setting

STREAMLIT_PAGE = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()


def test_streamlits_own_page_gets_the_setting_before_its_scripts():
    page = with_backend_setting(STREAMLIT_PAGE, "").decode()
    assert page.count("BACKEND_BASE_URL") == 1
    assert "window.__streamlit = {BACKEND_BASE_URL: window.location.origin + ''};" in page
    assert page.index("BACKEND_BASE_URL") < page.index('<script type="module"')


def test_a_base_path_is_part_of_the_address():
    for base in ("shop", "/shop/", "shop/"):
        assert b"window.location.origin + '/shop'" in with_backend_setting(STREAMLIT_PAGE, base)


def test_another_page_is_left_as_it_is():
    other = b"<html><head><script>window.x = 1</script></head></html>"
    assert with_backend_setting(other, "") == other


def _get(html: bytes, path: str, **headers) -> httpx.Response:
    """GET `path` of a small app that answers `html` (plain text at /text), behind gzip and the middleware."""
    app = Starlette(
        routes=[Route("/{path:path}", lambda request: HTMLResponse(html) if request.url.path != "/text"
                      else PlainTextResponse("window.prerenderReady = false" * 50))],
        middleware=[Middleware(BackendAddressInPage), Middleware(GZipMiddleware, minimum_size=10)],
    )

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
            return await client.get(path, headers=headers)

    # In a thread of its own: in a whole test run, the browser tests' Playwright may hold this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, get()).result()


def test_a_compressed_page_is_sent_whole_and_plain_with_the_setting():
    response = _get(STREAMLIT_PAGE, "/orders", **{"accept-encoding": "gzip"})
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.content == with_backend_setting(STREAMLIT_PAGE, "")


def test_what_is_not_html_passes_untouched():
    response = _get(STREAMLIT_PAGE, "/text")
    assert "BACKEND_BASE_URL" not in response.text and response.text.startswith("window.prerenderReady")
