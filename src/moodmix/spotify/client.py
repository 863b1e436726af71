"""The Spotify Web API calls moodmix makes, one typed method per endpoint, and no policy.

One client serves every listener of an app: each call takes the listener's access token. It
checks arguments before sending, maps failures to typed errors (``moodmix.spotify.errors``)
and validates every body. It never retries, refreshes or waits; the layers above do::

    async with SpotifyClient(mode="development") as spotify:
        me = await spotify.get_me(token)
        top = await spotify.get_top_tracks(token, time_range="short_term", limit=20)
        playlist = await spotify.create_playlist(token, user_id=me.id, name="Rainy Sunday")
        await spotify.add_items(token, playlist.id, [t.uri for t in top.items])

``mode`` picks the API shape: ``development`` (what a new app gets since 2026-03-09:
``POST /v1/me/playlists``, ``/v1/playlists/{id}/items``) or ``extended`` (``POST
/v1/users/{id}/playlists``, ``/v1/playlists/{id}/tracks``). Tokens never appear in errors.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypeVar
from urllib.parse import quote

import httpx

from moodmix.closing import Closing
from moodmix.spotify._responses import error_for, parse
from moodmix.spotify.errors import SpotifyUnavailable
from moodmix.spotify.models import (
    Artist,
    Paging,
    Playlist,
    PlaylistItem,
    SearchResults,
    Snapshot,
    SpotifyModel,
    Track,
    User,
)

ApiMode = Literal["development", "extended"]
TimeRange = Literal["short_term", "medium_term", "long_term"]
P = TypeVar("P", bound=SpotifyModel)
ResponseHook = Callable[[str, int, float], None]
"""``(endpoint, status, elapsed_s)``; status ``0`` means no response. Must not raise."""

DEFAULT_API_URL: Final = "https://api.spotify.com"
DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
MAX_URIS_PER_CALL: Final = 100
"""Spotify adds, replaces or removes at most 100 items a call."""
MAX_COVER_BYTES: Final = 256 * 1024
"""The largest base64 cover body Spotify takes."""
TIME_RANGES: Final[tuple[TimeRange, ...]] = ("short_term", "medium_term", "long_term")

_ID: Final = re.compile(r"[0-9A-Za-z]{22}")
_TRACK_URI: Final = re.compile(r"spotify:track:[0-9A-Za-z]{22}")
_SEARCH_TYPES: Final = frozenset({"track", "artist"})

ENDPOINTS: Final = (
    "/v1/me",
    "/v1/me/top/artists",
    "/v1/me/top/tracks",
    "/v1/me/playlists",
    "/v1/users/{id}/playlists",
    "/v1/playlists/{id}/items",
    "/v1/playlists/{id}/tracks",
    "/v1/playlists/{id}/images",
    "/v1/search",
)
"""Every route template the client calls, as passed to ``on_response`` and errors."""


class SpotifyClient(Closing):
    """An async client for ``https://api.spotify.com/v1`` over one pool of connections."""

    def __init__(
        self,
        base_url: str = DEFAULT_API_URL,
        *,
        mode: ApiMode = "development",
        timeout: httpx.Timeout | float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_response: ResponseHook | None = None,
    ) -> None:
        if mode not in ("development", "extended"):
            raise ValueError(f"mode must be 'development' or 'extended', got {mode!r}")
        self.mode: ApiMode = mode
        self._on_response = on_response
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/").removesuffix("/v1"),
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- the listener ------------------------------------------------------------------------

    async def get_me(self, token: str) -> User:
        """The signed-in listener (scope ``user-read-private``)."""
        return parse(User, await self._send("GET", "/v1/me", "/v1/me", token), "/v1/me")

    async def get_top_artists(
        self, token: str, *, time_range: TimeRange = "medium_term", limit: int = 20, offset: int = 0
    ) -> Paging[Artist]:
        """The listener's most played artists over ``time_range`` (scope ``user-top-read``)."""
        return await self._top(Paging[Artist], "artists", token, time_range, limit, offset)

    async def get_top_tracks(
        self, token: str, *, time_range: TimeRange = "medium_term", limit: int = 20, offset: int = 0
    ) -> Paging[Track]:
        """The listener's most played tracks over ``time_range`` (scope ``user-top-read``)."""
        return await self._top(Paging[Track], "tracks", token, time_range, limit, offset)

    async def _top(
        self, model: type[P], kind: str, token: str, time_range: str, limit: int, offset: int
    ) -> P:
        if time_range not in TIME_RANGES:
            raise ValueError(f"time_range must be one of {list(TIME_RANGES)}, got {time_range!r}")
        if not 1 <= limit <= 50 or offset < 0:
            raise ValueError(f"limit must be 1-50 and offset >= 0, got {limit}, {offset}")
        endpoint = f"/v1/me/top/{kind}"
        params = {"time_range": time_range, "limit": limit, "offset": offset}
        return parse(
            model, await self._send("GET", endpoint, endpoint, token, params=params), endpoint
        )

    # --- playlists ---------------------------------------------------------------------------

    async def create_playlist(
        self, token: str, *, user_id: str, name: str, description: str = "", public: bool = False
    ) -> Playlist:
        """A new, empty playlist in the listener's account."""
        if not name.strip():
            raise ValueError("a playlist needs a name")
        body = {"name": name, "description": description, "public": public}
        if self.mode == "development":
            endpoint = path = "/v1/me/playlists"
        else:
            endpoint, path = (
                "/v1/users/{id}/playlists",
                f"/v1/users/{quote(user_id, safe='')}/playlists",
            )
        return parse(Playlist, await self._send("POST", endpoint, path, token, json=body), endpoint)

    async def get_my_playlists(
        self, token: str, *, limit: int = 50, offset: int = 0
    ) -> Paging[Playlist]:
        """A page of the listener's playlists (theirs and those they follow)."""
        if not 1 <= limit <= 50 or offset < 0:
            raise ValueError(f"limit must be 1-50 and offset >= 0, got {limit}, {offset}")
        endpoint = "/v1/me/playlists"
        params = {"limit": limit, "offset": offset}
        response = await self._send("GET", endpoint, endpoint, token, params=params)
        return parse(Paging[Playlist], response, endpoint)

    async def get_items(
        self, token: str, playlist_id: str, *, limit: int = 100, offset: int = 0
    ) -> Paging[PlaylistItem]:
        """A page of the playlist's items, in order."""
        if not 1 <= limit <= 100 or offset < 0:
            raise ValueError(f"limit must be 1-100 and offset >= 0, got {limit}, {offset}")
        endpoint, path = self._items_path(playlist_id)
        params = {"limit": limit, "offset": offset}
        response = await self._send("GET", endpoint, path, token, params=params)
        return parse(Paging[PlaylistItem], response, endpoint)

    async def add_items(
        self, token: str, playlist_id: str, uris: Sequence[str], *, position: int | None = None
    ) -> str:
        """Append ``uris`` (or insert them at ``position``); the playlist's new snapshot id."""
        body: dict[str, Any] = {"uris": _uris(uris)}
        if position is not None:
            if position < 0:
                raise ValueError(f"position must be >= 0, got {position}")
            body["position"] = position
        return await self._change("POST", playlist_id, token, body)

    async def replace_items(self, token: str, playlist_id: str, uris: Sequence[str]) -> str:
        """Make ``uris`` the playlist's whole content; the new snapshot id."""
        return await self._change("PUT", playlist_id, token, {"uris": _uris(uris, empty=True)})

    async def remove_items(
        self, token: str, playlist_id: str, uris: Sequence[str], *, snapshot_id: str | None = None
    ) -> str:
        """Remove every occurrence of ``uris``; the new snapshot id."""
        body: dict[str, Any] = {"items": [{"uri": uri} for uri in _uris(uris)]}
        if snapshot_id is not None:
            body["snapshot_id"] = snapshot_id
        return await self._change("DELETE", playlist_id, token, body)

    async def upload_cover(self, token: str, playlist_id: str, jpeg: bytes) -> None:
        """Set the playlist's cover to ``jpeg`` (at most 256 KB once base64-encoded)."""
        if not jpeg.startswith(b"\xff\xd8"):
            raise ValueError("a cover must be a JPEG image")
        body = base64.b64encode(jpeg)
        if len(body) > MAX_COVER_BYTES:
            raise ValueError(f"a cover is at most {MAX_COVER_BYTES} bytes base64, got {len(body)}")
        endpoint, path = "/v1/playlists/{id}/images", f"/v1/playlists/{_id(playlist_id)}/images"
        headers = {"Content-Type": "image/jpeg"}
        await self._send("PUT", endpoint, path, token, content=body, headers=headers)

    # --- search ------------------------------------------------------------------------------

    async def search(
        self,
        token: str,
        query: str,
        *,
        types: Sequence[str] = ("track",),
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResults:
        """Tracks and artists for ``query`` (``artist:`` and ``track:`` filters work)."""
        if not query.strip():
            raise ValueError("a search needs some text")
        if not types or not set(types) <= _SEARCH_TYPES:
            raise ValueError(f"types must be some of {sorted(_SEARCH_TYPES)}, got {list(types)}")
        if not 1 <= limit <= 50 or offset < 0:
            raise ValueError(f"limit must be 1-50 and offset >= 0, got {limit}, {offset}")
        params = {"q": query, "type": ",".join(types), "limit": limit, "offset": offset}
        response = await self._send("GET", "/v1/search", "/v1/search", token, params=params)
        return parse(SearchResults, response, "/v1/search")

    # --- sending -----------------------------------------------------------------------------

    def _items_path(self, playlist_id: str) -> tuple[str, str]:
        leaf = "items" if self.mode == "development" else "tracks"
        return f"/v1/playlists/{{id}}/{leaf}", f"/v1/playlists/{_id(playlist_id)}/{leaf}"

    async def _change(self, method: str, playlist_id: str, token: str, body: dict[str, Any]) -> str:
        endpoint, path = self._items_path(playlist_id)
        response = await self._send(method, endpoint, path, token, json=body)
        return parse(Snapshot, response, endpoint).snapshot_id

    async def _send(
        self,
        method: str,
        endpoint: str,
        path: str,
        token: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        if not token:
            raise ValueError("an access token is needed")
        sent_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        started = time.perf_counter()
        status = 0
        try:
            response = await self._http.request(
                method, path, params=params, json=json, content=content, headers=sent_headers
            )
            status = response.status_code
        except httpx.TimeoutException:
            raise SpotifyUnavailable(
                f"Spotify did not answer {endpoint} in time", endpoint=endpoint
            ) from None
        except httpx.TransportError as exc:
            raise SpotifyUnavailable(
                f"cannot reach Spotify for {endpoint}: {type(exc).__name__}", endpoint=endpoint
            ) from None
        finally:
            if self._on_response is not None:
                self._on_response(endpoint, status, time.perf_counter() - started)
        error = error_for(response, endpoint)
        if error is not None:
            raise error
        return response


def _id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(f"not a Spotify id (22 letters and digits): {value!r}")
    return value


def _uris(uris: Sequence[str], *, empty: bool = False) -> list[str]:
    listed = list(uris)
    if not listed and not empty:
        raise ValueError("no track URIs given")
    if len(listed) > MAX_URIS_PER_CALL:
        raise ValueError(f"at most {MAX_URIS_PER_CALL} URIs a call, got {len(listed)}")
    bad = [u for u in listed if not _TRACK_URI.fullmatch(u)]
    if bad:
        raise ValueError(f"not Spotify track URIs (spotify:track:<id>): {bad[:3]}")
    return listed
