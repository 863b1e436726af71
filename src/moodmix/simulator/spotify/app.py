"""The Spotify stand-in's aiohttp application: accounts (``/authorize``, ``/api/token``), the
Web API calls moodmix makes under ``/v1``, and ``/_admin`` to look inside.

::

    app = build_app(StandIn(SpotifyConfig(), catalog))   # run with aiohttp's AppRunner

Every ``/v1`` request is checked in Spotify's order: the bearer token (401), the app's rolling
window (429 + Retry-After), the allowlist of a development-mode app (403), then the call;
faults (``SpotifyConfig.error_rate``, ``lost_answer_rate``) answer 500 before or after it.
Errors have Spotify's shape, ``{"error": {"status", "message"}}``.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler

from moodmix.simulator.spotify.library import TIME_RANGES, StoredPlaylist
from moodmix.simulator.spotify.signin import Grant
from moodmix.simulator.spotify.standin import StandIn

__all__ = ["STANDIN", "build_app"]

STANDIN: Final = web.AppKey("standin", StandIn)
_GRANT: Final = web.RequestKey("grant", Grant)
MAX_URIS: Final = 100
MAX_COVER_BYTES: Final = 256 * 1024
_TRACK_URI: Final = re.compile(r"spotify:track:([0-9A-Za-z]{22})")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"status": status, "message": message}}
    return web.json_response(body, status=status, headers=headers)


@web.middleware
async def _gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/v1/"):
        return await handler(request)
    standin = request.app[STANDIN]
    grant = standin.signin.grant(request.headers.get("Authorization"))
    if isinstance(grant, str):
        response: web.StreamResponse = _error(401, grant)
    elif (wait := standin.window.admit(grant.client_id)) is not None:
        response = _error(429, "API rate limit exceeded", {"Retry-After": str(math.ceil(wait))})
    elif not standin.allowed(grant.user):
        response = _error(403, "User not registered in the Developer Dashboard")
    elif standin.faults.random() < standin.config.error_rate:
        response = _error(500, "Server error")
    else:
        request[_GRANT] = grant
        try:
            response = await handler(request)
        except ApiError as exc:
            response = _error(exc.status, exc.message)
        changed = request.method != "GET" and response.status < 300
        if changed and standin.faults.random() < standin.config.lost_answer_rate:
            response = _error(500, "Server error")  # done, but the answer is lost
    standin.counters.count(response.status)
    return response


def _grant(request: web.Request, scope: str | None = None) -> Grant:
    grant: Grant = request[_GRANT]
    if scope is not None and scope not in grant.scopes:
        raise ApiError(403, "Insufficient client scope")
    return grant


def _int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name}") from None
    if not low <= value <= high:
        raise ApiError(400, f"Invalid {name}: {low}-{high}")
    return value


def _paging(request: web.Request, items: list[Any], total: int, offset: int, limit: int) -> Any:
    base = f"{request.url.with_query(None)}"
    after = offset + limit
    return {
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "href": str(request.url),
        "next": f"{base}?offset={after}&limit={limit}" if after < total else None,
        "previous": f"{base}?offset={max(0, offset - limit)}&limit={limit}" if offset else None,
    }


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "Error parsing JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Error parsing JSON.")
    return body


# --- accounts --------------------------------------------------------------------------------


async def authorize(request: web.Request) -> web.StreamResponse:
    status, answer = request.app[STANDIN].signin.authorize(dict(request.query))
    if status == 302 and isinstance(answer, str):
        raise web.HTTPFound(answer)
    return web.json_response(answer, status=status)


async def token(request: web.Request) -> web.Response:
    form = {k: str(v) for k, v in (await request.post()).items()}
    status, answer = request.app[STANDIN].signin.token(form)
    return web.json_response(answer, status=status)


# --- the listener ----------------------------------------------------------------------------


async def me(request: web.Request) -> web.Response:
    grant = _grant(request)
    return web.json_response(request.app[STANDIN].library.profile(grant.user))


async def top(request: web.Request) -> web.Response:
    grant = _grant(request, "user-top-read")
    kind = request.match_info["kind"]
    if kind not in ("artists", "tracks"):
        raise ApiError(404, "Service not found")
    time_range = request.query.get("time_range", "medium_term")
    if time_range not in TIME_RANGES:
        raise ApiError(400, "Invalid time range")
    limit = _int(request, "limit", 20, 1, 50)
    offset = _int(request, "offset", 0, 0, 10_000)
    items = request.app[STANDIN].library.top(grant.user, kind, time_range)
    return web.json_response(
        _paging(request, items[offset : offset + limit], len(items), offset, limit)
    )


# --- playlists -------------------------------------------------------------------------------


async def my_playlists(request: web.Request) -> web.Response:
    grant = _grant(request)
    limit = _int(request, "limit", 20, 1, 50)
    offset = _int(request, "offset", 0, 0, 100_000)
    mine = [p.wire() for p in request.app[STANDIN].library.of(grant.user)]
    return web.json_response(
        _paging(request, mine[offset : offset + limit], len(mine), offset, limit)
    )


async def create_mine(request: web.Request) -> web.Response:
    return await _create(request, _grant(request).user)


async def create_for_user(request: web.Request) -> web.Response:
    standin = request.app[STANDIN]
    if standin.config.mode == "development":
        raise ApiError(403, "Forbidden")  # closed to development-mode apps since 2026-03-09
    user = request.match_info["user"]
    if user != _grant(request).user:
        raise ApiError(403, "You cannot create a playlist for another user")
    return await _create(request, user)


async def _create(request: web.Request, user: str) -> web.Response:
    body = await _json(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "Missing required field: name")
    public = body.get("public", True)
    _grant(request, "playlist-modify-public" if public else "playlist-modify-private")
    description = body.get("description") or ""
    if not isinstance(description, str) or not isinstance(public, bool):
        raise ApiError(400, "Invalid description or public")
    playlist = request.app[STANDIN].library.create(user, name, description, public=public)
    return web.json_response(playlist.wire(), status=201)


def _playlist(request: web.Request, *, write: bool) -> StoredPlaylist:
    standin = request.app[STANDIN]
    if request.match_info.get("leaf") == "tracks" and standin.config.mode == "development":
        raise ApiError(403, "Forbidden")  # became /items for development-mode apps
    playlist = standin.library.playlists.get(request.match_info["id"])
    grant = _grant(request)
    if playlist is None:
        raise ApiError(404, "Resource not found")
    if playlist.owner != grant.user and (write or standin.config.mode == "development"):
        raise ApiError(403, "You cannot modify a playlist you do not own" if write else "Forbidden")
    if write:
        _grant(request, "playlist-modify-public" if playlist.public else "playlist-modify-private")
    return playlist


def _uris(request: web.Request, value: Any, *, empty: bool = False) -> list[str]:
    if not isinstance(value, list) or (not value and not empty):
        raise ApiError(400, "No uris provided")
    if len(value) > MAX_URIS:
        raise ApiError(400, f"Too many ids requested (at most {MAX_URIS})")
    library = request.app[STANDIN].library
    for uri in value:
        match = _TRACK_URI.fullmatch(uri) if isinstance(uri, str) else None
        if match is None or library.wire.track(match.group(1)) is None:
            raise ApiError(400, f"Invalid track uri: {str(uri)[:60]}")
    return list(value)


async def get_items(request: web.Request) -> web.Response:
    playlist = _playlist(request, write=False)
    limit = _int(request, "limit", 100, 1, 100)
    offset = _int(request, "offset", 0, 0, 100_000)
    standin = request.app[STANDIN]
    key = "item" if standin.config.mode == "development" else "track"
    items = [
        {"added_at": None, key: standin.library.wire.track(uri.rsplit(":", 1)[1])}
        for uri in playlist.uris[offset : offset + limit]
    ]
    return web.json_response(_paging(request, items, len(playlist.uris), offset, limit))


async def add_items(request: web.Request) -> web.Response:
    playlist = _playlist(request, write=True)
    body = await _json(request)
    position = body.get("position")
    if position is not None and (not isinstance(position, int) or position < 0):
        raise ApiError(400, "Invalid position")
    snapshot = request.app[STANDIN].library.add(
        playlist, _uris(request, body.get("uris")), position
    )
    return web.json_response({"snapshot_id": snapshot}, status=201)


async def put_items(request: web.Request) -> web.Response:
    playlist = _playlist(request, write=True)
    body = await _json(request)
    library = request.app[STANDIN].library
    if "uris" in body:
        snapshot = library.replace(playlist, _uris(request, body["uris"], empty=True))
        return web.json_response({"snapshot_id": snapshot}, status=200)
    start, before, length = (
        body.get("range_start"),
        body.get("insert_before"),
        body.get("range_length", 1),
    )
    if not (isinstance(start, int) and isinstance(before, int) and isinstance(length, int)):
        raise ApiError(400, "range_start and insert_before are required")
    size = len(playlist.uris)
    if not (0 <= start < size and 0 <= before <= size and 1 <= length <= size - start):
        raise ApiError(400, "Invalid range")
    if body.get("snapshot_id") not in (None, playlist.snapshot_id):
        raise ApiError(400, "Invalid snapshot id")
    return web.json_response({"snapshot_id": library.reorder(playlist, start, before, length)})


async def delete_items(request: web.Request) -> web.Response:
    playlist = _playlist(request, write=True)
    body = await _json(request)
    items = body.get("items", body.get("tracks"))
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "No items provided")
    uris = _uris(request, [i.get("uri") for i in items])
    if body.get("snapshot_id") not in (None, playlist.snapshot_id):
        raise ApiError(400, "Invalid snapshot id")
    snapshot = request.app[STANDIN].library.remove(playlist, set(uris))
    return web.json_response({"snapshot_id": snapshot})


async def put_cover(request: web.Request) -> web.Response:
    playlist = _playlist(request, write=True)
    _grant(request, "ugc-image-upload")
    body = await request.read()
    if len(body) > MAX_COVER_BYTES:
        raise ApiError(413, f"Image too large: at most {MAX_COVER_BYTES} bytes base64")
    try:
        jpeg = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "Image is not base64") from None
    if not jpeg.startswith(b"\xff\xd8"):
        raise ApiError(400, "Image is not a JPEG")
    playlist.cover = jpeg
    playlist.changed()
    return web.Response(status=202)


# --- search ----------------------------------------------------------------------------------


async def search(request: web.Request) -> web.Response:
    _grant(request)
    query = request.query.get("q", "").strip()
    types = [t for t in request.query.get("type", "").split(",") if t]
    if not query or not types or not set(types) <= {"track", "artist"}:
        raise ApiError(400, "q and type (track, artist) are required")
    limit = _int(request, "limit", 20, 1, 50)
    offset = _int(request, "offset", 0, 0, 1000)
    wire = request.app[STANDIN].library.wire
    answer: dict[str, Any] = {}
    for kind in types:
        find = wire.search_tracks if kind == "track" else wire.search_artists
        items, total = find(query, offset, limit)
        answer[f"{kind}s"] = _paging(request, items, total, offset, limit)
    return web.json_response(answer)


# --- admin -----------------------------------------------------------------------------------


async def admin_playlists(request: web.Request) -> web.Response:
    standin = request.app[STANDIN]
    user = request.match_info["user"]
    if user not in standin.library.users:
        return _error(404, "No such user")
    playlists = [
        {**p.wire(), "uris": p.uris, "cover_bytes": len(p.cover or b"")}
        for p in standin.library.of(user)
    ]
    return web.json_response({"user": user, "playlists": playlists})


async def admin_counters(request: web.Request) -> web.Response:
    counters = request.app[STANDIN].counters
    by_status = {str(k): v for k, v in sorted(counters.by_status.items())}
    return web.json_response(
        {"requests": counters.requests, "limited": counters.limited, "by_status": by_status}
    )


async def admin_redirect(request: web.Request) -> web.Response:
    body = await request.json()
    try:
        request.app[STANDIN].signin.register(str(body.get("redirect_uri", "")))
    except ValueError as exc:
        return _error(400, str(exc))
    return web.json_response({"redirect_uris": request.app[STANDIN].signin.config.redirect_uris})


def build_app(standin: StandIn) -> web.Application:
    app = web.Application(middlewares=[_gate])
    app[STANDIN] = standin
    app.router.add_get("/authorize", authorize)
    app.router.add_post("/api/token", token)
    app.router.add_get("/v1/me", me)
    app.router.add_get("/v1/me/top/{kind}", top)
    app.router.add_get("/v1/me/playlists", my_playlists)
    app.router.add_post("/v1/me/playlists", create_mine)
    app.router.add_post("/v1/users/{user}/playlists", create_for_user)
    items = "/v1/playlists/{id}/{leaf:items|tracks}"
    app.router.add_get(items, get_items)
    app.router.add_post(items, add_items)
    app.router.add_put(items, put_items)
    app.router.add_delete(items, delete_items)
    app.router.add_put("/v1/playlists/{id}/images", put_cover)
    app.router.add_get("/v1/search", search)
    app.router.add_get("/_admin/users/{user}/playlists", admin_playlists)
    app.router.add_get("/_admin/counters", admin_counters)
    app.router.add_post("/_admin/redirect-uris", admin_redirect)
    app.router.add_get("/_admin/healthz", admin_healthz)
    return app


async def admin_healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
