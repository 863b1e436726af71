"""``/system``: what the service and its gateway are doing, and the cache's off switch.

::

    GET  /system/status                 service, upstream, gateway, jobs, database, clients
                                        (URLs only with the admin token)
    GET  /system/cache/stats            hits, stale answers and misses per kind and tier
    GET  /system/id-registry/stats      Spotify -> ReccoBeats id mappings known and missing
    POST /system/cache/invalidate {"kind": "track"}     (admin token; null kind: everything)
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from moodmix import __version__
from moodmix.service.caching import NO_STORE, cached_json
from moodmix.service.deps import ServiceDep, client_id, is_admin, require_admin
from moodmix.service.errors import ServiceError
from moodmix.service.runtime import safe_url
from moodmix.service.schemas import InvalidateIn
from moodmix.store import StorageUnavailable

router = APIRouter(prefix="/system", tags=["system"])


@router.get("/status", summary="The service at a glance", dependencies=[Depends(client_id)])
async def status(request: Request, service: ServiceDep) -> Response:
    """Upstream and database URLs are ``null`` unless the admin token is sent: they name
    hosts and files that are nobody else's business."""
    admin = is_admin(request, service)
    gateway = service.gateway
    scheduler = gateway.quota()
    health = gateway.health()
    usage = service.quota.clients()
    payload: dict[str, Any] = {
        "service": {
            "version": __version__,
            "instance": service.runner.owner,
            "uptime_s": round(time.time() - service.started_at, 1),
            "accepting_jobs": service.runner.accepting,
            "profile": service.settings.profile,
        },
        "upstream": {
            "url": service.settings.reccobeats_url if admin else None,
            "breaker": health.breaker,
            "breaker_retry_after_s": round(health.breaker_retry_after_s, 1),
            "rate_per_min": round(scheduler.rate * 60, 2),
            "expected_wait_s": round(gateway.expected_wait(), 2),
            "queued": {p.name.lower(): n for p, n in scheduler.queued.items()},
            "in_flight": scheduler.in_flight,
        },
        "gateway": dataclasses.asdict(gateway.stats()),
        "jobs": {
            "here": service.runner.running(),
            "stored": await service.repo.counts(),
            "max_running": service.settings.max_running_jobs,
            "results": service.results.stats(),
        },
        "database": {
            "backend": service.db.backend,
            "url": safe_url(service.settings.database_url) if admin else None,
            "revision": await service.db.revision(),
        },
        "clients": {
            "active": len(usage),
            "most_upstream_requests": max(usage.values(), default=0),
            "share": service.settings.client_quota_share,
            "window_s": service.settings.client_quota_window_s,
        },
    }
    return cached_json(request, payload, cache_control=NO_STORE)


@router.get("/cache/stats", summary="Cache hits and misses", dependencies=[Depends(client_id)])
async def cache_stats(request: Request, service: ServiceDep) -> Response:
    stats = service.gateway.cache_stats()
    payload = {
        "hit_rate": round(stats.hit_rate, 4),
        "l1_entries": stats.l1_entries,
        "l1_max_entries": stats.l1_max_entries,
        "l1_evictions": stats.l1_evictions,
        "l2_available": stats.l2_available,
        "l2_errors": stats.l2_errors,
        "l2_decode_errors": stats.l2_decode_errors,
        "backend": service.settings.cache_backend,
        "kinds": {
            kind: {
                **dataclasses.asdict(k),
                "lookups": k.lookups,
                "hit_rate": round(k.hit_rate, 4),
            }
            for kind, k in sorted(stats.kinds.items())
        },
    }
    return cached_json(request, payload, cache_control=NO_STORE)


@router.get("/id-registry/stats", summary="Id mappings known", dependencies=[Depends(client_id)])
async def registry_stats(request: Request, service: ServiceDep) -> Response:
    stats = service.gateway.registry_stats()
    payload = {**dataclasses.asdict(stats), "efficiency": round(stats.efficiency, 4)}
    return cached_json(request, payload, cache_control=NO_STORE)


@router.post(
    "/cache/invalidate",
    summary="Drop cached entries (admin)",
    dependencies=[Depends(require_admin)],
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": InvalidateIn.model_json_schema()}},
        }
    },
)
async def invalidate(request: Request, service: ServiceDep) -> dict[str, Any]:
    """Drop every entry of ``kind`` from memory and L2, or all with ``kind: null`` (or no body).
    Needs the admin token, checked before the body is read."""
    body = await _body(request, InvalidateIn)
    kind = body.kind if body is not None else None
    kinds = service.gateway.cache_kinds
    if kind is not None and kind not in kinds:
        message = f"kind must be one of {', '.join(kinds)}, or null for all; got {kind!r}"
        raise ServiceError(
            422,
            "invalid_request",
            f"kind: {message}",
            problems=[{"field": "kind", "in": "body", "message": message}],
        )
    try:
        await service.gateway.invalidate(kind)
    except StorageUnavailable as exc:
        raise ServiceError(
            503,
            "cache_storage_unavailable",
            f"memory was cleared but the cache storage could not be: {exc}",
            retry_after=5,
        ) from None
    return {"invalidated": kind or "all", "kinds": [kind] if kind else kinds}


Model = TypeVar("Model", bound=BaseModel)


async def _body(request: Request, model: type[Model]) -> Model | None:
    """The JSON body as ``model``, or ``None`` if there is none; a 422 naming what is wrong.

    Read here rather than as a parameter so that a route's dependencies (the admin check)
    answer first: FastAPI reads and decodes a declared body before any dependency runs."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
        raise RequestValidationError(errors) from None
