"""The storage interface every cache tier below memory speaks: bytes in, bytes out, with expiry.

Small on purpose (hishel's shape): a backend stores opaque values under string keys, each
with an absolute expiry in wall-clock seconds after which it may drop them and never
returns them. ``MemoryStorage``, ``SQLiteStorage`` (the default) and ``RedisStorage``
implement it::

    storage: Storage = SQLiteStorage("~/.cache/moodmix/cache.db")
    await storage.set_many({"track:abc": Stored(b"{...}", expires_at=time.time() + 7200)})
    found = await storage.get_many(["track:abc", "track:xyz"])   # {"track:abc": Stored(...)}
    await storage.clear("track:")                                 # -> number removed
    await storage.close()

A backend that cannot do its job (file locked, server down) raises ``StorageUnavailable``;
the caller decides whether to degrade or fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class StorageUnavailable(Exception):
    """The backend cannot be read or written right now (locked, unreachable, unwritable).

    ``backend`` names the backend ("sqlite", "redis", ...); the message says what happened
    and what to check.
    """

    def __init__(self, message: str, *, backend: str) -> None:
        super().__init__(message)
        self.backend = backend


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored value and the wall-clock second after which it is gone."""

    value: bytes
    expires_at: float


@runtime_checkable
class Storage(Protocol):
    """Async key → ``Stored`` storage. Expired entries are never returned."""

    async def get_many(self, keys: Iterable[str]) -> dict[str, Stored]:
        """The live entries among ``keys``; absent and expired keys are left out."""
        ...

    async def set_many(self, items: Mapping[str, Stored]) -> None:
        """Store (or replace) every item."""
        ...

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Remove the keys; absent keys are ignored."""
        ...

    async def clear(self, prefix: str | None = None) -> int:
        """Remove every key starting with ``prefix`` (all keys when ``None``); return how many."""
        ...

    async def close(self) -> None:
        """Release connections and files. Closing twice is harmless."""
        ...
