"""Coalescing batcher: single-key lookups that arrive close together share one batch fetch.

aiodataloader batches once per loop tick, with no time window and no cap on batches in
flight, and wants values back as a list in key order, so this is written here::

    batcher = Batcher(fetch_tracks, max_batch=40, window=0.005, max_concurrent_batches=4)
    track = await batcher.get("id-1")        # the value, or MISSING if fetch left the key out
    if track is MISSING: ...
    tracks = await batcher.get_many(ids)     # {key: value} for the keys fetch returned
    print(batcher.stats.batches, batcher.stats.mean_batch_size)

``fetch(keys)`` gets distinct keys, at most ``max_batch`` of them, and returns a mapping; a
key it leaves out is answered with ``MISSING`` (a value, not an error: "the upstream does not
know this id" is an answer to remember, while an exception means the fetch itself failed).

A batch opens with its first key and closes ``window`` seconds later (a timer on the event
loop) or as soon as it holds ``max_batch`` keys. Closed batches are fetched in order, at most
``max_concurrent_batches`` at once; while every slot is busy, a batch whose window has passed
keeps filling until a slot frees or it is full. A key asked for while it is waiting or being
fetched joins that fetch, so it is fetched once. An error from ``fetch`` reaches exactly the
callers of that batch. A cancelled caller stops waiting; its key stays in the batch and the
other callers are untouched.
"""

from __future__ import annotations

import asyncio
import enum
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Missing(enum.Enum):
    """The type of ``MISSING``: the answer for a key that ``fetch`` left out."""

    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = Missing.MISSING


@dataclass
class BatcherStats:
    """Counters: keys asked for, keys that joined a pending fetch, and the fetches made."""

    requests: int = 0
    coalesced: int = 0
    batches: int = 0
    keys_fetched: int = 0
    sizes: Counter[int] = field(default_factory=Counter)

    @property
    def mean_batch_size(self) -> float:
        """Keys per fetch, on average (0.0 before the first)."""
        return self.keys_fetched / self.batches if self.batches else 0.0

    @property
    def requests_saved(self) -> int:
        """Upstream calls avoided compared with one call per key asked for."""
        return self.requests - self.batches


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class Batcher(Generic[K, V]):
    """Coalesces ``get`` calls into ``fetch`` calls of up to ``max_batch`` keys."""

    def __init__(
        self,
        fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        *,
        max_batch: int = 40,
        window: float = 0.005,
        max_concurrent_batches: int = 4,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch!r}")
        if not window >= 0.0:
            raise ValueError(f"window must be >= 0 seconds, got {window!r}")
        if max_concurrent_batches < 1:
            raise ValueError(
                f"max_concurrent_batches must be at least 1, got {max_concurrent_batches!r}"
            )
        self._fetch = fetch
        self._max_batch = max_batch
        self._window = window
        self._max_concurrent = max_concurrent_batches
        self._futures: dict[K, asyncio.Future[V | Missing]] = {}
        self._open: list[K] = []
        self._due = False
        self._timer: asyncio.TimerHandle | None = None
        self._ready: deque[list[K]] = deque()
        self._running: set[asyncio.Task[Mapping[K, V]]] = set()
        self.stats = BatcherStats()

    @property
    def in_flight(self) -> int:
        """Fetches running now."""
        return len(self._running)

    @property
    def queued(self) -> int:
        """Keys waiting for a fetch to start."""
        return len(self._open) + sum(len(batch) for batch in self._ready)

    async def get(self, key: K) -> V | Missing:
        """The value ``fetch`` returns for ``key``, or ``MISSING``; raises what ``fetch`` raised."""
        return await asyncio.shield(self._enqueue(key))

    async def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """Values for the ``keys`` that ``fetch`` returned; raises if a fetch of any failed."""
        futures = [(key, self._enqueue(key)) for key in dict.fromkeys(keys)]
        found: dict[K, V] = {}
        for key, future in futures:
            value = await asyncio.shield(future)
            if not isinstance(value, Missing):
                found[key] = value
        return found

    def flush(self) -> None:
        """Close the batch being filled now, without waiting for its window."""
        if self._open:
            self._close_open()
        self._dispatch()

    def _enqueue(self, key: K) -> asyncio.Future[V | Missing]:
        self.stats.requests += 1
        future = self._futures.get(key)
        if future is not None:
            self.stats.coalesced += 1
            return future
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        future.add_done_callback(_consume)
        self._futures[key] = future
        self._open.append(key)
        if len(self._open) == 1:
            self._timer = loop.call_later(self._window, self._window_passed)
        if len(self._open) >= self._max_batch:
            self._close_open()
            self._dispatch()
        return future

    def _window_passed(self) -> None:
        self._timer = None
        self._due = True
        self._dispatch()

    def _close_open(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due = False
        self._ready.append(self._open)
        self._open = []

    def _dispatch(self) -> None:
        while len(self._running) < self._max_concurrent:
            if self._ready:
                batch = self._ready.popleft()
            elif self._due and self._open:
                batch, self._open, self._due = self._open, [], False
            else:
                return
            self._send(batch)

    async def aclose(self) -> None:
        """Cancel the fetches still running; their callers get ``CancelledError``."""
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _send(self, batch: list[K]) -> None:
        self.stats.batches += 1
        self.stats.keys_fetched += len(batch)
        self.stats.sizes[len(batch)] += 1
        task = asyncio.create_task(self._call(list(batch)))
        self._running.add(task)
        task.add_done_callback(lambda done: self._finish(batch, done))

    async def _call(self, keys: list[K]) -> Mapping[K, V]:
        found = await self._fetch(keys)
        if not isinstance(found, Mapping):
            raise TypeError(f"fetch must return a Mapping, got {type(found).__name__}")
        return found

    def _finish(self, batch: list[K], task: asyncio.Task[Mapping[K, V]]) -> None:
        self._running.discard(task)
        futures = [self._futures.pop(key) for key in batch]
        if task.cancelled():
            for future in futures:
                future.cancel()
        elif (error := task.exception()) is not None:
            for future in futures:
                if not future.done():
                    future.set_exception(error)
        else:
            found = task.result()
            for key, future in zip(batch, futures, strict=True):
                if not future.done():
                    future.set_result(found.get(key, MISSING))
        self._dispatch()
