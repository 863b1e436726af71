"""Injected time.

Every component that reasons about time (limiter, breaker, cache expiry, id registry) takes
a ``Clock``: a callable returning seconds as a float. Production passes ``time.monotonic``
(intervals) or ``time.time`` (expiry that must survive a restart); tests pass a
``ManualClock`` they move by hand, so nothing sleeps and nothing flakes::

    clock = ManualClock()
    limiter = TokenBucket(rate=1.0, burst=1, clock=clock)
    clock.advance(1.5)

``loop_time`` reads the running event loop's clock, so a component follows whatever time the
loop keeps (the benchmark's virtual time included)::

    limiter = TokenBucket(rate=1.0, burst=1, clock=loop_time)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

Clock = Callable[[], float]

monotonic: Clock = time.monotonic
wall: Clock = time.time


def loop_time() -> float:
    """The running event loop's ``time()``; only callable from inside the loop."""
    return asyncio.get_running_loop().time()


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self.now += seconds
