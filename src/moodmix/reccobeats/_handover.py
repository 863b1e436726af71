"""Handover (shared mode, with batching): one process's batch call carries ids another
process queued, so processes sharing one quota send full calls rather than part-filled ones.

``Traded`` sits below the batcher: when a call's token comes it trades the call's keys for
what it should send (its own still held, plus keys other processes offered, ``_offer``, up
to ``room``)::

    traded = Traded(StoredItems(...), handover, flight, fallback, cache, "track", room=40)
    found = await traded.send(keys, Priority.INTERACTIVE, None)   # as the batcher's call

Keys of ours another process's call carried are waited for as ``SharedFlight.wait`` does;
if that call fails they are fetched here through ``fallback`` (batch calls outside the queue).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from moodmix.reccobeats._chain import Fetcher, Keys, Sender
from moodmix.resilience.handover import Handover, Trade
from moodmix.resilience.scheduler import Priority, Ticket
from moodmix.resilience.sharedflight import SharedFlight
from moodmix.store.cache import TieredCache

V = TypeVar("V")


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
