"""What a benchmark run does: profiles, scenarios, load, length, clock and time scale.

::

    config = BenchConfig(profiles=("legacy", "adaptive"), scenarios=scenarios("matched"))
    config.quick()                       # the same, cut to a smoke run
    config.workload().duration_s         # real-world seconds of arrivals: hours x 3600
    config.duration_s                    # loop seconds of arrivals: that / time scale
    config.virtual()                     # the same trace on virtual time (scale 1)

The trace's length is ``hours`` of real-world time whatever the clock; on the real clock the
time scale says how fast it is replayed, on virtual time it is 1 and every second simulated.

Scenarios name the upstream's limit relative to the seed's 80/min: ``below`` (40/min),
``matched`` (80/min) and ``above`` (160/min), in real-world units.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from moodmix.bench.profiles import DEFAULT_PROFILES, BenchProfile
from moodmix.bench.workload import WorkloadSpec

PROFILES: tuple[BenchProfile, ...] = DEFAULT_PROFILES

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

DEFAULT_USERS = 20
"""Sessions in flight at the evening peak, as the earlier backend served."""
DEFAULT_HOURS = 24.0
DEFAULT_ZIPF = 1.05
QUICK_HOURS = 0.02
"""72 real-world seconds: 3.6 wall seconds at x20."""
QUICK_START_HOUR = 20.0
"""A smoke run starts at the evening peak, where the load is."""
QUICK_GRACE_S = 1.0
VIRTUAL_GRACE_S = 1_800.0
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
    """Sessions in flight at the evening peak."""
    hours: float = DEFAULT_HOURS
    """Real-world hours of arrivals per scenario."""
    zipf: float = DEFAULT_ZIPF
    """Exponent of the Zipf popularity of seed tracks and lone lookups."""
    start_hour: float = 0.0
    """The hour of the day the trace starts at."""
    time_scale: float = DEFAULT_TIME_SCALE
    seed: int = 0
    grace_s: float | None = None
    """Loop seconds allowed after the last arrival for sessions in flight [default: 20% of the
    duration, from 2 to 10 s; on virtual time 30 simulated minutes, where waiting is free, so
    a session left unfinished was waiting for data, not thinking]."""
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
        if not self.hours > 0:
            raise ValueError(f"the trace must last more than 0 hours, got {self.hours:g}")
        if self.zipf < 0:
            raise ValueError(f"the Zipf exponent must be at least 0, got {self.zipf:g}")
        if not 0 <= self.start_hour < 24:
            raise ValueError(f"the start hour must be within 0-24, got {self.start_hour:g}")
        if not self.time_scale > 0:
            raise ValueError(f"the time scale must be more than 0, got {self.time_scale:g}")
        for scenario in self.scenarios:
            if not scenario.rate_per_min > 0:
                raise ValueError(
                    f"the upstream rate must be more than 0/min, got {scenario.rate_per_min:g}"
                )

    @property
    def duration_s(self) -> float:
        """Loop seconds of arrivals per scenario: hours / time scale (simulated on virtual
        time, where the scale is 1)."""
        return self.hours * 3_600 / self.time_scale

    @property
    def warm_after_s(self) -> float:
        """Wall seconds of the cold phase: the trace's first hour (a third of a shorter one)."""
        return self.workload().cold_s / self.time_scale

    def with_wall_duration(self, seconds: float) -> BenchConfig:
        """The same, with ``seconds`` of arrivals at the real clock (hours x 3600 / scale)."""
        if not seconds > 0:
            raise ValueError(f"the duration must be more than 0 s, got {seconds:g}")
        return replace(self, hours=seconds * self.time_scale / 3_600)

    @property
    def grace(self) -> float:
        if self.grace_s is not None:
            return self.grace_s
        if self.clock == "virtual":
            return VIRTUAL_GRACE_S
        return min(10.0, max(2.0, 0.2 * self.duration_s))

    @property
    def progress_interval_s(self) -> float:
        """Loop seconds between progress reports: about ten a scenario on virtual time."""
        if self.clock == "virtual":
            return self.duration_s / 10
        return max(1.0, min(5.0, self.duration_s / 10))

    def virtual(self) -> BenchConfig:
        """The same trace on virtual time: the scale becomes 1, so settings and limits are
        the real ones, and a grace given in wall seconds becomes simulated seconds."""
        if self.clock == "virtual":
            return self
        k = self.time_scale
        return replace(
            self,
            clock="virtual",
            time_scale=1.0,
            grace_s=None if self.grace_s is None else self.grace_s * k,
        )

    def quick(self) -> BenchConfig:
        """A smoke run: a few seconds per scenario at the evening peak (the same trace on
        virtual time)."""
        return replace(
            self,
            hours=QUICK_HOURS,
            start_hour=QUICK_START_HOUR,
            grace_s=None if self.clock == "virtual" else QUICK_GRACE_S,
            l1_probe_s=0.25,
        )

    def workload(self) -> WorkloadSpec:
        return WorkloadSpec(
            users=self.users,
            hours=self.hours,
            seed=self.seed,
            zipf=self.zipf,
            start_hour=self.start_hour,
        )
