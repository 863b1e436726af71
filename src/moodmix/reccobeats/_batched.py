"""Layer 4, the batcher: misses of one kind, from this caller and any other, leave together
in batch calls of at most ``max_batch`` ids, whose ids are chosen when the call's token is
granted (``LateBatcher``), so a batch waiting for quota keeps filling. Each call first has
the layers below ``hold`` it a slot, then takes its ids from the queue and sends them down
in that slot::

    batched = Batched(Stored(ItemCall(...)), max_batch=40, max_senders=4, window=0.005)
    found = await batched.fetch_many(ids, Priority.INTERACTIVE)

Interactive and background misses queue apart, so an interactive id never waits in a
background call. A background call waits for spare quota with a ``Ticket``; when an
interactive caller comes to need an id the background queue holds, every background call
is promoted (queued ids leave first in first out, so any of them may carry it).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from moodmix.reccobeats._chain import Batch, Sender
from moodmix.resilience.latebatch import LateBatcher, Take
from moodmix.resilience.scheduler import Priority, Ticket

V = TypeVar("V")


class Batched(Generic[V]):
    """A ``Fetcher`` that packs keys into late-bound calls of the ``Sender`` below it."""

    def __init__(self, next: Sender[V], *, max_batch: int, max_senders: int, window: float) -> None:
        self._next = next
        self._interactive: LateBatcher[str, V] = LateBatcher(
            self._send_interactive, max_batch=max_batch, max_senders=max_senders, window=window
        )
        self._background: LateBatcher[str, V] = LateBatcher(
            self._send_background, max_batch=max_batch, max_senders=max_senders
        )
        self._background_tickets: set[Ticket] = set()

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        if priority is Priority.INTERACTIVE:
            return await self._interactive.get_many(keys)
        return await self._background.get_many(keys)

    def promote(self, keys: list[str]) -> None:
        if self._background_tickets and any(map(self._background.holds, keys)):
            for ticket in self._background_tickets:
                ticket.promote()

    async def aclose(self) -> None:
        await self._interactive.aclose()
        await self._background.aclose()

    async def _send_interactive(self, take: Take[str]) -> dict[str, V]:
        return await self._send(take, Priority.INTERACTIVE, None)

    async def _send_background(self, take: Take[str]) -> dict[str, V]:
        ticket = Ticket(Priority.BACKGROUND)
        self._background_tickets.add(ticket)
        try:
            return await self._send(take, Priority.BACKGROUND, ticket)
        finally:
            self._background_tickets.discard(ticket)

    async def _send(
        self, take: Take[str], priority: Priority, ticket: Ticket | None
    ) -> dict[str, V]:
        """One call: its slot first, then the queue's first ids (none left: the slot goes back)."""
        async with self._next.hold(priority, ticket) as held:
            keys = take()
            if not keys:
                return {}
            return await self._next.send(Batch(keys, priority, ticket, held))
