from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.clock import ManualClock
from moodmix.resilience.retry import (
    RetryBudget,
    RetryDecision,
    RetryPolicy,
    RetryStats,
    retry,
    retry_on,
)


class TooManyRequests(Exception):
    def __init__(self, retry_after: object = None) -> None:
        super().__init__("429")
        self.retry_after = retry_after


class BadRequest(Exception):
    pass


class FakeSleep:
    """Records each wait and moves the clock by it instead of sleeping."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


class Flaky:
    """Fails with the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sleep(clock: ManualClock) -> FakeSleep:
    return FakeSleep(clock)


async def test_first_success_needs_no_retry(clock: ManualClock, sleep: FakeSleep) -> None:
    policy = RetryPolicy(max_attempts=3)
    fn = Flaky()
    result = await retry(fn, policy, classify=retry_on(ConnectionError), sleep=sleep, clock=clock)
    assert result == "ok"
    assert sleep.waits == []
    assert policy.stats == RetryStats(calls=1, attempts=1)


async def test_retries_until_success(clock: ManualClock, sleep: FakeSleep) -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=10.0, rng=random.Random(1))
    fn = Flaky(ConnectionError(), ConnectionError())
    result = await retry(fn, policy, classify=retry_on(ConnectionError), sleep=sleep, clock=clock)
    assert result == "ok"
    assert fn.calls == 3
    assert len(sleep.waits) == 2
    assert policy.stats == RetryStats(calls=1, attempts=3, retries=2)


async def test_last_error_propagates_unchanged_after_max_attempts(
    clock: ManualClock, sleep: FakeSleep
) -> None:
    last = ConnectionError("third")
    fn = Flaky(ConnectionError("first"), ConnectionError("second"), last)
    policy = RetryPolicy(max_attempts=3)
    with pytest.raises(ConnectionError) as info:
        await retry(fn, policy, classify=retry_on(ConnectionError), sleep=sleep, clock=clock)
    assert info.value is last
    assert fn.calls == 3
    assert len(sleep.waits) == 2


async def test_errors_the_classifier_declines_are_not_retried(
    clock: ManualClock, sleep: FakeSleep
) -> None:
    fn = Flaky(BadRequest())
    policy = RetryPolicy(max_attempts=5)
    with pytest.raises(BadRequest):
        await retry(fn, policy, classify=retry_on(ConnectionError), sleep=sleep, clock=clock)
    assert fn.calls == 1
    assert sleep.waits == []


async def test_a_decision_to_not_retry_stops_at_once(clock: ManualClock, sleep: FakeSleep) -> None:
    fn = Flaky(ConnectionError())
    with pytest.raises(ConnectionError):
        await retry(
            fn,
            RetryPolicy(max_attempts=5),
            classify=lambda exc: RetryDecision(retry=False),
            sleep=sleep,
            clock=clock,
        )
    assert fn.calls == 1


async def test_cancellation_is_never_retried(clock: ManualClock, sleep: FakeSleep) -> None:
    calls = 0

    async def cancelled() -> str:
        nonlocal calls
        calls += 1
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await retry(
            cancelled,
            RetryPolicy(max_attempts=5),
            classify=lambda exc: RetryDecision(),
            sleep=sleep,
            clock=clock,
        )
    assert calls == 1


async def test_server_given_delay_is_a_minimum(clock: ManualClock, sleep: FakeSleep) -> None:
    fn = Flaky(TooManyRequests(retry_after=30), TooManyRequests(retry_after=0.5))
    policy = RetryPolicy(max_attempts=3, base_delay=0.1, max_delay=1.0, rng=random.Random(3))
    assert await retry(fn, policy, classify=retry_on(TooManyRequests), sleep=sleep, clock=clock)
    assert sleep.waits[0] == 30.0
    assert 0.5 <= sleep.waits[1] <= 1.0


@pytest.mark.parametrize("value", [None, "5", -1, True])
def test_retry_on_ignores_unusable_retry_after(value: object) -> None:
    decision = retry_on(TooManyRequests)(TooManyRequests(retry_after=value))
    assert decision == RetryDecision(retry=True, min_delay=0.0)


def test_retry_on_declines_other_errors() -> None:
    assert retry_on(TooManyRequests)(BadRequest()) is None


async def test_a_wait_past_the_deadline_is_not_slept(clock: ManualClock, sleep: FakeSleep) -> None:
    fn = Flaky(TooManyRequests(retry_after=5.0))
    policy = RetryPolicy(max_attempts=3)
    with pytest.raises(TooManyRequests):
        await retry(
            fn,
            policy,
            classify=retry_on(TooManyRequests),
            deadline=clock() + 4.0,
            sleep=sleep,
            clock=clock,
        )
    assert sleep.waits == []
    assert policy.stats.deadline_stops == 1


async def test_a_wait_within_the_deadline_is_slept(clock: ManualClock, sleep: FakeSleep) -> None:
    fn = Flaky(TooManyRequests(retry_after=3.0))
    result = await retry(
        fn,
        RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0),
        classify=retry_on(TooManyRequests),
        deadline=clock() + 4.0,
        sleep=sleep,
        clock=clock,
    )
    assert result == "ok"
    assert sleep.waits == [3.0]


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    base=st.floats(0.0, 5.0),
    spread=st.floats(0.0, 100.0),
    retry_number=st.integers(0, 2000),
    min_delay=st.none() | st.floats(0.0, 200.0),
)
def test_every_delay_lies_in_the_full_jitter_range(
    seed: int, base: float, spread: float, retry_number: int, min_delay: float | None
) -> None:
    policy = RetryPolicy(base_delay=base, max_delay=base + spread, rng=random.Random(seed))
    delay = policy.delay(retry_number, min_delay or 0.0)
    ceiling = min(Fraction(base + spread), Fraction(base) * 2**retry_number)
    if min_delay is None:
        assert 0.0 <= delay <= ceiling
    else:
        assert min_delay <= delay <= max(min_delay, ceiling)


def test_jitter_spreads_delays_over_the_range_and_repeats_with_a_seed() -> None:
    first = RetryPolicy(base_delay=1.0, max_delay=100.0, rng=random.Random(42))
    second = RetryPolicy(base_delay=1.0, max_delay=100.0, rng=random.Random(42))
    delays = [first.delay(3) for _ in range(200)]
    assert delays == [second.delay(3) for _ in range(200)]
    assert min(delays) < 2.0
    assert max(delays) > 6.0
    assert max(delays) <= 8.0


def test_budget_floor_allows_a_few_retries_per_window() -> None:
    clock = ManualClock()
    budget = RetryBudget(ratio=0.0, min_per_second=0.3, window=10.0, clock=clock)
    assert [budget.try_spend() for _ in range(4)] == [True, True, True, False]
    clock.advance(10.0)
    assert budget.try_spend()


def test_budget_grows_with_recent_requests() -> None:
    clock = ManualClock()
    budget = RetryBudget(ratio=0.1, min_per_second=0.0, window=10.0, clock=clock)
    assert not budget.try_spend()
    for _ in range(50):
        budget.record_request()
    assert budget.available() == pytest.approx(5.0)
    assert sum(budget.try_spend() for _ in range(10)) == 5
    clock.advance(10.0)
    assert budget.available() == 0.0


async def test_retry_stops_when_the_budget_is_spent(clock: ManualClock, sleep: FakeSleep) -> None:
    budget = RetryBudget(ratio=0.0, min_per_second=0.1, window=10.0, clock=clock)
    policy = RetryPolicy(max_attempts=10, base_delay=0.0, max_delay=0.0)
    last = ConnectionError("two")
    fn = Flaky(ConnectionError("one"), last)
    with pytest.raises(ConnectionError) as info:
        await retry(
            fn, policy, classify=retry_on(ConnectionError), budget=budget, sleep=sleep, clock=clock
        )
    assert info.value is last
    assert fn.calls == 2
    assert policy.stats.budget_exhausted == 1
    assert policy.stats.retries == 1


@settings(max_examples=50, deadline=None)
@given(calls=st.integers(1, 120), ratio=st.sampled_from([0.0, 0.1, 0.2]))
def test_a_shared_budget_keeps_an_outage_from_multiplying(calls: int, ratio: float) -> None:
    clock = ManualClock()
    budget = RetryBudget(ratio=ratio, min_per_second=0.2, window=10.0, clock=clock)
    policy = RetryPolicy(max_attempts=5, base_delay=0.0, max_delay=0.0)
    attempts = 0

    async def down() -> str:
        nonlocal attempts
        attempts += 1
        raise ConnectionError("down")

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    async def storm() -> None:
        for _ in range(calls):
            with pytest.raises(ConnectionError):
                await retry(
                    down,
                    policy,
                    classify=retry_on(ConnectionError),
                    budget=budget,
                    sleep=sleep,
                    clock=clock,
                )

    asyncio.run(storm())
    assert attempts - calls <= ratio * calls + 2.0
    assert policy.stats.retries == attempts - calls


def test_huge_retry_numbers_stay_at_max_delay() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0)
    assert policy.ceiling(10_000) == 30.0
    assert policy.ceiling(0) == 0.5
    assert policy.ceiling(2) == 2.0


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: RetryPolicy(max_attempts=0), "max_attempts"),
        (lambda: RetryPolicy(base_delay=-1.0), "base_delay"),
        (lambda: RetryPolicy(base_delay=2.0, max_delay=1.0), "max_delay"),
        (lambda: RetryPolicy().ceiling(-1), "retry_number"),
        (lambda: RetryBudget(ratio=1.5), "ratio"),
        (lambda: RetryBudget(min_per_second=-1.0), "min_per_second"),
        (lambda: RetryBudget(window=0.0), "window"),
        (lambda: RetryDecision(min_delay=-0.1), "min_delay"),
        (lambda: retry_on(), "retry_on"),
    ],
)
def test_bad_arguments_are_refused_by_name(make: Callable[[], object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        make()
