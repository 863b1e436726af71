"""The two interfaces the gateway's layers implement, and the base every wrapping layer shares.

Like httpx's transports: each layer wraps the next and answers the same question, so the
builder (``_builder``) composes only the layers a profile enables and no layer asks whether
another exists. Above the batcher a layer is a ``Fetcher`` (any keys, any number of calls);
below it, a ``Sender`` makes one upstream call of a ``Batch``. A batcher that chooses its keys
only once the call may leave first asks the layers below to ``hold`` a slot, then sends the
keys down in it: calls only ever go down::

    class Logged(Layer[V]):
        async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
            print("asking for", keys)
            return await self._next.fetch_many(keys, priority)

    chain = Logged(Cached(..., Flight(...)))
    found = await chain.fetch_many(["a", "b"], Priority.INTERACTIVE)   # {key: value}

    async with sender.hold(Priority.INTERACTIVE, None) as held:         # a token and a slot
        found = await sender.send(Batch(queue.take(), Priority.INTERACTIVE, held=held))
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeVar

from moodmix.reccobeats._upstream import Held
from moodmix.resilience.scheduler import Priority, Ticket

V = TypeVar("V")


class Fetcher(Protocol[V]):
    """Answers ``{key: value}`` for keys it has a value for; the others are left out."""

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]: ...

    def promote(self, keys: list[str]) -> None:
        """An interactive caller is about to wait on ``keys``: serve background work on them
        as interactive."""

    async def aclose(self) -> None:
        """Cancel work in flight (its callers get ``CancelledError``)."""


@dataclass(frozen=True)
class Batch:
    """One upstream call's keys, its lane, the ``ticket`` that can promote it while it waits,
    and the slot ``held`` for it if it has one (else it waits for its own)."""

    keys: list[str]
    priority: Priority
    ticket: Ticket | None = None
    held: Held | None = None

    def carrying(self, keys: list[str]) -> Batch:
        """The same call with other keys."""
        return replace(self, keys=keys)


class Sender(Protocol[V]):
    """Makes one upstream call of a ``Batch``: ``{key: value}`` for the keys it answered."""

    async def send(self, batch: Batch) -> dict[str, V]: ...

    def hold(self, priority: Priority, ticket: Ticket | None) -> AbstractAsyncContextManager[Held]:
        """Wait for a slot for a call whose keys are chosen once it has one (``Upstream.hold``)."""
        ...


class Layer(Generic[V]):
    """A ``Fetcher`` that wraps the next one; a subclass writes ``fetch_many``, and
    ``promote`` and ``aclose`` are forwarded unless it has its own."""

    def __init__(self, next: Fetcher[V]) -> None:
        self._next = next

    def promote(self, keys: list[str]) -> None:
        self._next.promote(keys)

    async def aclose(self) -> None:
        await self._next.aclose()
