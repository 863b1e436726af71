"""How late the event loop wakes up: the benchmark's own overload shows up here first.

::

    async with LoopLag(interval_s=0.05) as lag:
        ...                                   # the run
    lag.summary()                             # {"p50": 0.4, "p99": 3.1, "max": 9.8} in ms

``enabled=False`` samples nothing and summarises to ``{}``.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

from moodmix.bench.results import percentiles


class LoopLag:
    """Samples the delay between when a sleep should end and when it does."""

    def __init__(self, interval_s: float = 0.05, *, enabled: bool = True) -> None:
        self._interval = interval_s
        self._enabled = enabled
        self._samples_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self._interval
            await asyncio.sleep(self._interval)
            self._samples_ms.append(max(0.0, loop.time() - due) * 1_000)

    async def __aenter__(self) -> Self:
        if self._enabled:
            self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def summary(self) -> dict[str, float]:
        if not self._enabled:
            return {}
        found = percentiles(self._samples_ms)
        return {"p50": round(found.p50, 2), "p99": round(found.p99, 2), "max": round(found.max, 2)}
