"""What an upstream call brings back is stored (cache, id registry) before anyone waiting
for it hears of it.

So no caller finds a key neither in flight nor cached between the two, and another process
that sees a key done (its lock, or a handover) reads the value from the shared cache. For
that the store sits below the flights and the batcher, right above the call::

    stored = StoredItems(ItemCall(upstream, fetch, "track", metrics), cache, registry, "track")
    found = await stored.send(Batch(["8212bab8-…", "00aqkszH1FdUiJJWvX6iEl"], priority))

``StoredItems`` caches each item under its ReccoBeats id, teaches the registry the Spotify
ids the items carry, and marks Spotify ids the upstream did not answer as missing.
``StoredRequests`` caches whole answers under their request key.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Generic, TypeVar

from moodmix.reccobeats._chain import Batch, Fetcher, Layer, Sender
from moodmix.reccobeats._upstream import Held
from moodmix.reccobeats.ids import is_spotify_id
from moodmix.reccobeats.models import ApiModel
from moodmix.resilience.scheduler import Priority, Ticket
from moodmix.store.cache import TieredCache
from moodmix.store.registry import IdRegistry

M = TypeVar("M", bound=ApiModel)
V = TypeVar("V")


class StoredItems(Generic[M]):
    """A ``Sender`` that stores every item its call returns; ``{asked key: item}``."""

    def __init__(
        self, next: Sender[M], cache: TieredCache, registry: IdRegistry, kind: str
    ) -> None:
        self._next = next
        self._cache = cache
        self._registry = registry
        self._kind = kind

    def hold(self, priority: Priority, ticket: Ticket | None) -> AbstractAsyncContextManager[Held]:
        return self._next.hold(priority, ticket)

    async def send(self, batch: Batch) -> dict[str, M]:
        asked = batch.keys
        by_key = await self._next.send(batch)
        by_id: dict[str, M] = {}
        learned: dict[str, str] = {}
        for key, item in by_key.items():
            rid = getattr(item, "id", None)
            if key == rid:
                by_id[key] = item
            elif isinstance(rid, str):
                learned[key] = rid
        await self._cache.put_many(self._kind, by_id)
        if learned:
            await self._registry.learn_many(learned)
        absent = [k for k in asked if is_spotify_id(k) and k not in by_key]
        if absent:
            await self._registry.mark_missing(absent)
        return {k: by_key[k] for k in asked if k in by_key}


class StoredRequests(Layer[V]):
    """A ``Fetcher`` that caches each answer under its request's key."""

    def __init__(self, next: Fetcher[V], cache: TieredCache, kind: str) -> None:
        super().__init__(next)
        self._cache = cache
        self._kind = kind

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        found = await self._next.fetch_many(keys, priority)
        await self._cache.put_many(self._kind, found)
        return found
