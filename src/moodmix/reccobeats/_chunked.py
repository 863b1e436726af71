"""Batch calls without coalescing: each caller's misses go out in chunks of its own.

``Chunked`` splits the keys into calls of at most ``max_batch`` and sends them together;
``Capped``, below the layer that stores answers, lets at most ``limit`` interactive calls
wait for the upstream at once (background ones wait for spare quota instead, so they never
hold a place an interactive call needs)::

    chunked = Chunked(Stored(Capped(ItemCall(...), limit=4), ...), max_batch=40)
    found = await chunked.fetch_many(ids, Priority.INTERACTIVE)

A background chunk waits with a ``Ticket``, promoted when an interactive caller needs one of
its keys.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Generic, TypeVar

from moodmix.reccobeats._chain import Batch, Sender
from moodmix.reccobeats._upstream import Held
from moodmix.resilience.scheduler import Priority, Ticket
from moodmix.resilience.together import together

V = TypeVar("V")


class Chunked(Generic[V]):
    """A ``Fetcher`` that sends keys in chunks through the ``Sender`` below it."""

    def __init__(self, next: Sender[V], *, max_batch: int) -> None:
        self._next = next
        self._max_batch = max_batch
        self._tickets: dict[str, Ticket] = {}
        """Keys being fetched in the background, with the ticket that can promote them."""

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        size = self._max_batch
        chunks = [keys[i : i + size] for i in range(0, len(keys), size)]
        results = await together(self._chunk(c, priority) for c in chunks)
        return {k: v for part in results for k, v in part.items()}

    def promote(self, keys: list[str]) -> None:
        if self._tickets:
            for key in keys:
                if (ticket := self._tickets.get(key)) is not None:
                    ticket.promote()

    async def aclose(self) -> None:
        """Nothing of its own runs: its calls belong to their callers."""

    async def _chunk(self, keys: list[str], priority: Priority) -> dict[str, V]:
        if priority is Priority.INTERACTIVE:
            return await self._next.send(Batch(keys, priority))
        ticket = Ticket(priority)
        self._tickets.update(dict.fromkeys(keys, ticket))
        try:
            return await self._next.send(Batch(keys, priority, ticket))
        finally:
            for key in keys:
                if self._tickets.get(key) is ticket:
                    del self._tickets[key]


class Capped(Generic[V]):
    """A ``Sender`` that lets at most ``limit`` interactive calls through at once."""

    def __init__(self, next: Sender[V], *, limit: int) -> None:
        self._next = next
        self._slots = asyncio.Semaphore(limit)

    def hold(self, priority: Priority, ticket: Ticket | None) -> AbstractAsyncContextManager[Held]:
        return self._next.hold(priority, ticket)

    async def send(self, batch: Batch) -> dict[str, V]:
        if batch.priority is not Priority.INTERACTIVE:
            return await self._next.send(batch)
        async with self._slots:
            return await self._next.send(batch)
