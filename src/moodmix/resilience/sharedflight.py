"""``SharedFlight``: single-flight across processes, through per-key locks with expiry.

``SingleFlight`` joins callers inside one process; this joins processes. A process takes the
lock of each key it is about to fetch; keys another process holds are not fetched again but
waited for, and read from the shared cache once their holder marks them done. No library
joins a batch fetch key by key across processes, so it is written here::

    flight = SharedFlight(RedisLocks(redis), "track:", ref=lambda key, track: track.id)
    found = await flight.do_many(ids, fetch=fetch_from_upstream, read=read_shared_cache)

The holder keeps its locks alive while it fetches (every third of ``ttl``), then marks each
key done for ``done_ttl`` seconds with where its value is (``ref``), or that the upstream
had none (``ref(key, value)`` names the cache key ``read`` will find the value under).
A holder that dies stops renewing, its locks expire after ``ttl``, and the first
waiter to see a key free takes it over (one process, not all: the lock decides). Waiters
poll with a backoff from ``poll_min`` to ``poll_max`` seconds, one round trip for all their
keys, and after ``max_wait`` fetch what is left themselves. If the lock server fails, every
process fetches for itself (the in-process single-flight still joins its own callers).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from moodmix.clock import Clock, monotonic
from moodmix.coordination import Locks, SharedUnavailable
from moodmix.resilience.together import together
from moodmix.resilience.tokenbucket import Sleep

V = TypeVar("V")

Fetch = Callable[[list[str]], Awaitable[Mapping[str, V]]]
Read = Callable[[list[str]], Awaitable[Mapping[str, V]]]


@dataclass(frozen=True)
class FlightTimes:
    """Seconds: a fetch's lock lives ``ttl``, its result is announced for ``done_ttl``, a
    waiter gives up and fetches itself after ``max_wait``, polling between ``poll_min`` and
    ``poll_max`` apart."""

    ttl: float = 10.0
    done_ttl: float = 5.0
    max_wait: float = 30.0
    poll_min: float = 0.01
    poll_max: float = 0.2

    def __post_init__(self) -> None:
        ttl, done_ttl, max_wait = self.ttl, self.done_ttl, self.max_wait
        if not (ttl > 0 and done_ttl > 0 and max_wait > 0 and 0 < self.poll_min <= self.poll_max):
            raise ValueError(
                "ttl, done_ttl and max_wait must be > 0 s and 0 < poll_min <= poll_max, got "
                f"ttl={ttl!r}, done_ttl={done_ttl!r}, max_wait={max_wait!r}, "
                f"poll_min={self.poll_min!r}, poll_max={self.poll_max!r}"
            )


class SharedFlight(Generic[V]):
    """Fetches each key in one process at a time; the others wait and read its result."""

    def __init__(
        self,
        locks: Locks,
        namespace: str,
        *,
        ref: Callable[[str, V], str],
        times: FlightTimes | None = None,
        clock: Clock = monotonic,
        sleep: Sleep = asyncio.sleep,
        on_join: Callable[[int], None] | None = None,
    ) -> None:
        times = times or FlightTimes()
        self._locks = locks
        self._ns = namespace
        self._ref = ref
        self._ttl = times.ttl
        self._done_ttl = times.done_ttl
        self._max_wait = times.max_wait
        self._poll = (times.poll_min, times.poll_max)
        self._clock = clock
        self._sleep = sleep
        self._on_join = on_join
        self.joins = 0
        """Keys this process waited for instead of fetching."""
        self.takeovers = 0
        """Keys taken over after their holder freed them without a result or died."""

    async def do_many(self, keys: Sequence[str], fetch: Fetch[V], read: Read[V]) -> dict[str, V]:
        """Values for ``keys``: ours fetched by ``fetch``, others' read by ``read(refs)``.

        Keys nobody has a value for are left out, as ``fetch`` leaves them out.
        """
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        try:
            held = await self._locks.acquire([self._ns + k for k in wanted], self._ttl)
        except SharedUnavailable:
            return dict(await fetch(wanted))
        mine = [k for k in wanted if self._ns + k in held]
        theirs = [k for k in wanted if self._ns + k not in held]
        if theirs:
            self.joins += len(theirs)
            if self._on_join is not None:
                self._on_join(len(theirs))
        if not theirs:
            return await self._fetch_held(mine, fetch)
        if not mine:
            return await self.wait(theirs, fetch, read)
        own, waited = await together(
            [self._fetch_held(mine, fetch), self.wait(theirs, fetch, read)]
        )
        return {**own, **waited}

    async def _fetch_held(self, keys: list[str], fetch: Fetch[V]) -> dict[str, V]:
        """Fetch keys whose locks we hold, keeping them alive, then mark them done."""
        if not keys:
            return {}
        names = [self._ns + k for k in keys]
        keeper = LockKeeper(self._locks, names, self._ttl, sleep=self._sleep)
        try:
            found = dict(await fetch(keys))
        except BaseException:
            keeper.stop()
            with contextlib.suppress(SharedUnavailable, asyncio.CancelledError):
                await self._locks.abandon(names)
            raise
        keeper.stop()
        results = {self._ns + k: (self._ref(k, found[k]) if k in found else None) for k in keys}
        with contextlib.suppress(SharedUnavailable):
            await self._locks.release(results, done_ttl=self._done_ttl)
        return found

    async def wait(self, keys: list[str], fetch: Fetch[V], read: Read[V]) -> dict[str, V]:
        """Wait for other processes' fetches of ``keys``; take over keys freed without a
        result, and fetch what is still pending after ``max_wait`` (or unreadable)."""
        pending = list(keys)
        found: dict[str, V] = {}
        deadline = self._clock() + self._max_wait
        pause, longest = self._poll
        while pending and self._clock() < deadline:
            await self._sleep(pause)
            pause = min(pause * 1.5, longest)
            try:
                states = await self._locks.states([self._ns + k for k in pending])
            except SharedUnavailable:
                break
            refs: dict[str, str] = {}
            free: list[str] = []
            unreadable: list[str] = []
            settled: set[str] = set()
            for key in pending:
                state = states.get(self._ns + key)
                if state is None or state.status == "free":
                    free.append(key)
                elif state.status == "done":
                    if state.ref is None:
                        settled.add(key)  # the upstream had nothing for it
                    else:
                        refs[key] = state.ref
            if refs:
                values = await read(list(dict.fromkeys(refs.values())))
                for key, ref in refs.items():
                    if ref in values:
                        found[key] = values[ref]
                        settled.add(key)
                    else:
                        unreadable.append(key)  # done, but its value is out of reach
            if free:
                try:
                    held = await self._locks.acquire([self._ns + k for k in free], self._ttl)
                except SharedUnavailable:
                    break
                taken = [k for k in free if self._ns + k in held]
                self.takeovers += len(taken)
                found.update(await self._fetch_held(taken, fetch))
                settled.update(taken)
            if unreadable:
                found.update(await fetch(unreadable))
                settled.update(unreadable)
            pending = [k for k in pending if k not in settled]
        if pending:
            found.update(await fetch(pending))
        return found


class LockKeeper:
    """Renews held locks every third of ``ttl``, in a task of its own, until ``stop()``::

        keeper = LockKeeper(locks, ["track:a"], ttl=10.0)
        ...                                   # fetch while the lock stays ours
        keeper.stop()

    ``stop()`` cancels the task and sets a flag its loop checks, so the renewing ends even
    if a Redis client swallows the cancellation (redis-py has done so, issue #2551); a lock
    renewed for ever would make every other process wait on a key nobody fetches.
    """

    def __init__(
        self, locks: Locks, names: list[str], ttl: float, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._locks = locks
        self._names = names
        self._ttl = ttl
        self._sleep = sleep
        self._stopped = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="lock-keeper")

    def stop(self) -> None:
        self._stopped = True
        self._task.cancel()

    async def _run(self) -> None:
        with contextlib.suppress(SharedUnavailable):
            while not self._stopped:
                await self._sleep(self._ttl / 3)
                if not self._stopped:
                    await self._locks.extend(self._names, self._ttl)
