from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from upstream_model import Result, Scenario, simulate

from moodmix.clock import ManualClock
from moodmix.resilience.adaptive import AdaptiveRate


def succeed(control: AdaptiveRate, times: int, start: float, gap: float = 1.0) -> float:
    """Report ``times`` saturated successes sent and answered ``gap`` seconds apart."""
    now = start
    for _ in range(times):
        now += gap
        control.on_success(now, saturated=True, sent_at=now)
    return now


# --- the state machine, step by step ------------------------------------------------------


def test_starts_at_the_initial_rate_knowing_nothing() -> None:
    control = AdaptiveRate(initial_rate=80 / 60)
    assert control.rate == pytest.approx(80 / 60)
    assert (control.clean_rate, control.throttled_rate, control.proven_rate) == (None, None, None)
    assert control.probes == 0
    assert control.probing


def test_unsaturated_successes_never_grow_the_rate() -> None:
    control = AdaptiveRate(initial_rate=1.0, confirm_after=3)
    for t in range(100):
        control.on_success(float(t), saturated=False)
    assert control.rate == 1.0
    assert control.probes == 0


def test_a_gap_in_saturation_restarts_the_evidence() -> None:
    control = AdaptiveRate(initial_rate=1.0, confirm_after=3)
    succeed(control, 2, 0.0)
    control.on_success(3.0, saturated=False)
    succeed(control, 2, 3.0)
    assert control.clean_rate is None
    succeed(control, 1, 5.0)
    assert control.clean_rate == 1.0


def test_confirmed_probes_climb_with_a_doubling_step() -> None:
    control = AdaptiveRate(initial_rate=1.0, confirm_after=5, precision=0.1)
    now = succeed(control, 5, 0.0)
    assert control.clean_rate == 1.0
    assert control.rate == pytest.approx(1.1)
    rates = []
    for _ in range(3):
        now = succeed(control, 5, now)
        rates.append(control.rate)
    assert rates == pytest.approx([1.1 * 1.2, 1.1 * 1.2 * 1.4, 1.1 * 1.2 * 1.4 * 1.8])
    assert control.probes == 4


def test_with_a_hidden_burst_a_probe_is_confirmed_only_once_the_burst_would_be_spent() -> None:
    control = AdaptiveRate(initial_rate=1.0, confirm_after=5, precision=0.1, hidden_burst=10)
    now = succeed(control, 5, 0.0)  # nothing below the initial rate: confirmed as usual
    assert control.clean_rate == 1.0
    assert control.rate == pytest.approx(1.1)
    # were the limit 1.0, a burst of 10 lasts 10 * 1.1 / 0.1 = 110 requests at 1.1
    now = succeed(control, 109, now)
    assert control.clean_rate == 1.0
    succeed(control, 1, now)
    assert control.clean_rate == pytest.approx(1.1)


def test_hidden_burst_must_be_a_whole_number() -> None:
    with pytest.raises(ValueError, match="hidden_burst must be"):
        AdaptiveRate(initial_rate=1.0, hidden_burst=-1)
    with pytest.raises(ValueError, match="hidden_burst must be"):
        AdaptiveRate(initial_rate=1.0, hidden_burst=2.5)  # type: ignore[arg-type]


def test_a_429_with_nothing_known_halves_the_rate() -> None:
    control = AdaptiveRate(initial_rate=2.0)
    assert control.on_throttled(0.0, retry_after=1.0) == 1.0
    assert control.throttled_rate == 2.0
    assert control.clean_rate is None


def test_a_failed_probe_returns_to_the_floor_and_backs_off() -> None:
    control = AdaptiveRate(initial_rate=1.0, confirm_after=5, precision=0.1)
    now = succeed(control, 5, 0.0)  # floor 1.0, probing 1.1
    now = succeed(control, 5, now)  # floor 1.1, probing 1.32
    now = succeed(control, 5, now)  # floor 1.32, probing 1.848
    probe = control.rate
    control.on_throttled(now, retry_after=2.0, sent_at=now)
    assert control.throttled_rate == pytest.approx(probe)
    assert control.rate == control.clean_rate == pytest.approx(1.32)
    assert not control.probing
    now = succeed(control, 9, now)
    assert not control.probing  # held for 5 * 2**1 successes
    succeed(control, 1, now)
    assert control.probing
    assert control.rate == pytest.approx(1.32 * 1.1)  # the step starts small again


def test_probes_below_a_ceiling_stop_at_the_geometric_middle() -> None:
    control = AdaptiveRate(initial_rate=1.0, confirm_after=2, precision=0.1)
    now = succeed(control, 2, 0.0)
    control.on_throttled(now, sent_at=now)  # ceiling 1.1, floor 1.0: settled
    assert control.settled
    now = succeed(control, 31, now)  # settled: held 8 times longer, 2 * 2**1 * 8 successes
    assert control.rate == 1.0
    now = succeed(control, 1, now)
    assert control.rate == pytest.approx(1.1)  # a rare re-probe at the ceiling
    state = dict(control.state(), ceiling=2.0, rate=1.0, step=1.0, evidence=0, needed=1)
    control.load_state(state, now=now)
    control.on_success(now + 1, saturated=True, sent_at=now + 1)
    assert control.rate == pytest.approx(math.sqrt(2.0))


def test_outcomes_sent_before_a_change_do_not_move_the_controller() -> None:
    control = AdaptiveRate(initial_rate=2.0)
    control.on_throttled(10.0, sent_at=9.5)
    assert control.rate == 1.0
    control.on_throttled(10.2, sent_at=9.8)  # in flight when the first 429 came back
    assert control.rate == 1.0
    assert control.throttles == 2


def test_a_429_at_the_floor_falls_back_to_the_proven_rate_then_to_half() -> None:
    control = AdaptiveRate(initial_rate=2.0, confirm_after=10, precision=0.1)
    control.on_throttled(0.0, sent_at=0.0)  # the upstream's bucket is empty now
    now = succeed(control, 10, 0.0)  # 1.0 confirmed, probing 1.1
    control.on_throttled(now + 0.5, sent_at=now + 0.5)
    assert control.rate == 1.0
    now = succeed(control, 40, now + 0.5)  # the upstream accepted 40 in 40 s
    control.on_throttled(now, sent_at=now)  # yet 1.0 drew a 429: the burst had hidden it
    assert control.proven_rate == pytest.approx(38 / 40)
    assert control.rate == pytest.approx(0.95)
    assert control.throttled_rate == 1.0
    control.on_throttled(now + 1, sent_at=now + 1)  # even the proven rate fails: it dropped
    assert control.proven_rate is None
    assert control.rate == pytest.approx(0.475)


def test_the_rate_stays_within_its_bounds() -> None:
    control = AdaptiveRate(initial_rate=1.0, min_rate=0.4, max_rate=1.2, confirm_after=1)
    for t in range(5):
        control.on_throttled(float(t), sent_at=float(t))
    assert control.rate == 0.4
    control = AdaptiveRate(initial_rate=1.0, min_rate=0.4, max_rate=1.2, confirm_after=1)
    succeed(control, 30, 0.0)
    assert control.rate == 1.2


def test_the_clock_is_used_when_no_time_is_given() -> None:
    clock = ManualClock(start=50.0)
    control = AdaptiveRate(initial_rate=2.0, clock=clock)
    control.on_throttled()
    clock.advance(1.0)
    control.on_throttled(sent_at=50.5)  # sent after the first 429 changed the rate
    assert control.rate == 0.5


def test_state_is_a_small_json_dict_that_another_controller_can_take_over() -> None:
    control = AdaptiveRate(initial_rate=1.0, confirm_after=3)
    control.on_throttled(0.0, sent_at=0.0)
    now = succeed(control, 9, 0.0)
    control.on_throttled(now, sent_at=now)
    state = control.state()
    assert json.loads(json.dumps(state)) == state
    other = AdaptiveRate(initial_rate=5.0, confirm_after=3)
    other.load_state(state, now=now)
    assert other.state() == state
    learnt = ("rate", "clean_rate", "throttled_rate", "proven_rate", "probes", "throttles")
    assert [getattr(other, name) for name in learnt] == [getattr(control, name) for name in learnt]
    assert control.proven_rate is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"initial_rate": 0}, "initial_rate must be"),
        ({"initial_rate": math.nan}, "initial_rate must be"),
        ({"initial_rate": 1.0, "min_rate": -1}, "min_rate must be"),
        ({"initial_rate": 1.0, "max_rate": 0.5}, "initial_rate must lie within"),
        ({"initial_rate": 1.0, "confirm_after": 0}, "confirm_after must be"),
        ({"initial_rate": 1.0, "confirm_after": 2.5}, "confirm_after must be"),
        ({"initial_rate": 1.0, "precision": 0}, "precision must be"),
        ({"initial_rate": 1.0, "precision": 1.5}, "precision must be"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        AdaptiveRate(**kwargs)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rate": -1.0}, "state\\['rate'\\] must be"),
        ({"ceiling": "high"}, "state\\['ceiling'\\] must be"),
        ({"climbing": 1}, "state\\['climbing'\\] must be"),
        ({"evidence": -3}, "state\\['evidence'\\] must be"),
        ({"floor": 9.0}, "0 <= floor <= rate"),
    ],
)
def test_a_bad_state_is_refused_with_a_clear_message(change: dict[str, Any], message: str) -> None:
    control = AdaptiveRate(initial_rate=1.0)
    with pytest.raises(ValueError, match=message):
        control.load_state({**control.state(), **change})
    state = control.state()
    del state["proven"]
    with pytest.raises(ValueError, match="state lacks"):
        control.load_state(state)
    control.on_throttled(1.0, retry_after=0.0)
    with pytest.raises(ValueError, match="retry_after must be"):
        control.on_throttled(2.0, retry_after=-1.0)


events = st.lists(
    st.one_of(
        st.tuples(st.just("ok"), st.booleans(), st.floats(0.0, 5.0), st.floats(0.0, 1.0)),
        st.tuples(st.just("429"), st.just(True), st.floats(0.0, 5.0), st.floats(0.0, 1.0)),
    ),
    max_size=300,
)


def play(control: AdaptiveRate, history: list[tuple[str, bool, float, float]], now: float) -> float:
    for kind, saturated, gap, latency in history:
        now += gap
        if kind == "ok":
            control.on_success(now, saturated=saturated, sent_at=now - latency)
        else:
            control.on_throttled(now, 1.0, sent_at=now - latency)
    return now


@settings(max_examples=200, deadline=None)
@given(history=events)
def test_invariants_hold_for_any_history(history: list[tuple[str, bool, float, float]]) -> None:
    control = AdaptiveRate(initial_rate=1.0, min_rate=0.1, max_rate=10.0, confirm_after=3)
    now = 0.0
    for event in history:
        previous = control.rate
        now = play(control, [event], now)
        assert 0.1 <= control.rate <= 10.0
        assert (control.clean_rate or 0.0) <= control.rate
        assert (control.clean_rate or 0.0) < (control.throttled_rate or math.inf)
        if event[0] == "ok" and not event[1]:
            assert control.rate <= previous  # no evidence, no growth


@settings(max_examples=100, deadline=None)
@given(before=events, after=events)
def test_a_restored_state_decides_like_the_original(
    before: list[tuple[str, bool, float, float]], after: list[tuple[str, bool, float, float]]
) -> None:
    original = AdaptiveRate(initial_rate=1.0, confirm_after=3)
    now = play(original, before, 0.0)
    copy = AdaptiveRate(initial_rate=1.0, confirm_after=3)
    copy.load_state(original.state(), now=now)
    original.load_state(original.state(), now=now)  # same footing: nothing measured since
    play(original, after, now)
    play(copy, after, now)
    assert copy.state() == original.state()


# --- the deterministic simulation against a token-bucket upstream ----------------------------

SATURATED = [
    Scenario(
        limit=limit,
        burst=burst,
        demand=2 * limit,
        # assuming a hidden burst, a climb to twice the start takes longer: judged over 20 min
        minutes=10 if hidden == 0 else 20,
        retry_after=retry_after,
        hidden_burst=hidden,
    )
    for limit in (40, 80, 160)
    for burst in (5, 10)
    for retry_after in ("ceil", "exact")
    for hidden in (0, 10)  # 10: what the gateway assumes
]


def figures(result: Result) -> str:
    return (
        f"sent={result.sent} 429={result.throttled} share={result.throttle_share:.4f} "
        f"utilisation={result.utilisation:.3f} controller={result.controller!r}"
    )


@pytest.mark.parametrize(
    "scenario",
    SATURATED,
    ids=[f"L{s.limit:g}-B{s.burst}-{s.retry_after}-H{s.hidden_burst}" for s in SATURATED],
)
def test_under_saturation_429s_stay_under_1pc_and_the_limit_is_used(scenario: Scenario) -> None:
    result = simulate(scenario)
    assert result.throttle_share <= 0.01, figures(result)
    assert result.utilisation >= 0.85, figures(result)


BELOW = [
    Scenario(limit=limit, burst=burst, demand=limit / 2, minutes=20)
    for limit in (40, 80, 160)
    for burst in (5, 10)
]


@pytest.mark.parametrize("scenario", BELOW, ids=[f"L{s.limit:g}-B{s.burst}" for s in BELOW])
def test_with_demand_below_the_limit_the_rate_stays_put_and_nothing_is_refused(
    scenario: Scenario,
) -> None:
    result = simulate(scenario)
    assert result.controller is not None
    assert result.controller.rate * 60 <= max(scenario.initial, 1.5 * scenario.demand)
    if scenario.limit >= scenario.initial:
        assert result.throttled == 0, figures(result)
    else:
        # starting at twice the limit, a long enough clump of demand may draw the one 429
        # that teaches the controller; there is never a second one
        assert result.throttled <= 1, figures(result)
        assert result.controller.rate * 60 <= scenario.limit or result.throttled == 0


@pytest.mark.parametrize("burst", [5, 10])
@pytest.mark.parametrize("retry_after", ["ceil", "exact"])
def test_a_limit_that_drops_mid_run_is_learnt_again(burst: int, retry_after: Any) -> None:
    scenario = Scenario(
        limit=160,
        burst=burst,
        demand=320,
        minutes=20,
        retry_after=retry_after,
        limit_change=(8.0, 60.0),
    )
    result = simulate(scenario)
    after_drop = result.throttled_between(8 * 60, 20 * 60)
    late = result.accepted_between(12 * 60, 20 * 60) / result.allowed(12 * 60, 20 * 60)
    assert result.rate_at(8 * 60 - 1) > 120, figures(result)
    assert 1 <= after_drop <= 8, figures(result)
    assert late >= 0.85, f"late utilisation {late:.3f}; {figures(result)}"
    assert result.throttle_share <= 0.01, figures(result)


@pytest.mark.parametrize("burst", [5, 10, 20])
def test_assuming_the_upstreams_burst_spends_fewer_429s_at_the_limit(burst: int) -> None:
    def run(hidden: int) -> tuple[int, float]:
        results = [
            simulate(
                Scenario(
                    limit=80, burst=burst, demand=160, minutes=20, seed=seed, hidden_burst=hidden
                )
            )
            for seed in (1, 2, 3)
        ]
        return sum(r.throttled for r in results), min(r.utilisation for r in results)

    naive, naive_use = run(0)
    careful, careful_use = run(10)
    assert careful < naive, (careful, naive)
    assert careful_use >= 0.95, (careful_use, naive_use)
    assert careful_use >= naive_use - 0.01, (careful_use, naive_use)


def test_the_fixed_seed_rate_against_a_lower_limit_is_what_adaptive_avoids() -> None:
    fixed = simulate(Scenario(limit=40, burst=5, demand=80, minutes=10, adaptive=False))
    adaptive = simulate(Scenario(limit=40, burst=5, demand=80, minutes=10))
    assert fixed.throttle_share > 0.2
    assert adaptive.throttle_share < fixed.throttle_share / 20
    assert adaptive.accepted >= 0.97 * fixed.accepted


def test_weight_counts_an_answer_for_several() -> None:
    control = AdaptiveRate(1.0, confirm_after=30, clock=ManualClock())
    control.on_success(saturated=True, weight=29)
    assert control.rate == 1.0
    control.on_success(saturated=True, weight=1)
    assert control.rate > 1.0
    with pytest.raises(ValueError, match="weight"):
        control.on_success(saturated=True, weight=-1)
