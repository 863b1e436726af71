"""Invariants under arbitrary schedules, with a manual clock.

Already proven in tests/unit (and run under the same profiles): the token bucket never lets
more than ``burst + rate * window`` through any window (``test_tokenbucket``), single-flight
never runs two fetches for one key at once (``test_singleflight``), the tiered cache never
returns an entry past its stale window (``test_store_cache``), the id registry never maps one
Spotify id to two ReccoBeats ids (``test_store_registry``). Here: a 429's pause is never
shortened, and rate changes during it stretch it only as far as that window bound demands.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.clock import ManualClock
from moodmix.resilience.tokenbucket import TokenBucket

rates = st.floats(0.01, 100.0, allow_nan=False)


async def _no_sleep(_: float) -> None:
    await asyncio.sleep(0)


@given(
    rate=rates,
    burst=st.integers(1, 20),
    spent=st.integers(0, 20),
    pause=st.floats(0.0, 120.0, allow_nan=False),
    changes=st.lists(st.tuples(st.floats(0.0, 1.0), rates), max_size=5),
)
def test_a_pause_ends_when_asked_whatever_the_rate_does_meanwhile(
    rate: float,
    burst: int,
    spent: int,
    pause: float,
    changes: list[tuple[float, float]],
) -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=rate, burst=burst, clock=clock, sleep=_no_sleep)
    for _ in range(min(spent, burst)):
        assert bucket.try_acquire()
    before = bucket.tokens()
    start = clock()
    end = start + pause
    bucket.pause_until(end)
    earned, since, current = 0.0, start, rate  # what the rates in force let in by the end
    for share, new_rate in sorted(changes):
        clock.advance(max(0.0, end - clock()) * share)
        earned += current * (clock() - since)
        since = clock()
        bucket.set_rate(new_rate)
        current = new_rate
    earned += current * (end - since)
    if end - clock() > 1e-9:  # the bucket's own tolerance: within a nanosecond is the end
        assert not bucket.try_acquire()
    clock.advance(max(0.0, end - clock()))
    # Never shortened: nothing before the end. Never stretched past what the rates allow: at
    # the end the bucket holds one token if the rates in force since the pause began earned
    # it (as they do for any Retry-After longer than a token's interval), else what they
    # earned; a lower rate may not buy a token the window bound forbids.
    held = bucket.tokens()
    if end > start:  # a pause too short to move the clock is no pause
        assert held <= 1.0 + 1e-6
        expected = min(before + earned, float(burst), 1.0)
        assert held == pytest.approx(expected, abs=1e-6 * max(1.0, pause * max(rate, current)))
