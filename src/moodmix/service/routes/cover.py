"""``GET /v1/playlists/{id}/cover.jpg``: a finished playlist's cover, the one its Spotify
save uploads.

::

    GET /v1/playlists/{id}/cover.jpg   -> 200 image/jpeg (ETag; 304 on If-None-Match)

Drawn from the mood (``engine.cover.playlist_cover``) the first time it is asked for and kept
(``COVERS`` most recent) while it stays the same: a playlist whose name or mood changes gets
a new picture and a new ETag.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from moodmix.engine.cover import CoverInputs, cover_inputs, draw_inputs
from moodmix.service.caching import etag_of, matches
from moodmix.service.deps import AccountDep, ServiceDep, client_id
from moodmix.service.errors import ServiceError
from moodmix.service.models import DONE, FAILED
from moodmix.service.routes.owned import PlaylistId, failure, playlist_of, revalidate
from moodmix.service.schemas import ErrorOut

router = APIRouter(prefix="/v1/playlists", tags=["playlists"], dependencies=[Depends(client_id)])

COVERS: Final = 256
"""Covers kept drawn (about 60 KB each)."""


@lru_cache(maxsize=COVERS)
def _drawn(inputs: CoverInputs) -> tuple[bytes, str]:
    jpeg = draw_inputs(inputs)
    return jpeg, etag_of(jpeg)


@router.get(
    "/{id}/cover.jpg",
    summary="A finished playlist's cover image, drawn from its mood",
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "the cover, 640x640"},
        304: {"description": "unchanged since the ETag sent in If-None-Match"},
        409: {"model": ErrorOut, "description": "the playlist is not made yet"},
    },
)
async def cover(
    id: PlaylistId, request: Request, service: ServiceDep, account: AccountDep
) -> Response:
    """The same picture a save to Spotify uploads: colours from the mood's brightness and
    energy, the playlist's name as the caption."""
    row = await playlist_of(service, id, account)
    if row.status == FAILED:
        return failure(row, {})
    if row.status != DONE or row.result is None:
        raise ServiceError(409, "not_ready", f"playlist {id!r} is not made yet ({row.status})")
    inputs = cover_inputs(str(row.request.get("prompt", "")), row.result)
    jpeg, etag = await asyncio.to_thread(_drawn, inputs)
    headers = {"ETag": etag, "Cache-Control": revalidate(service.api_keys.required)}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(jpeg, media_type="image/jpeg", headers=headers)
