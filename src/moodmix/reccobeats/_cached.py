"""Layer 2, the tiered cache: what L1 or L2 holds is answered here, only misses go on.

A stale-while-revalidate hit is answered at once and fetched again in the background; a
miss asked for interactively first promotes background work on the same keys, so the caller
does not wait behind the prefetch it now depends on::

    cached = Cached(Flight(...), cache, "track", metrics, background, is_key=is_reccobeats_id)
    found = await cached.fetch_many(["8212bab8-…"], Priority.INTERACTIVE)

Keys ``is_key`` rejects are no cache keys (a Spotify id the registry could not place) and
always go on. Background refreshes go to ``revalidate`` (the next layer unless the builder
says otherwise); ``busy(key)`` says a key is being fetched already, so it needs no refresh
of its own. The cache is written in ``_stored``, before the fetch that brought the value
settles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import structlog

from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._chain import Fetcher, Layer
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.resilience.scheduler import Priority
from moodmix.store.cache import TieredCache
from moodmix.store.entry import State

V = TypeVar("V")

log = structlog.get_logger("moodmix.gateway")


def idle(key: str) -> bool:
    """No key is being fetched (there is no single-flight to ask)."""
    return False


def _every_key(key: str) -> bool:
    return True


class Cached(Layer[V]):
    """Answers from the cache; passes misses to the next layer."""

    def __init__(
        self,
        next: Fetcher[V],
        cache: TieredCache,
        kind: str,
        metrics: GatewayMetrics,
        background: BackgroundTasks,
        *,
        is_key: Callable[[str], bool] = _every_key,
        revalidate: Fetcher[V] | None = None,
        busy: Callable[[str], bool] = idle,
    ) -> None:
        super().__init__(next)
        self._cache = cache
        self._kind = kind
        self._metrics = metrics
        self._background = background
        self._is_key = is_key
        self._revalidate = revalidate or next
        self._busy = busy
        # Label lookups cost more than the increments on an L1 hit: bind them once.
        self._counts = {
            (tier, state.value): metrics.cache.labels(kind=kind, tier=tier, result=state.value)
            for tier in ("l1", "l2")
            for state in State
        }

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        cached = [key for key in keys if self._is_key(key)]
        found: dict[str, V] = {}
        misses: list[str] = []
        for key, lookup in (await self._cache.get_many(self._kind, cached)).items():
            self._counts[lookup.tier or "l2", lookup.state.value].inc()
            if not lookup.hit:
                misses.append(key)
                continue
            found[key] = lookup.value
            if lookup.state is State.STALE:
                self._refresh_later([key])
        log.debug("cache_lookup", kind=self._kind, hits=len(found), misses=len(misses))
        misses += [key for key in keys if not self._is_key(key)]
        if misses:
            if priority is Priority.INTERACTIVE:
                self._next.promote(misses)
            found.update(await self._next.fetch_many(misses, priority))
        return found

    def _refresh_later(self, keys: list[str]) -> None:
        """Stale-while-revalidate: the stale value is served; a fresh one is fetched behind."""
        if all(map(self._busy, keys)):
            return

        async def refresh() -> None:
            try:
                await self._revalidate.fetch_many(keys, Priority.BACKGROUND)
                self._metrics.prefetches.labels(reason="revalidate").inc(len(keys))
            except ReccoBeatsError as exc:
                log.info("revalidate_failed", kind=self._kind, error=str(exc))

        self._background.spawn(refresh(), name=f"revalidate-{self._kind}")
