"""Late-bound batching: single-key lookups join a batch call whose keys are chosen at the
last moment, when the call is allowed to leave, not when a timer fires.

A batch that must wait for a rate-limit token anyway keeps filling while it waits, so
batches grow exactly when quota is scarce and stay small (and fast) when it is not. Neither
aiodataloader nor a window-based batcher can do this, because the keys are fixed before the
wait begins::

    async def send(take):                       # take() -> up to max_batch keys, once
        async with upstream.hold(Priority.INTERACTIVE, None) as held:   # the slot first
            ids = take()                                                # then the keys
            return await upstream.call(lambda c: fetch(c, ids), held=held) if ids else {}

    batcher = LateBatcher(send, max_batch=40, max_senders=4)
    found = await batcher.get_many(["a", "b"])  # {key: value}; keys send() left out are absent

``send(take)`` calls ``take()`` when its request may leave; calling it again returns the
same keys. Keys it returns no value for are answered as absent. An error from ``send``
reaches exactly the callers of the keys it took (or would have taken, had it got that far).
A key whose every caller was cancelled before it was taken leaves the queue: no request
carries a key nobody waits for (a sender left with no keys gets an empty ``take()``).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Take = Callable[[], list[K]]

_ABSENT = object()


class LateBatcher(Generic[K, V]):
    """Batches single-key lookups into ``send`` calls that pick their keys when they leave."""

    def __init__(
        self,
        send: Callable[[Take[K]], Awaitable[Mapping[K, V]]],
        *,
        max_batch: int = 40,
        max_senders: int = 4,
        window: float = 0.0,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch!r}")
        if max_senders < 1:
            raise ValueError(f"max_senders must be at least 1, got {max_senders!r}")
        if not window >= 0.0:
            raise ValueError(f"window must be >= 0 seconds, got {window!r}")
        self._send = send
        self._max_batch = max_batch
        self._max_senders = max_senders
        self._window = window
        self._futures: dict[K, asyncio.Future[object]] = {}
        self._callers: dict[K, int] = {}
        self._pending: OrderedDict[K, None] = OrderedDict()
        self._waiting = 0
        self._senders: set[asyncio.Task[None]] = set()
        self.batches = 0
        """Calls of ``send`` that took keys."""
        self.keys_sent = 0

    def holds(self, key: K) -> bool:
        """Whether ``key`` is queued or being sent."""
        return key in self._futures

    @property
    def queued(self) -> int:
        """Keys waiting for a sender to take them."""
        return len(self._pending)

    async def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """Values for ``keys`` that ``send`` returned; raises what ``send`` raised for them."""
        loop = asyncio.get_running_loop()
        wanted: list[tuple[K, asyncio.Future[object]]] = []
        for key in dict.fromkeys(keys):
            future = self._futures.get(key)
            if future is None:
                future = loop.create_future()
                future.add_done_callback(_consume)
                self._futures[key] = future
                self._pending[key] = None
            wanted.append((key, future))
        self._spawn()
        for key, _ in wanted:
            self._callers[key] = self._callers.get(key, 0) + 1
        found: dict[K, V] = {}
        try:
            for key, future in wanted:
                value = await asyncio.shield(future)
                if value is not _ABSENT:
                    found[key] = value  # type: ignore[assignment]
        finally:
            for key, _ in wanted:
                self._leave(key)
        return found

    def _leave(self, key: K) -> None:
        """One caller of ``key`` stopped waiting; the last one takes a queued key with it."""
        left = self._callers.get(key, 0) - 1
        if left > 0:
            self._callers[key] = left
            return
        self._callers.pop(key, None)
        if key in self._pending:
            del self._pending[key]
            future = self._futures.pop(key, None)
            if future is not None and not future.done():
                future.cancel()

    async def aclose(self) -> None:
        """Cancel the senders still running; their callers get ``CancelledError``."""
        tasks = list(self._senders)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()
        self._callers.clear()
        self._pending.clear()

    def _spawn(self) -> None:
        """Start senders until every queued key has one waiting for it (or the cap is hit)."""
        while (
            self._pending
            and self._waiting * self._max_batch < len(self._pending)
            and len(self._senders) < self._max_senders
        ):
            self._waiting += 1
            task = asyncio.get_running_loop().create_task(self._run_sender())
            self._senders.add(task)
            task.add_done_callback(self._sender_done)

    def _sender_done(self, task: asyncio.Task[None]) -> None:
        self._senders.discard(task)
        if not task.cancelled():
            task.exception()
        self._spawn()

    async def _run_sender(self) -> None:
        taken: list[K] | None = None

        def take() -> list[K]:
            nonlocal taken
            if taken is None:
                self._waiting -= 1
                taken = []
                while self._pending and len(taken) < self._max_batch:
                    taken.append(self._pending.popitem(last=False)[0])
                if taken:
                    self.batches += 1
                    self.keys_sent += len(taken)
            return taken

        try:
            if self._window:
                await asyncio.sleep(self._window)
            found = await self._send(take)
        except BaseException as exc:
            # A send that failed before taking (an open breaker, say) answers the keys it
            # would have taken, rather than leaving them for a sender that fails the same way.
            self._settle(take(), error=exc)
            raise
        else:
            self._settle(take(), found=found)

    def _settle(
        self,
        keys: list[K],
        *,
        found: Mapping[K, V] | None = None,
        error: BaseException | None = None,
    ) -> None:
        for key in keys:
            future = self._futures.pop(key, None)
            if future is None or future.done():
                continue
            if isinstance(error, asyncio.CancelledError):
                future.cancel()
            elif error is not None:
                future.set_exception(error)
            else:
                future.set_result(found.get(key, _ABSENT) if found is not None else _ABSENT)


def _consume(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()
