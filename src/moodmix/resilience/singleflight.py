"""Single-flight: concurrent calls for the same key share one execution.

coalescer and singleflight on PyPI share whole calls keyed by their arguments; neither lets
one batch fetch serve single-key waiters key by key, so this is written here::

    flight: SingleFlight[str, Track] = SingleFlight()
    track = await flight.do("id-1", lambda: client.track("id-1"))  # callers of "id-1" share it
    found = await flight.do_many(["id-1", "id-2"], client.tracks)  # per-key joins, one fetch
    # keys the fetch leaves out are absent from ``found``
    print(flight.stats.executions, flight.stats.joins)

The result or the error of an execution reaches every caller waiting on it. A caller that is
cancelled stops waiting; the execution and the other callers go on. When the last of its
callers is cancelled the execution is cancelled too, so work nobody waits for does not spend
quota: a request still queued for a token is never sent (one already sent is the layers
below's to finish and keep). Once an execution ends its key is free: the next call starts a
new one (caching is another layer's job).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Absent(enum.Enum):
    ABSENT = enum.auto()


_ABSENT = _Absent.ABSENT


@dataclass
class SingleFlightStats:
    """Counters: ``executions`` started (one per ``do`` run or ``do_many`` fetch) and
    ``joins`` (keys whose caller waited on someone else's execution)."""

    executions: int = 0
    joins: int = 0


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


@dataclass(eq=False)
class _Execution:
    """One running fetch and how many callers wait on it."""

    task: asyncio.Task[None] | None = None
    callers: int = 0


class SingleFlight(Generic[K, V]):
    """Shares one in-flight execution per key among concurrent callers."""

    def __init__(self) -> None:
        self._flights: dict[K, asyncio.Future[V | _Absent]] = {}
        self._executions: dict[asyncio.Future[Any], _Execution] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats = SingleFlightStats()

    def in_flight(self, key: K) -> bool:
        """Whether an execution for ``key`` is running now."""
        return key in self._flights

    def __len__(self) -> int:
        return len(self._flights)

    async def do(self, key: K, fn: Callable[[], Awaitable[V]]) -> V:
        """Return ``fn()``'s result, sharing one execution with concurrent callers of ``key``.

        Raises what ``fn`` raised. Raises ``KeyError(key)`` if the call joined a ``do_many``
        fetch whose mapping left ``key`` out.
        """
        flight = self._flights.get(key)
        if flight is None:

            async def fetch_one(keys: list[K]) -> Mapping[K, V]:
                return {key: await fn()}

            flight = self._start([key], fetch_one)[key]
        else:
            self.stats.joins += 1
        async with self._waiting([flight]):
            value = await asyncio.shield(flight)
        if isinstance(value, _Absent):
            raise KeyError(key)
        return value

    async def do_many(
        self, keys: Iterable[K], fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]]
    ) -> dict[K, V]:
        """Values for ``keys``: in-flight keys are joined, the rest fetched by one ``fetch`` call.

        ``fetch`` gets the keys nobody is fetching (in first-seen order, without duplicates)
        and returns a mapping; keys it leaves out are absent from the result. If the fetch
        of any of the keys fails, its error is raised here.
        """
        wanted = list(dict.fromkeys(keys))
        flights: dict[K, asyncio.Future[V | _Absent]] = {}
        missing: list[K] = []
        for key in wanted:
            flight = self._flights.get(key)
            if flight is None:
                missing.append(key)
            else:
                self.stats.joins += 1
                flights[key] = flight
        if missing:
            flights.update(self._start(missing, fetch))
        found: dict[K, V] = {}
        async with self._waiting(flights.values()):
            for key in wanted:
                value = await asyncio.shield(flights[key])
                if not isinstance(value, _Absent):
                    found[key] = value
        return found

    @contextlib.asynccontextmanager
    async def _waiting(self, futures: Iterable[asyncio.Future[Any]]) -> AsyncIterator[None]:
        """Count the caller among the waiters of the executions behind ``futures``; if it is
        cancelled and was the last of one's callers, cancel that execution."""
        executions = {self._executions[f] for f in futures if f in self._executions}
        for execution in executions:
            execution.callers += 1
        try:
            yield
        except asyncio.CancelledError:
            for execution in executions:
                execution.callers -= 1
                if execution.callers == 0 and execution.task is not None:
                    execution.task.cancel()
            raise
        else:
            for execution in executions:
                execution.callers -= 1

    async def aclose(self) -> None:
        """Cancel the work still running; its waiters get ``CancelledError``."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(
        self, keys: list[K], fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]]
    ) -> dict[K, asyncio.Future[V | _Absent]]:
        loop = asyncio.get_running_loop()
        execution = _Execution()
        futures: dict[K, asyncio.Future[V | _Absent]] = {}
        for key in keys:
            future: asyncio.Future[V | _Absent] = loop.create_future()
            future.add_done_callback(_consume)
            futures[key] = future
            self._flights[key] = future
            self._executions[future] = execution

        async def run() -> None:
            try:
                found = await fetch(list(keys))
                if not isinstance(found, Mapping):
                    raise TypeError(f"fetch must return a Mapping, got {type(found).__name__}")
            except BaseException as exc:
                self._settle(futures, error=exc)
                if not isinstance(exc, Exception):
                    raise
            else:
                self._settle(futures, found=found)

        self.stats.executions += 1
        task = execution.task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finish(futures, done))
        return futures

    def _settle(
        self,
        futures: dict[K, asyncio.Future[V | _Absent]],
        *,
        found: Mapping[K, V] | None = None,
        error: BaseException | None = None,
    ) -> None:
        for key, future in futures.items():
            if self._flights.get(key) is future:
                del self._flights[key]
            self._executions.pop(future, None)
            if future.done():
                continue
            if isinstance(error, asyncio.CancelledError):
                future.cancel()
            elif error is not None:
                future.set_exception(error)
            elif found is not None:
                future.set_result(found.get(key, _ABSENT))

    def _finish(
        self, futures: dict[K, asyncio.Future[V | _Absent]], task: asyncio.Task[None]
    ) -> None:
        self._tasks.discard(task)
        self._settle(futures, error=asyncio.CancelledError())
        _consume(task)
