"""Handover (shared mode, with batching): one process's batch call carries ids another
process queued, so processes sharing one quota send full calls rather than part-filled ones.

It acts at two places of the chain, both here: ``Offer`` sits above the batcher and offers
the keys this process holds the locks of as they queue; ``Traded`` sits below it and, when
a call's token comes, trades the call's keys for what it should send (its own still held,
plus others' offered keys up to ``room``)::

    offer = Offer(Batched(Traded(Stored(...), handover, flight, fallback, cache, "track"),
                          ...), handover)
    found = await offer.fetch_many(ids, Priority.INTERACTIVE)

Keys of ours another process's call carried are waited for as ``SharedFlight.wait`` does;
if that call fails they are fetched here through ``fallback`` (batch calls outside the queue).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from moodmix.reccobeats._chain import Fetcher, Keys, Layer, Sender
from moodmix.resilience.handover import Handover, Trade
from moodmix.resilience.scheduler import Priority, Ticket
from moodmix.resilience.sharedflight import SharedFlight
from moodmix.store.cache import TieredCache

V = TypeVar("V")


class Offer(Layer[V]):
    """Offers keys to other processes' batch calls as they queue in this one's batcher."""

    def __init__(self, next: Fetcher[V], handover: Handover[V]) -> None:
        super().__init__(next)
        self._handover = handover

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        await self._handover.offer(keys)
        return await self._next.fetch_many(keys, priority)


class Traded(Generic[V]):
    """A ``Sender`` whose call sends the keys a trade gives it when its token comes."""

    def __init__(
        self,
        next: Sender[V],
        handover: Handover[V],
        flight: SharedFlight[V],
        fallback: Fetcher[V],
        cache: TieredCache,
        kind: str,
        room: int,
    ) -> None:
        self._next = next
        self._handover = handover
        self._flight = flight
        self._fallback = fallback
        self._cache = cache
        self._kind = kind
        self._room = room

    async def send(self, keys: Keys, priority: Priority, ticket: Ticket | None) -> dict[str, V]:
        trade: Trade | None = None

        async def traded() -> list[str]:
            nonlocal trade
            if trade is None:
                trade = await self._handover.trade(await keys(), room=self._room)
            return trade.send

        try:
            found = await self._next.send(traded, priority, ticket)
        except BaseException:
            if trade is not None:
                await self._handover.settle(trade, None)
            raise
        if trade is None:
            return found
        await self._handover.settle(trade, found)
        if trade.lost:
            found.update(await self._flight.wait(trade.lost, self._fetch_now, self._read))
        return found

    async def _fetch_now(self, keys: list[str]) -> dict[str, V]:
        return await self._fallback.fetch_many(keys, Priority.INTERACTIVE)

    async def _read(self, refs: list[str]) -> dict[str, V]:
        return await self._cache.peek_many(self._kind, refs)
