"""What every change to a finished playlist goes through: found finished, read back, its
track found, checked, then stored as a new version or queued as a job.

::

    row = await finished(service, id, account)        # 404 unless ``account``'s, 409 unless done
    playlist = stored_playlist(row)
    track_of(playlist, track_id)                       # 404 unless the track is in it
    step = pure(lambda: remove_track(playlist, track_id))   # 422 if the change cannot be made
    return await commit(service, row, step)            # 200: the playlist at its new version
    return await submit_change(service, row, revision, request, client, wait)   # 202, or 200

``step_version`` goes back or forward (undo, redo); ``unprocessable`` is the 422 that names
the field. A change made meanwhile by another request is a 409 (``changed_meanwhile``).
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from moodmix.engine.edits import position_of
from moodmix.engine.playlist import Playlist
from moodmix.engine.revised import Revised, RevisionError
from moodmix.engine.stored import playlist_from_json
from moodmix.service.deps import check_quota
from moodmix.service.errors import ServiceError
from moodmix.service.jobs import NotAccepting
from moodmix.service.models import DONE, FAILED, PlaylistRow
from moodmix.service.resources import links, playlist_json
from moodmix.service.routes.owned import failure, json_body, playlist_of
from moodmix.service.runtime import Service
from moodmix.service.versions import NoVersion, VersionConflict


async def finished(service: Service, id: str, account: str) -> PlaylistRow:
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


def stored_playlist(row: PlaylistRow) -> Playlist:
    """The playlist ``row`` shows; a 500 if what is stored is not one."""
    try:
        return playlist_from_json(row.result or {})
    except ValueError as exc:
        raise ServiceError(500, "internal_error", f"playlist {row.id!r}: {exc}") from None


def track_of(playlist: Playlist, track_id: str) -> int:
    """Where ``track_id`` is in ``playlist``; a 404 if it is not in it."""
    try:
        return position_of(playlist, track_id)
    except RevisionError as exc:
        raise ServiceError(404, "not_found", str(exc)) from None


def pure(change: Any) -> Revised:
    """What ``change()`` (an edit that asks nothing upstream) gives; a 422 if it cannot."""
    try:
        step: Revised = change()
    except RevisionError as exc:
        raise unprocessable(exc) from None
    return step


async def commit(service: Service, row: PlaylistRow, step: Revised) -> Response:
    """``step`` stored as ``row``'s new version, answered with the playlist at it."""
    try:
        changed = await service.repo.versions.commit(
            row.id, base=row.version, playlist=step.playlist.to_json(), change=step.change
        )
    except VersionConflict as exc:
        raise ServiceError(409, "changed_meanwhile", str(exc)) from None
    service.results.forget(row.id)
    return json_body(playlist_json(changed), 200, {"Location": links(row.id)["self"]})


async def step_version(service: Service, row: PlaylistRow, *, forward: bool) -> Response:
    """``row`` shown at the version before (undo) or after (redo, ``forward``) its own."""
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


async def submit_change(
    service: Service,
    row: PlaylistRow,
    revision: dict[str, Any],
    request: dict[str, Any],
    client: str,
    wait: bool,
) -> Response:
    """``revision`` queued as a job, ``request`` ``row``'s request from now on: a 202, or
    with ``wait`` the playlist at its new version once the job is done in time."""
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


def unprocessable(problem: Exception | str, *, field: str = "text") -> ServiceError:
    """The 422 for a change that cannot be made, naming the body's ``field``."""
    message = str(problem)
    return ServiceError(
        422,
        "invalid_request",
        message,
        problems=[{"field": field, "in": "body", "message": message}],
    )
