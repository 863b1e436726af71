"""Virtual time: an event loop whose clock jumps to the next timer when everything waits.

A day of traffic then runs in as long as the CPU work takes, and one seed gives the same
figures on any machine, however loaded::

    with virtual_runner() as runner:
        run = runner.run(replay_a_day())          # loop.time() moves only by jumps
    gateway = ReccoBeats.from_settings(settings, clock=loop_time, wall_clock=loop_time)

``VirtualLoop`` is the standard selector loop (its scheduling untouched) with two changes:
``time()`` reads a clock of its own, and the selector, asked to wait ``timeout`` seconds,
moves that clock by ``timeout`` and returns at once. Nothing outside the loop can have work
for it (no sockets: the simulator is reached through ``bench.inprocess.AppTransport``), so it
never polls the operating system, with two exceptions that wait in real time, the clock
standing still: while a ``run_in_executor`` job (``asyncio.to_thread``) runs, so the clock
cannot run ahead of a thread; and when nothing at all is scheduled, where only a thread or a
signal can wake it.

It is our own rather than ``looptime``'s, which does the same by patching the selector: that
one polls the real selector on every iteration and walks its executor futures, which cost a
tenth of a day-long lane's CPU. Threads the loop cannot see (aiosqlite's connection thread)
would still let the clock run ahead of them, so virtual runs use memory storage.

Only code that reads the loop's clock is virtual: every clock in the lookups path is injected
(``moodmix.clock.loop_time``) or is ``loop.time()``; ``time.monotonic()`` and
``time.perf_counter()`` keep real time (the bench's wall figures use them on purpose).
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

__all__ = ["VIRTUAL_START_S", "VirtualLoop", "virtual_runner"]

VIRTUAL_START_S = 1_000_000.0
"""Where the virtual clock starts: far from 0, which some code reads as "never"."""

T = TypeVar("T")


class _Clock:
    def __init__(self, start: float) -> None:
        self.now = start
        self.threads = 0
        """``run_in_executor`` jobs not finished yet."""


class _JumpingSelector(selectors.DefaultSelector):
    """Waits by moving the clock, except while a thread works or nothing is scheduled."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self._clock = clock

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if self._clock.threads or timeout is None:
            return super().select(timeout)
        if timeout > 0:
            self._clock.now += timeout
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop on virtual time, starting at ``start`` seconds."""

    def __init__(self, start: float = VIRTUAL_START_S) -> None:
        self._virtual = _Clock(start)
        super().__init__(_JumpingSelector(self._virtual))

    def time(self) -> float:
        return self._virtual.now

    def run_in_executor(  # type: ignore[override]
        self, executor: Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        future = super().run_in_executor(executor, func, *args)
        self._virtual.threads += 1
        future.add_done_callback(self._thread_done)
        return future

    def _thread_done(self, _: asyncio.Future[Any]) -> None:
        self._virtual.threads -= 1


def virtual_runner() -> asyncio.Runner:
    """An ``asyncio.Runner`` on a ``VirtualLoop`` (use it as a context manager)."""
    return asyncio.Runner(loop_factory=VirtualLoop)
