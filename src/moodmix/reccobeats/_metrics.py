"""The gateway's Prometheus metrics, one set per gateway, each in its own registry.

A registry per gateway keeps several gateways in one process (the benchmark runs three
profiles side by side) from mixing their counts; the service exposes its gateway's registry
on ``/metrics``::

    metrics = GatewayMetrics()
    metrics.upstream_requests.labels(endpoint="/v1/track", status="200").inc()
    prometheus_client.generate_latest(metrics.registry)
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from moodmix.reccobeats.client import ResponseHook


class GatewayMetrics:
    """Every metric the gateway exports, under the ``moodmix_`` prefix."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.upstream_requests = Counter(
            "moodmix_upstream_requests",
            "Requests sent to ReccoBeats, by endpoint and HTTP status (0: no response).",
            ["endpoint", "status"],
            registry=r,
        )
        self.upstream_seconds = Histogram(
            "moodmix_upstream_request_seconds",
            "Time ReccoBeats took to answer.",
            ["endpoint"],
            registry=r,
        )
        self.rate_limited = Counter(
            "moodmix_upstream_429", "429 answers from ReccoBeats.", ["endpoint"], registry=r
        )
        self.retries = Counter(
            "moodmix_upstream_retries", "Upstream attempts that were retries.", registry=r
        )
        self.lookups = Counter(
            "moodmix_lookups",
            "Logical lookups asked of the gateway, by kind.",
            ["kind"],
            registry=r,
        )
        self.lookup_seconds = Histogram(
            "moodmix_lookup_seconds",
            "Time to answer a logical lookup (the response time users see).",
            ["kind"],
            buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.cache = Counter(
            "moodmix_cache_lookups",
            "Cache lookups by kind, tier (l1, l2) and result (hit, stale, miss).",
            ["kind", "tier", "result"],
            registry=r,
        )
        self.dedup_joins = Counter(
            "moodmix_dedup_joins",
            "Lookups that joined an upstream fetch already in flight.",
            ["kind"],
            registry=r,
        )
        self.coalesced = Counter(
            "moodmix_coalesced_items",
            "Items that travelled in a batch call together with others.",
            ["kind"],
            registry=r,
        )
        self.batch_size = Histogram(
            "moodmix_batch_size",
            "Ids per upstream batch call.",
            ["kind"],
            buckets=(1, 2, 5, 10, 20, 30, 40),
            registry=r,
        )
        self.limiter_wait = Histogram(
            "moodmix_limiter_wait_seconds",
            "Time a request waited for a rate-limit token and a concurrency slot.",
            ["priority"],
            buckets=(0, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120),
            registry=r,
        )
        self.rate = Gauge(
            "moodmix_rate_per_minute", "The upstream rate the limiter allows now.", registry=r
        )
        self.breaker_state = Gauge(
            "moodmix_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open.", registry=r
        )
        self.registry_ids = Gauge(
            "moodmix_id_registry_ids",
            "Ids in the id registry, by state (validated, missing).",
            ["state"],
            registry=r,
        )
        self.registry_lookups = Counter(
            "moodmix_id_registry_lookups",
            "Spotify id lookups, by whether the registry answered without a request.",
            ["answered"],
            registry=r,
        )
        self.shared_joins = Counter(
            "moodmix_shared_joins",
            "Items waited for while another process fetched them (cross-process single-flight).",
            ["kind"],
            registry=r,
        )
        self.shared_handovers = Counter(
            "moodmix_shared_handovers",
            "Items a batch call carried for another process (cross-process batch packing).",
            ["kind"],
            registry=r,
        )
        self.prefetches = Counter(
            "moodmix_prefetches",
            "Background refreshes and prefetches, by reason.",
            ["reason"],
            registry=r,
        )
        self.shared_mode: Gauge | None = None
        self.instances: Gauge | None = None

    def observer(self, also: ResponseHook | None = None) -> ResponseHook:
        """A client's response hook that counts and times every upstream response, then
        tells ``also``."""
        # A metric's children by label, looked up once: ``labels()`` validates and locks on
        # every call, and this runs for every upstream response.
        counted: dict[tuple[str, int], Counter] = {}
        timed: dict[str, Histogram] = {}

        def observe(endpoint: str, status: int, elapsed: float) -> None:
            if (counter := counted.get((endpoint, status))) is None:
                counter = counted[endpoint, status] = self.upstream_requests.labels(
                    endpoint=endpoint, status=str(status)
                )
            counter.inc()
            if (histogram := timed.get(endpoint)) is None:
                histogram = timed[endpoint] = self.upstream_seconds.labels(endpoint=endpoint)
            histogram.observe(elapsed)
            if also is not None:
                also(endpoint, status, elapsed)

        return observe

    def add_shared_gauges(self) -> tuple[Gauge, Gauge]:
        """The shared-mode gauges, registered only when a Redis is configured."""
        if self.shared_mode is None or self.instances is None:
            self.shared_mode = Gauge(
                "moodmix_shared_mode",
                "1 while acting as one with the other processes through Redis, 0 while Redis "
                "is unreachable and this process works alone.",
                registry=self.registry,
            )
            self.instances = Gauge(
                "moodmix_instances",
                "Processes drawing from the shared rate budget, by their heartbeats.",
                registry=self.registry,
            )
        return self.shared_mode, self.instances
