"""``/v1/shared/{token}``: a playlist read through a share link its account made.

::

    GET /v1/shared/{token}      -> the playlist, read-only; 404 once the link is revoked

No API key is needed: the token is the permission, and it grants reading this one playlist
and nothing else (``routes.playlists`` makes and revokes links).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from moodmix.service.caching import REVALIDATE, cached_json
from moodmix.service.deps import ServiceDep
from moodmix.service.errors import ServiceError
from moodmix.service.resources import shared_json
from moodmix.service.schemas import PlaylistOut

router = APIRouter(prefix="/v1/shared", tags=["playlists"])

Token = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{20,64}$", description="the token of a share link")
]


@router.get(
    "/{token}", summary="A playlist through its share link (read-only)", response_model=PlaylistOut
)
async def shared_playlist(token: Token, request: Request, service: ServiceDep) -> Response:
    row = await service.share_links.resolve(token)
    if row is None:
        raise ServiceError(404, "not_found", "this share link does not exist or was revoked")
    # Revalidated every time, and never stored by a shared cache: a revoked link must stop.
    return cached_json(request, shared_json(row, token), cache_control=f"private, {REVALIDATE}")
