"""The two interfaces the gateway's layers implement, and the base every wrapping layer shares.

Like httpx's transports: each layer wraps the next and answers the same question, so the
builder (``_builder``) composes only the layers a profile enables and no layer asks whether
another exists. Above the batcher a layer is a ``Fetcher`` (the keys are known); below it, a
``Sender`` makes one upstream call whose keys are read when its token is granted::

    class Logged(Layer[V]):
        async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
            print("asking for", keys)
            return await self._next.fetch_many(keys, priority)

    chain = Logged(Cached(..., Flight(...)))
    found = await chain.fetch_many(["a", "b"], Priority.INTERACTIVE)   # {key: value}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from moodmix.resilience.scheduler import Priority, Ticket

V = TypeVar("V")

Keys = Callable[[], Awaitable[list[str]]]
"""One call's keys, read once its token is granted; a retry reads the same keys again."""


class Fetcher(Protocol[V]):
    """Answers ``{key: value}`` for keys it has a value for; the others are left out."""

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]: ...

    def promote(self, keys: list[str]) -> None:
        """An interactive caller is about to wait on ``keys``: serve background work on them
        as interactive."""

    async def aclose(self) -> None:
        """Cancel work in flight (its callers get ``CancelledError``)."""


class Sender(Protocol[V]):
    """One upstream call for the keys ``keys()`` gives when the call may leave."""

    async def send(self, keys: Keys, priority: Priority, ticket: Ticket | None) -> dict[str, V]: ...


class Layer(Generic[V]):
    """A ``Fetcher`` that wraps the next one; a subclass writes ``fetch_many``, and
    ``promote`` and ``aclose`` are forwarded unless it has its own."""

    def __init__(self, next: Fetcher[V]) -> None:
        self._next = next

    def promote(self, keys: list[str]) -> None:
        self._next.promote(keys)

    async def aclose(self) -> None:
        await self._next.aclose()


def given(keys: list[str]) -> Keys:
    """``Keys`` known before the call waits (a call that does not batch late)."""

    async def read() -> list[str]:
        return keys

    return read
