"""A livestream's item settings as the parser and the orders see them at one moment (pure values)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from core.domain.syntax import CatalogItem, SyntaxSettings, normalize_code


@dataclass(frozen=True)
class LiveItem:
    id: int | None
    code: str
    name: str
    price: int
    stock: int | None = None
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    sku: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Catalog:
    """What the parser and the order code need to know about one livestream's items at one moment."""

    livestream_id: int
    version: int
    settings: SyntaxSettings
    items: tuple[LiveItem, ...]
    # normalised code -> item id, for the items' own codes and for remembered picks of unknown codes
    item_id_by_code_key: dict[str, int] = field(default_factory=dict)
    parser_items: tuple[CatalogItem, ...] = ()

    def item(self, item_id: int | None) -> LiveItem | None:
        return self._items_by_id.get(item_id)

    def item_id_for_code(self, code: str) -> int | None:
        """The item a typed code stands for (its own code or a remembered pick), cached per catalog."""
        found = self._code_cache.get(code, -1)
        if found == -1:
            found = self.item_id_by_code_key.get(normalize_code(code))
            self._code_cache[code] = found
        return found

    def __post_init__(self):
        object.__setattr__(self, "_items_by_id", {item.id: item for item in self.items})
        object.__setattr__(self, "_code_cache", {})
        # Names this catalog in caches of what texts mean (core.services.comments): never the same for two catalogs, also of
        # two databases with the same livestream id and version.
        object.__setattr__(self, "cache_token", next(_CATALOG_TOKENS))


_CATALOG_TOKENS = itertools.count(1)
