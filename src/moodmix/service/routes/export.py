"""``GET /v1/playlists/{id}/export``: a finished playlist as a file other players open.

::

    GET /v1/playlists/{id}/export?format=xspf    -> the file, with its media type
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from moodmix.engine.export import MEDIA_TYPES, ExportFormat, export
from moodmix.service.deps import AccountDep, ServiceDep, client_id
from moodmix.service.errors import ServiceError
from moodmix.service.models import DONE, FAILED
from moodmix.service.routes.owned import PlaylistId, failure, playlist_of
from moodmix.service.schemas import ErrorOut

router = APIRouter(prefix="/v1/playlists", tags=["playlists"], dependencies=[Depends(client_id)])


@router.get(
    "/{id}/export",
    summary="A finished playlist as a file: M3U8, XSPF, JSPF, CSV or Spotify URIs",
    responses={
        200: {"content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}},
        409: {"model": ErrorOut, "description": "the playlist is not made yet"},
    },
)
async def export_playlist(
    id: PlaylistId,
    service: ServiceDep,
    account: AccountDep,
    format: Annotated[ExportFormat, Query(description="the file format")] = "m3u8",
) -> Response:
    """The playlist for other players; tracks with no Spotify id are left out of M3U8 and
    the URI list (no player could find them)."""
    row = await playlist_of(service, id, account)
    if row.status == FAILED:
        return failure(row, {})
    if row.status != DONE or row.result is None:
        raise ServiceError(409, "not_ready", f"playlist {id!r} is not made yet ({row.status})")
    title = str(row.request.get("prompt", "")) or f"moodmix {id}"
    return Response(
        export(row.result, format, title=title),
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="moodmix-{id}.{format}"',
            "Cache-Control": "no-store",
        },
    )
