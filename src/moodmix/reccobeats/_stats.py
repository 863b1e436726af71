"""``GatewayStats``: one snapshot of what every layer of the gateway did; ``GatewayHealth``,
what readiness needs of it.

    stats = gateway.stats()
    stats.upstream_requests, stats.cache_hit_rate, stats.rate_per_min
    gateway.health().breaker        # "closed", "half_open", "open" or "off"

The counts are read from the gateway's own Prometheus metrics, so ``stats()`` and
``/metrics`` can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client.metrics import MetricWrapperBase


@dataclass(frozen=True)
class GatewayStats:
    """A snapshot of what the gateway did, for ``stats()``, the dashboard and the benchmark."""

    profile: str
    upstream_requests: int
    upstream_429: int
    retries: int
    cache_hit_rate: float
    cache_lookups: int
    dedup_joins: int
    coalesced_items: int
    batches: int
    registry_validated: int
    registry_missing: int
    registry_efficiency: float
    rate_per_min: float
    breaker_state: str
    l1_entries: int
    shared_mode: str = "off"
    """``off`` (no Redis configured), ``shared`` (acting as one with the other processes) or
    ``local`` (Redis unreachable: local cache and this process's share of the rate)."""
    instances: int = 1
    """Processes drawing from the shared rate budget (1 when not shared)."""
    shared_joins: int = 0
    """Items this process waited for while another process fetched them."""
    shared_handovers: int = 0
    """Items this process's batch calls carried for other processes."""
    batched_ids: int = 0
    """Ids sent in the ``batches`` batch calls, all together."""
    rate_probes: int = 0
    """Rates the adaptive controller tried above the one it had proven (0 when fixed)."""
    shared_outages: int = 0
    """Times this process lost the shared budget (Redis) and went on alone."""


@dataclass(frozen=True)
class GatewayHealth:
    """What readiness needs to know of the gateway, for ``health()``."""

    breaker: str
    """``closed``, ``half_open``, ``open``, or ``off`` when the profile has no breaker."""
    breaker_retry_after_s: float
    """Seconds until an open breaker lets a trial request through (0 unless open)."""
    l2_available: bool
    """False while the cache's storage fails: memory and the upstream only."""
    shared_mode: str = "off"
    instances: int = 1


def counted(metric: MetricWrapperBase, suffix: str = "_total") -> int:
    """The sum over every label of a counter (``_total``) or a histogram (``_count``)."""
    return int(sum(s.value for m in metric.collect() for s in m.samples if s.name.endswith(suffix)))
