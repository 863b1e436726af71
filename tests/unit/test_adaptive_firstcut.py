"""The cold start's first cut: ``Retry-After`` says how far below the start rate the limit is.

From 80/min against a hidden 20/min (burst 1) the controller used to halve on each unmeasured
429 (80 -> 40 -> 20, a 429 at each) and then search from a ceiling of 40/min; the answer's
``Retry-After`` (3 s: the next token is that far off) puts it just under 20/min after one
429, with a ceiling of 30/min, which also shortens the search.
"""

from __future__ import annotations

import math

import pytest
from rate_model import Scenario, simulate

from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.adaptive.firstcut import first_cut


@pytest.mark.parametrize(
    ("retry_after", "rate", "ceiling"),
    [
        (3.0, 19.6, 30.0),  # next token in (2, 3] s: the limit is under 30/min
        (2.0, 29.4, 60.0),
        (1.0, 40.0, math.inf),  # says nothing: halve, as before
        (0.0, 40.0, math.inf),
        (0.5, 40.0, math.inf),  # finer than a second: rounding unknown, no ceiling
        (30.0, 19.6, math.inf),  # a long block, not a refill: never below a quarter
    ],
)
def test_the_first_cut_reads_retry_after(retry_after: float, rate: float, ceiling: float) -> None:
    cut = first_cut(80 / 60, retry_after)
    assert cut.rate * 60 == pytest.approx(rate)
    assert cut.ceiling * 60 == pytest.approx(ceiling)


def test_a_cold_429_with_a_long_retry_after_cuts_to_its_rate_and_ceiling() -> None:
    control = AdaptiveRate(80 / 60)
    control.on_throttled(10.0, retry_after=3.0)
    assert control.rate * 60 == pytest.approx(19.6)
    assert control.throttled_rate is not None
    assert control.throttled_rate * 60 == pytest.approx(30.0)


def test_once_a_rate_was_measured_retry_after_no_longer_sets_the_cut() -> None:
    """A 429, 60 accepted over a minute, a 429: 57/min measured. Then 429s half a second
    apart (a limit that fell far) search down and cut by half, whatever Retry-After says."""
    control = AdaptiveRate(80 / 60)
    control.on_throttled(0.0, retry_after=1.0)
    for i in range(60):
        control.on_success(1.0 + i, saturated=True, sent_at=1.0 + i)
    control.on_throttled(61.0, retry_after=1.0)
    assert control.proven_rate is not None
    now, before = 61.0, control.rate
    while control.clean_rate is not None:
        now, before = now + 0.5, control.rate
        control.on_throttled(now, retry_after=3.0, sent_at=now)
    assert control.rate == pytest.approx(before * 0.5)
    assert control.throttled_rate == pytest.approx(before)  # not 30/min from Retry-After


@pytest.mark.parametrize("instances", [1, 3])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_start_four_times_the_limit_costs_few_429s(seed: int, instances: int) -> None:
    """The bench's tightest cell (20/min, burst 1, demand 2x, an hour): at most five 429s
    in the first ten minutes (seven before), and a margin under the 1% bound."""
    scenario = Scenario(limit=20, burst=1, minutes=60, seed=seed, instances=instances)
    result = simulate(scenario)
    assert result.throttled_between(0, 600) <= 5, result.throttle_times
    assert result.throttle_share <= 0.009, result.throttle_share
    assert result.utilisation >= 0.97
