"""Handover (shared mode, with batching): one process's batch call carries ids another
process queued, so processes sharing one quota send full calls rather than part-filled ones.

``Traded`` sits below the batcher, which sends it a call once the call's slot is held: it
trades the call's keys for what it should send (its own still held, plus keys other
processes offered, ``_offer``, up to ``room``; nothing left: the slot goes back)::

    traded = Traded(StoredItems(...), handover, flight, fallback, cache, "track", room=40)
    async with traded.hold(Priority.INTERACTIVE, None) as held:      # as the batcher does
        found = await traded.send(Batch(keys, Priority.INTERACTIVE, held=held))

Keys of ours another process's call carried are waited for as ``SharedFlight.wait`` does;
if that call fails they are fetched here through ``fallback`` (batch calls outside the queue).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Generic, TypeVar

from moodmix.reccobeats._chain import Batch, Fetcher, Sender
from moodmix.reccobeats._upstream import Held
from moodmix.resilience.handover import Handover
from moodmix.resilience.scheduler import Priority, Ticket
from moodmix.resilience.sharedflight import SharedFlight
from moodmix.store.cache import TieredCache

V = TypeVar("V")


class Traded(Generic[V]):
    """A ``Sender`` that sends, in the batch's slot, the keys a trade gives it."""

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

    def hold(self, priority: Priority, ticket: Ticket | None) -> AbstractAsyncContextManager[Held]:
        return self._next.hold(priority, ticket)

    async def send(self, batch: Batch) -> dict[str, V]:
        trade = await self._handover.trade(batch.keys, room=self._room)
        found: dict[str, V] = {}
        try:
            if trade.send:
                found = await self._next.send(batch.carrying(trade.send))
            elif batch.held is not None:
                await batch.held.give_back()  # before waiting on other processes' calls
        except BaseException:
            await self._handover.settle(trade, None)
            raise
        await self._handover.settle(trade, found)
        if trade.lost:
            found.update(await self._flight.wait(trade.lost, self._fetch_now, self._read))
        return found

    async def _fetch_now(self, keys: list[str]) -> dict[str, V]:
        return await self._fallback.fetch_many(keys, Priority.INTERACTIVE)

    async def _read(self, refs: list[str]) -> dict[str, V]:
        return await self._cache.peek_many(self._kind, refs)
