"""The rolling window (``Window``) on both backends, the same promises; and Spotify's limit
kept as one app by three processes' gates sharing Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from shared_kit import URL, drop_prefix, unique_prefix

from moodmix.clock import ManualClock
from moodmix.coordination import MemoryWindow, Window
from moodmix.coordination.redis_window import RedisWindow
from moodmix.resilience.windowgate import WindowFull, WindowGate


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def windows(request: pytest.FixtureRequest) -> AsyncIterator[list[Window]]:
    """Three views of one window, as three processes would have."""
    if request.param == "memory":
        shared = MemoryWindow(clock=ManualClock())  # stands still: nothing leaves the window
        yield [shared, shared, shared]
        return
    prefix = unique_prefix()
    clients = [aioredis.Redis.from_url(URL) for _ in range(3)]
    try:
        yield [RedisWindow(c, prefix=prefix) for c in clients]
    finally:
        for client in clients:
            await client.aclose()
        await drop_prefix(prefix)


async def test_at_most_the_limit_is_admitted_whoever_asks(windows: list[Window]) -> None:
    answers = [await windows[n % 3].admit("app", 5, 30.0) for n in range(8)]
    assert answers[:5] == [0.0] * 5
    assert all(25.0 < wait <= 30.0 for wait in answers[5:])  # the first leaves in about 30 s
    assert await windows[0].admit("other-app", 5, 30.0) == 0.0  # keys are counted apart


async def test_a_pause_holds_everyone_and_counts_nothing(windows: list[Window]) -> None:
    await windows[0].pause("app", 10.0)
    waits = [await w.admit("app", 5, 30.0) for w in windows]
    assert all(9.0 < wait <= 10.0 for wait in waits)
    await windows[1].pause("app", 1.0)  # a shorter pause does not shorten the longer one
    assert await windows[2].admit("app", 5, 30.0) > 9.0


async def test_three_gates_keep_one_limit_and_none_waits_past_its_bound(
    windows: list[Window],
) -> None:
    gates = [WindowGate(w, "app", limit=4, seconds=30.0) for w in windows]
    for n in range(4):
        await gates[n % 3].acquire(max_wait=1.0)
    for n in range(5):
        with pytest.raises(WindowFull) as full:
            await gates[n % 3].acquire(max_wait=1.0)
        assert 25.0 < full.value.retry_after <= 30.0
