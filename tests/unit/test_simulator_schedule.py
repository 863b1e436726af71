"""The simulator's rate schedule: the limiter following it on a hand-moved clock, the parser,
the config field and the state that applies it."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from moodmix.bench.inprocess import InProcessSimulator
from moodmix.clock import ManualClock
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.config import (
    MAX_RATE_STEPS,
    RateStep,
    SimulatorConfig,
    describe_errors,
    format_rate_schedule,
    parse_rate_schedule,
)
from moodmix.simulator.limits import RateLimiter, RatePolicy
from moodmix.simulator.state import SimulatorState

PER_MIN = 1 / 60


def scheduled(
    clock: ManualClock,
    schedule: tuple[tuple[float, float], ...],
    *,
    rate_per_s: float = 1.0,
    burst: int = 1,
    resolution: float = 0.001,
) -> RateLimiter:
    policy = RatePolicy(
        rate_per_s=rate_per_s,
        burst=burst,
        retry_after_resolution=resolution,
        schedule=schedule,
    )
    return RateLimiter(policy, clock=clock)


def drain(limiter: RateLimiter, n: int) -> None:
    assert [limiter.check("a").allowed for _ in range(n)] == [True] * n


def allowed_now(limiter: RateLimiter) -> int:
    """How many requests pass at this instant (then one is refused)."""
    count = 0
    while limiter.check("a").allowed:
        count += 1
    return count


# The limiter


def test_a_saturating_client_gets_each_steps_rate_minute_by_minute() -> None:
    clock = ManualClock()
    schedule = ((0.0, 80 * PER_MIN), (600.0, 40 * PER_MIN), (1200.0, 150 * PER_MIN))
    limiter = scheduled(clock, schedule, burst=4)
    accepted: Counter[int] = Counter()
    for tick in range(1800 * 20):  # asks 20 times a second for 30 minutes
        if limiter.check("a").allowed:
            accepted[tick // (60 * 20)] += 1
        clock.advance(0.05)
    assert accepted[0] == pytest.approx(80 + 4, abs=1)  # the burst comes on top, once
    for minute in range(1, 30):
        expected = 80 if minute < 10 else 40 if minute < 20 else 150
        assert accepted[minute] == pytest.approx(expected, abs=1), minute
    assert sum(accepted.values()) == pytest.approx(4 + 800 + 400 + 1500, abs=2)


def test_before_the_first_step_rate_per_s_holds() -> None:
    clock = ManualClock()
    limiter = scheduled(clock, ((10.0, 0.1),), rate_per_s=1.0, burst=1)
    drain(limiter, 1)
    clock.advance(1.0)
    assert limiter.check("a").allowed
    assert limiter.rate_at() == 1.0
    clock.advance(9.0)
    assert limiter.rate_at() == 0.1
    drain(limiter, 1)  # the token refilled from 1 s to 10 s
    assert limiter.check("a").retry_after == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("schedule", "tokens"),
    [
        (((0.0, 1.0), (10.0, 0.1)), 10),  # 10 s at 1/s + 5 s at 0.1/s = 10.5 tokens
        (((0.0, 0.1), (10.0, 1.0)), 6),  # 10 s at 0.1/s + 5 s at 1/s = 6 tokens
        (((0.0, 1.0), (2.0, 0.5), (4.0, 2.0), (14.0, 0.25)), 20),  # capped at the burst
        (((0.0, 1.0), (2.0, 0.5), (4.0, 2.0), (5.0, 0.25), (13.0, 0.5)), 8),  # 2+1+2+2+1
    ],
)
def test_an_idle_bucket_refills_piecewise_across_changes(
    schedule: tuple[tuple[float, float], ...], tokens: int
) -> None:
    clock = ManualClock()
    limiter = scheduled(clock, schedule, burst=20)
    drain(limiter, 20)
    clock.advance(15.0)
    assert allowed_now(limiter) == tokens


def test_retry_after_counts_the_rate_in_force() -> None:
    clock = ManualClock()
    limiter = scheduled(clock, ((0.0, 0.5), (100.0, 2.0)), burst=1)
    drain(limiter, 1)
    assert limiter.check("a").retry_after == pytest.approx(2.0)
    clock.advance(100.0)
    drain(limiter, 1)
    assert limiter.check("a").retry_after == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("schedule", "wait"),
    [
        (((0.0, 0.1), (5.0, 1.0)), 5.5),  # rises inside the wait: 0.5 tokens, then 0.5 s
        (((0.0, 1.0), (0.5, 0.1)), 5.5),  # falls inside the wait: 0.5 tokens, then 5 s
        (((0.0, 0.1), (1.0, 0.2), (2.0, 1.0)), 2.7),  # 0.1 + 0.2, then 0.7 s
    ],
)
def test_retry_after_is_honest_when_a_change_falls_inside_the_wait(
    schedule: tuple[tuple[float, float], ...], wait: float
) -> None:
    clock = ManualClock()
    limiter = scheduled(clock, schedule, burst=1)
    drain(limiter, 1)
    refused = limiter.check("a")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(wait)
    clock.advance(wait - 0.01)
    assert not limiter.check("a").allowed
    clock.advance(0.01)
    assert limiter.check("a").allowed


def test_retry_after_across_a_change_is_rounded_up_to_the_resolution() -> None:
    clock = ManualClock()
    limiter = scheduled(clock, ((0.0, 1.0), (0.5, 0.1)), burst=1, resolution=1.0)
    drain(limiter, 1)
    assert limiter.check("a").retry_after == 6.0  # 5.5 s


def test_offsets_count_from_the_limiters_start() -> None:
    clock = ManualClock(start=5_000.0)
    limiter = scheduled(clock, ((0.0, 1.0), (60.0, 0.1)))
    assert limiter.start() == 5_000.0
    clock.advance(59.9)
    assert limiter.rate_at() == 1.0
    clock.advance(0.1)
    assert limiter.rate_at() == 0.1
    assert limiter.rate_at(5_000.0) == 1.0
    assert limiter.rate_at(4_000.0) == 1.0  # before the start: rate_per_s


def test_a_reconfigured_schedule_counts_from_the_start_not_from_the_change() -> None:
    clock = ManualClock()
    limiter = scheduled(clock, ())
    limiter.start()
    clock.advance(100.0)
    limiter.reconfigure(RatePolicy(rate_per_s=1.0, burst=1, schedule=((30.0, 0.5), (200.0, 2.0))))
    assert limiter.rate_at() == 0.5  # the step at 30 s is past: in force at once
    clock.advance(100.0)
    assert limiter.rate_at() == 2.0
    limiter.reset()  # forgets buckets; the schedule goes on
    assert limiter.rate_at() == 2.0
    assert limiter.origin == 1_000.0


def test_reconfigure_refills_under_the_old_schedule_up_to_now() -> None:
    clock = ManualClock()
    limiter = scheduled(clock, ((0.0, 1.0),), burst=10)
    drain(limiter, 10)
    clock.advance(4.0)  # 4 tokens at the old rate
    limiter.reconfigure(RatePolicy(rate_per_s=1.0, burst=10, schedule=((0.0, 0.01),)))
    assert allowed_now(limiter) == 4


def test_idle_clients_are_forgotten_under_a_schedule_too() -> None:
    clock = ManualClock()
    limiter = scheduled(clock, ((0.0, 1.0), (1.0, 1000.0)), burst=2)
    for n in range(10_000):
        limiter.check(f"client-{n}")
    clock.advance(2.0)
    assert limiter.check("newcomer").allowed
    assert len(limiter._clients) == 1


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (((-1.0, 1.0),), "schedule step 1: at_s must be finite, at least 0"),
        (((0.0, 1.0), (0.0, 2.0)), "schedule step 2: at_s"),
        (((0.0, 1.0), (10.0, 2.0), (5.0, 1.0)), "schedule step 3: at_s"),
        (((0.0, 0.0),), "schedule step 1: rate must be more than 0"),
        (((float("inf"), 1.0),), "schedule step 1: at_s must be finite"),
    ],
)
def test_bad_schedules_are_refused_by_the_policy(
    schedule: tuple[tuple[float, float], ...], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        RatePolicy(rate_per_s=1.0, burst=1, schedule=schedule)


# The parser and the config field


def test_parse_rate_schedule() -> None:
    steps = parse_rate_schedule("0:80/min, 600:40/min,1200.5 : 2.5/s")
    assert steps == (RateStep(0, 80), RateStep(600, 40), RateStep(1200.5, 150))
    assert steps[1].at_s == 600.0
    assert steps[1].rate_per_min == 40.0
    assert format_rate_schedule(steps) == "0:80/min,600:40/min,1200.5:150/min"
    assert parse_rate_schedule(format_rate_schedule(steps)) == steps
    assert parse_rate_schedule("") == ()
    assert parse_rate_schedule("  ") == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0:80", "rate schedule step 1 '0:80': rate '80' is not COUNT/UNIT, e.g. '60/min'"),
        ("0:80/min,600", "rate schedule step 2 '600' is not OFFSET:RATE; expected OFFSET:RATE"),
        ("0:80/min,ten:40/min", "step 2 'ten:40/min' is not OFFSET:RATE"),
        ("0:80/min,", "rate schedule step 2 '' is not OFFSET:RATE"),
        ("0:80/min,600:0/min", "step 2 '600:0/min': rate '0/min' must be more than zero"),
        ("-5:80/min", "step 1 (-5:80/min): the offset must be 0 or more seconds"),
        (
            "0:80/min,600:40/min,600:10/min",
            "step 3 (600:10/min): offsets must increase strictly, and step 2 is at 600 s",
        ),
        ("10:80/min,5:40/min", "step 2 (5:40/min): offsets must increase strictly"),
        ("0:2e9/min", "step 1 '0:2e9/min': rate '2e9/min' is not COUNT/UNIT"),
        ("0:1000000000.5/min", "step 1 (0:1000000000.5/min): the rate must be more than 0 and"),
    ],
)
def test_parse_rate_schedule_names_the_bad_step_and_the_form(text: str, words: str) -> None:
    with pytest.raises(ValueError, match="rate schedule step") as caught:
        parse_rate_schedule(text)
    assert words in str(caught.value)


def test_a_schedule_has_at_most_so_many_steps() -> None:
    text = ",".join(f"{n}:60/min" for n in range(MAX_RATE_STEPS))
    assert len(parse_rate_schedule(text)) == MAX_RATE_STEPS
    with pytest.raises(ValueError, match="at most 1,000 steps, this one 1,001"):
        parse_rate_schedule(f"{text},{MAX_RATE_STEPS}:60/min")


def test_the_config_takes_text_objects_or_pairs_and_shows_both_forms() -> None:
    expected = (RateStep(0, 80), RateStep(600, 40))
    objects = [{"at_s": 0, "rate_per_min": 80}, {"at_s": 600, "rate": "40/min"}]
    for given in ("0:80/min,600:40/min", objects, [[0, 80], (600, "40/min")], expected):
        config = SimulatorConfig(rate_schedule=given)  # type: ignore[arg-type]
        assert config.rate_schedule == expected
    assert SimulatorConfig().rate_schedule == ()
    view = config.runtime_view()
    assert view["rate_schedule"] == [
        {"at_s": 0, "rate_per_min": 80},
        {"at_s": 600, "rate_per_min": 40},
    ]
    assert view["rate_schedule_text"] == "0:80/min,600:40/min"
    assert config.with_changes(burst=3).rate_schedule == expected
    assert config.with_changes(rate_schedule="").rate_schedule == ()
    assert config.with_changes(rate_schedule=[]).rate_schedule == ()


def test_the_config_says_the_rate_at_a_time() -> None:
    config = SimulatorConfig(rate_per_min=100, rate_schedule="10:80/min,600:40/min")
    assert [config.rate_at(s) for s in (0, 9.9, 10, 599, 600, 10**6)] == [100, 100, 80, 80, 40, 40]


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("0:80/min,0:40/min", "rate_schedule: rate schedule step 2 (0:40/min): offsets must"),
        ([{"at_s": 0}], "rate schedule step 1 is {'at_s': 0}; expected {\"at_s\": seconds"),
        ([{"at_s": 0, "rate_per_min": 80, "x": 1}], "rate schedule step 1 is"),
        ([[0, True]], "rate schedule step 1 is [0, True]"),
        ([["0", 80]], "rate schedule step 1 is ['0', 80]"),
        ([[0, "fast"]], "rate schedule step 1: rate 'fast' is not COUNT/UNIT"),
        ([[0, -80]], "rate schedule step 1 (0:-80/min): the rate must be more than 0"),
        (5, "a rate schedule is text (OFFSET:RATE"),
    ],
)
def test_the_config_refuses_a_bad_schedule_naming_the_step(given: object, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SimulatorConfig(rate_schedule=given)  # type: ignore[arg-type]
    message = describe_errors(caught.value)
    assert words in message
    assert len(message) < 400  # a long input is shortened, not echoed whole


# The state that applies it, and the bench's in-process simulator


@pytest.fixture(scope="module")
def small_catalog() -> Catalog:
    from moodmix.simulator.catalog import CatalogSpec

    return Catalog.build(CatalogSpec(seed=1, tracks=100, artists=10))


def test_the_state_follows_the_schedule_from_its_start(small_catalog: Catalog) -> None:
    clock = ManualClock()
    config = SimulatorConfig(rate_per_min=60, burst=1, rate_schedule="0:30/min,60:120/min")
    state = SimulatorState(config, small_catalog, clock=clock)
    state.start()
    assert state.limiter.policy.schedule == ((0.0, 0.5), (60.0, 2.0))
    assert state.rate_in_force_per_min == 30
    clock.advance(61)
    assert state.uptime_s == 61
    assert state.rate_in_force_per_min == 120
    state.reconfigure(config.with_changes(rate_schedule="0:30/min,30:10/min,100:90/min"))
    assert state.rate_in_force_per_min == 10  # from the start, not from the change
    state.reconfigure(state.config.with_changes(rate_schedule=""))
    assert state.rate_in_force_per_min == 60


async def test_the_bench_in_process_simulator_keeps_a_configured_schedule(
    small_catalog: Catalog,
) -> None:
    clock = ManualClock()
    config = SimulatorConfig(tracks=100, artists=10, rate_schedule="0:80/min,600:40/min")
    sim = InProcessSimulator(small_catalog, config, clock=clock)
    await sim.configure(rate_per_min=1_000, burst=4, retry_after_resolution=0.5)
    await sim.reset()
    assert sim.state.config.rate_schedule == (RateStep(0, 80), RateStep(600, 40))
    assert sim.state.config.burst == 4
    clock.advance(600)
    assert sim.state.rate_in_force_per_min == 40


def test_building_a_limiter_does_not_read_its_clock_and_the_first_use_starts_it() -> None:
    clock = ManualClock()
    readable = False

    def loop_like() -> float:  # like loop_time outside the loop: unreadable until it runs
        if not readable:
            raise RuntimeError("no running event loop")
        return clock()

    limiter = RateLimiter(
        RatePolicy(rate_per_s=1.0, burst=1, schedule=((5, 0.1),)), clock=loop_like
    )
    readable = True
    clock.advance(100.0)
    assert limiter.check("a").allowed  # starts the schedule: 1/s for 5 s more
    assert limiter.origin == 1_100.0
    assert limiter.check("a").retry_after == pytest.approx(1.0)
    clock.advance(5.0)
    assert limiter.rate_at() == 0.1


def test_start_fixes_the_origin_once() -> None:
    clock = ManualClock()
    limiter = scheduled(clock, ((10.0, 0.5),))
    clock.advance(3.0)
    assert limiter.start() == 1_003.0
    clock.advance(3.0)
    assert limiter.start() == 1_003.0
    assert limiter.origin == 1_003.0
    clock.advance(7.0)
    assert limiter.rate_at() == 0.5
