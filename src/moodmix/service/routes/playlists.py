"""``/v1/playlists``: make a playlist, follow it, read it back.

::

    POST /v1/playlists {"prompt": "rainy Sunday", "size": 20}   -> 202 + id + links
    POST /v1/playlists?wait=true {...}                          -> 200 + the finished playlist
    GET  /v1/playlists/{id}                                     -> status, progress, playlist
    GET  /v1/playlists/{id}/events                              -> Server-Sent Events
    GET  /v1/playlists?limit=20&cursor=...                      -> recent ones, newest first
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from typing import Annotated, Any, Final, Literal

import anyio
import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from moodmix.service.caching import (
    FOREVER,
    REVALIDATE,
    cached_json,
    for_seconds,
    private_if,
)
from moodmix.service.cursor import decode_cursor, encode_cursor
from moodmix.service.deps import QuotaClientDep, ServiceDep, client_id
from moodmix.service.errors import ServiceError, error_response
from moodmix.service.events import TERMINAL, JobEvent, Subscription
from moodmix.service.jobs import NotAccepting
from moodmix.service.models import DONE, FAILED, STATUSES, PlaylistRow
from moodmix.service.resources import links, playlist_json, summary_json
from moodmix.service.runtime import Service
from moodmix.service.schemas import PlaylistIn

router = APIRouter(prefix="/v1/playlists", tags=["playlists"], dependencies=[Depends(client_id)])

PlaylistId = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9_-]{1,32}$",
        description="the id POST /v1/playlists answered with",
    ),
]

POLL_INTERVAL_S: Final = 1.0
"""How often a stream of a job running on another instance reads the store."""
RECONNECT_MS: Final = 2_000
STREAM_SHUTDOWN_GRACE_S: Final = 1.0
STOPPING: Final = "the service is stopping; reconnect to follow the playlist"


@router.post("", status_code=202, summary="Make a playlist from a mood")
async def create_playlist(
    body: PlaylistIn,
    request: Request,
    service: ServiceDep,
    client: QuotaClientDep,
    wait: Annotated[
        bool, Query(description="answer with the finished playlist instead of 202")
    ] = False,
) -> Response:
    """Queue a playlist; ``202`` with its id and links, or with ``?wait=true`` the finished
    playlist (``200``), a ``503`` with ``Retry-After`` if the upstream failed it, or ``202`` if
    it is not done within ``MOODMIX_WAIT_TIMEOUT_S``."""
    settings = service.settings
    if service.runner.active(client) >= settings.client_max_jobs:
        service.metrics.quota_refusals.labels(reason="jobs").inc()
        raise ServiceError(
            429,
            "too_many_playlists",
            f"this client has {settings.client_max_jobs} playlists in progress "
            "(MOODMIX_CLIENT_MAX_JOBS); wait for one to finish",
            retry_after=max(1.0, math.ceil(service.gateway.scheduler.expected_wait())),
        )
    try:
        row = await service.runner.submit(body.engine_fields(), client=client)
    except NotAccepting:
        raise ServiceError(
            503, "shutting_down", "the service is shutting down; try again", retry_after=5
        ) from None
    location = {"Location": links(row.id)["self"]}
    if wait:
        final = await service.runner.wait(row.id, settings.wait_timeout_s)
        if final is not None and final.status == DONE:
            return _json(playlist_json(final), 200, location)
        if final is not None and final.status == FAILED:
            return _failure(final, location)
        row = await service.repo.get(row.id) or row
    live = service.runner.live(row.id)
    return _json(playlist_json(row, live=live), 202, location)


@router.get("", summary="Recent playlists, newest first")
async def list_playlists(
    request: Request,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=100, description="playlists per page")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=200, description="the 'next' of the previous page")
    ] = None,
    status: Annotated[
        Literal["queued", "running", "done", "failed"] | None,
        Query(description=f"only those in this state: {', '.join(STATUSES)}"),
    ] = None,
) -> Response:
    try:
        after = decode_cursor(cursor) if cursor else None
    except ValueError as exc:
        raise ServiceError(
            422,
            "invalid_request",
            f"cursor: {exc}",
            problems=[{"field": "cursor", "in": "query", "message": str(exc)}],
        ) from None
    rows, more = await service.repo.page(limit=limit, cursor=after, status=status)
    next_link = None
    if more and rows:
        params = f"limit={limit}&cursor={encode_cursor(rows[-1].created_at, rows[-1].id)}"
        next_link = f"/v1/playlists?{params}" + (f"&status={status}" if status else "")
    payload = {"items": [summary_json(r) for r in rows], "next": next_link}
    return cached_json(request, payload, cache_control=REVALIDATE)


@router.get("/{id}", summary="A playlist: status, progress and, when done, the tracks")
async def get_playlist(id: PlaylistId, request: Request, service: ServiceDep) -> Response:
    row = await _row(service, id)
    payload = playlist_json(row, live=service.runner.live(id))
    private = service.api_keys.required
    if row.status == DONE:
        cache_control = private_if(FOREVER, private)
    elif row.status == FAILED:
        cache_control = private_if(for_seconds(60), private)
    else:
        cache_control = REVALIDATE
    return cached_json(request, payload, cache_control=cache_control)


@router.get(
    "/{id}/events",
    summary="Live progress as Server-Sent Events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def playlist_events(id: PlaylistId, service: ServiceDep) -> EventSourceResponse:
    """``state`` first (where the job is now), then ``progress`` events (mood, seeds,
    candidates n/m, waiting with ``wait_s``, scoring), then ``done`` with the playlist or
    ``failed`` with the reason. ``interrupted`` means this instance is stopping: reconnect."""
    await _row(service, id)
    stopping = anyio.Event()
    return EventSourceResponse(
        _stream(service, id, stopping),
        ping=15,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        shutdown_event=stopping,
        shutdown_grace_period=STREAM_SHUTDOWN_GRACE_S,
    )


async def _stream(
    service: Service, id: str, stopping: anyio.Event
) -> AsyncIterator[ServerSentEvent]:
    first = True
    last_progress: Any = None
    while True:
        subscription = service.broker.subscribe(id)
        if subscription is not None:
            relay = asyncio.create_task(_interrupt_when(stopping, subscription))
            try:
                yield _sse(subscription.snapshot, retry=first)
                async for event in subscription:
                    yield _sse(event)
            finally:
                relay.cancel()
                subscription.close()
            return
        row = await service.repo.get(id)
        if row is None:
            return
        if first or row.status in (DONE, FAILED):
            yield _sse(JobEvent("state", _state(row)), retry=True)
        if row.status in (DONE, FAILED):
            yield _sse(JobEvent(row.status, playlist_json(row)))
            return
        if not first and row.progress != last_progress:
            yield _sse(JobEvent("progress", row.progress or {}))
        first = False
        last_progress = row.progress
        with anyio.move_on_after(POLL_INTERVAL_S):
            await stopping.wait()
        if stopping.is_set():
            yield _sse(JobEvent("interrupted", {"id": id, "message": STOPPING}))
            return


async def _interrupt_when(stopping: anyio.Event, subscription: Subscription) -> None:
    await stopping.wait()
    subscription.interrupt(STOPPING)


def _state(row: PlaylistRow) -> dict[str, Any]:
    return {"id": row.id, "status": row.status, "progress": row.progress}


def _sse(event: JobEvent, *, retry: bool = False) -> ServerSentEvent:
    return ServerSentEvent(
        data=orjson.dumps(event.data).decode(),
        event=event.kind,
        id=str(event.seq) if event.seq else None,
        retry=RECONNECT_MS if retry or event.kind in TERMINAL else None,
    )


async def _row(service: Service, id: str) -> PlaylistRow:
    row = await service.repo.get(id)
    if row is None:
        raise ServiceError(404, "not_found", f"there is no playlist {id!r}")
    return row


def _json(payload: dict[str, Any], status: int, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(
        payload, status_code=status, headers={**headers, "Cache-Control": "no-store"}
    )


def _failure(row: PlaylistRow, headers: dict[str, str]) -> JSONResponse:
    error = row.error or {}
    kind = str(error.get("kind", "failed"))
    message = str(error.get("message", "the playlist could not be made"))
    retry_after = error.get("retry_after")
    if kind in ("invalid_request", "no_seeds"):
        status = 422
    elif kind == "not_found":
        status = 404
    elif kind == "internal_error":
        status = 500
    else:
        status = 503
        retry_after = retry_after if isinstance(retry_after, int | float) else 30.0
    return error_response(
        status,
        kind,
        message,
        retry_after=retry_after if status == 503 else None,
        headers=headers,
        playlist=playlist_json(row),
    )
