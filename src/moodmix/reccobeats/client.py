"""The ReccoBeats HTTP API, one typed method per endpoint, and no policy.

The client checks arguments before sending, maps every failure to a typed error that names
the endpoint, and validates every body on arrival. It never retries, caches or waits: the
gateway above it does that::

    async with ReccoBeatsClient.from_settings(Settings()) as client:
        tracks = await client.get_tracks(["spotify:track:00aqkszH1FdUiJJWvX6iEl"])
        picks = await client.get_recommendations([tracks[0].id], size=20, energy=0.3)
        page = await client.search_artists("weeknd", size=5)

``on_response(endpoint, status, elapsed_s)`` is called once per request sent, with the route
template (``/v1/track/{id}``) and the status (``0`` when no response came back).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Final, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from moodmix.closing import Closing
from moodmix.reccobeats import _params as params
from moodmix.reccobeats import _routes as route
from moodmix.reccobeats._http import CookielessClient, absolute_url
from moodmix.reccobeats._responses import (
    DEFAULT_RETRY_AFTER_S,
    ModelT,
    error_for_status,
    parse_body,
)
from moodmix.reccobeats._routes import ENDPOINTS
from moodmix.reccobeats.errors import MalformedResponse, UpstreamTimeout, UpstreamUnavailable
from moodmix.reccobeats.models import (
    Album,
    ApiModel,
    Artist,
    AudioFeatures,
    ItemList,
    Page,
    Track,
)
from moodmix.settings import DEFAULT_RECCOBEATS_URL, Settings

__all__ = [
    "DEFAULT_RETRY_AFTER_S",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "ENDPOINTS",
    "ReccoBeatsClient",
    "ResponseHook",
]

ItemT = TypeVar("ItemT", bound=ApiModel)

ResponseHook = Callable[[str, int, float], None]
"""``(endpoint, status, elapsed_s)``; status ``0`` means no response. Must not raise."""

DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
"""Used when no ``timeout`` is given: 5 s to connect, 10 s for everything else."""

DEFAULT_USER_AGENT: Final = "moodmix/0.1 (+https://github.com/moodmix/moodmix)"


class ReccoBeatsClient(Closing):
    """An async client for ``https://api.reccobeats.com/v1`` over one pool of connections.

    ``base_url`` may end in ``/v1`` or not. ``timeout`` defaults to ``DEFAULT_TIMEOUT``.
    ``http2`` and ``max_connections`` shape the pool; a ``transport`` replaces it entirely
    (then those two are the transport's business). ``on_response`` is the ``ResponseHook``.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_RECCOBEATS_URL,
        *,
        timeout: httpx.Timeout | float | None = None,
        http2: bool = True,
        max_connections: int = 20,
        user_agent: str = DEFAULT_USER_AGENT,
        transport: httpx.AsyncBaseTransport | None = None,
        on_response: ResponseHook | None = None,
    ) -> None:
        root = _base_url(base_url)
        params.integer(max_connections, name="max_connections", low=1, high=10_000)
        if not isinstance(user_agent, str) or not user_agent.strip():
            raise ValueError("user_agent must be a non-empty string")
        self.base_url = root
        self._on_response = on_response
        self._http = CookielessClient(
            base_url=root,
            http2=http2,
            timeout=DEFAULT_TIMEOUT if timeout is None else httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            transport=transport,
        )
        self._root = str(self._http.base_url)
        """The base URL as text, once: ``absolute_url`` joins each request's path to it."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_response: ResponseHook | None = None,
    ) -> Self:
        """A client configured by ``settings`` (URL, timeouts, HTTP/2, pool size, user agent)."""
        return cls(
            settings.reccobeats_url,
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            http2=settings.http2,
            max_connections=settings.max_connections,
            user_agent=settings.user_agent,
            transport=transport,
            on_response=on_response,
        )

    async def aclose(self) -> None:
        """Close every pooled connection; the client cannot be used afterwards."""
        await self._http.aclose()

    # --- tracks ------------------------------------------------------------------------------

    async def get_tracks(self, ids: Sequence[str]) -> list[Track]:
        """``GET /v1/track?ids=``: 1-40 tracks; unknown ids are silently left out."""
        query = {"ids": params.batch_ids(ids, name="ids", expect="track")}
        return await self._list(ItemList[Track], route.TRACKS, query=query)

    async def get_track(self, id: str) -> Track:
        """``GET /v1/track/{id}``: one track, or ``NotFound``."""
        key = params.single_id(id, name="id", expect="track")
        return await self._one(Track, route.TRACK, key=key)

    async def get_track_audio_features(self, id: str) -> AudioFeatures:
        """``GET /v1/track/{id}/audio-features``: the features of one track."""
        key = params.single_id(id, name="id", expect="track")
        return await self._one(AudioFeatures, route.TRACK_FEATURES, key=key)

    async def get_audio_features(self, ids: Sequence[str]) -> list[AudioFeatures]:
        """``GET /v1/audio-features?ids=``: features of 1-40 tracks, unknown ones left out."""
        query = {"ids": params.batch_ids(ids, name="ids", expect="track")}
        return await self._list(ItemList[AudioFeatures], route.FEATURES, query=query)

    async def get_recommendations(
        self,
        seeds: Sequence[str],
        *,
        size: int = 10,
        negative_seeds: Sequence[str] | None = None,
        acousticness: float | None = None,
        danceability: float | None = None,
        energy: float | None = None,
        instrumentalness: float | None = None,
        liveness: float | None = None,
        loudness: float | None = None,
        speechiness: float | None = None,
        tempo: float | None = None,
        valence: float | None = None,
        key: int | None = None,
        mode: int | None = None,
        popularity: float | None = None,
        feature_weight: float | None = None,
    ) -> list[Track]:
        """``GET /v1/track/recommendation``: up to ``size`` tracks like the 1-5 ``seeds``.

        Seeds are track, artist or album ids. Targets steer the result: the 0-1 scores,
        ``tempo`` 0-250 BPM, ``loudness`` -60-2 dB, ``key`` -1-11, ``mode`` 0-1,
        ``popularity`` 0-100; ``feature_weight`` (1-5) says how much they count.
        """
        query = params.recommendation_query(
            seeds,
            size=size,
            negative_seeds=negative_seeds,
            targets={
                "acousticness": acousticness,
                "danceability": danceability,
                "energy": energy,
                "instrumentalness": instrumentalness,
                "liveness": liveness,
                "loudness": loudness,
                "speechiness": speechiness,
                "tempo": tempo,
                "valence": valence,
                "popularity": popularity,
            },
            key=key,
            mode=mode,
            feature_weight=feature_weight,
        )
        return await self._list(ItemList[Track], route.RECOMMENDATION, query=query)

    # --- artists -----------------------------------------------------------------------------

    async def get_artists(self, ids: Sequence[str]) -> list[Artist]:
        """``GET /v1/artist?ids=``: 1-40 artists; unknown ids are silently left out."""
        query = {"ids": params.batch_ids(ids, name="ids", expect="artist")}
        return await self._list(ItemList[Artist], route.ARTISTS, query=query)

    async def get_artist(self, id: str) -> Artist:
        """``GET /v1/artist/{id}``: one artist, or ``NotFound``."""
        key = params.single_id(id, name="id", expect="artist")
        return await self._one(Artist, route.ARTIST, key=key)

    async def search_artists(self, text: str, *, page: int = 0, size: int = 20) -> Page[Artist]:
        """``GET /v1/artist/search``: artists whose name matches ``text`` (1-1000 chars)."""
        query = {"searchText": params.search_text(text), **params.paging(page, size)}
        return await self._page(Page[Artist], route.ARTIST_SEARCH, query=query)

    async def get_artist_albums(self, id: str, *, page: int = 0, size: int = 20) -> Page[Album]:
        """``GET /v1/artist/{id}/album``: one page of an artist's albums."""
        key = params.single_id(id, name="id", expect="artist")
        return await self._page(
            Page[Album], route.ARTIST_ALBUMS, key=key, query=params.paging(page, size)
        )

    async def get_artist_tracks(self, id: str, *, page: int = 0, size: int = 20) -> Page[Track]:
        """``GET /v1/artist/{id}/track``: one page of an artist's tracks."""
        key = params.single_id(id, name="id", expect="artist")
        return await self._page(
            Page[Track], route.ARTIST_TRACKS, key=key, query=params.paging(page, size)
        )

    # --- albums ------------------------------------------------------------------------------

    async def get_albums(self, ids: Sequence[str]) -> list[Album]:
        """``GET /v1/album?ids=``: 1-40 albums; unknown ids are silently left out."""
        query = {"ids": params.batch_ids(ids, name="ids", expect="album")}
        return await self._list(ItemList[Album], route.ALBUMS, query=query)

    async def get_album(self, id: str) -> Album:
        """``GET /v1/album/{id}``: one album, or ``NotFound``."""
        key = params.single_id(id, name="id", expect="album")
        return await self._one(Album, route.ALBUM, key=key)

    async def search_albums(self, text: str, *, page: int = 0, size: int = 20) -> Page[Album]:
        """``GET /v1/album/search``: albums whose title matches ``text`` (1-1000 chars)."""
        query = {"searchText": params.search_text(text), **params.paging(page, size)}
        return await self._page(Page[Album], route.ALBUM_SEARCH, query=query)

    async def get_album_tracks(self, id: str, *, page: int = 0, size: int = 20) -> Page[Track]:
        """``GET /v1/album/{id}/track``: one page of an album's tracks."""
        key = params.single_id(id, name="id", expect="album")
        return await self._page(
            Page[Track], route.ALBUM_TRACKS, key=key, query=params.paging(page, size)
        )

    # --- analysis ----------------------------------------------------------------------------

    async def analyze_audio(
        self,
        data: bytes | bytearray | memoryview,
        *,
        filename: str = "audio.mp3",
        content_type: str | None = None,
    ) -> AudioFeatures:
        """``POST /v1/analysis/audio-features``: features of an MP3/OGG/WAV/AIFF of <= 5 MB.

        ``content_type`` defaults to a guess from ``filename``.
        """
        upload = params.audio_upload(data, filename=filename, content_type=content_type)
        response = await self._send("POST", route.ANALYSIS, files={"audioFile": upload})
        return parse_body(AudioFeatures, response, route.ANALYSIS)

    # --- plumbing ----------------------------------------------------------------------------

    async def _one(self, model: type[ModelT], endpoint: str, *, key: str) -> ModelT:
        response = await self._send("GET", endpoint, key=key)
        return parse_body(model, response, endpoint)

    async def _list(
        self, model: type[ItemList[ItemT]], endpoint: str, *, query: params.Query
    ) -> list[ItemT]:
        response = await self._send("GET", endpoint, query=query)
        return parse_body(model, response, endpoint, required="content").content

    async def _page(
        self,
        model: type[Page[ItemT]],
        endpoint: str,
        *,
        query: params.Query,
        key: str | None = None,
    ) -> Page[ItemT]:
        response = await self._send("GET", endpoint, key=key, query=query)
        return parse_body(model, response, endpoint, required="content")

    async def _send(
        self,
        method: str,
        endpoint: str,
        *,
        key: str | None = None,
        query: params.Query | None = None,
        files: dict[str, tuple[str, bytes, str | None]] | None = None,
    ) -> httpx.Response:
        """Send one request; return a 2xx response or raise the error the outcome means."""
        target = endpoint.format(id=key) if key is not None else endpoint
        if query:
            target = f"{target}?{params.encode_query(query)}"
        url = absolute_url(self._root, target)
        started = time.perf_counter()
        try:
            response = await self._http.request(method, url, files=files)
        except httpx.TimeoutException as exc:
            self._observe(endpoint, 0, started)
            raise UpstreamTimeout(
                f"ReccoBeats did not answer {endpoint} in time ({_describe(exc)})",
                endpoint=endpoint,
            ) from exc
        except httpx.DecodingError as exc:
            self._observe(endpoint, 0, started)
            raise MalformedResponse(
                f"{endpoint}: the body could not be decoded ({_describe(exc)})", endpoint=endpoint
            ) from exc
        except httpx.RequestError as exc:
            self._observe(endpoint, 0, started)
            raise UpstreamUnavailable(
                f"could not reach ReccoBeats for {endpoint} ({_describe(exc)})", endpoint=endpoint
            ) from exc
        self._observe(endpoint, response.status_code, started)
        error = error_for_status(response, endpoint)
        if error is None:
            return response
        try:
            raise error
        finally:
            # Held by this frame, the error would hold the frame through its traceback: a
            # cycle (with the response and every caller's frame) that only the garbage
            # collector frees, once per 429. Without the name, it goes when it is handled.
            del error

    def _observe(self, endpoint: str, status: int, started: float) -> None:
        if self._on_response is not None:
            self._on_response(endpoint, status, time.perf_counter() - started)


def _base_url(base_url: str) -> str:
    """``base_url`` without a trailing slash or ``/v1`` (the client adds ``/v1`` itself)."""
    parts = urlsplit(base_url) if isinstance(base_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"base_url must be an http:// or https:// URL such as {DEFAULT_RECCOBEATS_URL!r}, "
            f"got {base_url!r}"
        )
    root = base_url.rstrip("/")
    return root.removesuffix("/v1")


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
