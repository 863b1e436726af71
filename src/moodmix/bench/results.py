"""What one profile did in one scenario, with the derived figures the issue asks for.

::

    result = ProfileResult(profile="adaptive", scenario="matched", ...)
    result.rate_429, result.quota_utilisation, result.bound_ratio
    result.as_json()            # one object of the JSON's ``results`` list
    percentiles([3.0, 1.0, 2.0])  # Latency(p50=2.0, p95=3.0, p99=3.0, max=3.0)
    summarise([3.0, 1.0, 2.0])    # Response(mean=2.0, p50=2.0, ..., count=3)

Upstream requests and 429s are the simulator's counts (ground truth); cache, dedup and batching
figures are the gateway's. Requests the upstream refused (429) are counted apart from those it
accepted, and only accepted ones are measured against the lower bound. The bound is that of
the steps completed, under the profile's own TTLs; with any session unfinished it is not
valid, and neither is the ratio (``None``): no ratio target can be met on an unfinished trace.
Response times count every call, those cancelled at the deadline too (as timeouts, with the
time they had waited), in the trace's real-world milliseconds.
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


@dataclass(frozen=True)
class Response:
    """Response times of a set of calls, in milliseconds: every call counted."""

    mean: float
    p50: float
    p95: float
    p99: float
    max: float
    count: int


def summarise(values_ms: Sequence[float]) -> Response:
    """Mean and nearest-rank percentiles of ``values_ms``; all zero for none."""
    if not values_ms:
        return Response(0.0, 0.0, 0.0, 0.0, 0.0, 0)
    ranks = percentiles(values_ms)
    mean = sum(values_ms) / len(values_ms)
    return Response(mean, ranks.p50, ranks.p95, ranks.p99, ranks.max, len(values_ms))


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
    learned_rate_per_min: float | None
    """The gateway limiter's rate at the end; ``None`` when a gate, not it, sets the pace."""
    """The profile's limiter rate at the end, in real-world requests per minute."""
    requests_wanted: int
    """Requests the gateway sent or still had queued at the end (retries included)."""
    mean_token_wait_ms: float
    lower_bound_requests: int
    """The bound for the whole trace."""
    lower_bound_issued: int
    """The bound for the steps this profile got to (less than the trace's if it fell behind)."""
    latency_ms: Latency
    """Wall-clock percentiles of every call, timeouts included (``response_ms["all"]``'s)."""
    l1_entries: int
    l1_max_entries: int
    errors: dict[str, int] = field(default_factory=dict)
    upstream_by_endpoint: dict[str, dict[str, int]] = field(default_factory=dict)
    """The simulator's counts by endpoint and status."""
    trace_mismatches: int = 0
    lower_bound_completed: int = 0
    """The bound for the steps this profile completed, under its own TTLs."""
    response_ms: dict[str, Response] = field(default_factory=dict)
    """``all``, ``hit`` (no cache miss on the way) and ``miss`` calls, timeouts in ``all``
    and ``miss``."""
    timeouts: int = 0
    """Calls still waiting at the deadline, cancelled: counted with the time they waited."""
    session_wait_ms: Response | None = None
    """Per session, the time it waited for data (its time less its own think time), sessions
    cut off at the deadline counted with what they had waited."""
    prefetched_items: int = 0
    """Items fetched ahead of demand (each costs upstream requests like any miss)."""
    refreshed_items: int = 0
    """Hot items fetched again before they expired."""
    cache_hit_rate_cold: float = 0.0
    """Cache hit rate in the cold phase: before the lane was marked warm (the trace's first
    hour, or its first third)."""

    @property
    def upstream_accepted(self) -> int:
        return self.upstream_requests - self.upstream_429

    @property
    def upstream_rejected(self) -> int:
        """Requests the upstream refused (429): they did no work."""
        return self.upstream_429

    @property
    def bound_valid(self) -> bool:
        """Whether the trace was finished, so the bound and the ratio to it mean something."""
        return self.sessions_unfinished == 0 and self.lower_bound_completed > 0

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
        at_own_ratio = self.lower_bound_requests * max(1.0, self.bound_ratio or 1.0)
        return max(float(self.requests_wanted), at_own_ratio)

    @property
    def demand_exceeded_limit(self) -> bool:
        """This profile's estimated demand (never less than the trace's bound) exceeded what
        the limit allowed while the sessions arrived."""
        return self.demand_estimate > self.allowed_during_arrivals

    @property
    def bound_ratio(self) -> float | None:
        """Accepted upstream requests / the bound of the steps completed; ``None`` unless the
        trace was finished (``bound_valid``)."""
        if not self.bound_valid:
            return None
        return self.upstream_accepted / self.lower_bound_completed

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
            upstream_rejected=self.upstream_rejected,
            bound_valid=self.bound_valid,
            rate_429=round(self.rate_429, 6),
            quota_utilisation=round(self.quota_utilisation, 4),
            demand_exceeded_limit=self.demand_exceeded_limit,
            demand_estimate=round(self.demand_estimate, 1),
            bound_ratio=None if self.bound_ratio is None else round(self.bound_ratio, 4),
            requests_per_1k_lookups=round(self.requests_per_1k_lookups, 3),
            saved_by_batching=self.saved_by_batching,
            cache_hit_rate=round(self.cache_hit_rate, 4),
            cache_hit_rate_warm=round(self.cache_hit_rate_warm, 4),
            cache_hit_rate_cold=round(self.cache_hit_rate_cold, 4),
            latency_ms={k: round(v, 2) for k, v in asdict(self.latency_ms).items()},
            response_ms={
                name: {k: round(v, 2) for k, v in asdict(r).items()}
                for name, r in self.response_ms.items()
            },
            session_wait_ms=None
            if self.session_wait_ms is None
            else {k: round(v, 2) for k, v in asdict(self.session_wait_ms).items()},
            run_s=round(self.run_s, 3),
            learned_rate_per_min=(
                None if self.learned_rate_per_min is None else round(self.learned_rate_per_min, 2)
            ),
            mean_token_wait_ms=round(self.mean_token_wait_ms, 2),
            registry_efficiency=round(self.registry_efficiency, 4),
        )
        return data
