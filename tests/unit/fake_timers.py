"""Sleeps on a ``ManualClock``: sleepers wake in time order, the clock jumping to each wake.

timers = FakeTimers(ManualClock(0.0))
results = await timers.run(limiter.call("a", send), limiter.call("a", send))
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from moodmix.clock import ManualClock


class FakeTimers:
    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.slept: list[float] = []
        self._pending: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = 0

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._order += 1
        self._pending.append((self.clock.now + max(seconds, 0.0), self._order, future))
        await future

    async def run(self, *work: Awaitable[Any]) -> list[Any]:
        """Run ``work`` together, moving the clock whenever every one of them sleeps."""
        task = asyncio.gather(*work)
        while True:
            for _ in range(20):
                await asyncio.sleep(0)
            if task.done():
                return list(task.result())
            if not self._pending:
                raise RuntimeError("every task waits on something other than a timer")
            self._pending.sort(key=lambda p: (p[0], p[1]))
            at = self._pending[0][0]
            self.clock.now = max(self.clock.now, at)
            while self._pending and self._pending[0][0] <= at:
                self._pending.pop(0)[2].set_result(None)
