"""Per-key minute windows with a lock-free minimum interval: a naive limiter, race included.

It reproduces how many hand-written API clients pace themselves (and how the backend that
moodmix replaces did, one limiter per tool), so a benchmark can measure that behaviour
rather than an idealised token bucket. Nobody would choose it, so no library offers it::

    windows = KeyedWindows({"search": Window(120, 1.0), "details": Window(60, 1.0)})
    answer = await windows.call("search", lambda: client.get(url))

For each key, a call:

1. reads the time the key's previous call finished and, if that is less than ``interval``
   ago, sleeps the rest;
2. counts the key's calls finished since the current clock minute began
   (``floor(now / period) * period``); if there are ``limit`` or more, sleeps once until the
   oldest of them is ``period`` old, then goes on without looking again;
3. sends; if the send returns, writes its finishing time as the key's last and counts it.

Nothing holds a lock from reading to writing, so callers that arrive together read the same
last time, sleep the same and send together; the window is also read before the sleep and
written after the send, so a crowd can overrun it. A call that raises is not counted. Keys are
independent: each has its own window and its own last time.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from moodmix.clock import Clock, monotonic
from moodmix.resilience.tokenbucket import Sleep

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """At most ``limit`` calls a clock minute (``period`` seconds), ``interval`` s apart."""

    limit: int
    interval: float = 0.0
    period: float = 60.0

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            raise ValueError(f"limit must be a whole number of calls >= 1, got {self.limit!r}")
        if not (math.isfinite(self.interval) and self.interval >= 0):
            raise ValueError(f"interval must be a number of seconds >= 0, got {self.interval!r}")
        if not (math.isfinite(self.period) and self.period > 0):
            raise ValueError(f"period must be a number of seconds > 0, got {self.period!r}")


@dataclass
class _State:
    last: float | None = None
    finished: list[float] = field(default_factory=list)
    calls: int = 0
    waited: float = 0.0


class KeyedWindows:
    """One ``Window`` per key; ``call(key, send)`` paces ``send`` as described above."""

    def __init__(
        self,
        windows: Mapping[str, Window],
        *,
        clock: Clock = monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not windows:
            raise ValueError("at least one key needs a window")
        self._windows = dict(windows)
        self._clock = clock
        self._sleep = sleep
        self._states = {key: _State() for key in self._windows}

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._windows)

    def window(self, key: str) -> Window:
        return self._windows[key]

    def calls(self, key: str) -> int:
        """Calls of ``key`` that finished (and so were counted) so far."""
        return self._states[key].calls

    def waited(self, key: str) -> float:
        """Seconds the calls of ``key`` spent sleeping in this limiter, in all."""
        return self._states[key].waited

    async def call(self, key: str, send: Callable[[], Awaitable[T]]) -> T:
        """``await send()`` once the key's interval and window allow it (see above)."""
        if key not in self._windows:
            raise KeyError(f"no window for {key!r}; known: {', '.join(self._windows)}")
        window, state = self._windows[key], self._states[key]
        last = state.last
        if last is not None and window.interval > 0:
            await self._pause(state, last + window.interval - self._clock())
        now = self._clock()
        minute = math.floor(now / window.period) * window.period
        state.finished = [t for t in state.finished if t > minute]
        if len(state.finished) >= window.limit:
            await self._pause(state, min(state.finished) + window.period - now)
        result = await send()
        finished = self._clock()
        state.last = finished
        state.finished.append(finished)
        state.calls += 1
        return result

    async def _pause(self, state: _State, seconds: float) -> None:
        if seconds > 0:
            state.waited += seconds
            await self._sleep(seconds)
