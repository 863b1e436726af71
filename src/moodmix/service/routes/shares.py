"""Read-only links to a playlist: make, list and revoke them.

::

    POST   /v1/playlists/{id}/share            -> 201 + a read-only link
    GET    /v1/playlists/{id}/shares           -> its live links
    DELETE /v1/playlists/{id}/shares/{token}   -> 204: the link is dead
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from moodmix.service.deps import AccountDep, ServiceDep, client_id
from moodmix.service.errors import ServiceError
from moodmix.service.resources import share_link_json
from moodmix.service.routes.owned import PlaylistId, ShareToken, json_body, playlist_of
from moodmix.service.schemas import ShareLinkOut, ShareLinksOut

router = APIRouter(prefix="/v1/playlists", tags=["playlists"], dependencies=[Depends(client_id)])


@router.post(
    "/{id}/share",
    status_code=201,
    summary="Make a read-only link to a playlist",
    response_model=ShareLinkOut,
)
async def share(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    """A new link anyone can read the playlist through (no API key needed) until it is
    revoked; each call makes another."""
    await playlist_of(service, id, account)
    link = await service.share_links.create(id, account=account)
    body = share_link_json(link)
    return json_body(body, 201, {"Location": body["url"]})


@router.get("/{id}/shares", summary="A playlist's live share links", response_model=ShareLinksOut)
async def shares(id: PlaylistId, service: ServiceDep, account: AccountDep) -> Response:
    await playlist_of(service, id, account)
    items = [share_link_json(link) for link in await service.share_links.of(id)]
    return json_body({"items": items}, 200, {})


@router.delete(
    "/{id}/shares/{token}",
    status_code=204,
    summary="Revoke a share link",
    responses={204: {"description": "the link no longer works"}},
)
async def revoke_share(
    id: PlaylistId, token: ShareToken, service: ServiceDep, account: AccountDep
) -> Response:
    await playlist_of(service, id, account)
    if not await service.share_links.revoke(id, token, account=account):
        raise ServiceError(404, "not_found", f"playlist {id!r} has no live share link {token!r}")
    return Response(status_code=204)
