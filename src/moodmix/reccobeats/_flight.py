"""Layer 3a, single-flight in this process: a key being fetched is joined, not fetched again.

    flight = Flight(CrossFlight(...), "track", metrics)
    a, b = await together([flight.fetch_many(["x"], p), flight.fetch_many(["x", "y"], p)])
    # one fetch of "x" (and one of "y"): the second call joined the first for "x"

``busy(key)`` tells the cache layer which keys need no background refresh of their own.
"""

from __future__ import annotations

from typing import TypeVar

import structlog

from moodmix.reccobeats._chain import Fetcher, Layer
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.resilience.scheduler import Priority
from moodmix.resilience.singleflight import SingleFlight

V = TypeVar("V")

log = structlog.get_logger("moodmix.gateway")


class Flight(Layer[V]):
    """Joins concurrent fetches of the same keys into one fetch by the next layer."""

    def __init__(self, next: Fetcher[V], kind: str, metrics: GatewayMetrics) -> None:
        super().__init__(next)
        self._kind = kind
        self._joins = metrics.dedup_joins.labels(kind=kind)
        self._flight: SingleFlight[str, V] = SingleFlight()

    def busy(self, key: str) -> bool:
        """Whether ``key`` is being fetched now."""
        return self._flight.in_flight(key)

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        joined = sum(self._flight.in_flight(k) for k in keys)
        if joined:
            self._joins.inc(joined)
            log.debug("dedup_join", kind=self._kind, items=joined)
        return await self._flight.do_many(keys, lambda ks: self._next.fetch_many(ks, priority))

    async def aclose(self) -> None:
        await self._next.aclose()
        await self._flight.aclose()
