"""The model reader's Prometheus metrics, in their own registry (next to the gateway's)::

metrics = ModelMetrics()
metrics.readings.labels(outcome="fell_back").inc()
prometheus_client.generate_latest(metrics.registry)
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class ModelMetrics:
    """Readings by outcome, fallbacks by reason, tokens, cost and the model's answer time."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.readings = Counter(
            "moodmix_llm_readings",
            "Moods asked of the language model, by outcome (answered, cached, fell_back).",
            ["outcome"],
            registry=r,
        )
        self.fallbacks = Counter(
            "moodmix_llm_fallbacks",
            "Readings that fell back to the built-in reader, by reason.",
            ["reason"],
            registry=r,
        )
        self.requests = Counter(
            "moodmix_llm_requests",
            "Requests sent to the model's endpoint, by HTTP status (0: no response).",
            ["status"],
            registry=r,
        )
        self.tokens = Counter(
            "moodmix_llm_tokens",
            "Tokens the model's answers cost, by kind (prompt, completion).",
            ["kind"],
            registry=r,
        )
        self.cost = Counter(
            "moodmix_llm_cost",
            "What the model's answers cost, in the endpoint's (or the configured) currency.",
            registry=r,
        )
        self.seconds = Histogram(
            "moodmix_llm_seconds",
            "Time from asking the model to an answer or a fallback (cache hits excluded).",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 8, 15, 30),
            registry=r,
        )
