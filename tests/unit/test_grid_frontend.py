"""The grid's frontend (frontend/grid) is built from its sources: the build in the repository is the build of the
sources beside it, and its page loads the files it holds."""

import hashlib
import re
from pathlib import Path

from ui.grid import GRID_FRONTEND

FRONTEND = GRID_FRONTEND.parent
BUILD_INPUTS = ("build.mjs", "index.html", "package.json", "package-lock.json")


def sources_fingerprint() -> str:
    """build.mjs's sourcesFingerprint: every file under src/ (sorted walk), then the build's own inputs."""
    files = sorted((path for path in (FRONTEND / "src").rglob("*") if path.is_file()),
                   key=lambda path: path.relative_to(FRONTEND).parts)
    files += [FRONTEND / name for name in BUILD_INPUTS]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(FRONTEND).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_the_committed_build_is_the_build_of_the_sources_beside_it():
    built_from = (GRID_FRONTEND / "SOURCES.sha256").read_text().strip()
    assert built_from == sources_fingerprint(), "frontend/grid changed since its build: run `make grid-frontend`"


def test_the_frames_page_loads_the_script_and_style_of_the_build():
    page = (GRID_FRONTEND / "index.html").read_text()
    linked = re.findall(r'(?:src|href)="\./([^"]+)"', page)
    assert sorted(Path(name).suffix for name in linked) == [".css", ".js"]  # the build's two, nothing else
    for name in linked:
        assert (GRID_FRONTEND / name).is_file(), name


def test_the_build_is_the_community_grid_alone():
    (script,) = (GRID_FRONTEND / "static").glob("index.*.js")
    # AG Grid's community modules, React and Arrow: 1.5 MB. With AG Grid Enterprise and AG Charts (streamlit-aggrid's
    # own build) it was 4.7 MB.
    assert 800_000 < script.stat().st_size < 2_500_000
