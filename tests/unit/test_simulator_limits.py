"""The simulator's per-client limiter, on a hand-moved clock, and rate parsing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from moodmix.clock import ManualClock
from moodmix.simulator.config import SimulatorConfig, describe_errors, parse_rate
from moodmix.simulator.limits import RateLimiter, RatePolicy, format_retry_after


def make(clock: ManualClock, **policy: float) -> RateLimiter:
    values: dict[str, float] = {"rate_per_s": 1.0, "burst": 2, **policy}
    return RateLimiter(
        RatePolicy(
            rate_per_s=values["rate_per_s"],
            burst=int(values["burst"]),
            penalty_after=int(values.get("penalty_after", 0)),
            penalty_s=values.get("penalty_s", 60.0),
            retry_after_resolution=values.get("retry_after_resolution", 1.0),
        ),
        clock=clock,
    )


def test_burst_is_allowed_then_refused_with_whole_seconds() -> None:
    clock = ManualClock()
    limiter = make(clock, rate_per_s=0.5, burst=3)
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, True]
    verdict = limiter.check("a")
    assert not verdict.allowed
    assert verdict.retry_after == 2.0  # one token every 2 s
    assert not verdict.blocked


def test_retry_after_is_rounded_up_to_the_resolution() -> None:
    clock = ManualClock()
    limiter = make(clock, rate_per_s=1.5, burst=1)
    assert limiter.check("a").allowed
    assert limiter.check("a").retry_after == 1.0  # 0.667 s rounded up to a whole second
    fine = make(ManualClock(), rate_per_s=1.5, burst=1, retry_after_resolution=0.001)
    assert fine.check("a").allowed
    assert fine.check("a").retry_after == pytest.approx(0.667)


def test_tokens_come_back_with_time() -> None:
    clock = ManualClock()
    limiter = make(clock, rate_per_s=1.0, burst=2)
    limiter.check("a")
    limiter.check("a")
    assert not limiter.check("a").allowed
    clock.advance(1.0)
    assert limiter.check("a").allowed
    assert not limiter.check("a").allowed
    clock.advance(100)
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, False]


def test_each_client_has_its_own_bucket() -> None:
    clock = ManualClock()
    limiter = make(clock, burst=1)
    assert limiter.check("10.0.0.1").allowed
    assert not limiter.check("10.0.0.1").allowed
    assert limiter.check("10.0.0.2").allowed


def test_ignoring_retry_after_leads_to_a_penalty_block() -> None:
    clock = ManualClock()
    limiter = make(clock, rate_per_s=1.0, burst=1, penalty_after=2, penalty_s=60)
    assert limiter.check("a").allowed
    told = limiter.check("a")  # opens a 1 s window
    assert told.retry_after == 1.0
    assert not told.blocked
    first, second = limiter.check("a"), limiter.check("a")  # inside the window: 2 allowed
    assert not first.blocked
    assert not second.blocked
    third = limiter.check("a")
    assert third.blocked
    assert third.new_block
    assert third.retry_after == 60.0
    clock.advance(30.2)
    still = limiter.check("a")
    assert still.blocked
    assert not still.new_block
    assert still.retry_after == 30.0  # 29.8 s left, rounded up
    clock.advance(30)
    assert limiter.check("a").allowed


def test_requests_after_the_window_do_not_count_towards_a_block() -> None:
    clock = ManualClock()
    limiter = make(clock, rate_per_s=1.0, burst=1, penalty_after=1)
    limiter.check("a")
    assert limiter.check("a").retry_after == 1.0
    for _ in range(5):  # a client that waits as told is never blocked
        clock.advance(1.0)
        assert limiter.check("a").allowed
        assert not limiter.check("a").blocked


def test_no_block_when_the_penalty_is_off() -> None:
    clock = ManualClock()
    limiter = make(clock, burst=1, penalty_after=0)
    limiter.check("a")
    verdicts = [limiter.check("a") for _ in range(100)]
    assert not any(v.allowed or v.blocked for v in verdicts)


def test_reset_forgets_buckets_and_blocks() -> None:
    clock = ManualClock()
    limiter = make(clock, burst=1, penalty_after=1)
    for _ in range(4):
        limiter.check("a")
    assert limiter.check("a").blocked
    limiter.reset()
    assert limiter.check("a").allowed


def test_reconfigure_caps_tokens_at_the_new_burst() -> None:
    clock = ManualClock()
    limiter = make(clock, rate_per_s=1.0, burst=10)
    limiter.reconfigure(RatePolicy(rate_per_s=1.0, burst=2))
    assert [limiter.check("a").allowed for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("rate_per_s", 0.0, "rate_per_s must be more than 0"),
        ("burst", 0, "burst must be at least 1"),
        ("penalty_after", -1, "penalty_after must be 0"),
        ("penalty_s", 0.0, "penalty_s must be more than 0"),
        ("retry_after_resolution", 0.0, "retry_after_resolution must be more than 0"),
    ],
)
def test_bad_policies_are_refused(field: str, value: float, words: str) -> None:
    kwargs: dict[str, float] = {"rate_per_s": 1.0, "burst": 1, field: value}
    with pytest.raises(ValueError, match=words):
        RatePolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "header"), [(1.0, "1"), (60.0, "60"), (0.125, "0.125"), (0.667, "0.667")]
)
def test_retry_after_header_format(seconds: float, header: str) -> None:
    assert format_retry_after(seconds) == header


@pytest.mark.parametrize(
    ("text", "per_min"),
    [
        ("60/min", 60.0),
        ("2/s", 120.0),
        ("1000/hour", 1000 / 60),
        ("100/m", 100.0),
        ("3/secs", 180.0),
    ],
)
def test_parse_rate(text: str, per_min: float) -> None:
    assert parse_rate(text) == pytest.approx(per_min)


@pytest.mark.parametrize("text", ["60", "fast", "60/day", "-1/s", "0/min", "2/ms"])
def test_parse_rate_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)


def test_config_names_the_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        SimulatorConfig(burst=0)
    assert describe_errors(caught.value) == (
        "burst: Input should be greater than or equal to 1 (got 0)"
    )
