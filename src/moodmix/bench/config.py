"""What a benchmark run does: profiles, scenarios, load, length and time scale.

::

    config = BenchConfig(profiles=("legacy", "adaptive"), scenarios=scenarios("matched"))
    config.quick()                       # the same, cut to a smoke run
    config.workload().duration_s         # real-world seconds of arrivals in the trace

Scenarios name the upstream's limit relative to the seed's 80/min: ``below`` (40/min),
``matched`` (80/min) and ``above`` (160/min), in real-world units.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from moodmix.bench.profiles import DEFAULT_PROFILES, BenchProfile
from moodmix.bench.workload import WorkloadSpec

PROFILES: tuple[BenchProfile, ...] = DEFAULT_PROFILES


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
    profiles: tuple[BenchProfile, ...] = PROFILES
    scenarios: tuple[Scenario, ...] = SCENARIOS
    upstream_burst: int = DEFAULT_BURST
    users: int = DEFAULT_USERS
    duration_s: float = DEFAULT_DURATION_S
    """Wall seconds of arrivals per scenario."""
    time_scale: float = DEFAULT_TIME_SCALE
    seed: int = 0
    grace_s: float | None = None
    """Wall seconds allowed after the last arrival for sessions in flight [default: 20% of the
    duration, from 2 to 10 s]."""
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
        return min(10.0, max(2.0, 0.2 * self.duration_s))

    def quick(self) -> BenchConfig:
        """A smoke run: a few seconds per scenario."""
        return replace(self, duration_s=QUICK_DURATION_S, grace_s=QUICK_GRACE_S, l1_probe_s=0.25)

    def workload(self) -> WorkloadSpec:
        return WorkloadSpec(
            users=self.users, duration_s=self.duration_s * self.time_scale, seed=self.seed
        )
