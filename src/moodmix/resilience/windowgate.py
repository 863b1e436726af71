"""Waiting for room in a rolling window that every process shares, and pausing it for all.

::

    gate = WindowGate(RedisWindow(redis), "spotify", limit=100, seconds=30.0)
    await gate.acquire(max_wait=30.0)    # returns once this request is counted in the window
    await gate.acquire(priority=Priority.BACKGROUND)   # after this process's interactive ones
    await gate.pause(5.0)                # a 429's Retry-After: nobody sends for 5 s

Spotify counts an app's requests over a rolling 30 seconds, whichever process sends them;
a token bucket (``TokenBucket``) spaces requests evenly, which wastes the window's burst
room, so this is a counter of its own. When the shared window cannot be reached
(``SharedUnavailable``), the process counts alone in memory (at the whole limit: it cannot
know who else is sending) and asks the server again every ``RETRY_SHARED_S`` seconds.

Two lanes, as in the scheduler: a background request (a save's track additions) asks for room
only while no interactive request of this process (a sign-in, the listener's top tracks)
waits for it, so a long save never holds a listener's page behind it.
"""

from __future__ import annotations

import asyncio
import math
from typing import Final

import structlog

from moodmix.clock import Clock, monotonic
from moodmix.coordination.memory_window import MemoryWindow
from moodmix.coordination.protocols import SharedUnavailable, Window
from moodmix.resilience.slot import Priority
from moodmix.resilience.tokenbucket import Sleep

log = structlog.get_logger(__name__)
DEFAULT_MAX_WAIT_S: Final = 30.0
RETRY_SHARED_S: Final = 5.0
"""After the shared window failed, how long the process counts alone before asking again."""


class WindowFull(Exception):
    """No room in the window within the wait allowed; ``retry_after`` says when there is."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"no room in the rate window for {retry_after:.1f} s")
        self.retry_after = retry_after


class WindowGate:
    """At most ``limit`` requests under ``key`` in any ``seconds``, for every process."""

    def __init__(
        self,
        window: Window,
        key: str,
        *,
        limit: int,
        seconds: float,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = monotonic,
    ) -> None:
        if limit < 1 or seconds <= 0:
            raise ValueError(f"limit must be >= 1 and seconds > 0, got {limit}, {seconds}")
        self._window = window
        self._clock = clock
        self._alone = MemoryWindow(clock=clock)
        self._alone_until = -math.inf
        """While now is before this, count in memory (the shared window failed lately)."""
        self.key, self.limit, self.seconds = key, limit, seconds
        self._sleep = sleep
        self._interactive = 0
        """Interactive requests of this process waiting for room now."""
        self._no_interactive = asyncio.Event()
        self._no_interactive.set()
        self.waited_s = 0.0
        """Seconds callers spent waiting for room, in all."""

    async def acquire(
        self, *, max_wait: float = DEFAULT_MAX_WAIT_S, priority: Priority = Priority.INTERACTIVE
    ) -> None:
        """Wait until this request is counted; ``WindowFull`` if that would take longer
        than ``max_wait`` seconds from now. A background request first lets every
        interactive one of this process that waits for room go ahead."""
        interactive = priority is Priority.INTERACTIVE
        if interactive:
            self._interactive += 1
            self._no_interactive.clear()
        try:
            await self._wait_for_room(max_wait, interactive)
        finally:
            if interactive:
                self._interactive -= 1
                if not self._interactive:
                    self._no_interactive.set()

    async def _wait_for_room(self, max_wait: float, interactive: bool) -> None:
        started = self._clock()
        while True:
            if not interactive and self._interactive:
                await self._no_interactive.wait()
            waited = self._clock() - started
            wait = await self._admit()
            if wait <= 0:
                self.waited_s += waited
                return
            if waited + wait > max_wait:
                raise WindowFull(wait)
            await self._sleep(wait)

    async def pause(self, seconds: float) -> None:
        """Send nothing under this key for ``seconds``, in every process."""
        await self._alone.pause(self.key, seconds)
        try:
            await self._window.pause(self.key, seconds)
        except SharedUnavailable as exc:
            self._lost(exc)

    async def aclose(self) -> None:
        await self._window.aclose()

    async def _admit(self) -> float:
        if self._clock() >= self._alone_until:
            try:
                wait = await self._window.admit(self.key, self.limit, self.seconds)
            except SharedUnavailable as exc:
                self._lost(exc)
            else:
                if self._alone_until > -math.inf:
                    log.warning("window_shared_again", key=self.key)
                    self._alone_until = -math.inf
                return wait
        return await self._alone.admit(self.key, self.limit, self.seconds)

    def _lost(self, exc: SharedUnavailable) -> None:
        if self._alone_until == -math.inf:
            log.warning("window_alone", key=self.key, error=str(exc))
        self._alone_until = self._clock() + RETRY_SHARED_S
