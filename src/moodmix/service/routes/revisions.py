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
not finished, being changed, or changed meanwhile by another request).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from moodmix.engine.edits import move_track, pin_track, position_of, remove_track
from moodmix.engine.playlist import MAX_TRACKS, Playlist
from moodmix.engine.revise import check_refinement, replace_track
from moodmix.engine.revised import Revised, RevisionError
from moodmix.engine.stored import playlist_from_json
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.service.deps import AccountDep, ClientDep, ServiceDep, check_quota, client_id
from moodmix.service.errors import ServiceError, upstream_problem
from moodmix.service.jobs import NotAccepting
from moodmix.service.models import DONE, FAILED, PlaylistRow, PlaylistVersionRow
from moodmix.service.resources import links, playlist_json
from moodmix.service.routes.exclusions import with_listener_exclusions
from moodmix.service.routes.owned import PlaylistId, failure, json_body, playlist_of
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
from moodmix.service.versions import NoVersion, VersionConflict

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
    row = await _finished(service, id, account)
    playlist = _playlist(row)
    try:
        check_refinement(playlist, body.text)
    except RevisionError as exc:
        raise _unprocessable(exc) from None
    revision = {"op": "refine", "text": body.text}
    fields = await with_listener_exclusions(
        http, service, body.request_fields(current_request(row))
    )
    return await _submit(service, row, revision, fields, client, wait)


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
    row = await _finished(service, id, account)
    room = MAX_TRACKS - len(_playlist(row).tracks)
    if body.count > room:
        raise _unprocessable(
            f"a playlist holds at most {MAX_TRACKS} tracks; this one has room for {room} more",
            field="count",
        )
    revision = {"op": "extend", "count": body.count}
    return await _submit(service, row, revision, current_request(row), client, wait)


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
    row = await _finished(service, id, account)
    playlist = _playlist(row)
    _track_of(playlist, track_id)
    check_quota(service, client)
    request = await revision_request(service.repo, row)
    try:
        with service.quota.acting_for(client):
            step = await replace_track(service.gateway, playlist, request, track_id)
    except RevisionError as exc:
        raise _unprocessable(exc) from None
    except ReccoBeatsError as exc:
        problem = upstream_problem(exc)
        raise ServiceError(
            problem.status, problem.code, problem.message, retry_after=problem.retry_after
        ) from None
    return await _commit(service, row, step)


@router.delete(
    "/{id}/tracks/{track_id}",
    summary="Remove a track",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def remove(
    id: PlaylistId, track_id: TrackId, service: ServiceDep, account: AccountDep
) -> Response:
    row = await _finished(service, id, account)
    playlist = _playlist(row)
    _track_of(playlist, track_id)
    return await _commit(service, row, _pure(lambda: remove_track(playlist, track_id)))


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
    row = await _finished(service, id, account)
    playlist = _playlist(row)
    _track_of(playlist, track_id)
    return await _commit(service, row, _pure(lambda: move_track(playlist, track_id, body.to)))


@router.post(
    "/{id}/undo",
    summary="Go back to the version this one was made from",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def undo(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    """Shows the version the current one was made from; no version is dropped."""
    row = await _finished(service, id, account)
    return await _step(service, row, forward=False)


@router.post(
    "/{id}/redo",
    summary="Go forward to the newest version made from this one",
    response_model=PlaylistOut,
    responses=_CHANGED,
)
async def redo(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    """Shows the newest version made from the current one: after an undo, the version undone,
    unless a new change was made since (then that change)."""
    row = await _finished(service, id, account)
    return await _step(service, row, forward=True)


# --- internals ------------------------------------------------------------------------------------


async def _finished(service: Service, id: str, account: str) -> PlaylistRow:
    """``account``'s playlist, finished and not being changed; else a 404 or a 409."""
    row = await playlist_of(service, id, account)
    if row.status == FAILED:
        raise ServiceError(
            409, "not_finished", f"playlist {id!r} failed; there is nothing to change"
        )
    if row.status != DONE or row.result is None:
        doing = "being changed" if row.revision is not None else row.status
        raise ServiceError(409, "not_finished", f"playlist {id!r} is {doing}; wait for it")
    return row


def _playlist(row: PlaylistRow) -> Playlist:
    try:
        return playlist_from_json(row.result or {})
    except ValueError as exc:
        raise ServiceError(500, "internal_error", f"playlist {row.id!r}: {exc}") from None


def _track_of(playlist: Playlist, track_id: str) -> int:
    try:
        return position_of(playlist, track_id)
    except RevisionError as exc:
        raise ServiceError(404, "not_found", str(exc)) from None


def _pure(change: Any) -> Revised:
    try:
        step: Revised = change()
    except RevisionError as exc:
        raise _unprocessable(exc) from None
    return step


async def _pin(service: Service, id: str, track_id: str, account: str, *, pinned: bool) -> Response:
    row = await _finished(service, id, account)
    playlist = _playlist(row)
    _track_of(playlist, track_id)
    return await _commit(service, row, _pure(lambda: pin_track(playlist, track_id, pinned)))


async def _commit(service: Service, row: PlaylistRow, step: Revised) -> Response:
    try:
        changed = await service.repo.versions.commit(
            row.id, base=row.version, playlist=step.playlist.to_json(), change=step.change
        )
    except VersionConflict as exc:
        raise ServiceError(409, "changed_meanwhile", str(exc)) from None
    service.results.forget(row.id)
    return json_body(playlist_json(changed), 200, {"Location": links(row.id)["self"]})


async def _step(service: Service, row: PlaylistRow, *, forward: bool) -> Response:
    versions = service.repo.versions
    try:
        if forward:
            changed = await versions.redo(row.id, base=row.version)
        else:
            changed = await versions.undo(row.id, base=row.version)
    except NoVersion as exc:
        raise ServiceError(409, "no_version", str(exc)) from None
    except VersionConflict as exc:
        raise ServiceError(409, "changed_meanwhile", str(exc)) from None
    service.results.forget(row.id)
    return json_body(playlist_json(changed), 200, {"Location": links(row.id)["self"]})


async def _submit(
    service: Service,
    row: PlaylistRow,
    revision: dict[str, Any],
    request: dict[str, Any],
    client: str,
    wait: bool,
) -> Response:
    check_quota(service, client)
    try:
        queued = await service.runner.revise(row, revision=revision, request=request, client=client)
    except VersionConflict as exc:
        raise ServiceError(409, "changed_meanwhile", str(exc)) from None
    except NotAccepting:
        raise ServiceError(
            503, "shutting_down", "the service is shutting down; try again", retry_after=5
        ) from None
    service.results.forget(row.id)
    location = {"Location": links(row.id)["self"]}
    if wait:
        final = await _wait(service, row.id, service.settings.wait_timeout_s)
        if final is not None and final.status == DONE:
            if (final.error or {}).get("change"):
                return failure(final, location)
            return json_body(playlist_json(final), 200, location)
    return json_body(playlist_json(queued, live=service.runner.live(row.id)), 202, location)


async def _wait(service: Service, id: str, within: float) -> PlaylistRow | None:
    if service.runner.holds(id):
        return await service.runner.wait(id, within)
    return await service.feed.wait(id, within)


def _unprocessable(problem: Exception | str, *, field: str = "text") -> ServiceError:
    message = str(problem)
    return ServiceError(
        422,
        "invalid_request",
        message,
        problems=[{"field": field, "in": "body", "message": message}],
    )


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
