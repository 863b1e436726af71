from __future__ import annotations

import asyncio
import dataclasses
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.clock import ManualClock
from moodmix.resilience.breaker import BreakerStats, CircuitBreaker, CircuitOpen, State, Trip
from moodmix.resilience.scheduler import Unsent


class NotFound(Exception):
    pass


TRIP = {f.name for f in dataclasses.fields(Trip)}


def make(clock: ManualClock, **options: Any) -> CircuitBreaker:
    settings_: dict[str, Any] = {
        "failure_ratio": None,
        "consecutive_failures": 3,
        "reset_timeout": 10.0,
        "max_reset_timeout": 40.0,
        "clock": clock,
    }
    settings_.update(options)
    return CircuitBreaker(
        Trip(**{k: v for k, v in settings_.items() if k in TRIP}),
        **{k: v for k, v in settings_.items() if k not in TRIP},
    )


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        assert breaker.allow()
        breaker.record_failure()


def succeed(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        assert breaker.allow()
        breaker.record_success()


def test_starts_closed_and_lets_calls_through() -> None:
    breaker = make(ManualClock())
    assert breaker.state is State.CLOSED
    assert breaker.allow()
    assert breaker.retry_after() == 0.0


def test_consecutive_failures_open_the_breaker() -> None:
    breaker = make(ManualClock())
    fail(breaker, 2)
    assert breaker.state is State.CLOSED
    fail(breaker, 1)
    assert breaker.state is State.OPEN
    assert not breaker.allow()
    assert breaker.stats.opened == 1


def test_a_success_resets_the_consecutive_count() -> None:
    breaker = make(ManualClock())
    fail(breaker, 2)
    succeed(breaker, 1)
    fail(breaker, 2)
    assert breaker.state is State.CLOSED


def test_failure_ratio_needs_the_minimum_number_of_calls() -> None:
    breaker = make(ManualClock(), failure_ratio=0.5, min_calls=6, consecutive_failures=None)
    succeed(breaker, 3)
    fail(breaker, 2)
    assert breaker.state is State.CLOSED
    fail(breaker, 1)
    assert breaker.state is State.OPEN


def test_failure_ratio_below_threshold_stays_closed() -> None:
    breaker = make(ManualClock(), failure_ratio=0.5, min_calls=4, consecutive_failures=None)
    for _ in range(10):
        succeed(breaker, 2)
        fail(breaker, 1)
    assert breaker.state is State.CLOSED


def test_failures_older_than_the_window_are_forgotten() -> None:
    clock = ManualClock()
    breaker = make(clock, failure_ratio=0.5, min_calls=4, window=10.0, consecutive_failures=None)
    fail(breaker, 3)
    clock.advance(10.0)
    succeed(breaker, 2)
    fail(breaker, 1)
    assert breaker.state is State.CLOSED
    fail(breaker, 1)
    assert breaker.state is State.OPEN


def test_open_refuses_until_reset_timeout_then_half_opens() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    assert breaker.retry_after() == pytest.approx(10.0)
    clock.advance(4.0)
    assert breaker.retry_after() == pytest.approx(6.0)
    assert not breaker.allow()
    clock.advance(6.0)
    assert breaker.retry_after() == 0.0
    assert breaker.state is State.HALF_OPEN
    assert breaker.stats.rejected == 1


def test_half_open_lets_a_limited_number_of_probes_through() -> None:
    clock = ManualClock()
    breaker = make(clock, half_open_probes=2)
    fail(breaker, 3)
    clock.advance(10.0)
    assert breaker.allow()
    assert breaker.allow()
    assert not breaker.allow()
    assert breaker.retry_after() > 0.0


def test_probe_success_closes_and_resets_the_timeout() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(10.0)
    fail(breaker, 1)
    assert breaker.reset_timeout == 20.0
    clock.advance(20.0)
    succeed(breaker, 1)
    assert breaker.state is State.CLOSED
    assert breaker.reset_timeout == 10.0
    fail(breaker, 2)
    assert breaker.state is State.CLOSED, "the failures before closing are forgotten"


def test_probe_failure_reopens_with_a_growing_capped_timeout() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    waits = []
    for _ in range(4):
        waits.append(breaker.retry_after())
        clock.advance(breaker.retry_after())
        fail(breaker, 1)
        assert breaker.state is State.OPEN
    assert waits == [10.0, 20.0, 40.0, 40.0]
    assert breaker.stats.opened == 5


def test_a_lost_probe_frees_its_slot_after_a_reset_timeout() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(10.0)
    assert breaker.allow()
    clock.advance(9.0)
    assert not breaker.allow()
    assert breaker.retry_after() == pytest.approx(1.0)
    clock.advance(1.0)
    assert breaker.allow()


def test_outcomes_reported_while_open_change_nothing() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is State.OPEN
    assert breaker.retry_after() == pytest.approx(10.0)


def test_listener_sees_every_transition() -> None:
    clock = ManualClock()
    seen: list[tuple[State, State]] = []
    breaker = make(clock, on_state_change=lambda old, new: seen.append((old, new)))
    fail(breaker, 3)
    clock.advance(10.0)
    fail(breaker, 1)
    clock.advance(20.0)
    succeed(breaker, 1)
    assert seen == [
        (State.CLOSED, State.OPEN),
        (State.OPEN, State.HALF_OPEN),
        (State.HALF_OPEN, State.OPEN),
        (State.OPEN, State.HALF_OPEN),
        (State.HALF_OPEN, State.CLOSED),
    ]


async def test_call_records_success_and_failure() -> None:
    breaker = make(ManualClock())
    async with breaker.call():
        pass
    with pytest.raises(ConnectionError):
        async with breaker.call():
            raise ConnectionError("reset")
    assert breaker.stats == BreakerStats(allowed=2, successes=1, failures=1)


async def test_call_raises_circuit_open_with_time_until_half_open() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(3.0)
    entered = False
    with pytest.raises(CircuitOpen) as info:
        async with breaker.call():
            entered = True
    assert not entered
    assert info.value.retry_after == pytest.approx(7.0)


async def test_errors_that_are_not_failures_do_not_trip() -> None:
    breaker = make(ManualClock(), is_failure=lambda exc: not isinstance(exc, NotFound))
    for _ in range(5):
        with pytest.raises(NotFound):
            async with breaker.call():
                raise NotFound
    assert breaker.state is State.CLOSED
    assert breaker.stats.failures == 0


async def test_a_cancelled_probe_frees_its_slot_without_a_verdict() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(10.0)
    with pytest.raises(asyncio.CancelledError):
        async with breaker.call():
            raise asyncio.CancelledError
    assert breaker.state is State.HALF_OPEN
    assert breaker.allow()


async def test_a_probe_left_unsent_frees_its_slot_without_a_verdict() -> None:
    clock = ManualClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(10.0)
    with pytest.raises(Unsent):
        async with breaker.call():
            raise Unsent
    assert breaker.state is State.HALF_OPEN
    assert (breaker.stats.successes, breaker.allow()) == (0, True)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"failure_ratio": None, "consecutive_failures": None}, "failure_ratio"),
        ({"failure_ratio": 1.5}, "failure_ratio"),
        ({"failure_ratio": 0.0}, "failure_ratio"),
        ({"min_calls": 0}, "min_calls"),
        ({"window": 0.0}, "window"),
        ({"consecutive_failures": 0}, "consecutive_failures"),
        ({"reset_timeout": -1.0}, "reset_timeout"),
        ({"reset_timeout": 10.0, "max_reset_timeout": 5.0}, "max_reset_timeout"),
        ({"backoff_factor": 0.5}, "backoff_factor"),
        ({"half_open_probes": 0}, "half_open_probes"),
    ],
)
def test_bad_settings_are_refused_by_name(options: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        CircuitBreaker(Trip(**options))


LEGAL = {
    (State.CLOSED, State.OPEN),
    (State.OPEN, State.HALF_OPEN),
    (State.HALF_OPEN, State.OPEN),
    (State.HALF_OPEN, State.CLOSED),
}

operations = st.lists(
    st.one_of(
        st.just(("allow", 0.0)),
        st.just(("success", 0.0)),
        st.just(("failure", 0.0)),
        st.tuples(st.just("advance"), st.floats(0.0, 50.0)),
    ),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(operations, st.integers(1, 3))
def test_breaker_invariants_hold_for_any_sequence(
    ops: list[tuple[str, float]], probes: int
) -> None:
    clock = ManualClock()
    seen: list[tuple[State, State]] = []
    breaker = make(
        clock,
        failure_ratio=0.5,
        min_calls=4,
        half_open_probes=probes,
        on_state_change=lambda old, new: seen.append((old, new)),
    )
    probes_in_a_row = 0
    for op, seconds in ops:
        state = breaker.state
        if op == "allow":
            allowed = breaker.allow()
            if state is State.OPEN:
                assert not allowed, "an open breaker let a call through"
            if state is State.CLOSED:
                assert allowed, "a closed breaker refused a call"
            if allowed and state is State.HALF_OPEN:
                probes_in_a_row += 1
                assert probes_in_a_row <= probes, "more probes than half_open_probes"
            continue
        probes_in_a_row = 0
        if op == "advance":
            clock.advance(seconds)
        elif op == "success":
            breaker.record_success()
        else:
            breaker.record_failure()
        assert 0.0 <= breaker.retry_after() <= 40.0
        assert 10.0 <= breaker.reset_timeout <= 40.0
    assert set(seen) <= LEGAL
    assert all(a[1] == b[0] for a, b in itertools.pairwise(seen))
