"""``Headcount``: the last count of processes, and the peak over its window."""

from __future__ import annotations

from moodmix.clock import ManualClock
from moodmix.resilience.headcount import Headcount


def test_a_headcount_keeps_its_peak_for_its_window() -> None:
    clock = ManualClock()
    heads = Headcount(window=60.0, clock=clock)
    assert (heads.live, heads.peak) == (1, 1)
    heads.heard(3)
    clock.advance(30.0)
    heads.heard(1)
    assert (heads.live, heads.peak) == (1, 3)
    clock.advance(30.001)
    heads.heard(1)
    assert (heads.live, heads.peak) == (1, 1)
