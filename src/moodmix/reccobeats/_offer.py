"""The handover's offer (shared mode, with batching): keys this process holds the locks of
are offered to other processes' batch calls as they queue in this one's batcher, so
whichever call's token comes first may carry them (``_handover`` takes them there)::

    offer = Offer(Batched(...), handover)
    found = await offer.fetch_many(ids, Priority.INTERACTIVE)
"""

from __future__ import annotations

from typing import TypeVar

from moodmix.reccobeats._chain import Fetcher, Layer
from moodmix.resilience.handover import Handover
from moodmix.resilience.scheduler import Priority

V = TypeVar("V")


class Offer(Layer[V]):
    """Offers keys to other processes' batch calls as they queue in this one's batcher."""

    def __init__(self, next: Fetcher[V], handover: Handover[V]) -> None:
        super().__init__(next)
        self._handover = handover

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        await self._handover.offer(keys)
        return await self._next.fetch_many(keys, priority)
