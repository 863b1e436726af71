"""In-process ``Storage``: an ``LRU`` of ``Stored`` bytes that honours expiry.

For tests, single-process runs without a cache file, and as a stand-in wherever an L2 is
wanted without I/O::

    storage = MemoryStorage(max_entries=10_000, clock=clock)
    await storage.set_many({"k": Stored(b"v", expires_at=clock() + 60)})
    await storage.get_many(["k"])      # {"k": Stored(b"v", ...)} until the clock passes 60 s
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from moodmix.clock import Clock, wall
from moodmix.store.lru import LRU
from moodmix.store.storage import Stored


class MemoryStorage:
    """A bounded, expiry-aware ``Storage`` held in memory; lost when the process ends."""

    def __init__(self, max_entries: int = 10_000, *, clock: Clock = wall) -> None:
        self._lru: LRU[str, Stored] = LRU(max_entries)
        self._clock = clock

    def __len__(self) -> int:
        return len(self._lru)

    async def get_many(self, keys: Iterable[str]) -> dict[str, Stored]:
        now = self._clock()
        found: dict[str, Stored] = {}
        for key in keys:
            stored = self._lru.get(key)
            if stored is None:
                continue
            if stored.expires_at <= now:
                self._lru.pop(key)
            else:
                found[key] = stored
        return found

    async def set_many(self, items: Mapping[str, Stored]) -> None:
        for key, stored in items.items():
            self._lru.set(key, stored)

    async def delete_many(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._lru.pop(key)

    async def clear(self, prefix: str | None = None) -> int:
        if prefix is None:
            return self._lru.clear()
        return self._lru.remove_where(lambda key, _: key.startswith(prefix))

    async def close(self) -> None:
        return None
