"""A shared adaptive rate counts each success for every process sharing the rate."""

from __future__ import annotations

from moodmix.clock import ManualClock
from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.sharedrate import SharedAdaptiveRate


def saturated_successes_until_a_probe(control: AdaptiveRate, clock: ManualClock) -> int:
    start = control.rate
    for n in range(1, 1_000):
        clock.advance(0.1)
        control.on_success(saturated=True)
        if control.rate != start:
            return n
    raise AssertionError("the rate never moved")


def test_three_processes_probe_after_a_third_of_the_successes_one_needs() -> None:
    clock = ManualClock()
    alone = AdaptiveRate(1.0, confirm_after=30, clock=clock)
    shared = SharedAdaptiveRate(1.0, confirm_after=30, clock=clock)
    shared.processes = lambda: 3
    assert saturated_successes_until_a_probe(alone, clock) == 30
    assert saturated_successes_until_a_probe(shared, clock) == 10
    assert shared.rate == alone.rate


def test_a_429_counts_once_however_many_processes_share_the_rate() -> None:
    clock = ManualClock()
    shared = SharedAdaptiveRate(1.0, clock=clock)
    shared.processes = lambda: 5
    shared.on_throttled(retry_after=1.0)
    assert shared.throttles == 1
    assert shared.rate == 0.5
