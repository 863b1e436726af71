"""``MemoryLocks``: per-key fetch locks (``Locks``) for the holders of one process.

A ``LockTable`` keeps what ``RedisLocks`` keeps in Redis (each lock's value and deadline,
the offer pools); each ``MemoryLocks`` is one holder of its locks, as each ``RedisLocks``
is, so several ``SharedFlight``s or ``Handover``s in one event loop take, hand over and
wait for each other's locks as processes do, on a clock tests move by hand::

    table = LockTable(clock=ManualClock())
    one, two = MemoryLocks(table), MemoryLocks(table)
    await one.acquire(["track:a"], ttl=10.0)        # {"track:a"}
    await two.acquire(["track:a"], ttl=10.0)        # set(): one holds it
    table.clock.advance(10.1)                       # one died: its lock expired
    await two.acquire(["track:a"], ttl=10.0)        # {"track:a"}

Each method is one step with no ``await`` inside, so it is atomic as a Lua script is. Values
are the strings ``RedisLocks`` stores (``h:<holder>`` while held, ``d:<ref>`` once done),
times are whole milliseconds as Redis takes them, a lock lives until its deadline, and a
pool's keys come out oldest offer first, then in name order, as a Redis sorted set's do.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence

from moodmix.clock import Clock, monotonic
from moodmix.coordination.protocols import FREE, HELD, LockState, Traded

_POOL_TTL_MS = 60_000
"""An offer pool nobody adds to for this long is dropped (its holders are gone)."""


class LockTable:
    """The locks and offer pools every ``MemoryLocks`` on it shares, on ``clock`` (seconds)."""

    def __init__(self, *, clock: Clock = monotonic) -> None:
        self.clock = clock
        self._locks: dict[str, tuple[str, float]] = {}
        self._pools: dict[str, tuple[dict[str, int], float]] = {}

    def now(self) -> float:
        """The table's time in milliseconds."""
        return self.clock() * 1000

    def get(self, key: str) -> str | None:
        """The lock's value, or ``None`` once its deadline has passed."""
        entry = self._locks.get(key)
        if entry is None:
            return None
        if self.now() > entry[1]:
            del self._locks[key]
            return None
        return entry[0]

    def set(self, key: str, value: str, ms: int) -> None:
        self._locks[key] = (value, self.now() + ms)

    def delete(self, key: str) -> None:
        self._locks.pop(key, None)

    def pool(self, name: str) -> dict[str, int]:
        """The pool's offered keys and their offer times (empty once dropped)."""
        entry = self._pools.get(name)
        if entry is None or self.now() > entry[1]:
            self._pools.pop(name, None)
            return {}
        return entry[0]

    def keep_pool(self, name: str, members: dict[str, int], ms: int | None = None) -> None:
        """Store the pool (dropped when empty); ``ms``: drop it that long from now."""
        if not members:
            self._pools.pop(name, None)
            return
        until = self.now() + ms if ms is not None else self._pools.get(name, ({}, math.inf))[1]
        self._pools[name] = (members, until)


class MemoryLocks:
    """``Locks`` on a ``LockTable``; one holder identity per instance."""

    def __init__(self, table: LockTable) -> None:
        self.table = table
        self.holder = uuid.uuid4().hex
        self._held = "h:" + self.holder

    async def acquire(self, keys: Sequence[str], ttl: float) -> set[str]:
        ms = _ms(ttl)
        mine: set[str] = set()
        for key in keys:
            if self.table.get(key) is None:
                self.table.set(key, self._held, ms)
                mine.add(key)
        return mine

    async def extend(self, keys: Sequence[str], ttl: float) -> None:
        ms = _ms(ttl)
        for key in keys:
            if self.table.get(key) == self._held:
                self.table.set(key, self._held, ms)

    async def release(self, results: Mapping[str, str | None], *, done_ttl: float) -> None:
        ms = _ms(done_ttl)
        for key, ref in results.items():
            if self.table.get(key) == self._held:
                self.table.set(key, "d:" + (ref or ""), ms)

    async def abandon(self, keys: Sequence[str]) -> None:
        for key in keys:
            if self.table.get(key) == self._held:
                self.table.delete(key)

    async def states(self, keys: Sequence[str]) -> dict[str, LockState]:
        return {key: _state(self.table.get(key)) for key in keys}

    async def offer(self, pool: str, keys: Sequence[str]) -> None:
        if not keys:
            return
        score = int(self.table.now())
        members = dict(self.table.pool(pool))
        offered = 0
        for key in keys:
            if self.table.get(key) == self._held:
                members.setdefault(key, score)
                offered += 1
        if offered > 0:
            self.table.keep_pool(pool, members, _POOL_TTL_MS)

    async def trade(self, pool: str, keys: Sequence[str], *, room: int, ttl: float) -> Traded:
        ms = _ms(ttl)
        members = dict(self.table.pool(pool))
        kept: list[str] = []
        claimed: list[str] = []
        for key in keys:
            members.pop(key, None)
            if self.table.get(key) == self._held:
                kept.append(key)
        left = room - len(kept)
        if left > 0:
            for name in sorted(members, key=lambda name: (members[name], name.encode())):
                if left <= 0:
                    break
                value = self.table.get(name)
                if value != self._held:
                    del members[name]
                    if value is not None and value.startswith("h:"):
                        self.table.set(name, self._held, ms)
                        claimed.append(name)
                        left -= 1
        self.table.keep_pool(pool, members)
        return Traded(kept, claimed)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _state(value: str | None) -> LockState:
    if value is None:
        return FREE
    if value.startswith("d:"):
        return LockState("done", value[2:] or None)
    return HELD
