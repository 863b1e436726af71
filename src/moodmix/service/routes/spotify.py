"""``/v1/playlists/{id}/spotify``: save a finished playlist to the signed-in listener's
Spotify account, and see how the save stands.

::

    POST /v1/playlists/{id}/spotify             -> 202 {"status": "running", ...}
    POST /v1/playlists/{id}/spotify?wait=true   -> 200 {"status": "done", "spotify_id",
                                                         "spotify_url", "tracks_added"}
    GET  /v1/playlists/{id}/spotify             -> the save as it stands; 404 before one

Saving again gives the same Spotify playlist (a 200 at once when it is done); a save that
failed part-way resumes where it stopped. Only the listener whose playlist it is can save it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from moodmix.service.deps import ServiceDep, current_listener, listeners_of
from moodmix.service.errors import ServiceError
from moodmix.service.listeners import SignedIn
from moodmix.service.models import DONE, SpotifySaveRow
from moodmix.service.routes.owned import PlaylistId
from moodmix.service.runtime import Service
from moodmix.service.spotify_saves import SpotifySaves

router = APIRouter(prefix="/v1/playlists", tags=["spotify"])


async def _listener(request: Request, service: Service) -> tuple[SignedIn, SpotifySaves]:
    listeners_of(service)
    who = await current_listener(request, service)
    if who is None or service.saves is None:
        raise ServiceError(401, "signed_out", "sign in with Spotify to save playlists there")
    return who, service.saves


@router.post("/{id}/spotify", summary="Save a playlist to your Spotify account")
async def save(
    id: PlaylistId,
    request: Request,
    service: ServiceDep,
    wait: Annotated[bool, Query(description="answer when the save has ended")] = False,
) -> Response:
    who, saves = await _listener(request, service)
    row = await service.repo.get(id)
    if row is None or row.account != who.account:
        raise ServiceError(404, "not_found", f"there is no playlist {id!r}")
    if row.status != DONE:
        raise ServiceError(409, "not_ready", f"playlist {id!r} is not made yet ({row.status})")
    found = await saves.start(row, who)
    if wait and found.status != DONE:
        found = await saves.wait(id, who.account, service.settings.wait_timeout_s) or found
    return _answer(found, 200 if found.status == DONE else 202)


@router.get("/{id}/spotify", summary="How the save of a playlist to Spotify stands")
async def saved(id: PlaylistId, request: Request, service: ServiceDep) -> Response:
    who, saves = await _listener(request, service)
    found = await saves.get(id, who.account)
    if found is None:
        raise ServiceError(404, "not_saved", f"playlist {id!r} has not been saved to Spotify")
    return _answer(found, 200)


def _answer(save: SpotifySaveRow, status: int) -> Response:
    body: dict[str, Any] = {
        "status": save.status,
        "spotify_id": save.spotify_playlist_id,
        "spotify_url": save.spotify_url,
        "tracks_added": save.tracks_added,
        "tracks_total": save.tracks_total,
    }
    if save.error:
        body["error"] = save.error
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
