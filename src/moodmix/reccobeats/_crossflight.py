"""Layer 3b, single-flight across processes (shared mode): keys another process is
fetching are waited for and read from the shared cache, not fetched again.

    across = CrossFlight(Batched(...), shared.flight("track", ref=...), cache, "track")
    found = await across.fetch_many(ids, Priority.INTERACTIVE)

``SharedFlight`` holds the per-key locks; this layer gives it the next layer to fetch with
and the shared cache to read others' results from (they are stored before the locks say
done, in ``_stored``).
"""

from __future__ import annotations

from typing import TypeVar

from moodmix.reccobeats._chain import Fetcher, Layer
from moodmix.resilience.scheduler import Priority
from moodmix.resilience.sharedflight import SharedFlight
from moodmix.store.cache import TieredCache

V = TypeVar("V")


class CrossFlight(Layer[V]):
    """Fetches through the next layer only the keys this process holds the locks of."""

    def __init__(
        self, next: Fetcher[V], flight: SharedFlight[V], cache: TieredCache, kind: str
    ) -> None:
        super().__init__(next)
        self._flight = flight
        self._cache = cache
        self._kind = kind

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        return await self._flight.do_many(
            keys, lambda ks: self._next.fetch_many(ks, priority), self.read
        )

    async def read(self, refs: list[str]) -> dict[str, V]:
        """Fresh values another process stored under ``refs`` (counted as no lookup)."""
        return await self._cache.peek_many(self._kind, refs)
