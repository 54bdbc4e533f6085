"""Starts the app: `python -m ui.serve [streamlit run options]` is `streamlit run app.py` with three fixes.

1. Streamlit treats a `pages/` folder beside the entry script as an old-style multipage app until st.navigation
   has run once in the process. If the first request after a start is a page's own URL (a bookmark to /orders),
   that page would run without app.py: no sidebar, no layout. Declaring up front that this app navigates with
   st.navigation sends every request through app.py.
2. Streamlit serves a component's files (the order grid's 1.5 MB script) with `Cache-Control: public` and no
   lifetime and no validator, so the browser fetches the script again on every page that shows the grid, the
   server gzips it again each time (0.3-0.4 s a load on a 2-core shop computer), and the browser compiles it again.
   The files under a component's `static/` folder are named by their content's hash (a new version is a new
   name), so they are marked cacheable for a year, as Streamlit marks its own hashed files. The component's other
   files (the grid's bootstrap.min.css, which holds its script back while it loads) are used from the browser's
   copy at once and fetched again behind it (stale-while-revalidate), so a new version shows on the next visit.
   (The grid's own build, frontend/grid, has no such file; streamlit-aggrid's had.)
3. Opened at a page's own address (/orders), Streamlit's page cannot tell whether `orders` is a page or the path the
   app is served under: it asks the server's health at /orders/_stcore/health first, gets a 404, waits 100 ms and
   asks at /_stcore/health (0.15 s of every such load). The app's page is told where the server is
   (`window.__streamlit.BACKEND_BASE_URL`, Streamlit's setting for a page served from elsewhere: the origin and
   server.baseUrlPath), so it asks once.
"""

import gzip
import re
import sys
from pathlib import Path

from starlette.middleware import Middleware
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli
from streamlit.web.server.starlette import starlette_app

APP = str(Path(__file__).resolve().parent.parent / "app.py")
# /component/<module>.<name>/static/index.EREROZR4.js: a build file whose name holds its content's hash (esbuild's,
# eight base-32 capitals; webpack's, hex as in main.f4bb7ae6.js).
HASHED_COMPONENT_FILE = re.compile(r"/component/[^/]+/static/.+\.([0-9a-f]{8,}|[A-Z2-7]{8})\.(js|css|woff2?|svg|png)$")
# Any other file of a component but its pages (index.html is the frame's entry: always asked again).
OTHER_COMPONENT_FILE = re.compile(r"/component/[^/]+/.+\.(js|css|woff2?|svg|png)$")
FOR_A_YEAR = b"public, max-age=31536000, immutable"
KEPT_AND_REFRESHED = b"public, max-age=0, stale-while-revalidate=604800"
# A line of Streamlit's index.html (its page, served at every page's address); the setting goes before it.
STREAMLIT_PAGE_MARK = b"window.prerenderReady = false"


def _cache_control_for(path: str) -> bytes | None:
    if HASHED_COMPONENT_FILE.search(path):
        return FOR_A_YEAR
    if OTHER_COMPONENT_FILE.search(path):
        return KEPT_AND_REFRESHED
    return None


class CachedComponentFiles:
    """ASGI middleware: a component's build files may be kept by the browser (see the module's note 2)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        cache_control = _cache_control_for(scope.get("path", "")) if scope["type"] == "http" else None
        if cache_control is None:
            await self.app(scope, receive, send)
            return

        async def send_cacheable(message):
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(name, value) for name, value in message.get("headers", [])
                           if name.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", cache_control)]}
            await send(message)

        await self.app(scope, receive, send_cacheable)


def backend_setting(base_url_path: str) -> bytes:
    """The script that tells Streamlit's page where its server is (the module's note 3)."""
    base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return (b"window.__streamlit = {BACKEND_BASE_URL: window.location.origin + %s};\n      "
            % repr(base).encode())


def with_backend_setting(page: bytes, base_url_path: str) -> bytes:
    """Streamlit's index.html with the setting in its head; any other page unchanged."""
    return page.replace(STREAMLIT_PAGE_MARK, backend_setting(base_url_path) + STREAMLIT_PAGE_MARK, 1)


class BackendAddressInPage:
    """ASGI middleware: Streamlit's own page (its index.html, at any page's address) is sent with the server's
    address in it (the module's note 3). The page is a few kB: it is held whole, unzipped if it was, and sent plain,
    without the file's validators (they describe the file, not the page sent)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or "/component/" in scope.get("path", ""):
            await self.app(scope, receive, send)
            return
        start, start_headers, body = None, {}, []

        async def send_with_setting(message):
            nonlocal start, start_headers
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if message.get("status") != 200 or not headers.get(b"content-type", b"").startswith(b"text/html"):
                    await send(message)
                    return
                start, start_headers = message, headers
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = b"".join(body)
            if start_headers.get(b"content-encoding") == b"gzip":
                page = gzip.decompress(page)
            headers = [(name, value) for name, value in start.get("headers", [])
                       if name.lower() not in (b"content-length", b"content-encoding", b"etag", b"last-modified")]
            page = with_backend_setting(page, config.get_option("server.baseUrlPath") or "")  # not screen text
            await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_with_setting)


def _with_own_middleware(make_middleware):
    def middleware():
        return [Middleware(BackendAddressInPage), Middleware(CachedComponentFiles), *make_middleware()]

    return middleware


def main() -> None:
    PagesManager.uses_pages_directory = False
    starlette_app.create_streamlit_middleware = _with_own_middleware(starlette_app.create_streamlit_middleware)
    sys.argv = ["streamlit", "run", APP, *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
