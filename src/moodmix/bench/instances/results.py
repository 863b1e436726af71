"""What the several-instances run found: a result per phase, and the run around them.

    phase = run.phases[1]                  # PhaseResult: N instances sharing one Redis
    phase.upstream_requests, phase.rate_429, phase.as_json()
    run.phases[2].outage                   # Outage: when Redis was killed and restarted

A phase is one instance alone, N sharing one Redis, or N with that Redis killed mid-run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from moodmix.bench.config import BenchConfig
from moodmix.bench.results import Latency
from moodmix.settings import Profile


@dataclass(frozen=True)
class Outage:
    """What the upstream saw while Redis was down (from the kill to the restart)."""

    killed_at_s: float
    restarted_at_s: float
    upstream_requests: int
    upstream_429: int

    @property
    def rate_429(self) -> float:
        return self.upstream_429 / self.upstream_requests if self.upstream_requests else 0.0

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "rate_429": round(self.rate_429, 6)}


@dataclass(frozen=True)
class PhaseResult:
    """One scenario run with ``instances`` processes (1: alone, no Redis)."""

    scenario: str
    profile: str
    instances: int
    shared: bool
    upstream_rate_per_min: float
    upstream_burst: int
    time_scale: float
    arrivals_s: float
    run_s: float
    sessions: int
    sessions_unfinished: int
    operations: int
    logical_lookups: int
    failed_requests: int
    errors: dict[str, int]
    upstream_requests: int
    upstream_429: int
    cache_hit_rate: float
    cache_hit_rate_warm: float
    dedup_joins: int
    shared_joins: int
    registry_efficiency: float
    learned_rate_per_min: list[float]
    latency_ms: Latency
    trace_mismatches: int
    shared_outages_seen: int = 0
    late_start_s: float = 0.0
    """How late the slowest instance was ready for the common start (0: all in time)."""
    loop_lag_p99_ms: float = 0.0
    """The busiest instance's event-loop lag (99th percentile, ms)."""
    rate_probes: int = 0
    """Rates the adaptive controller tried above its floor (shared: the highest count any
    instance reported; the instances' controllers share their state, count included)."""
    batches: int = 0
    """Batch calls (of ids) the instances made, all together."""
    batched_ids: int = 0
    """Ids those batch calls carried."""
    handovers: int = 0
    """Of those, ids a call carried for another instance (cross-process batch packing)."""
    outage: Outage | None = None
    upstream_by_endpoint: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def upstream_accepted(self) -> int:
        return self.upstream_requests - self.upstream_429

    @property
    def rate_429(self) -> float:
        return self.upstream_429 / self.upstream_requests if self.upstream_requests else 0.0

    @property
    def ids_per_batch(self) -> float:
        """How well batch calls were packed: ids per call (at most 40)."""
        return self.batched_ids / self.batches if self.batches else 0.0

    @property
    def accepted_per_min(self) -> float:
        """Accepted upstream requests per real-world minute over the run."""
        real_minutes = self.run_s * self.time_scale / 60
        return self.upstream_accepted / real_minutes if real_minutes > 0 else 0.0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            upstream_accepted=self.upstream_accepted,
            rate_429=round(self.rate_429, 6),
            ids_per_batch=round(self.ids_per_batch, 2),
            accepted_per_min=round(self.accepted_per_min, 2),
            cache_hit_rate=round(self.cache_hit_rate, 4),
            cache_hit_rate_warm=round(self.cache_hit_rate_warm, 4),
            registry_efficiency=round(self.registry_efficiency, 4),
            learned_rate_per_min=[round(r, 2) for r in self.learned_rate_per_min],
            latency_ms={k: round(v, 2) for k, v in asdict(self.latency_ms).items()},
            run_s=round(self.run_s, 3),
            outage=self.outage.as_json() if self.outage else None,
        )
        return data


@dataclass(frozen=True)
class InstancesRun:
    config: BenchConfig
    profile: Profile
    instances: int
    redis_outage: bool
    phases: tuple[PhaseResult, ...]
    machine: dict[str, Any] = field(default_factory=dict)
    wall_s: float = 0.0
