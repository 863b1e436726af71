from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.clock import ManualClock
from moodmix.resilience.limiter import Evidence
from moodmix.resilience.tokenbucket import TokenBucket


class FakeSleep:
    """A sleep that moves the clock instead of waiting, and records what it was asked."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)
        await asyncio.sleep(0)


def bucket(clock: ManualClock, rate: float = 1.0, burst: int = 1) -> TokenBucket:
    return TokenBucket(rate=rate, burst=burst, clock=clock, sleep=FakeSleep(clock))


def test_starts_full_and_hands_out_its_burst_at_once() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=1.0, burst=3)
    assert [limiter.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert limiter.granted == 3


def test_delay_is_the_time_to_the_next_token() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=2.0)
    assert limiter.delay() == 0.0
    assert limiter.try_acquire()
    assert limiter.delay() == pytest.approx(0.5)
    clock.advance(0.2)
    assert limiter.delay() == pytest.approx(0.3)
    assert not limiter.try_acquire()
    clock.advance(0.3)
    assert limiter.try_acquire()


def test_delay_for_several_tokens() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=1.0, burst=4)
    for _ in range(4):
        assert limiter.try_acquire()
    assert limiter.delay(tokens=3) == pytest.approx(3.0)
    assert limiter.tokens() == pytest.approx(0.0)


def test_the_bucket_never_holds_more_than_its_burst() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=5.0, burst=2)
    clock.advance(3600)
    assert limiter.tokens() == 2.0
    assert [limiter.try_acquire() for _ in range(3)] == [True, True, False]


def test_pure_methods_take_an_explicit_now() -> None:
    limiter = TokenBucket(rate=1.0, burst=1, clock=lambda: 0.0)
    assert limiter.try_acquire(now=0.0)
    assert not limiter.try_acquire(now=0.5)
    assert limiter.delay(now=0.5) == pytest.approx(0.5)
    assert limiter.try_acquire(now=1.0)


def test_set_rate_keeps_what_was_earned_at_the_old_rate() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=1.0, burst=2)
    limiter.try_acquire()
    limiter.try_acquire()
    clock.advance(0.5)
    limiter.set_rate(0.1)
    assert limiter.tokens() == pytest.approx(0.5)
    assert limiter.delay() == pytest.approx(5.0)
    assert limiter.rate == 0.1


def test_a_lower_rate_applies_to_callers_already_waiting() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=1.0)
    limiter.try_acquire()
    assert limiter.delay() == pytest.approx(1.0)
    limiter.set_rate(0.25)
    assert limiter.delay() == pytest.approx(4.0)


def test_pause_hands_out_nothing_before_its_end_and_one_token_at_it() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=10.0, burst=5)
    limiter.pause_until(clock() + 3.0)
    assert limiter.tokens() == 0.0
    assert limiter.delay() == pytest.approx(3.0)
    clock.advance(2.999)
    assert not limiter.try_acquire()
    clock.advance(0.001)
    assert limiter.try_acquire()
    assert not limiter.try_acquire()
    assert limiter.paused_until == pytest.approx(clock())


def test_a_lower_rate_set_during_a_pause_does_not_stretch_it() -> None:
    # A 429 with Retry-After 60 pauses the bucket and the adaptive rate halves at once: the
    # first token still comes at the pause's end, not after twice as long.
    clock = ManualClock()
    limiter = bucket(clock, rate=80 / 60, burst=1)
    limiter.pause_until(clock() + 60.0)
    limiter.set_rate(40 / 60)
    assert limiter.delay() == pytest.approx(60.0)
    clock.advance(60.0)
    assert limiter.try_acquire()
    assert limiter.delay() == pytest.approx(1.5)


def test_a_short_pause_with_a_rate_change_creates_no_token() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=1.0, burst=1)
    assert limiter.try_acquire()
    limiter.pause_until(clock() + 0.1)
    limiter.set_rate(0.5)
    clock.advance(0.1)
    assert not limiter.try_acquire()
    # 0.5 a second since the token taken at 0: the next is due at 2.0, not a moment sooner
    assert limiter.delay() == pytest.approx(1.9)


def test_a_lower_rate_during_a_pause_never_gives_more_than_the_rates_earned() -> None:
    # Hypothesis found it: the pause's end was kept by giving tokens back that the pause
    # had never taken, and a second token came 1.17 s after the first at 0.5 a second.
    clock = ManualClock()
    limiter = bucket(clock, rate=2.0, burst=1)
    assert limiter.try_acquire()
    limiter.pause_until(clock() + 1.0)
    limiter.set_rate(0.5)
    clock.advance(1.17)
    assert not limiter.try_acquire()
    assert limiter.delay() == pytest.approx(2.0 - 1.17)


def test_a_pause_can_only_be_lengthened() -> None:
    clock = ManualClock()
    limiter = bucket(clock)
    limiter.pause_until(clock() + 5.0)
    limiter.pause_until(clock() + 1.0)
    assert limiter.paused_until == pytest.approx(clock() + 5.0)
    limiter.pause_until(clock() + 7.0)
    assert limiter.paused_until == pytest.approx(clock() + 7.0)


def test_a_short_pause_does_not_create_tokens() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=1.0, burst=3)
    for _ in range(3):
        assert limiter.try_acquire()
    limiter.pause_until(clock() + 0.1)
    clock.advance(0.1)
    assert not limiter.try_acquire()
    assert limiter.delay() == pytest.approx(0.9)


def take_when_due(limiter: TokenBucket, clock: ManualClock, *, backlog: bool = True) -> int:
    """Take the next token the moment it is there (``backlog``: others wait behind the taker,
    as the scheduler says with its ``Evidence``); the run it leaves."""
    clock.advance(limiter.delay())
    evidence = Evidence(backlog=backlog)
    assert limiter.try_acquire(evidence=evidence)
    assert (evidence.run, evidence.handed_out) == (limiter.run, limiter.handed_out)
    return limiter.run


def test_the_run_counts_tokens_taken_as_fast_as_they_come() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=10.0)  # a token every 0.1 s
    assert [take_when_due(limiter, clock) for _ in range(5)] == [1, 2, 3, 4, 5]
    clock.advance(0.1 + 0.2)  # taken two tokens' worth late: they lay unused
    assert limiter.try_acquire()
    assert limiter.run == 1


def test_a_run_survives_small_delays_but_not_their_sum() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=10.0)
    assert limiter.try_acquire()
    runs = []
    for _ in range(30):
        clock.advance(0.1 + 0.01)  # each taker 10% of a token late: the rate sent is 91%
        assert limiter.try_acquire()
        runs.append(limiter.run)
    # one token plus 3% of the run may be lost: 0.1 a take outgrows it at the 15th
    assert runs[:13] == list(range(2, 15))
    assert 1 in runs


def test_a_token_taken_with_nobody_waiting_behind_ends_the_run_after_it() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=10.0)
    assert take_when_due(limiter, clock) == 1
    # the scheduler: this taker is the last in the queue
    assert take_when_due(limiter, clock, backlog=False) == 2
    assert take_when_due(limiter, clock) == 1


def test_a_new_rate_or_a_pause_does_not_end_a_run() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=10.0)
    assert take_when_due(limiter, clock) == 1
    limiter.set_rate(5.0)
    assert take_when_due(limiter, clock) == 2
    limiter.pause_until(clock() + 1.0)
    assert take_when_due(limiter, clock) == 3


def test_refund_gives_an_unused_token_back() -> None:
    clock = ManualClock()
    limiter = bucket(clock)
    assert limiter.try_acquire()
    limiter.refund()
    assert limiter.granted == 0
    assert limiter.try_acquire()


async def test_acquire_sleeps_the_computed_delay() -> None:
    clock = ManualClock()
    sleep = FakeSleep(clock)
    limiter = TokenBucket(rate=4.0, burst=1, clock=clock, sleep=sleep)
    start = clock()
    for _ in range(3):
        await limiter.acquire()
    assert sleep.calls == pytest.approx([0.25, 0.25])
    assert clock() - start == pytest.approx(0.5)


async def test_acquire_waits_out_a_pause() -> None:
    clock = ManualClock()
    limiter = bucket(clock, rate=100.0, burst=1)
    limiter.pause_until(clock() + 2.0)
    start = clock()
    async with limiter:
        pass
    assert clock() - start == pytest.approx(2.0)
    assert limiter.granted == 1


async def test_a_cancelled_acquire_takes_no_token() -> None:
    clock = ManualClock()
    never = asyncio.Event()

    async def sleep_forever(seconds: float) -> None:
        await never.wait()

    limiter = TokenBucket(rate=1.0, burst=1, clock=clock, sleep=sleep_forever)
    assert limiter.try_acquire()
    task = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    clock.advance(1.0)
    assert limiter.granted == 1
    assert limiter.try_acquire()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 0}, "rate must be"),
        ({"rate": -1.0}, "rate must be"),
        ({"rate": math.inf}, "rate must be"),
        ({"rate": math.nan}, "rate must be"),
        ({"rate": 1.0, "burst": 0}, "burst must be"),
        ({"rate": 1.0, "burst": 1.5}, "burst must be"),
        ({"rate": 1.0, "burst": True}, "burst must be"),
    ],
)
def test_bad_construction_is_refused_with_a_clear_message(
    kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TokenBucket(**kwargs)  # type: ignore[arg-type]


def test_bad_arguments_are_refused_with_a_clear_message() -> None:
    limiter = bucket(ManualClock(), burst=2)
    with pytest.raises(ValueError, match="rate must be"):
        limiter.set_rate(0.0)
    with pytest.raises(ValueError, match="tokens must be"):
        limiter.delay(tokens=3)
    with pytest.raises(ValueError, match="until must be"):
        limiter.pause_until(math.inf)


ops = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.floats(0.0, 3.0)),
        st.tuples(st.just("take"), st.integers(1, 6)),
        st.tuples(st.just("rate"), st.floats(0.05, 20.0)),
        st.tuples(st.just("pause"), st.floats(0.0, 5.0)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(ops=ops, burst=st.integers(1, 5), rate=st.floats(0.05, 20.0))
def test_no_window_ever_gets_more_than_burst_plus_what_the_rate_let_in(
    ops: list[tuple[str, float]], burst: int, rate: float
) -> None:
    clock = ManualClock(start=0.0)
    limiter = TokenBucket(rate=rate, burst=burst, clock=clock)
    rates = [(0.0, rate)]  # (from time, rate)
    grants: list[float] = []
    pauses: list[tuple[int, float]] = []  # (grants before the pause, its end)
    for op, value in ops:
        if op == "advance":
            clock.advance(value)
        elif op == "take":
            for _ in range(int(value)):
                if limiter.try_acquire():
                    grants.append(clock())
        elif op == "rate":
            limiter.set_rate(value)
            rates.append((clock(), value))
        else:
            limiter.pause_until(clock() + value)
            pauses.append((len(grants), limiter.paused_until))

    def earned(start: float, end: float) -> float:
        total = 0.0
        for i, (since, r) in enumerate(rates):
            until = rates[i + 1][0] if i + 1 < len(rates) else math.inf
            total += r * max(0.0, min(end, until) - max(start, since))
        return total

    for i in range(len(grants)):
        for j in range(i, len(grants)):
            assert j - i + 1 <= burst + earned(grants[i], grants[j]) + 1e-6
    for before, until in pauses:
        assert not [t for t in grants[before:] if t < until - 1e-6]
