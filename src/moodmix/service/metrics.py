"""The service's own Prometheus metrics, next to the gateway's on ``/metrics``::

    metrics = ServiceMetrics()
    app.add_middleware(RequestMetrics, metrics=metrics)
    metrics.quota_refusals.labels(reason="share").inc()
    exposition(metrics.registry, gateway.metrics.registry)     # the /metrics body

Routes are labelled by their template (``/v1/playlists/{id}``), so ids never become labels.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServiceMetrics:
    """HTTP requests, playlist jobs and quota refusals, under ``moodmix_``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "moodmix_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_seconds = Histogram(
            "moodmix_http_request_seconds",
            "Time to answer an HTTP request (to the start of the response for streams).",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.jobs = Counter(
            "moodmix_playlist_jobs",
            "Playlist jobs that ended, by outcome (done, failed, released).",
            ["outcome"],
            registry=r,
        )
        self.jobs_active = Gauge(
            "moodmix_playlist_jobs_active",
            "Playlist jobs queued or running on this instance.",
            registry=r,
        )
        self.quota_refusals = Counter(
            "moodmix_client_quota_refusals",
            "Requests refused with 429 to protect other clients, by reason.",
            ["reason"],
            registry=r,
        )


def exposition(*registries: CollectorRegistry) -> bytes:
    """The Prometheus text format of every registry, one after the other."""
    return b"".join(generate_latest(r) for r in registries)


class RequestMetrics:
    """ASGI middleware counting and timing every HTTP request."""

    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                route = _route(scope)
                self.metrics.http_seconds.labels(route=route).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.metrics.http_requests.labels(
                method=scope["method"], route=_route(scope), status=str(status)
            ).inc()


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
