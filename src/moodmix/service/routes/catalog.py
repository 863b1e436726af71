"""Read-through endpoints for frontends: ReccoBeats data through the gateway's cache.

::

    GET /v1/tracks?ids=00aqkszH1FdUiJJWvX6iEl,3n3Ppam7vgaVa1iaRUc9Lp
    GET /v1/tracks/00aqkszH1FdUiJJWvX6iEl
    GET /v1/tracks/00aqkszH1FdUiJJWvX6iEl/audio-features
    GET /v1/artists/search?q=daft+punk&page=0&size=20

Each id may be a Spotify id, ``spotify:track:`` URI, open.spotify.com link or ReccoBeats id.
Answers carry ``Cache-Control`` for the data's TTL and an ETag. Upstream requests they cause
count against the client's share of the quota. A request that would wait for quota longer than
``MOODMIX_UPSTREAM_PATIENCE_S`` gets a 503 with ``Retry-After`` instead.
"""

from __future__ import annotations

from typing import Annotated, Final, NoReturn

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from moodmix.reccobeats.ids import parse_id, parse_ids
from moodmix.reccobeats.patience import patience
from moodmix.service.caching import cached_json, for_seconds, private_if
from moodmix.service.deps import QuotaClientDep, ServiceDep
from moodmix.service.errors import ServiceError
from moodmix.service.schemas import TRACK_ID_PATTERN

router = APIRouter(prefix="/v1", tags=["catalog"])

MAX_IDS: Final = 100

TrackId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="Spotify id, spotify:track: URI, open.spotify.com link or ReccoBeats id",
        json_schema_extra={"pattern": TRACK_ID_PATTERN},
    ),
]


@router.get("/tracks", summary="Tracks by id, in the order asked")
async def tracks(
    request: Request,
    service: ServiceDep,
    client: QuotaClientDep,
    ids: Annotated[
        list[str],
        Query(description=f"1 to {MAX_IDS} ids, repeated (ids=a&ids=b) or comma-separated"),
    ],
) -> Response:
    """``{"tracks": [...], "missing": [...]}``: unknown ids are listed in ``missing``."""
    wanted = [part.strip() for value in ids for part in value.split(",") if part.strip()]
    if not wanted or len(wanted) > MAX_IDS:
        _invalid("ids", f"give 1 to {MAX_IDS} ids, got {len(wanted)}")
    try:
        parsed = parse_ids(wanted, expect="track")
    except ValueError as exc:
        _invalid("ids", str(exc))
    with service.quota.acting_for(client), patience(service.settings.upstream_patience_s):
        found = await service.gateway.get_tracks(wanted)
    known = {t.id for t in found} | {t.spotify_id for t in found if t.spotify_id}
    missing = [text for text, p in zip(wanted, parsed, strict=True) if p.value not in known]
    payload = {"tracks": [t.to_wire() for t in found], "missing": missing}
    cache = for_seconds(service.settings.ttl_tracks_s)
    return cached_json(request, payload, cache_control=private_if(cache, _private(service)))


@router.get("/tracks/{id}", summary="One track")
async def track(
    id: TrackId, request: Request, service: ServiceDep, client: QuotaClientDep
) -> Response:
    _check_id(id)
    with service.quota.acting_for(client), patience(service.settings.upstream_patience_s):
        found = await service.gateway.get_track(id)
    cache = for_seconds(service.settings.ttl_tracks_s)
    return cached_json(request, found.to_wire(), cache_control=private_if(cache, _private(service)))


@router.get("/tracks/{id}/audio-features", summary="A track's audio features")
async def audio_features(
    id: TrackId, request: Request, service: ServiceDep, client: QuotaClientDep
) -> Response:
    _check_id(id)
    with service.quota.acting_for(client), patience(service.settings.upstream_patience_s):
        found = await service.gateway.get_track_audio_features(id)
    cache = for_seconds(service.settings.ttl_features_s)
    return cached_json(request, found.to_wire(), cache_control=private_if(cache, _private(service)))


@router.get("/artists/search", summary="Artists whose name matches a text")
async def search_artists(
    request: Request,
    service: ServiceDep,
    client: QuotaClientDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="text to search for")],
    page: Annotated[int, Query(ge=0, le=1_000, description="page number, from 0")] = 0,
    size: Annotated[int, Query(ge=1, le=50, description="artists per page")] = 20,
) -> Response:
    if not q.strip():
        _invalid("q", "give some text to search for, not only spaces", where="query")
    with service.quota.acting_for(client), patience(service.settings.upstream_patience_s):
        result = await service.gateway.search_artists(q, page=page, size=size)
    cache = for_seconds(service.settings.ttl_search_s)
    return cached_json(
        request, result.to_wire(), cache_control=private_if(cache, _private(service))
    )


def _check_id(id: str) -> None:
    try:
        parse_id(id, expect="track")
    except ValueError as exc:
        _invalid("id", str(exc), where="path")


def _private(service: ServiceDep) -> bool:
    return service.api_keys.required


def _invalid(field: str, message: str, *, where: str = "query") -> NoReturn:
    raise ServiceError(
        422,
        "invalid_request",
        f"{field}: {message}",
        problems=[{"field": field, "in": where, "message": message}],
    )
