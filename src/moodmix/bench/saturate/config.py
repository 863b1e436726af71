"""What a saturate run does: the cells (limit x burst), the profiles, the demand and the clock.

::

    config = SaturateConfig(rates=(80.0, 300.0), bursts=(1, 4), profiles=("adaptive",))
    config.cells()                         # (Cell(80, 1), Cell(80, 4), Cell(300, 1), Cell(300, 4))
    parse_schedule("0:80/min,600:40/min")  # (RateStep(0.0, 80.0), RateStep(600.0, 40.0))
    cell.limit_at(700.0)                   # the limit in force 700 real-world s into the run

Every time and rate here is in real-world units (seconds, requests per minute), whatever the
clock; on the real clock the cell's runner divides them by the time scale. A rate schedule
replaces a cell's limit from each change on (its first change is usually at 0 s); the limit
before the first change is the cell's ``--upstream-rate``. The schedule is the simulator's own
(``SimulatorConfig.rate_schedule``, ``RateStep``), parsed by its parser.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import Literal

from moodmix.bench.profiles import BenchProfile
from moodmix.simulator.config import (
    RateStep,
    format_rate_schedule,
    parse_rate,
    parse_rate_schedule,
    rate_in_force,
)

ClockMode = Literal["virtual", "real"]

DEFAULT_HOURS = 1.0
DEFAULT_DEMAND_FACTOR = 2.0
DEFAULT_DEADLINE_S = 60.0
"""Real-world seconds a caller waits for its track before it gives up."""
DEFAULT_BURST = 10
DEFAULT_TIME_SCALE = 20.0
QUICK_HOURS = 5 / 60
"""A smoke run: five real-world minutes."""
PROFILES: tuple[BenchProfile, ...] = ("adaptive", "peer-botocore", "peer-aiolimiter")


def parse_list(text: str, what: str) -> tuple[str, ...]:
    """``"20, 55,80"`` -> ``("20", "55", "80")``; ``ValueError`` if it names nothing."""
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    if not parts:
        raise ValueError(f"{what} names nothing; give one value or a comma-separated list")
    return parts


def parse_rates(text: str) -> tuple[float, ...]:
    """``"20,55/min,2/s"`` -> ``(20.0, 55.0, 120.0)`` requests per minute (a bare number is
    per minute); ``ValueError`` naming the bad one, or one that is not more than 0."""
    rates = []
    for part in parse_list(text, "the upstream rate"):
        try:
            value = float(part)
        except ValueError:
            value = parse_rate(part)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"the upstream rate must be more than 0/min, got {part}")
        rates.append(value)
    return tuple(dict.fromkeys(rates))


def parse_bursts(text: str) -> tuple[int, ...]:
    """``"1,4,10"`` -> ``(1, 4, 10)``; ``ValueError`` unless each is a whole number >= 1."""
    bursts = []
    for part in parse_list(text, "the upstream burst"):
        try:
            value = int(part)
        except ValueError:
            raise ValueError(f"the upstream burst must be a whole number, got {part}") from None
        if value < 1:
            raise ValueError(f"the upstream burst must be at least 1, got {part}")
        bursts.append(value)
    return tuple(dict.fromkeys(bursts))


def parse_schedule(text: str) -> tuple[RateStep, ...]:
    """``"0:80/min,600:40/min"`` -> the simulator's ``RateStep``s, in order
    (``parse_rate_schedule``); ``ValueError`` if it names no step or a step is bad."""
    steps = parse_rate_schedule(text)
    if not steps:
        raise ValueError("the rate schedule names no step; e.g. '0:80/min,600:40/min'")
    return steps


def format_schedule(steps: tuple[RateStep, ...]) -> str:
    return format_rate_schedule(steps)


@dataclass(frozen=True, slots=True)
class Cell:
    """One hidden limit: the upstream's rate (before any schedule) and burst."""

    rate_per_min: float
    burst: int
    schedule: tuple[RateStep, ...] = ()

    def limit_at(self, t_s: float) -> float:
        """Requests per minute the upstream allows ``t_s`` real-world seconds into the run."""
        return rate_in_force(self.rate_per_min, self.schedule, t_s)

    def changes(self) -> tuple[RateStep, ...]:
        """The schedule's changes that move the limit (0 s included only if it does)."""
        moved: list[RateStep] = []
        rate = self.rate_per_min
        for change in self.schedule:
            if change.rate_per_min != rate:
                moved.append(change)
            rate = change.rate_per_min
        return tuple(moved)

    def allowed(self, start_s: float, end_s: float) -> float:
        """Requests the upstream allowed from ``start_s`` to ``end_s``: the burst, plus the
        rate integrated over the schedule."""
        total = float(self.burst)
        edges = [start_s, *(c.at_s for c in self.schedule if start_s < c.at_s < end_s), end_s]
        for a, b in itertools.pairwise(edges):
            total += self.limit_at(a) / 60 * (b - a)
        return total

    @property
    def label(self) -> str:
        base = f"{self.rate_per_min:g}/min burst {self.burst}"
        return base + (f" schedule {format_schedule(self.schedule)}" if self.schedule else "")


@dataclass(frozen=True)
class SaturateConfig:
    """A saturate run; see the module docstring. Validated on construction."""

    rates: tuple[float, ...] = (80.0,)
    bursts: tuple[int, ...] = (DEFAULT_BURST,)
    profiles: tuple[BenchProfile, ...] = PROFILES
    hours: float = DEFAULT_HOURS
    demand_factor: float = DEFAULT_DEMAND_FACTOR
    """Callers arrive at this many times the limit in force."""
    deadline_s: float = DEFAULT_DEADLINE_S
    restart_after_s: float | None = None
    """Close the gateway this many real-world seconds in and open a new one on the same L2."""
    schedule: tuple[RateStep, ...] = ()
    instances: int = 1
    clock: ClockMode = "virtual"
    time_scale: float = DEFAULT_TIME_SCALE
    """Real clock only: real-world seconds per wall second."""
    seed: int = 0
    latency_ms: float = 15.0
    """The simulator's median latency, as in the lookups workload."""

    def __post_init__(self) -> None:
        if not self.rates:
            raise ValueError("give at least one --upstream-rate")
        if not self.bursts:
            raise ValueError("give at least one --upstream-burst")
        for rate in self.rates:
            if not (math.isfinite(rate) and rate > 0):
                raise ValueError(f"the upstream rate must be more than 0/min, got {rate:g}")
        for burst in self.bursts:
            if burst < 1:
                raise ValueError(f"the upstream burst must be at least 1, got {burst}")
        if not self.profiles:
            raise ValueError("at least one profile is needed")
        if not (math.isfinite(self.hours) and self.hours > 0):
            raise ValueError(f"--hours must be more than 0, got {self.hours:g}")
        if not (math.isfinite(self.demand_factor) and self.demand_factor > 0):
            raise ValueError(f"--demand-factor must be more than 0, got {self.demand_factor:g}")
        if not self.deadline_s > 0:
            raise ValueError(f"the callers' deadline must be more than 0 s, got {self.deadline_s}")
        if self.restart_after_s is not None and not (0 < self.restart_after_s < self.hours * 3_600):
            raise ValueError(
                f"--restart-after must be within the run (0 to {self.hours * 3_600:g} s), "
                f"got {self.restart_after_s:g}"
            )
        if self.instances < 1:
            raise ValueError(f"--instances must be at least 1, got {self.instances}")
        if not self.time_scale > 0:
            raise ValueError(f"--time-scale must be more than 0, got {self.time_scale:g}")

    @property
    def duration_s(self) -> float:
        """Real-world seconds of arrivals per cell."""
        return self.hours * 3_600

    def cells(self) -> tuple[Cell, ...]:
        """Every limit x burst, limits outermost."""
        return tuple(Cell(r, b, self.schedule) for r in self.rates for b in self.bursts)

    def quick(self) -> SaturateConfig:
        return replace(self, hours=QUICK_HOURS)
