"""Starts the app: `python -m ui.serve [streamlit run options]` is `streamlit run app.py` with two fixes.

1. Streamlit treats a `pages/` folder beside the entry script as an old-style multipage app until st.navigation
   has run once in the process. If the first request after a start is a page's own URL (a bookmark to /orders),
   that page would run without app.py: no sidebar, no layout. Declaring up front that this app navigates with
   st.navigation sends every request through app.py.
2. Streamlit serves a component's files (the order grid's 4.7 MB script) with `Cache-Control: public` and no
   lifetime and no validator, so the browser fetches the script again on every page that shows the grid, the
   server gzips it again each time (0.3-0.4 s a load on a 2-core shop computer), and the browser compiles it again.
   The files under a component's `static/` folder are named by their content's hash (a new version is a new
   name), so they are marked cacheable for a year, as Streamlit marks its own hashed files.
"""

import re
import sys
from pathlib import Path

from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli
from streamlit.web.server.starlette import starlette_app

APP = str(Path(__file__).resolve().parent.parent / "app.py")
# /component/<module>.<name>/static/js/main.f4bb7ae6.js: a build file whose name holds its content's hash.
HASHED_COMPONENT_FILE = re.compile(r"/component/[^/]+/static/.+\.[0-9a-f]{8,}\.(js|css|woff2?|svg|png)$")
FOR_A_YEAR = b"public, max-age=31536000, immutable"


class CachedComponentFiles:
    """ASGI middleware: a component's hashed build files may be kept by the browser (see the module's note 2)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not HASHED_COMPONENT_FILE.search(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def send_cacheable(message):
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(name, value) for name, value in message.get("headers", [])
                           if name.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", FOR_A_YEAR)]}
            await send(message)

        await self.app(scope, receive, send_cacheable)


def _with_cached_component_files(make_middleware):
    def middleware():
        return [Middleware(CachedComponentFiles), *make_middleware()]

    return middleware


def main() -> None:
    PagesManager.uses_pages_directory = False
    starlette_app.create_streamlit_middleware = _with_cached_component_files(
        starlette_app.create_streamlit_middleware)
    sys.argv = ["streamlit", "run", APP, *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
