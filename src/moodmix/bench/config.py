"""What a benchmark run does: profiles, scenarios, load, length, clock and time scale.

::

    config = BenchConfig(profiles=("legacy", "adaptive"), scenarios=scenarios("matched"))
    config.quick()                       # the same, cut to a smoke run
    config.workload().duration_s         # real-world seconds of arrivals in the trace
    config.virtual()                     # the same trace on virtual time (scale 1)

Scenarios name the upstream's limit relative to the seed's 80/min: ``below`` (40/min),
``matched`` (80/min) and ``above`` (160/min), in real-world units.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from moodmix.bench.workload import WorkloadSpec
from moodmix.settings import Profile

PROFILES: tuple[Profile, ...] = ("legacy", "seed", "adaptive")

ClockMode = Literal["virtual", "real"]
CLOCKS: tuple[ClockMode, ...] = ("virtual", "real")


@dataclass(frozen=True)
class Scenario:
    name: str
    rate_per_min: float
    """The simulator's limit in real-world requests per minute."""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("below", 40.0),
    Scenario("matched", 80.0),
    Scenario("above", 160.0),
)

DEFAULT_USERS = 450
DEFAULT_DURATION_S = 50.0
QUICK_DURATION_S = 2.0
QUICK_GRACE_S = 1.0
DEFAULT_TIME_SCALE = 20.0
DEFAULT_BURST = 10
SIMULATOR_LATENCY_MS = 15.0
CATALOG_TRACKS = 20_000


def scenarios(name: str, upstream_rate: float | None = None) -> tuple[Scenario, ...]:
    """The scenarios ``name`` (one of them or ``all``) selects, with the limit overridden by
    ``upstream_rate`` (real-world requests per minute) when given."""
    chosen = SCENARIOS if name == "all" else tuple(s for s in SCENARIOS if s.name == name)
    if not chosen:
        known = ", ".join(s.name for s in SCENARIOS)
        raise ValueError(f"unknown scenario {name!r}; choose one of {known} or all")
    if upstream_rate is not None:
        chosen = tuple(replace(s, rate_per_min=upstream_rate) for s in chosen)
    return chosen


@dataclass(frozen=True)
class BenchConfig:
    profiles: tuple[Profile, ...] = PROFILES
    scenarios: tuple[Scenario, ...] = SCENARIOS
    upstream_burst: int = DEFAULT_BURST
    users: int = DEFAULT_USERS
    duration_s: float = DEFAULT_DURATION_S
    """Wall seconds of arrivals per scenario."""
    time_scale: float = DEFAULT_TIME_SCALE
    seed: int = 0
    grace_s: float | None = None
    """Wall seconds allowed after the last arrival for sessions in flight [default: 20% of the
    duration, from 2 to 10 s; on virtual time, from 40 to 200 simulated s]."""
    clock: ClockMode = "real"
    """``real``: simulator processes over HTTP, time compressed by ``time_scale``. ``virtual``:
    everything on one loop whose clock jumps (``bench.virtual``); durations are simulated
    seconds and ``time_scale`` is 1."""
    catalog_tracks: int = CATALOG_TRACKS
    simulator_latency_ms: float = SIMULATOR_LATENCY_MS
    l1_probe_s: float = 1.0
    """Wall seconds spent measuring L1 hits through the gateway, per measurement."""

    def __post_init__(self) -> None:
        if not self.profiles:
            raise ValueError("at least one profile is needed")
        if len(set(self.profiles)) != len(self.profiles):
            raise ValueError(f"a profile is named twice in {', '.join(self.profiles)}")
        if self.upstream_burst < 1:
            raise ValueError(f"the upstream burst must be at least 1, got {self.upstream_burst}")
        if self.users < 1:
            raise ValueError(f"users must be at least 1, got {self.users}")
        if not self.duration_s > 0:
            raise ValueError(f"the duration must be more than 0 s, got {self.duration_s:g}")
        if not self.time_scale > 0:
            raise ValueError(f"the time scale must be more than 0, got {self.time_scale:g}")
        for scenario in self.scenarios:
            if not scenario.rate_per_min > 0:
                raise ValueError(
                    f"the upstream rate must be more than 0/min, got {scenario.rate_per_min:g}"
                )

    @property
    def grace(self) -> float:
        if self.grace_s is not None:
            return self.grace_s
        unit = DEFAULT_TIME_SCALE if self.clock == "virtual" else 1.0
        return unit * min(10.0, max(2.0, 0.2 * self.duration_s / unit))

    @property
    def progress_interval_s(self) -> float:
        """Loop seconds between progress reports: about ten a scenario on virtual time."""
        if self.clock == "virtual":
            return self.duration_s / 10
        return max(1.0, min(5.0, self.duration_s / 10))

    def virtual(self) -> BenchConfig:
        """The same trace on virtual time: wall durations become simulated seconds (times
        ``time_scale``) and the scale becomes 1, so settings and limits are the real ones."""
        if self.clock == "virtual":
            return self
        k = self.time_scale
        return replace(
            self,
            clock="virtual",
            time_scale=1.0,
            duration_s=self.duration_s * k,
            grace_s=None if self.grace_s is None else self.grace_s * k,
        )

    def quick(self) -> BenchConfig:
        """A smoke run: a few seconds per scenario (a few simulated minutes on virtual time)."""
        unit = DEFAULT_TIME_SCALE if self.clock == "virtual" else 1.0
        return replace(
            self,
            duration_s=QUICK_DURATION_S * unit,
            grace_s=QUICK_GRACE_S * unit,
            l1_probe_s=0.25,
        )

    def workload(self) -> WorkloadSpec:
        return WorkloadSpec(
            users=self.users, duration_s=self.duration_s * self.time_scale, seed=self.seed
        )
