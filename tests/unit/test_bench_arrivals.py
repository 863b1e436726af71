"""Arrivals through the day: a quiet night, an evening peak four times busier, bursts."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from moodmix.bench.arrivals import ArrivalSpec, DailyCycle, arrival_times


def test_the_cycle_peaks_in_the_evening_at_four_times_the_night() -> None:
    cycle = DailyCycle(peak_to_trough=4.0)
    hourly = [cycle.factor(h * 3_600 + 1_800) for h in range(24)]
    assert max(hourly) == pytest.approx(1.0)
    assert min(hourly) == pytest.approx(0.25)
    assert hourly.index(max(hourly)) in (20, 21)
    assert hourly.index(min(hourly)) in (3, 4)
    assert DailyCycle(start_hour=20.0).factor(0) == pytest.approx(1.0)


def test_a_generated_day_has_a_peak_about_four_times_its_trough() -> None:
    spec = ArrivalSpec(peak_rate=1.0, duration_s=86_400.0)
    times = arrival_times(spec, random.Random(7))
    assert times == sorted(times)
    assert times[0] >= 0
    assert times[-1] < spec.duration_s
    per_hour = Counter(int(t // 3_600) for t in times)
    peak = (per_hour[20] + per_hour[21]) / 2
    trough = (per_hour[3] + per_hour[4]) / 2
    assert peak / trough == pytest.approx(4.0, rel=0.15)
    minutes = int(spec.duration_s // 60)
    mean_factor = sum(spec.cycle.factor(60 * m + 30) for m in range(minutes)) / minutes
    expected = spec.peak_rate * mean_factor * spec.duration_s
    assert len(times) == pytest.approx(expected, rel=0.1)


def test_arrivals_come_in_bursts() -> None:
    spec = ArrivalSpec(peak_rate=0.5, duration_s=3_600.0, cycle=DailyCycle(start_hour=20.0))
    times = arrival_times(spec, random.Random(5))
    per_window = Counter(int(t // 10) for t in times)
    mean = len(times) / (spec.duration_s / 10)
    assert max(per_window.values()) >= 3 * mean
