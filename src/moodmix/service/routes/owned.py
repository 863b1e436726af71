"""What the routes about one playlist share: its id in the path, finding it for its account,
and the answers they give.

::

    row = await playlist_of(service, id, account)     # 404 unless it is ``account``'s
    return json_body({"items": items}, 200, {})       # JSON, not to be stored by caches
    return failure(row, headers)                       # a failed playlist's error answer
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Path
from fastapi.responses import JSONResponse, Response

from moodmix.service.caching import REVALIDATE
from moodmix.service.errors import ServiceError, error_response
from moodmix.service.models import PlaylistRow
from moodmix.service.resources import playlist_json
from moodmix.service.runtime import Service

PlaylistId = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9_-]{1,32}$",
        description="the id POST /v1/playlists answered with",
    ),
]

ShareToken = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{20,64}$", description="the token of a share link")
]


async def playlist_of(service: Service, id: str, account: str) -> PlaylistRow:
    """``account``'s playlist ``id``; a 404 if there is none, or it is another's (the same
    answer, so ids tell nothing about other accounts)."""
    row = await service.repo.get(id)
    if row is None or row.account != account:
        raise ServiceError(404, "not_found", f"there is no playlist {id!r}")
    return row


def revalidate(private: bool) -> str:
    """Ask every time; kept by no shared cache when answers depend on who asks."""
    return f"private, {REVALIDATE}" if private else REVALIDATE


def json_body(payload: dict[str, Any], status: int, headers: dict[str, str]) -> Response:
    return json_bytes(orjson.dumps(payload), status, headers)


def json_bytes(body: bytes, status: int, headers: dict[str, str]) -> Response:
    return Response(
        body,
        status_code=status,
        media_type="application/json",
        headers={**headers, "Cache-Control": "no-store"},
    )


def failure(row: PlaylistRow, headers: dict[str, str]) -> JSONResponse:
    error = row.error or {}
    kind = str(error.get("kind", "failed"))
    message = str(error.get("message", "the playlist could not be made"))
    retry_after = error.get("retry_after")
    if kind in ("invalid_request", "no_seeds"):
        status = 422
    elif kind == "not_found":
        status = 404
    elif kind == "internal_error":
        status = 500
    else:
        status = 503
        retry_after = retry_after if isinstance(retry_after, int | float) else 30.0
    return error_response(
        status,
        kind,
        message,
        retry_after=retry_after if status == 503 else None,
        headers=headers,
        playlist=playlist_json(row),
    )
