"""``/v1/playlists``: make a playlist, follow it, read it back.

::

    POST /v1/playlists {"prompt": "rainy Sunday", "size": 20}   -> 202 + id + links
    POST /v1/playlists?wait=true {...}                          -> 200 + the finished playlist
    GET  /v1/playlists/{id}                                     -> status, progress, playlist
                                                                   (its latest version)
    GET  /v1/playlists/{id}/events                              -> Server-Sent Events
    GET  /v1/playlists?limit=20&cursor=...&q=rainy              -> your recent ones, newest first
    DELETE /v1/playlists/{id}                                   -> 204: gone, with its links

A finished playlist changes (``routes.revisions``: refine, edit, undo), so it is answered
with an ``ETag`` to revalidate, never as immutable. Beside them: ``routes.shares``
(read-only links), ``routes.export`` (as a file), ``routes.spotify`` (saved to the
listener's Spotify account).

A playlist belongs to the account that made it (its API key; everyone's where no key is
needed): to any other it is a 404, except through a share link (``routes.shared``).

A POST with ``Idempotency-Key: <key>`` is made once per client and key: a retry (on any
instance) answers with the same playlist and ``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlencode

import anyio
import orjson
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from moodmix.service.caching import cached_json, for_seconds, private_if
from moodmix.service.cursor import decode_cursor, encode_cursor
from moodmix.service.deps import AccountDep, ClientDep, ServiceDep, check_quota, client_id
from moodmix.service.errors import ServiceError
from moodmix.service.events import TERMINAL, JobEvent, until_set
from moodmix.service.jobs import NotAccepting
from moodmix.service.models import DONE, FAILED, STATUSES, PlaylistRow
from moodmix.service.personal_seeds import personal_seeds
from moodmix.service.repository import DuplicateKey, TooManyJobs
from moodmix.service.resources import links, playlist_json, summary_json
from moodmix.service.results import Finished, Unfinished, request_key
from moodmix.service.routes.exclusions import with_listener_exclusions
from moodmix.service.routes.owned import (
    PlaylistId,
    failure,
    json_body,
    json_bytes,
    playlist_of,
    revalidate,
)
from moodmix.service.runtime import Service
from moodmix.service.schemas import (
    ErrorOut,
    PlaylistIn,
    PlaylistOut,
    PlaylistPageOut,
)

router = APIRouter(prefix="/v1/playlists", tags=["playlists"], dependencies=[Depends(client_id)])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="make the playlist once: a retry with the same key (from this client, on "
        "any instance) answers with the same playlist instead of starting another; 1-255 "
        "visible ASCII characters, e.g. a UUID",
    ),
]
REPLAYED: Final = "Idempotent-Replayed"
_REPLAYED_DOC: Final = {
    "description": "'true' when this answers a retry with the same Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "enum": ["true"]},
}
RECONNECT_MS: Final = 2_000
STREAM_SHUTDOWN_GRACE_S: Final = 1.0
STOPPING: Final = "the service is stopping; reconnect to follow the playlist"


@router.post(
    "",
    status_code=202,
    summary="Make a playlist from a mood",
    response_model=PlaylistOut,
    responses={
        200: {
            "model": PlaylistOut,
            "description": "the finished playlist (identical request already made, or wait)",
            "headers": {REPLAYED: _REPLAYED_DOC},
        },
        202: {"description": "queued or in progress", "headers": {REPLAYED: _REPLAYED_DOC}},
        422: {
            "model": ErrorOut,
            "description": "invalid request, or an Idempotency-Key reused with another body",
        },
        429: {
            "model": ErrorOut,
            "description": "over this client's share of the quota, or too many in progress",
        },
        503: {
            "model": ErrorOut,
            "description": "ReccoBeats failed the playlist, or the service is stopping",
        },
    },
)
async def create_playlist(
    body: PlaylistIn,
    request: Request,
    service: ServiceDep,
    client: ClientDep,
    account: AccountDep,
    wait: Annotated[
        bool, Query(description="answer with the finished playlist instead of 202")
    ] = False,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Queue a playlist; ``202`` with its id and links, or with ``?wait=true`` the finished
    playlist (``200``), a ``503`` with ``Retry-After`` if the upstream failed it, or ``202`` if
    it is not done within ``MOODMIX_WAIT_TIMEOUT_S``. A request identical to one finished
    within the recommendations' freshness answers ``200`` at once with that playlist (same
    id); one identical to a playlist in progress follows that job. With ``Idempotency-Key``,
    a retry answers as above for the playlist the key first made (``Idempotent-Replayed``),
    and the key with a different body is a ``422``."""
    settings = service.settings
    fields = body.engine_fields()
    fields["seeds"] = await personal_seeds(request, service, fields["seeds"])
    fields = await with_listener_exclusions(request, service, fields)
    key = request_key(fields, profile=settings.profile, account=account)
    replayed = None
    if idempotency_key is not None:
        replayed = await _replayed(service, client, idempotency_key, fields)
    found = None if replayed else await service.results.lookup(key)
    if replayed is not None:
        id = replayed
    elif isinstance(found, Finished):
        return json_bytes(found.body, 200, {"Location": links(found.id)["self"]})
    elif isinstance(found, Unfinished):
        id = found.id
    else:
        check_quota(service, client)
        try:
            id = (
                await service.runner.submit(
                    fields,
                    client=client,
                    account=account,
                    key=key,
                    idempotency_key=idempotency_key,
                )
            ).id
        except TooManyJobs:
            service.metrics.quota_refusals.labels(reason="jobs").inc()
            raise ServiceError(
                429,
                "too_many_playlists",
                f"this client has {settings.client_max_jobs} playlists in progress "
                "(MOODMIX_CLIENT_MAX_JOBS); wait for one to finish",
                retry_after=max(1.0, math.ceil(service.gateway.expected_wait())),
            ) from None
        except NotAccepting:
            raise ServiceError(
                503, "shutting_down", "the service is shutting down; try again", retry_after=5
            ) from None
        except DuplicateKey:  # the same key raced in on another request
            replayed = await _replayed(service, client, str(idempotency_key), fields)
            if replayed is None:
                raise
            id = replayed
    location = {"Location": links(id)["self"]}
    if replayed is not None:
        location[REPLAYED] = "true"
    if wait:
        final = await _wait(service, id, settings.wait_timeout_s)
        if final is not None and final.status == DONE:
            return json_bytes(service.results.remember(key, final).body, 200, location)
        if final is not None and final.status == FAILED:
            return failure(final, location)
    row = await playlist_of(service, id, account)
    if row.status == DONE:
        return json_bytes(service.results.remember(key, row).body, 200, location)
    if row.status == FAILED:
        return failure(row, location)
    return json_body(playlist_json(row, live=service.runner.live(id)), 202, location)


@router.get("", summary="Your recent playlists, newest first", response_model=PlaylistPageOut)
async def list_playlists(
    request: Request,
    service: ServiceDep,
    account: AccountDep,
    limit: Annotated[int, Query(ge=1, le=100, description="playlists per page")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=200, description="the 'next' of the previous page")
    ] = None,
    status: Annotated[
        Literal["queued", "running", "done", "failed"] | None,
        Query(description=f"only those in this state: {', '.join(STATUSES)}"),
    ] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="only those whose prompt contains this"),
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
    rows, more = await service.repo.page(
        account=account, limit=limit, cursor=after, status=status, search=q
    )
    next_link = None
    if more and rows:
        params = {"limit": limit, "cursor": encode_cursor(rows[-1].created_at, rows[-1].id)}
        params |= {"status": status} if status else {}
        params |= {"q": q} if q else {}
        next_link = f"/v1/playlists?{urlencode(params)}"
    payload = {"items": [summary_json(r) for r in rows], "next": next_link}
    private = service.api_keys.required
    return cached_json(request, payload, cache_control=revalidate(private))


@router.get(
    "/{id}",
    summary="A playlist: status, progress and, when done, the tracks",
    response_model=PlaylistOut,
)
async def get_playlist(
    id: PlaylistId, request: Request, service: ServiceDep, account: AccountDep
) -> Response:
    row = await playlist_of(service, id, account)
    payload = playlist_json(row, live=service.runner.live(id))
    private = service.api_keys.required
    if row.status == FAILED:
        cache_control = private_if(for_seconds(60), private)
    else:
        cache_control = revalidate(private)
    return cached_json(request, payload, cache_control=cache_control)


@router.get(
    "/{id}/events",
    summary="Live progress as Server-Sent Events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def playlist_events(
    id: PlaylistId, service: ServiceDep, account: AccountDep
) -> EventSourceResponse:
    """``state`` first (where the job is now), then ``progress`` events (mood, seeds,
    candidates n/m, waiting with ``wait_s``, scoring), then ``done`` with the playlist or
    ``failed`` with the reason. ``interrupted`` means this instance is stopping: reconnect."""
    await playlist_of(service, id, account)
    stopping = anyio.Event()
    return EventSourceResponse(
        _stream(service, id, stopping),
        ping=15,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        shutdown_event=stopping,
        shutdown_grace_period=STREAM_SHUTDOWN_GRACE_S,
    )


@router.delete(
    "/{id}",
    status_code=204,
    summary="Delete a finished playlist of yours",
    responses={
        204: {"description": "deleted, with its share links"},
        409: {"model": ErrorOut, "description": "still being made"},
    },
)
async def delete_playlist(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    """Deletes the playlist, its share links and its record of saves to Spotify (the
    playlist in your Spotify account stays there)."""
    row = await playlist_of(service, id, account)
    if not await service.repo.delete(id, account):
        raise ServiceError(409, "not_finished", f"playlist {id!r} is {row.status}; wait for it")
    service.results.forget(id)
    return Response(status_code=204)


async def _stream(
    service: Service, id: str, stopping: anyio.Event
) -> AsyncIterator[ServerSentEvent]:
    """The job's events from wherever it runs (``events.JobFeed``), until this instance stops."""
    first = True
    events = until_set(service.feed.follow(id), stopping, id=id, message=STOPPING)
    async with contextlib.aclosing(events):
        async for event in events:
            yield _sse(event, retry=first)
            first = False


async def _wait(service: Service, id: str, within: float) -> PlaylistRow | None:
    """The finished row, from this instance's runner or following the job wherever it runs."""
    if service.runner.holds(id):
        return await service.runner.wait(id, within)
    return await service.feed.wait(id, within)


async def _replayed(service: Service, client: str, key: str, fields: dict[str, Any]) -> str | None:
    """The id of the playlist ``client`` made with ``Idempotency-Key: key``, if any; a 422
    if that was for a different request."""
    row = await service.repo.by_idempotency_key(client, key)
    if row is None:
        return None
    if orjson.loads(orjson.dumps(fields)) != row.request:
        raise ServiceError(
            422,
            "idempotency_key_reused",
            f"the Idempotency-Key {key!r} was already used for a different request (playlist "
            f"{row.id}); send the same body to get that playlist, or a new key for a new one",
            problems=[
                {
                    "field": "Idempotency-Key",
                    "in": "header",
                    "message": f"already used for playlist {row.id} with a different body",
                }
            ],
        )
    return row.id


def _sse(event: JobEvent, *, retry: bool = False) -> ServerSentEvent:
    return ServerSentEvent(
        data=orjson.dumps(event.data).decode(),
        event=event.kind,
        id=str(event.seq) if event.seq else None,
        retry=RECONNECT_MS if retry or event.kind in TERMINAL else None,
    )
