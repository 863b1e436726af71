"""Probes and metrics for whoever runs the service; no API key needed.

::

    GET /healthz    200 while the process serves requests
    GET /readyz     200 when it can do its work: database answers, upstream breaker not open,
                    accepting jobs; else 503 saying which check failed. With Redis configured,
                    ``shared`` says whether this process acts with the others or alone
    GET /metrics    Prometheus text: the service's and the gateway's metrics
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, Final

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from moodmix.service.deps import ServiceDep
from moodmix.service.metrics import exposition

router = APIRouter(tags=["health"])

DB_CHECK_TIMEOUT_S: Final = 2.0


@router.get("/healthz", summary="Liveness")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@router.get("/readyz", summary="Readiness: database, upstream breaker, cache, jobs")
async def readyz(service: ServiceDep) -> JSONResponse:
    checks: dict[str, dict[str, Any]] = {}
    try:
        await asyncio.wait_for(service.db.ping(), DB_CHECK_TIMEOUT_S)
        checks["database"] = {"ok": True, "backend": service.db.backend}
    except Exception as exc:
        checks["database"] = {
            "ok": False,
            "backend": service.db.backend,
            "error": str(exc) or type(exc).__name__,
        }
    gateway = service.gateway.health()
    state, retry_after = gateway.breaker, gateway.breaker_retry_after_s
    checks["upstream"] = {"ok": state != "open", "breaker": state}
    if state == "open":
        checks["upstream"]["retry_after"] = math.ceil(retry_after)
    cache = service.gateway.cache_stats()
    checks["cache"] = {
        "ok": True,
        "backend": service.settings.cache_backend,
        "l2_available": cache.l2_available,
        "l1_entries": cache.l1_entries,
    }
    if not cache.l2_available:
        checks["cache"]["note"] = "L2 unavailable: serving from memory and upstream only"
    if gateway.shared_mode != "off":
        # Degraded, not down: without Redis this process answers alone (local cache, its
        # share of the rate) and goes back to shared mode by itself.
        checks["shared"] = {"ok": True, "mode": gateway.shared_mode, "instances": gateway.instances}
        if gateway.shared_mode != "shared":
            checks["shared"]["note"] = "Redis unreachable: working alone until it answers again"
    checks["jobs"] = {"ok": service.runner.accepting, "running": service.runner.running()}
    ready = all(check["ok"] for check in checks.values())
    headers = {"Cache-Control": "no-store"}
    if not ready and state == "open":
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return JSONResponse(
        {"ready": ready, "checks": checks}, status_code=200 if ready else 503, headers=headers
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(service: ServiceDep) -> Response:
    body = exposition(*service.registries())
    return Response(
        body,
        media_type="text/plain; version=0.0.4; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )
