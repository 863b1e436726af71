"""The simulator's synthetic ReccoBeats catalog, built deterministically from a seed.

    from moodmix.simulator.catalog import Catalog, CatalogSpec
    catalog = Catalog.build(CatalogSpec(seed=1, tracks=2_000, artists=200))
    catalog.search_artists("daft punk", page=0, size=10)["content"][0]["name"]  # 'Daft Punk'

``core`` is the catalog and its lookups; ``tables`` draws the columns (with ``genres``,
``features``, ``layout``, ``ids``, ``markets``, ``titles`` and ``words``); ``recommend``,
``search``, ``paging`` and ``wire`` answer queries in the API's shapes.
"""

from moodmix.simulator.catalog.core import Catalog, CatalogSpec

__all__ = ["Catalog", "CatalogSpec"]
