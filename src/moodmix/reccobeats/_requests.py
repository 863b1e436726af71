"""Whole-request lookups (recommendations, searches, pages): cache, single-flight, upstream.

The request is normalised into a key (seeds sorted, parameters canonical), so equal questions
share one cache entry and one in-flight fetch however they were spelled::

    recs = RequestLookup("recommendations", upstream=..., cache=..., metrics=...)
    tracks = await recs.get(key, lambda client: client.get_recommendations(seeds, size=20))
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import orjson
import structlog

from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats._upstream import Upstream
from moodmix.reccobeats.client import ReccoBeatsClient
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.resilience.scheduler import Priority
from moodmix.resilience.sharedflight import SharedFlight
from moodmix.resilience.singleflight import SingleFlight
from moodmix.store.cache import State, TieredCache

T = TypeVar("T")

log = structlog.get_logger("moodmix.gateway")

_RECIPES = 512
"""How many recent requests warming can repeat (the hot ones are among them)."""


def request_key(**parts: Any) -> str:
    """A short, stable key for a request's normalised parameters (``None`` values dropped)."""
    canonical = orjson.dumps(
        {k: v for k, v in parts.items() if v is not None}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


class RequestLookup(Generic[T]):
    """Cached, de-duplicated answers to one kind of whole request."""

    def __init__(
        self,
        kind: str,
        *,
        upstream: Upstream,
        cache: TieredCache,
        metrics: GatewayMetrics,
        background: BackgroundTasks,
        dedup: bool = True,
        stale_if_error: bool = True,
        shared: SharedFlight[T] | None = None,
    ) -> None:
        self.kind = kind
        self._shared = shared
        self._upstream = upstream
        self._cache = cache
        self._metrics = metrics
        self._flight: SingleFlight[str, T] | None = SingleFlight() if dedup else None
        self._stale_if_error = stale_if_error
        self._background = background
        self._recipes: OrderedDict[str, Callable[[ReccoBeatsClient], Awaitable[T]]] = OrderedDict()

    async def get(
        self,
        key: str,
        fetch: Callable[[ReccoBeatsClient], Awaitable[T]],
        *,
        priority: Priority = Priority.INTERACTIVE,
    ) -> T:
        """The cached answer for ``key``, or ``fetch(client)`` through the upstream."""
        self._remember(key, fetch)
        self._metrics.lookups.labels(kind=self.kind).inc()
        lookup = await self._cache.get(self.kind, key)
        tier = lookup.tier or "l2"
        self._metrics.cache.labels(kind=self.kind, tier=tier, result=lookup.state.value).inc()
        if lookup.hit:
            if lookup.state is State.STALE:
                self._refresh_later(key, fetch)
            value: T = lookup.value
            return value
        try:
            return await self._fetch(key, fetch, priority)
        except ReccoBeatsError:
            if self._stale_if_error:
                backup = await self._cache.get_stale_for_error(self.kind, key)
                if backup.hit:
                    log.warning("served_stale_on_error", kind=self.kind)
                    stale: T = backup.value
                    return stale
            raise

    async def _fetch(
        self, key: str, fetch: Callable[[ReccoBeatsClient], Awaitable[T]], priority: Priority
    ) -> T:
        async def fetch_one() -> T:
            value = await self._upstream.call(fetch, priority=priority)
            await self._cache.put(self.kind, key, value)
            return value

        async def go() -> T:
            if self._shared is None:
                return await fetch_one()
            found = await self._shared.do_many(
                [key],
                lambda _: _one(key, fetch_one),
                lambda refs: self._cache.peek_many(self.kind, refs),
            )
            return found[key] if key in found else await fetch_one()

        if self._flight is None:
            return await go()
        if self._flight.in_flight(key):
            self._metrics.dedup_joins.labels(kind=self.kind).inc()
            log.debug("dedup_join", kind=self.kind)
        return await self._flight.do(key, go)

    async def aclose(self) -> None:
        """Cancel fetches still in flight (their callers get ``CancelledError``)."""
        if self._flight is not None:
            await self._flight.aclose()

    async def refresh(self, key: str) -> int:
        """Fetch ``key`` again at background priority if its request is remembered: 1 if so."""
        fetch = self._recipes.get(key)
        if fetch is None:
            return 0
        try:
            await self._fetch(key, fetch, Priority.BACKGROUND)
        except ReccoBeatsError as exc:
            log.info("warming_failed", kind=self.kind, error=str(exc))
            return 0
        self._metrics.prefetches.labels(reason="refresh").inc()
        return 1

    def _remember(self, key: str, fetch: Callable[[ReccoBeatsClient], Awaitable[T]]) -> None:
        """Keep how to ask for the most recent keys, so warming can ask again (bounded)."""
        self._recipes[key] = fetch
        self._recipes.move_to_end(key)
        if len(self._recipes) > _RECIPES:
            self._recipes.popitem(last=False)

    def _refresh_later(self, key: str, fetch: Callable[[ReccoBeatsClient], Awaitable[T]]) -> None:
        if self._flight is not None and self._flight.in_flight(key):
            return

        async def refresh() -> None:
            try:
                await self._fetch(key, fetch, Priority.BACKGROUND)
                self._metrics.prefetches.labels(reason="revalidate").inc()
            except ReccoBeatsError as exc:
                log.info("revalidate_failed", kind=self.kind, error=str(exc))

        self._background.spawn(refresh(), name=f"revalidate-{self.kind}")


async def _one(key: str, fetch: Callable[[], Awaitable[T]]) -> dict[str, T]:
    return {key: await fetch()}
