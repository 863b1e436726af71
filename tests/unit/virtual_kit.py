"""Run a test's scenario on a virtual-time loop (``bench.virtual``): timers fire as soon as
everything waits, so seconds of heartbeats, polls and lock renewals take no real time.
Components read ``moodmix.clock.loop_time``::

    def test_something() -> None:
        async def scenario() -> None:
            await until(lambda: bucket.live == 2)     # loop time passes, no real time
        virtual(scenario())
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from moodmix.bench.virtual import virtual_runner
from moodmix.clock import loop_time

T = TypeVar("T")


def virtual(scenario: Coroutine[Any, Any, T]) -> T:
    """Run ``scenario`` to its end on a fresh virtual-time loop."""
    with virtual_runner() as runner:
        return runner.run(scenario)


async def until(condition: Callable[[], bool], *, within: float = 30.0) -> None:
    """Let loop time pass until ``condition`` holds; fail after ``within`` seconds of it."""
    deadline = loop_time() + within
    while not condition():
        assert loop_time() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.01)
