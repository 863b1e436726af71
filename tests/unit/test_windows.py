"""``KeyedWindows``: minute windows that reset on the clock's minute, a lock-free interval
that lets callers arriving together pass together, and keys that do not share anything."""

from __future__ import annotations

import asyncio

import pytest
from fake_timers import FakeTimers

from moodmix.clock import ManualClock
from moodmix.resilience.windows import KeyedWindows, Window


def windows(timers: FakeTimers, **by_key: Window) -> KeyedWindows:
    return KeyedWindows(by_key, clock=timers.clock, sleep=timers.sleep)


def sender(timers: FakeTimers, sent: list[float], latency: float = 0.0):  # type: ignore[no-untyped-def]
    async def send() -> float:
        sent.append(timers.clock.now)
        if latency:
            await timers.sleep(latency)
        return timers.clock.now

    return send


async def test_a_full_window_resets_at_the_clocks_minute_not_a_minute_later() -> None:
    timers = FakeTimers(ManualClock(50.0))
    limiter = windows(timers, tool=Window(limit=3))
    sent: list[float] = []
    for _ in range(3):
        await timers.run(limiter.call("tool", sender(timers, sent)))
    timers.clock.now = 60.0  # the minute turned: the three sent at 50 s no longer count
    await timers.run(limiter.call("tool", sender(timers, sent)))
    assert sent == [50.0, 50.0, 50.0, 60.0]
    assert limiter.waited("tool") == 0.0


async def test_a_full_window_waits_until_its_oldest_call_is_a_period_old() -> None:
    timers = FakeTimers(ManualClock(1.0))
    limiter = windows(timers, tool=Window(limit=2))
    sent: list[float] = []
    await timers.run(limiter.call("tool", sender(timers, sent)))
    timers.clock.now = 11.0
    await timers.run(limiter.call("tool", sender(timers, sent)))
    timers.clock.now = 21.0
    await timers.run(limiter.call("tool", sender(timers, sent)))
    assert sent == [1.0, 11.0, 61.0]


async def test_callers_arriving_together_read_the_same_last_time_and_pass_together() -> None:
    timers = FakeTimers(ManualClock(0.0))
    limiter = windows(timers, tool=Window(limit=120, interval=1.0))
    sent: list[float] = []
    await timers.run(limiter.call("tool", sender(timers, sent)))
    timers.clock.now = 0.25
    await timers.run(*(limiter.call("tool", sender(timers, sent)) for _ in range(3)))
    assert sent == [0.0, 1.0, 1.0, 1.0]  # one interval for all three, not one each
    assert timers.slept == pytest.approx([0.75, 0.75, 0.75])


async def test_the_interval_counts_from_when_the_previous_call_finished() -> None:
    timers = FakeTimers(ManualClock(0.0))
    limiter = windows(timers, tool=Window(limit=120, interval=1.0))
    sent: list[float] = []
    await timers.run(limiter.call("tool", sender(timers, sent, latency=0.5)))
    await timers.run(limiter.call("tool", sender(timers, sent)))
    assert sent == [0.0, 1.5]


async def test_a_crowd_overruns_the_window_it_read_before_sending() -> None:
    timers = FakeTimers(ManualClock(0.0))
    limiter = windows(timers, tool=Window(limit=2))
    sent: list[float] = []
    await timers.run(*(limiter.call("tool", sender(timers, sent, latency=0.1)) for _ in range(5)))
    assert sent == [0.0] * 5
    assert limiter.calls("tool") == 5


async def test_keys_have_their_own_windows_and_intervals() -> None:
    timers = FakeTimers(ManualClock(5.0))
    limiter = windows(
        timers, slow=Window(limit=1, interval=1.0), fast=Window(limit=120, interval=0.0)
    )
    sent: list[float] = []
    await timers.run(limiter.call("slow", sender(timers, sent)))
    await timers.run(
        limiter.call("fast", sender(timers, sent)), limiter.call("fast", sender(timers, sent))
    )
    await timers.run(limiter.call("slow", sender(timers, sent)))
    assert sent == [5.0, 5.0, 5.0, 65.0]
    assert limiter.waited("fast") == 0.0


async def test_a_call_that_raises_is_not_counted() -> None:
    timers = FakeTimers(ManualClock(0.0))
    limiter = windows(timers, tool=Window(limit=1, interval=1.0))

    async def fail() -> None:
        raise RuntimeError("503")

    with pytest.raises(RuntimeError):
        await timers.run(limiter.call("tool", fail))
    sent: list[float] = []
    await timers.run(limiter.call("tool", sender(timers, sent)))
    assert sent == [0.0]
    assert limiter.calls("tool") == 1


async def test_an_unknown_key_and_a_bad_window_are_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        Window(limit=0)
    with pytest.raises(ValueError, match="interval"):
        Window(limit=1, interval=-1.0)
    limiter = KeyedWindows({"a": Window(1)})
    with pytest.raises(KeyError, match="known: a"):
        await limiter.call("b", asyncio.sleep)
