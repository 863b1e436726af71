"""Coordination backends that go away on demand: each call raises ``SharedUnavailable``
while ``down`` is set, and otherwise is the memory backend's own.

    budget = FlakyBudget(MemoryBudget(clock=loop_time))
    budget.down = True                  # the server is gone
    budget.down = False                 # and back, with what it held

``calls`` counts the calls that failed, so a test can wait until its layer has noticed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from moodmix.coordination import (
    Budget,
    Draw,
    Locks,
    LockState,
    Presence,
    SharedUnavailable,
    Traded,
)
from moodmix.resilience.adaptive import StateValue


class Outage:
    def __init__(self) -> None:
        self.down = False
        self.failed = 0

    def check(self) -> None:
        if self.down:
            self.failed += 1
            raise SharedUnavailable("the coordination server is down (on purpose)")


class FlakyBudget(Outage):
    def __init__(self, budget: Budget) -> None:
        super().__init__()
        self._budget = budget

    async def draw(
        self, rate: float, burst: int, *, backlog: bool = True, version: int | None = None
    ) -> Draw:
        self.check()
        return await self._budget.draw(rate, burst, backlog=backlog, version=version)

    async def refund(self, rate: float) -> None:
        self.check()
        await self._budget.refund(rate)

    async def pause(self, seconds: float, rate: float, burst: int) -> None:
        self.check()
        await self._budget.pause(seconds, rate, burst)

    async def publish(self, state: Mapping[str, StateValue]) -> int:
        self.check()
        return await self._budget.publish(state)

    async def load(self) -> tuple[int, dict[str, StateValue] | None]:
        self.check()
        return await self._budget.load()

    async def beat(self, member: str, ttl: float) -> Presence:
        self.check()
        return await self._budget.beat(member, ttl)

    async def leave(self, member: str) -> None:
        self.check()
        await self._budget.leave(member)


class FlakyLocks(Outage):
    def __init__(self, locks: Locks) -> None:
        super().__init__()
        self._locks = locks

    async def acquire(self, keys: Sequence[str], ttl: float) -> set[str]:
        self.check()
        return await self._locks.acquire(keys, ttl)

    async def extend(self, keys: Sequence[str], ttl: float) -> None:
        self.check()
        await self._locks.extend(keys, ttl)

    async def release(self, results: Mapping[str, str | None], *, done_ttl: float) -> None:
        self.check()
        await self._locks.release(results, done_ttl=done_ttl)

    async def abandon(self, keys: Sequence[str]) -> None:
        self.check()
        await self._locks.abandon(keys)

    async def states(self, keys: Sequence[str]) -> dict[str, LockState]:
        self.check()
        return await self._locks.states(keys)

    async def offer(self, pool: str, keys: Sequence[str]) -> None:
        self.check()
        await self._locks.offer(pool, keys)

    async def trade(self, pool: str, keys: Sequence[str], *, room: int, ttl: float) -> Traded:
        self.check()
        return await self._locks.trade(pool, keys, room=room, ttl=ttl)
