"""Changing a finished playlist: refine, extend, replace, remove, pin, move; versions, undo, redo.

::

    POST   /v1/playlists/{id}/refine[?wait=true] {"text": "more upbeat"}  -> 202 | 200 new version
    POST   /v1/playlists/{id}/extend[?wait=true] {"count": 10}            -> 202 | 200 new version
    POST   /v1/playlists/{id}/tracks/{track_id}/replace                   -> 200 new version
    DELETE /v1/playlists/{id}/tracks/{track_id}                           -> 200 new version
    POST   /v1/playlists/{id}/tracks/{track_id}/pin    (DELETE: unpin)    -> 200 new version
    POST   /v1/playlists/{id}/tracks/{track_id}/move {"to": 0}            -> 200 new version
    POST   /v1/playlists/{id}/undo   |   POST /v1/playlists/{id}/redo     -> 200 that version
    GET    /v1/playlists/{id}/versions   |   GET /v1/playlists/{id}/versions/{n}

Refine and extend may ask the upstream, so they run as jobs like making a playlist does: the
playlist is ``queued``/``running`` again (its ``playlist`` still the version it shows, its
``change`` the change being made) and ends ``done`` at the new version, or, if the change
cannot be made, ``done`` at the same version with ``error`` saying why (the ``failed`` event).
The rest answer at once with the playlist at its new version; replace draws on the cached
candidates (it awaits the upstream only when they are no longer cached).

Every change is checked before anything is stored: bad input is a 4xx that changes nothing
(422 unreadable or out of range, 404 an unknown playlist, track or version, 409 a playlist
not finished, being changed, or changed meanwhile by another request). The steps every
change shares (those checks, storing a version, queueing a job) are in ``revising``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from moodmix.engine.edits import move_track, pin_track, remove_track
from moodmix.engine.playlist import MAX_TRACKS
from moodmix.engine.revise import check_refinement, replace_track
from moodmix.engine.revised import RevisionError
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.service.deps import AccountDep, ClientDep, ServiceDep, check_quota, client_id
from moodmix.service.errors import ServiceError, upstream_problem
from moodmix.service.models import PlaylistRow, PlaylistVersionRow
from moodmix.service.routes.exclusions import with_listener_exclusions
from moodmix.service.routes.owned import PlaylistId, json_body, playlist_of
from moodmix.service.routes.revising import (
    commit,
    finished,
    pure,
    step_version,
    stored_playlist,
    submit_change,
    track_of,
    unprocessable,
)
from moodmix.service.runtime import Service
from moodmix.service.schemas import (
    ErrorOut,
    ExtendIn,
    MoveIn,
    PlaylistOut,
    RefineIn,
    VersionOut,
    VersionsOut,
)
from moodmix.service.stored_requests import current_request, revision_request

router = APIRouter(prefix="/v1/playlists", tags=["playlists"], dependencies=[Depends(client_id)])

TrackId = Annotated[
    str,
    Path(pattern=r"^[A-Za-z0-9_:-]{1,64}$", description="a track's id, as the playlist gives it"),
]
VersionNumber = Annotated[int, Path(ge=1, le=1_000_000, description="1 is the first draft")]
Wait = Annotated[
    bool, Query(description="answer with the playlist at its new version instead of 202")
]

_CHANGED: dict[int | str, dict[str, Any]] = {
    200: {"model": PlaylistOut, "description": "the playlist at its new version"},
    404: {"model": ErrorOut, "description": "no such playlist of yours, or track"},
    409: {"model": ErrorOut, "description": "not finished, being changed, or changed meanwhile"},
    422: {"model": ErrorOut, "description": "the change cannot be made; nothing changed"},
}
_JOB: dict[int | str, dict[str, Any]] = {
    **_CHANGED,
    202: {"model": PlaylistOut, "description": "the change is queued or being made"},
    503: {"model": ErrorOut, "description": "ReccoBeats failed the change, or stopping"},
}


@router.get(
    "/{id}/versions",
    summary="Every version of a playlist, oldest first",
    response_model=VersionsOut,
)
async def list_versions(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    row = await playlist_of(service, id, account)
    items = [_version_json(v, row) for v in await service.repo.versions.all(id)]
    return json_body({"current": row.version, "items": items}, 200, {})


@router.get(
    "/{id}/versions/{number}",
    summary="One version of a playlist, with its tracks",
    response_model=VersionOut,
)
async def get_version(
    id: PlaylistId, number: VersionNumber, service: ServiceDep, account: AccountDep
) -> Response:
    row = await playlist_of(service, id, account)
    version = await service.repo.versions.get(id, number)
    if version is None:
        raise ServiceError(
            404,
            "not_found",
            f"playlist {id!r} has no version {number}; it has {await _count(service, id)}",
        )
    return json_body(_version_json(version, row, whole=True), 200, {})


@router.post(
    "/{id}/refine",
    status_code=202,
    summary="Change a playlist in words: 'more upbeat, less vocals'",
    response_model=PlaylistOut,
    responses=_JOB,
)
async def refine_playlist(
    id: PlaylistId,
    body: RefineIn,
    http: Request,
    service: ServiceDep,
    client: ClientDep,
    account: AccountDep,
    wait: Wait = False,
) -> Response:
    """Reads ``text`` as a change relative to the playlist's mood (more/less/no/without,
    "slower", "like track 3", a length), keeps the tracks that still fit (and pinned ones),
    replaces the rest from the cached candidates, and says what moved (the version's
    ``change``). Answers like ``POST /v1/playlists``: ``202`` and the job, or with
    ``?wait=true`` the playlist at its new version."""
    row = await finished(service, id, account)
    playlist = stored_playlist(row)
    try:
        check_refinement(playlist, body.text)
    except RevisionError as exc:
        raise unprocessable(exc) from None
    revision = {"op": "refine", "text": body.text}
    fields = await with_listener_exclusions(
        http, service, body.request_fields(current_request(row))
    )
    return await submit_change(service, row, revision, fields, client, wait)


@router.post(
    "/{id}/extend",
    status_code=202,
    summary="Add N more tracks like these",
    response_model=PlaylistOut,
    responses=_JOB,
)
async def extend_playlist(
    id: PlaylistId,
    body: ExtendIn,
    service: ServiceDep,
    client: ClientDep,
    account: AccountDep,
    wait: Wait = False,
) -> Response:
    """Appends ``count`` tracks like the playlist's: unused candidates first (cached), then
    recommendations seeded from its best fitting tracks."""
    row = await finished(service, id, account)
    room = MAX_TRACKS - len(stored_playlist(row).tracks)
    if body.count > room:
        raise unprocessable(
            f"a playlist holds at most {MAX_TRACKS} tracks; this one has room for {room} more",
            field="count",
        )
    revision = {"op": "extend", "count": body.count}
    return await submit_change(service, row, revision, current_request(row), client, wait)


@router.post(
    "/{id}/tracks/{track_id}/replace",
    summary="Replace a track by the best fitting unused candidate",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def replace(
    id: PlaylistId, track_id: TrackId, service: ServiceDep, client: ClientDep, account: AccountDep
) -> Response:
    """In the track's place: the unused candidate that fits the mood best (not a duplicate,
    within the artist cap). No upstream request while the candidates are cached."""
    row = await finished(service, id, account)
    playlist = stored_playlist(row)
    track_of(playlist, track_id)
    check_quota(service, client)
    request = await revision_request(service.repo, row)
    try:
        with service.quota.acting_for(client):
            step = await replace_track(service.gateway, playlist, request, track_id)
    except RevisionError as exc:
        raise unprocessable(exc) from None
    except ReccoBeatsError as exc:
        problem = upstream_problem(exc)
        raise ServiceError(
            problem.status, problem.code, problem.message, retry_after=problem.retry_after
        ) from None
    return await commit(service, row, step)


@router.delete(
    "/{id}/tracks/{track_id}",
    summary="Remove a track",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def remove(
    id: PlaylistId, track_id: TrackId, service: ServiceDep, account: AccountDep
) -> Response:
    row = await finished(service, id, account)
    playlist = stored_playlist(row)
    track_of(playlist, track_id)
    return await commit(service, row, pure(lambda: remove_track(playlist, track_id)))


@router.post(
    "/{id}/tracks/{track_id}/pin",
    summary="Pin a track: refines keep it, in its place",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def pin(
    id: PlaylistId, track_id: TrackId, service: ServiceDep, account: AccountDep
) -> Response:
    return await _pin(service, id, track_id, account, pinned=True)


@router.delete(
    "/{id}/tracks/{track_id}/pin",
    summary="Unpin a track",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def unpin(
    id: PlaylistId, track_id: TrackId, service: ServiceDep, account: AccountDep
) -> Response:
    return await _pin(service, id, track_id, account, pinned=False)


@router.post(
    "/{id}/tracks/{track_id}/move",
    summary="Move a track to another position",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def move(
    id: PlaylistId, track_id: TrackId, body: MoveIn, service: ServiceDep, account: AccountDep
) -> Response:
    """``to`` is the track's new position, 0 the first; the others close up around it."""
    row = await finished(service, id, account)
    playlist = stored_playlist(row)
    track_of(playlist, track_id)
    return await commit(service, row, pure(lambda: move_track(playlist, track_id, body.to)))


@router.post(
    "/{id}/undo",
    summary="Go back to the version this one was made from",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def undo(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    """Shows the version the current one was made from; no version is dropped."""
    row = await finished(service, id, account)
    return await step_version(service, row, forward=False)


@router.post(
    "/{id}/redo",
    summary="Go forward to the newest version made from this one",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def redo(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    """Shows the newest version made from the current one: after an undo, the version undone,
    unless a new change was made since (then that change)."""
    row = await finished(service, id, account)
    return await step_version(service, row, forward=True)


# --- internals ------------------------------------------------------------------------------------


async def _pin(service: Service, id: str, track_id: str, account: str, *, pinned: bool) -> Response:
    row = await finished(service, id, account)
    playlist = stored_playlist(row)
    track_of(playlist, track_id)
    return await commit(service, row, pure(lambda: pin_track(playlist, track_id, pinned)))


async def _count(service: Service, id: str) -> int:
    return len(await service.repo.versions.all(id))


def _version_json(
    version: PlaylistVersionRow, row: PlaylistRow, *, whole: bool = False
) -> dict[str, Any]:
    tracks = version.playlist.get("tracks")
    return {
        "number": version.number,
        "parent": version.parent,
        "change": version.change,
        "tracks": len(tracks) if isinstance(tracks, list) else 0,
        "current": version.number == row.version,
        "created_at": version.created_at.isoformat().replace("+00:00", "Z"),
        "playlist": version.playlist if whole else None,
    }
