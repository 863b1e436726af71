"""The peers' adapters: tenacity honours a 429's Retry-After; botocore's adaptive limiter
lowers its rate after a throttle; both on a fake clock."""

from __future__ import annotations

import asyncio
import random
import threading

import pytest
from aiolimiter import AsyncLimiter
from fake_timers import FakeTimers

from moodmix.bench.peers import AiolimiterGate, BotocoreGate
from moodmix.bench.profiles import MissingExtra, check_available
from moodmix.bench.scaling import TimeScale
from moodmix.clock import ManualClock
from moodmix.reccobeats.errors import RateLimited


async def test_tenacity_retries_a_429_after_its_retry_after() -> None:
    timers = FakeTimers(ManualClock(0.0))
    gate = AiolimiterGate(AsyncLimiter(1000, 1.0), sleep=timers.sleep)
    answers: list[float] = [2.5, 4.0]

    async def request() -> str:
        if answers:
            raise RateLimited(answers.pop(0))
        return "ok"

    assert await timers.run(gate.send("/v1/track", request)) == ["ok"]
    assert timers.slept == [2.5, 4.0]


async def test_tenacity_gives_up_after_three_attempts_with_the_429() -> None:
    timers = FakeTimers(ManualClock(0.0))
    gate = AiolimiterGate(AsyncLimiter(1000, 1.0), sleep=timers.sleep)
    attempts = 0

    async def request() -> str:
        nonlocal attempts
        attempts += 1
        raise RateLimited(1.0)

    with pytest.raises(RateLimited):
        await timers.run(gate.send("/v1/track", request))
    assert attempts == 3


async def test_botocore_lowers_its_rate_after_a_throttle() -> None:
    timers = FakeTimers(ManualClock(0.0))
    clock = timers.clock
    gate = BotocoreGate(scale=TimeScale(1.0), clock=clock, sleep=timers.sleep)

    async def ok() -> str:
        return "ok"

    for _ in range(40):  # 10 requests a second: nothing paces them before a throttle
        await timers.run(gate.send("/v1/track", ok))
        clock.advance(0.1)
    assert timers.slept == []
    throttled = [True]

    async def once_throttled() -> str:
        if throttled:
            throttled.pop()
            raise RateLimited(1.0)
        return "ok"

    await timers.run(gate.send("/v1/track", once_throttled))
    first = gate.rate
    assert gate.throttles == 1
    assert 0.5 <= first <= 0.7 * 10 * 1.05  # CUBIC's beta 0.7 times the measured rate
    timers.slept.clear()
    started = clock.now
    for _ in range(15):
        await timers.run(gate.send("/v1/track", ok))
    assert clock.now - started >= (15 - first) / first * 0.9  # now it paces at that rate


def test_a_peer_without_its_libraries_is_refused_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "botocore" else real(name)
    )
    check_available(("legacy", "seed", "adaptive"))
    with pytest.raises(MissingExtra, match=r"peer-botocore needs botocore.*moodmix\[bench\]"):
        check_available(("adaptive", "peer-botocore"))


def test_the_aiolimiter_peer_keeps_its_pace_on_virtual_time() -> None:
    # aiolimiter's own limiter spins here without the clock moving: its wake-up lands a
    # microsecond early. A real-time watchdog turns such a spin into a failure, not a hang.
    from moodmix.bench.peers import TickedLimiter
    from moodmix.bench.virtual import virtual_runner

    async def forty() -> float:
        limiter = TickedLimiter(1, 0.75)
        loop = asyncio.get_running_loop()
        started = loop.time()
        draw = random.Random(1)

        async def one() -> None:
            await asyncio.sleep(draw.random() * 3)
            await limiter.acquire()

        all_of_them = asyncio.gather(*(one() for _ in range(40)))
        watchdog = threading.Timer(30, loop.call_soon_threadsafe, (all_of_them.cancel,))
        watchdog.start()
        try:
            await all_of_them
        finally:
            watchdog.cancel()
        return loop.time() - started

    with virtual_runner() as runner:
        took = runner.run(forty())
    assert took == pytest.approx(39 * 0.75, abs=0.01)
