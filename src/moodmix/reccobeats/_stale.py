"""Stale-if-error: when fetching fails, answer with values the cache still holds for it.

Only when every key asked has such a value (within its ``stale_if_error`` window): a
partial answer would hide the failure from the caller who needs the rest::

    fetcher = StaleOnError(Flight(...), cache, "track")
    found = await fetcher.fetch_many(ids, Priority.INTERACTIVE)   # the upstream's error, or
                                                                  # yesterday's tracks
"""

from __future__ import annotations

from typing import TypeVar

import structlog

from moodmix.reccobeats._chain import Fetcher, Layer
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.resilience.scheduler import Priority
from moodmix.store.cache import TieredCache

V = TypeVar("V")

log = structlog.get_logger("moodmix.gateway")


class StaleOnError(Layer[V]):
    """Turns the next layer's ``ReccoBeatsError`` into stale values when all keys have one."""

    def __init__(self, next: Fetcher[V], cache: TieredCache, kind: str) -> None:
        super().__init__(next)
        self._cache = cache
        self._kind = kind

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        try:
            return await self._next.fetch_many(keys, priority)
        except ReccoBeatsError:
            rescued = await self._stale(keys)
            if rescued is None:
                raise
            return rescued

    async def _stale(self, keys: list[str]) -> dict[str, V] | None:
        rescued: dict[str, V] = {}
        for key in keys:
            lookup = await self._cache.get_stale_for_error(self._kind, key)
            if not lookup.hit:
                return None
            rescued[key] = lookup.value
        log.warning("served_stale_on_error", kind=self._kind, items=len(rescued))
        return rescued
