"""When sessions start: a daily cycle of arrivals (quiet night, evening peak) with bursts.

::

    cycle = DailyCycle(peak_to_trough=4.0, start_hour=0.0)
    cycle.factor(21 * 3600)                  # 1.0: the evening peak
    cycle.factor(4 * 3600)                   # 0.25: the night trough
    times = arrival_times(ArrivalSpec(peak_rate=0.8, duration_s=86_400), random.Random(0))

Arrivals are a Poisson process of small groups plus a few big bursts (a link shared, a show on
air), both following the cycle: the rate at time ``t`` is ``peak_rate * cycle.factor(t)``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SHAPE: tuple[float, ...] = (
    0.40, 0.22, 0.10, 0.00, 0.00, 0.00, 0.10, 0.25, 0.35, 0.40, 0.45, 0.50,
    0.55, 0.55, 0.50, 0.50, 0.55, 0.65, 0.75, 0.88, 1.00, 1.00, 1.00, 0.70,
)  # fmt: skip
"""Activity at each hour of the day (0:00 to 23:00) from the trough (0) to the peak (1),
linear in between: flat at night from 3:00 to 5:00, flat at the peak from 20:00 to 22:00."""


@dataclass(frozen=True)
class DailyCycle:
    """The arrival rate through the day, as a share of the peak rate."""

    peak_to_trough: float = 4.0
    start_hour: float = 0.0
    """The hour of the day at trace time 0."""

    def __post_init__(self) -> None:
        if not self.peak_to_trough >= 1:
            raise ValueError(f"peak_to_trough must be at least 1, got {self.peak_to_trough:g}")
        if not 0 <= self.start_hour < 24:
            raise ValueError(f"start_hour must be within 0-24, got {self.start_hour:g}")

    def hour_of_day(self, t: float) -> float:
        return (self.start_hour + t / 3_600) % 24

    def factor(self, t: float) -> float:
        """Rate at trace time ``t`` over the peak rate: 1 at the peak, 1/peak_to_trough at night."""
        hour = self.hour_of_day(t)
        low = int(hour)
        shape = SHAPE[low] + (SHAPE[(low + 1) % 24] - SHAPE[low]) * (hour - low)
        trough = 1 / self.peak_to_trough
        return trough + (1 - trough) * shape


@dataclass(frozen=True)
class ArrivalSpec:
    peak_rate: float
    """Sessions per real-world second at the evening peak."""
    duration_s: float
    cycle: DailyCycle = DailyCycle()
    burst_share: float = 0.2
    """Share of sessions that arrive in big bursts."""
    burst_size: int = 20
    burst_spread_s: float = 10.0
    group_size: float = 2.0
    """Mean size of the small groups the other sessions arrive in."""
    group_spread_s: float = 2.0


def arrival_times(spec: ArrivalSpec, rng: random.Random) -> list[float]:
    """Session start times in ``[0, duration_s)``, sorted: groups and bursts, both thinned to
    the daily cycle (a candidate at ``t`` is kept with probability ``cycle.factor(t)``)."""
    times: list[float] = []
    group_rate = spec.peak_rate * (1 - spec.burst_share) / spec.group_size
    for at in _thinned(spec, group_rate, rng):
        size = 1 + _geometric(rng, spec.group_size - 1)
        times += [at + rng.uniform(0, spec.group_spread_s) for _ in range(size)]
    burst_rate = spec.peak_rate * spec.burst_share / spec.burst_size
    for at in _thinned(spec, burst_rate, rng):
        size = max(1, round(rng.gauss(spec.burst_size, spec.burst_size / 4)))
        times += [at + rng.uniform(0, spec.burst_spread_s) for _ in range(size)]
    return sorted(t for t in times if t < spec.duration_s)


def _thinned(spec: ArrivalSpec, peak_rate: float, rng: random.Random) -> list[float]:
    """A Poisson process of ``peak_rate * cycle.factor(t)`` events per second."""
    if not peak_rate > 0:
        return []
    events: list[float] = []
    at = rng.expovariate(peak_rate)
    while at < spec.duration_s:
        if rng.random() < spec.cycle.factor(at):
            events.append(at)
        at += rng.expovariate(peak_rate)
    return events


def _geometric(rng: random.Random, mean: float) -> int:
    """A count >= 0 with the given mean."""
    if mean <= 0:
        return 0
    p = 1 / (1 + mean)
    return int(math.log(1 - rng.random()) / math.log(1 - p))
