"""The architecture guard (docs/DESIGN.md, "Layout (revision 2: layers)"): reads every import of the app's code
and fails on an arrow that runs the wrong way, a cycle, or a module outside the layers.

Every import counts: module level, inside functions, under `if TYPE_CHECKING:`, relative ones, and
`importlib.import_module("...")` / `__import__("...")` with a literal name. Nothing is imported or run.
CHOTDON_LAYERS_ROOT points the guard at another checkout (by default: this repository).
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("CHOTDON_LAYERS_ROOT") or Path(__file__).resolve().parents[2])
PROJECT = ("core", "ui", "pages", "app")

# base < db < domain < records < integrations < services < runtime < the CLI < ui < pages and app.py
LAYER_RANKS = {
    "core.base": 0,
    "core.db": 1,
    "core.domain": 2,
    "core.records": 3,
    "core.integrations": 4,
    "core.services": 5,
    "core.runtime": 6,
    "core.__main__": 7,
    "ui": 8,
    "pages": 9,
    "app": 9,
}
TOP_RANK = 9  # pages and app.py: nothing else may import them, and they do not import one another
# Inside core.services, where both ends are named: outbox < orders < comments, orders < shipping,
# comments < livestreams, shipping < livestreams (comments and shipping are not ordered between themselves);
# outbox < answers < comments (ingest writes the answers on Facebook its comments call for).
SERVICE_RANKS = {"outbox": 0, "orders": 1, "answers": 1, "comments": 2, "shipping": 2, "livestreams": 3}
# Storage, network, screens and frames. (A lock guarding a memo of pure results, as the parser keeps, is allowed.)
IMPURE = {"duckdb", "httpx", "streamlit", "st_aggrid", "pandas", "pyarrow", "socket", "subprocess"}


@dataclass(frozen=True)
class Edge:
    file: str  # relative to ROOT
    line: int
    source: str  # the importing module, e.g. core.services.orders
    target: str  # a project module (core.base.errors) or the imported name outside the project (pyarrow.compute)

    @property
    def top(self) -> str:
        return self.target.split(".")[0]

    @property
    def internal(self) -> bool:
        return self.top in PROJECT

    def __str__(self) -> str:
        return f"{self.file}:{self.line}  {self.source} -> {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> list[Path]:
    files = [p for d in PROJECT[:-1] for p in sorted((ROOT / d).rglob("*.py")) if ".venv" not in p.parts]
    return files + [ROOT / "app.py"]


@functools.cache
def import_edges() -> tuple[Edge, ...]:
    """Every import in core/, ui/, pages/ and app.py, resolved to the module it loads."""
    files = source_files()
    modules = {module_name(p) for p in files}
    edges = []
    for path in files:
        source, rel = module_name(path), str(path.relative_to(ROOT))
        package = source.split(".") if path.name == "__init__.py" else source.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: `from . import x`, `from ..base import errors`
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                # `from core.base import errors` and `from core.base.errors import X` both load core.base.errors
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                    targets = [node.args[0].value]
            edges += [Edge(rel, node.lineno, source, t) for t in dict.fromkeys(targets)]
    return tuple(sorted(edges, key=lambda e: (e.file, e.line, e.target)))


def layer_of(module: str) -> str | None:
    """The layer a module sits in (the longest matching key of LAYER_RANKS), or None outside every layer."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYER_RANKS:
            return ".".join(parts[:n])
    return None


def rank_of(module: str) -> int | None:
    if module == "core":
        return 0  # the package initializer runs before every core import, so it may import only what base may
    layer = layer_of(module)
    return None if layer is None else LAYER_RANKS[layer]


def service_rank(module: str) -> int | None:
    parts = module.split(".")
    return SERVICE_RANKS.get(parts[2]) if parts[:2] == ["core", "services"] and len(parts) > 2 else None


def fail_listing(header: str, items) -> None:
    """Fails with the header and one offending item a line (no assertion rewriting noise), if there are any."""
    if items:
        pytest.fail("\n".join([header, *(f"  {item}" for item in items)]), pytrace=False)


def core_edges() -> list[Edge]:
    return [e for e in import_edges() if e.source.split(".")[0] == "core"]


def test_no_import_cycles_anywhere():
    graph: dict[str, set[str]] = {}
    edges = [e for e in import_edges() if e.internal and e.target != e.source]
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)

    def reachable_from(start: str) -> set[str]:  # iterative depth-first search
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reach = {module: reachable_from(module) for module in graph}
    # a strongly connected component: the modules that reach a module and are reached from it (size > 1 = a cycle)
    components = sorted(
        {frozenset(m for m in reach[n] if n in reach.get(m, ())) for n in reach if n in reach[n]}, key=sorted
    )
    fail_listing(
        "import cycles (a module reaches itself again), with the imports inside each cycle:",
        [
            "\n    ".join(
                [f"cycle through {', '.join(sorted(c))}:", *(str(e) for e in edges if {e.source, e.target} <= c)]
            )
            for c in components
        ],
    )


def test_every_core_module_sits_in_a_layer():
    loose = sorted(
        str(p.relative_to(ROOT))
        for p in source_files()
        if module_name(p).startswith("core.") and module_name(p) != "core.__main__" and layer_of(module_name(p)) is None
    )
    fail_listing("core modules outside the layers (base, db, domain, records, integrations, services, runtime):", loose)


def test_imports_point_down_the_layers():
    def wrong_way(e: Edge) -> bool:
        have, want = rank_of(e.source), rank_of(e.target)
        if have is None or want is None:
            return False  # outside the layers: test_every_core_module_sits_in_a_layer names them
        if want > have or (want == have == TOP_RANK and e.source != e.target):
            return True
        inner_have, inner_want = service_rank(e.source), service_rank(e.target)
        return inner_have is not None and inner_want is not None and inner_want > inner_have

    upward = [e for e in import_edges() if e.internal and wrong_way(e)]
    fail_listing(
        "imports that point up the layers (base < db < domain < records < integrations < services < runtime"
        " < core.__main__ < ui < pages/app.py; in services outbox < orders < comments, orders < shipping,"
        " comments and shipping < livestreams; a page imports no other page):",
        upward,
    )


def test_domain_is_pure():
    impure = [
        e
        for e in core_edges()
        if layer_of(e.source) == "core.domain"
        and (e.top in IMPURE or (e.top == "core" and layer_of(e.target) not in ("core.base", "core.domain")))
    ]
    fail_listing("core.domain imports I/O, threads, dataframes or core outside base and domain:", impure)


def test_core_never_imports_streamlit():
    streamlit = [e for e in core_edges() if e.top in ("streamlit", "st_aggrid")]
    fail_listing("core imports streamlit (only ui/, pages/ and app.py may):", streamlit)


def test_only_ui_grid_talks_to_aggrid():
    aggrid = [e for e in import_edges() if e.top == "st_aggrid" and e.source != "ui.grid"]
    fail_listing("st_aggrid imported outside ui/grid.py:", aggrid)


def test_no_context_variables_in_core():
    found = {(e.file, e.line, str(e)) for e in core_edges() if e.top == "contextvars"}
    for path in source_files():
        if module_name(path).split(".")[0] == "core":
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(node, "id", None) or getattr(node, "attr", None)
                if name == "ContextVar" and isinstance(node, ast.Name | ast.Attribute):
                    rel = str(path.relative_to(ROOT))
                    found.add((rel, node.lineno, f"{rel}:{node.lineno}  {module_name(path)} uses ContextVar"))
    fail_listing(
        "context variables in core (what an action needs travels as an argument):", [f[2] for f in sorted(found)]
    )
