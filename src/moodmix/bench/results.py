"""What one profile did in one scenario, with the derived figures the issue asks for.

::

    result = ProfileResult(profile="adaptive", scenario="matched", ...)
    result.rate_429, result.quota_utilisation, result.bound_ratio
    result.as_json()            # one object of the JSON's ``results`` list
    percentiles([3.0, 1.0, 2.0])  # Latency(p50=2.0, p95=3.0, p99=3.0, max=3.0)

Upstream requests and 429s are the simulator's counts (ground truth); cache, dedup and batching
figures are the gateway's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Latency:
    p50: float
    p95: float
    p99: float
    max: float


def percentiles(values_ms: Sequence[float]) -> Latency:
    """Nearest-rank percentiles; all zero for no values."""
    if not values_ms:
        return Latency(0.0, 0.0, 0.0, 0.0)
    ordered = sorted(values_ms)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return Latency(rank(50), rank(95), rank(99), ordered[-1])


@dataclass(frozen=True)
class ProfileResult:
    profile: str
    scenario: str
    upstream_rate_per_min: float
    """The simulator's limit in real-world requests per minute."""
    upstream_burst: int
    time_scale: float
    arrivals_s: float
    """Wall seconds during which sessions arrived."""
    run_s: float
    """Wall seconds from the first arrival to the last finished session (or the grace's end)."""
    sessions: int
    sessions_unfinished: int
    sessions_behind: int
    """Unfinished sessions whose think time alone would have let them finish: waiting for data."""
    operations: int
    logical_lookups: int
    upstream_requests: int
    upstream_429: int
    retries: int
    cache_hit_rate: float
    cache_hit_rate_warm: float
    dedup_joins: int
    coalesced_items: int
    batches: int
    batched_items: int
    registry_efficiency: float
    learned_rate_per_min: float
    """The profile's limiter rate at the end, in real-world requests per minute."""
    requests_wanted: int
    """Requests the gateway sent or still had queued at the end (retries included)."""
    mean_token_wait_ms: float
    lower_bound_requests: int
    """The bound for the whole trace."""
    lower_bound_issued: int
    """The bound for the steps this profile got to (less than the trace's if it fell behind)."""
    latency_ms: Latency
    l1_entries: int
    l1_max_entries: int
    errors: dict[str, int] = field(default_factory=dict)
    upstream_by_endpoint: dict[str, dict[str, int]] = field(default_factory=dict)
    """The simulator's counts by endpoint and status."""
    trace_mismatches: int = 0
    cache_hit_rate_cold: float = 0.0
    """Cache hit rate in the cold phase: before the lane was marked warm (the trace's first
    hour, or its first third)."""

    @property
    def upstream_accepted(self) -> int:
        return self.upstream_requests - self.upstream_429

    @property
    def rate_429(self) -> float:
        return self.upstream_429 / self.upstream_requests if self.upstream_requests else 0.0

    def _allowed(self, seconds: float) -> float:
        return self.upstream_rate_per_min * self.time_scale / 60 * seconds + self.upstream_burst

    @property
    def allowed_requests(self) -> float:
        """What the simulator's limit allowed over the run: rate x run seconds + burst."""
        return self._allowed(self.run_s)

    @property
    def allowed_during_arrivals(self) -> float:
        """What the limit allowed while sessions arrived: rate x arrival seconds + burst."""
        return self._allowed(self.arrivals_s)

    @property
    def quota_utilisation(self) -> float:
        return self.upstream_accepted / self.allowed_requests if self.allowed_requests else 0.0

    @property
    def demand_estimate(self) -> float:
        """Requests this profile needed for the whole trace: what it sent or had queued, or the
        trace's bound at the profile's own requests-per-bound ratio, whichever is more."""
        at_own_ratio = self.lower_bound_requests * max(1.0, self.bound_ratio)
        return max(float(self.requests_wanted), at_own_ratio)

    @property
    def demand_exceeded_limit(self) -> bool:
        """This profile's estimated demand (never less than the trace's bound) exceeded what
        the limit allowed while the sessions arrived."""
        return self.demand_estimate > self.allowed_during_arrivals

    @property
    def bound_ratio(self) -> float:
        """Upstream requests / the bound of the steps issued."""
        return self.upstream_requests / self.lower_bound_issued if self.lower_bound_issued else 0.0

    @property
    def requests_per_1k_lookups(self) -> float:
        return (
            1_000 * self.upstream_requests / self.logical_lookups if self.logical_lookups else 0.0
        )

    @property
    def saved_by_batching(self) -> int:
        """Requests saved by packing items into batch calls: batched items - batch calls."""
        return max(0, self.batched_items - self.batches)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            upstream_accepted=self.upstream_accepted,
            rate_429=round(self.rate_429, 6),
            quota_utilisation=round(self.quota_utilisation, 4),
            demand_exceeded_limit=self.demand_exceeded_limit,
            demand_estimate=round(self.demand_estimate, 1),
            bound_ratio=round(self.bound_ratio, 4),
            requests_per_1k_lookups=round(self.requests_per_1k_lookups, 3),
            saved_by_batching=self.saved_by_batching,
            cache_hit_rate=round(self.cache_hit_rate, 4),
            cache_hit_rate_warm=round(self.cache_hit_rate_warm, 4),
            cache_hit_rate_cold=round(self.cache_hit_rate_cold, 4),
            latency_ms={k: round(v, 2) for k, v in asdict(self.latency_ms).items()},
            run_s=round(self.run_s, 3),
            learned_rate_per_min=round(self.learned_rate_per_min, 2),
            mean_token_wait_ms=round(self.mean_token_wait_ms, 2),
            registry_efficiency=round(self.registry_efficiency, 4),
        )
        return data
