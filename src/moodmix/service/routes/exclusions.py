"""``/v1/me/exclusions``: what a signed-in listener leaves out of every playlist they make.

::

    GET /v1/me/exclusions   -> {"exclude_artists": [...], "exclude_tracks": [...],
                                "explicit": true, "max_track_seconds": null, "years": null}
    PUT /v1/me/exclusions {"exclude_artists": ["Coldplay"], "explicit": false}  -> the same

A PUT replaces what was stored (send ``{}`` to forget it all); later playlists of the
listener apply the stored exclusions on top of the request's own. Signed out: 401.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from moodmix.service.deps import ServiceDep, current_listener, listeners_of
from moodmix.service.errors import ServiceError
from moodmix.service.listener_exclusions import ListenerExclusions, merged
from moodmix.service.listeners import SignedIn
from moodmix.service.schemas import EXCLUSION_DEFAULTS, ExclusionsIn, ExclusionsOut
from moodmix.service.stored_requests import engine_request

router = APIRouter(prefix="/v1/me", tags=["listeners"])


async def _listener(request: Request, service: ServiceDep) -> SignedIn:
    listeners_of(service)
    who = await current_listener(request, service)
    if who is None:
        raise ServiceError(401, "signed_out", "sign in with Spotify to keep your exclusions")
    return who


@router.get(
    "/exclusions", summary="What you leave out of every playlist", response_model=ExclusionsOut
)
async def get_exclusions(request: Request, service: ServiceDep) -> Response:
    who = await _listener(request, service)
    return _answer(await ListenerExclusions(service.db).get(who.id))


@router.put(
    "/exclusions",
    summary="Change what you leave out of every playlist",
    response_model=ExclusionsOut,
)
async def put_exclusions(body: ExclusionsIn, request: Request, service: ServiceDep) -> Response:
    """Replaces the stored exclusions; invalid ones are a 422 and change nothing."""
    who = await _listener(request, service)
    return _answer(await ListenerExclusions(service.db).put(who.id, body.exclusion_fields()))


async def with_listener_exclusions(
    request: Request, service: ServiceDep, fields: dict[str, Any]
) -> dict[str, Any]:
    """``fields`` (a request, by the engine's names) with the signed-in listener's stored
    exclusions added; unchanged when nobody is signed in. A 422 if together they contradict
    (a seed the listener excludes)."""
    if service.listeners is None:
        return fields
    who = await current_listener(request, service)
    if who is None:
        return fields
    both = merged(await ListenerExclusions(service.db).get(who.id), fields)
    try:
        engine_request(both)
    except ValueError as exc:
        message = f"with your stored exclusions (/v1/me/exclusions): {exc}"
        raise ServiceError(
            422, "invalid_request", message, problems=[{"field": "body", "message": message}]
        ) from None
    return both


def _answer(stored: dict[str, Any]) -> Response:
    fields = EXCLUSION_DEFAULTS | stored
    body = {
        "exclude_artists": fields["exclude_artists"],
        "exclude_tracks": fields["exclude_tracks"],
        "explicit": fields["explicit"],
        "max_track_seconds": fields["max_track_s"],
        "years": fields["years"],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
