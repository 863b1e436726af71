"""Every way a call can fail becomes one typed error that names the endpoint.

Exact answers come from a tiny aiohttp server on 127.0.0.1 that replies with whatever the
test sets; faults and rate limits come from the simulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from aiohttp import web

from moodmix.clock import ManualClock
from moodmix.reccobeats.client import DEFAULT_RETRY_AFTER_S, ReccoBeatsClient
from moodmix.reccobeats.errors import (
    BadRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReccoBeatsError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

if TYPE_CHECKING:
    from moodmix.simulator import SimulatorServer

SID = "00aqkszH1FdUiJJWvX6iEl"
UUID = "8212bab8-5911-48a0-b177-24923ef2329a"
FEATURES = (
    b'{"acousticness": 0.1, "danceability": 0.2, "energy": 0.3, "instrumentalness": 0.4, '
    b'"liveness": 0.5, "loudness": -6, "speechiness": 0.06, "tempo": 120, "valence": 0.7}'
)
SHORT_TIMEOUT = httpx.Timeout(5.0, read=0.3)

Observed = list[tuple[str, int, float]]
Sample = dict[str, list[str]]
MakeSimulator = Callable[..., Awaitable["SimulatorServer"]]


# --- a server that says exactly what it is told --------------------------------------------


@dataclass
class Canned:
    """Answers every request with ``status``, ``headers`` and ``body``, or drops or hangs."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    behaviour: str = "answer"
    seen: list[str] = field(default_factory=list)
    url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def answer(self, status: int, body: bytes | str = b"", **headers: str) -> None:
        self.status, self.headers = status, {k.replace("_", "-"): v for k, v in headers.items()}
        self.body = body.encode() if isinstance(body, str) else body

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(f"{request.method} {request.path_qs}")
        await request.read()
        if self.behaviour == "drop":
            assert request.transport is not None
            request.transport.close()
        elif self.behaviour == "hang":
            await self.release.wait()
        return web.Response(status=self.status, headers=self.headers, body=self.body)


@pytest.fixture
async def canned() -> AsyncIterator[Canned]:
    server = Canned()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.url = f"http://{host}:{port}"
    yield server
    server.release.set()
    await runner.cleanup()


@pytest.fixture
def observed() -> Observed:
    return []


@pytest.fixture
async def client(canned: Canned, observed: Observed) -> AsyncIterator[ReccoBeatsClient]:
    async with ReccoBeatsClient(
        canned.url, timeout=SHORT_TIMEOUT, on_response=lambda *call: observed.append(call)
    ) as client:
        yield client


# Each call with the route template its errors must carry.
Call = Callable[[ReccoBeatsClient], Awaitable[Any]]
CALLS: list[tuple[str, Call]] = [
    ("/v1/track", lambda c: c.get_tracks([SID])),
    ("/v1/track/{id}", lambda c: c.get_track(UUID)),
    ("/v1/track/{id}/audio-features", lambda c: c.get_track_audio_features(UUID)),
    ("/v1/audio-features", lambda c: c.get_audio_features([SID])),
    ("/v1/track/recommendation", lambda c: c.get_recommendations([SID])),
    ("/v1/artist", lambda c: c.get_artists([SID])),
    ("/v1/artist/{id}", lambda c: c.get_artist(UUID)),
    ("/v1/artist/search", lambda c: c.search_artists("abba")),
    ("/v1/artist/{id}/album", lambda c: c.get_artist_albums(UUID)),
    ("/v1/artist/{id}/track", lambda c: c.get_artist_tracks(UUID)),
    ("/v1/album", lambda c: c.get_albums([SID])),
    ("/v1/album/{id}", lambda c: c.get_album(UUID)),
    ("/v1/album/search", lambda c: c.search_albums("abba")),
    ("/v1/album/{id}/track", lambda c: c.get_album_tracks(UUID)),
    ("/v1/analysis/audio-features", lambda c: c.analyze_audio(b"ID3\x03")),
]
CALL_IDS = [endpoint for endpoint, _ in CALLS]


# --- statuses ------------------------------------------------------------------------------


async def test_400_is_bad_request_carrying_the_upstreams_message(
    canned: Canned, client: ReccoBeatsClient
) -> None:
    canned.answer(400, '{"status": 400, "error": "Bad Request", "message": "size is too big"}')
    with pytest.raises(BadRequest) as info:
        await client.get_tracks([SID])
    assert "size is too big" in info.value.message
    assert info.value.endpoint == "/v1/track"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"error": "Bad Request"}', "Bad Request"),
        ("ids: \n  nope", "ids: nope"),
        ("", "Bad Request"),
        ('{"message": ""}', '{"message": ""}'),
    ],
)
async def test_400_without_a_message_field_still_says_something(
    canned: Canned, client: ReccoBeatsClient, body: str, expected: str
) -> None:
    canned.answer(400, body)
    with pytest.raises(BadRequest, match="rejected /v1/track") as info:
        await client.get_tracks([SID])
    assert expected in info.value.message


async def test_a_long_upstream_message_is_shortened(
    canned: Canned, client: ReccoBeatsClient
) -> None:
    canned.answer(400, "x" * 10_000)
    with pytest.raises(BadRequest) as info:
        await client.get_tracks([SID])
    assert len(info.value.message) < 500


async def test_another_4xx_is_bad_request_naming_the_status(
    canned: Canned, client: ReccoBeatsClient
) -> None:
    canned.answer(415, "Unsupported Media Type")
    with pytest.raises(BadRequest, match="HTTP 415") as info:
        await client.analyze_audio(b"ID3")
    assert info.value.endpoint == "/v1/analysis/audio-features"


async def test_404_is_not_found(canned: Canned, client: ReccoBeatsClient) -> None:
    canned.answer(404, '{"message": "no track with id"}')
    with pytest.raises(NotFound, match="no track with id") as info:
        await client.get_track(UUID)
    assert info.value.endpoint == "/v1/track/{id}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (" 0.125 ", 0.125),
        (None, DEFAULT_RETRY_AFTER_S),
        ("soon", DEFAULT_RETRY_AFTER_S),
        ("-3", DEFAULT_RETRY_AFTER_S),
        ("1e3", DEFAULT_RETRY_AFTER_S),
        ("inf", DEFAULT_RETRY_AFTER_S),
        ("", DEFAULT_RETRY_AFTER_S),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
async def test_429_is_rate_limited_with_the_wait_from_retry_after(
    canned: Canned, client: ReccoBeatsClient, header: str | None, expected: float
) -> None:
    canned.answer(429, '{"message": "too many requests"}')
    if header is not None:
        canned.headers["Retry-After"] = header
    with pytest.raises(RateLimited) as info:
        await client.get_track(UUID)
    assert info.value.retry_after == expected
    assert info.value.endpoint == "/v1/track/{id}"


async def test_a_handled_error_is_freed_at_once_not_left_to_the_garbage_collector(
    canned: Canned, client: ReccoBeatsClient
) -> None:
    canned.answer(429, '{"message": "too many requests"}')
    gc.disable()
    try:
        try:
            await client.get_track(UUID)
        except RateLimited as exc:
            handled = weakref.ref(exc)
        assert handled() is None  # no frame of the call holds it: nothing cyclic to collect
    finally:
        gc.enable()


async def test_an_answered_response_is_freed_at_once_not_left_to_the_garbage_collector(
    canned: Canned, client: ReccoBeatsClient
) -> None:
    canned.answer(200, FEATURES)
    await client.get_track_audio_features(UUID)  # the connection pool is warm

    def responses() -> int:
        return sum(isinstance(o, httpx.Response) for o in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        before = responses()
        for _ in range(5):
            await client.get_track_audio_features(UUID)
        assert responses() == before  # each one went with its last reference
    finally:
        gc.enable()


def test_the_documented_default_wait_is_one_second() -> None:
    assert DEFAULT_RETRY_AFTER_S == 1.0


async def test_429_with_an_http_date_waits_until_that_date(
    canned: Canned, client: ReccoBeatsClient
) -> None:
    when = datetime.now(UTC) + timedelta(hours=1)
    canned.answer(429, Retry_After=format_datetime(when, usegmt=True))
    with pytest.raises(RateLimited) as info:
        await client.get_tracks([SID])
    assert 3000 < info.value.retry_after <= 3600


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_upstream_unavailable_with_the_status(
    canned: Canned, client: ReccoBeatsClient, status: int
) -> None:
    canned.answer(status, "<html><body>oops</body></html>")
    with pytest.raises(UpstreamUnavailable, match=f"HTTP {status}") as info:
        await client.get_artist(UUID)
    assert info.value.status == status
    assert info.value.retry_after is None
    assert info.value.endpoint == "/v1/artist/{id}"


async def test_503_with_retry_after_carries_it(canned: Canned, client: ReccoBeatsClient) -> None:
    canned.answer(503, "maintenance", Retry_After="30")
    with pytest.raises(UpstreamUnavailable) as info:
        await client.get_albums([SID])
    assert (info.value.status, info.value.retry_after) == (503, 30.0)


async def test_403_is_a_block_not_a_bad_request(canned: Canned, client: ReccoBeatsClient) -> None:
    canned.answer(403, "blocked", Retry_After="600")
    with pytest.raises(UpstreamUnavailable) as info:
        await client.get_tracks([SID])
    assert (info.value.status, info.value.retry_after) == (403, 600.0)


async def test_a_redirect_is_not_followed(canned: Canned, client: ReccoBeatsClient) -> None:
    canned.answer(302, Location="/elsewhere")
    with pytest.raises(UpstreamUnavailable) as info:
        await client.get_tracks([SID])
    assert info.value.status == 302
    assert canned.seen == [f"GET /v1/track?ids={SID}"]


@pytest.mark.parametrize(("endpoint", "call"), CALLS, ids=CALL_IDS)
async def test_every_endpoint_maps_errors_and_names_its_route(
    canned: Canned, client: ReccoBeatsClient, observed: Observed, endpoint: str, call: Call
) -> None:
    errors: list[tuple[int, type[ReccoBeatsError]]] = [
        (404, NotFound),
        (429, RateLimited),
        (500, UpstreamUnavailable),
    ]
    for status, error in errors:
        canned.answer(status, "no")
        with pytest.raises(error) as info:
            await call(client)
        assert info.value.endpoint == endpoint
    assert [(e, s) for e, s, _ in observed] == [(endpoint, 404), (endpoint, 429), (endpoint, 500)]
    assert all(elapsed >= 0 for _, _, elapsed in observed)


# --- bodies that do not fit ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<html>service temporarily unavailable</html>",
        b'{"content": [{"id": "a", "trackTitle": "T"',
        b'{"content": "oops"}',
        b'{"content": [{"id": 12345, "trackTitle": "T"}]}',
        b'{"content": [{"id": "a", "trackTitle": "T", "durationMs": "oops"}]}',
        b'{"content": [{"id": "a"}]}',
        b"{}",
        b"null",
        b"[]",
        b"",
        b"\xff\xfe garbage",
    ],
)
async def test_a_bad_list_body_is_malformed_response(
    canned: Canned, client: ReccoBeatsClient, body: bytes
) -> None:
    canned.answer(200, body, Content_Type="application/json")
    with pytest.raises(MalformedResponse) as info:
        await client.get_tracks([SID])
    assert info.value.endpoint == "/v1/track"
    assert info.value.message.startswith("/v1/track answered 200")
    assert info.value.__cause__ is None
    assert len(info.value.message) < 500


@pytest.mark.parametrize(
    ("endpoint", "call", "body"),
    [
        ("/v1/track/{id}", lambda c: c.get_track(UUID), b'{"id": "a", "trackTitle": 5}'),
        ("/v1/track/{id}/audio-features", lambda c: c.get_track_audio_features(UUID), b"{}"),
        ("/v1/artist/{id}", lambda c: c.get_artist(UUID), b'{"id": "a", "name": null}'),
        ("/v1/album/{id}", lambda c: c.get_album(UUID), b'{"id": "a", "albumTitle": "T", "art'),
        ("/v1/artist/search", lambda c: c.search_artists("x"), b'{"page": 0, "size": 20}'),
        ("/v1/album/{id}/track", lambda c: c.get_album_tracks(UUID), b'{"content":[],"page":"x"}'),
        ("/v1/analysis/audio-features", lambda c: c.analyze_audio(b"ID3"), FEATURES[:-1]),
    ],
)  # fmt: skip
async def test_every_shape_is_checked_on_arrival(
    canned: Canned, client: ReccoBeatsClient, endpoint: str, call: Call, body: bytes
) -> None:
    canned.answer(200, body, Content_Type="application/json")
    with pytest.raises(MalformedResponse) as info:
        await call(client)
    assert info.value.endpoint == endpoint


async def test_the_reason_names_the_field_that_is_wrong(
    canned: Canned, client: ReccoBeatsClient
) -> None:
    canned.answer(200, b'{"content": [{"id": "a", "trackTitle": "T", "popularity": "lots"}]}')
    with pytest.raises(MalformedResponse, match=r"content\.0\.popularity"):
        await client.get_tracks([SID])


async def test_a_body_that_cannot_be_decoded_is_malformed(
    canned: Canned, client: ReccoBeatsClient, observed: Observed
) -> None:
    canned.answer(200, b"this is not gzip", Content_Encoding="gzip")
    with pytest.raises(MalformedResponse) as info:
        await client.get_tracks([SID])
    assert info.value.endpoint == "/v1/track"


# --- no answer at all ----------------------------------------------------------------------


async def test_a_dropped_connection_is_upstream_unavailable(
    canned: Canned, client: ReccoBeatsClient, observed: Observed
) -> None:
    canned.behaviour = "drop"
    with pytest.raises(UpstreamUnavailable) as info:
        await client.get_track(UUID)
    assert info.value.status is None
    assert info.value.endpoint == "/v1/track/{id}"
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert [(e, s) for e, s, _ in observed] == [("/v1/track/{id}", 0)]


async def test_no_answer_within_the_read_timeout_is_upstream_timeout(
    canned: Canned, client: ReccoBeatsClient, observed: Observed
) -> None:
    canned.behaviour = "hang"
    with pytest.raises(UpstreamTimeout) as info:
        await client.get_recommendations([SID])
    assert info.value.endpoint == "/v1/track/recommendation"
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert [(e, s) for e, s, _ in observed] == [("/v1/track/recommendation", 0)]


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback port that is bound but not listening, so connecting is refused."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_a_refused_connection_is_upstream_unavailable(refused_url: str) -> None:
    observed: Observed = []
    async with ReccoBeatsClient(
        refused_url, on_response=lambda *call: observed.append(call)
    ) as client:
        with pytest.raises(UpstreamUnavailable, match="could not reach ReccoBeats") as info:
            await client.search_albums("abba")
    assert info.value.endpoint == "/v1/album/search"
    assert info.value.status is None
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert [(e, s) for e, s, _ in observed] == [("/v1/album/search", 0)]


async def test_errors_are_one_family(canned: Canned, client: ReccoBeatsClient) -> None:
    for status in (400, 404, 429, 500):
        canned.answer(status)
        with pytest.raises(ReccoBeatsError):
            await client.get_artists([SID])


async def test_the_client_never_retries(canned: Canned, client: ReccoBeatsClient) -> None:
    for status in (429, 500, 503):
        canned.answer(status, Retry_After="0")
        with contextlib.suppress(ReccoBeatsError):
            await client.get_tracks([SID])
    assert len(canned.seen) == 3


# --- the simulator's faults and limits -----------------------------------------------------


async def _sample(sim: SimulatorServer) -> Sample:
    async with httpx.AsyncClient(base_url=sim.url) as http:
        payload: Sample = (await http.get("/_admin/catalog/sample", params={"n": 3})).json()
    return payload


async def test_the_simulators_500s_are_upstream_unavailable(
    make_simulator: MakeSimulator,
) -> None:
    sim = await make_simulator(error_rate=1.0)
    ids = (await _sample(sim))["track_ids"]
    async with ReccoBeatsClient(sim.url) as client:
        with pytest.raises(UpstreamUnavailable, match="injected fault") as info:
            await client.get_tracks(ids)
    assert (info.value.status, info.value.endpoint) == (500, "/v1/track")


SampleCall = Callable[[ReccoBeatsClient, Sample], Awaitable[Any]]
# Each call with ids the simulator knows, so the body it corrupts was a 200.
KNOWN_CALLS: list[tuple[str, SampleCall]] = [
    ("/v1/track", lambda c, s: c.get_tracks(s["track_ids"])),
    ("/v1/track/{id}", lambda c, s: c.get_track(s["track_ids"][0])),
    ("/v1/track/{id}/audio-features", lambda c, s: c.get_track_audio_features(s["track_ids"][0])),
    ("/v1/audio-features", lambda c, s: c.get_audio_features(s["track_ids"])),
    ("/v1/track/recommendation", lambda c, s: c.get_recommendations(s["track_ids"][:1])),
    ("/v1/artist", lambda c, s: c.get_artists(s["artist_ids"])),
    ("/v1/artist/{id}", lambda c, s: c.get_artist(s["artist_ids"][0])),
    ("/v1/artist/search", lambda c, s: c.search_artists("a")),
    ("/v1/artist/{id}/album", lambda c, s: c.get_artist_albums(s["artist_ids"][0])),
    ("/v1/artist/{id}/track", lambda c, s: c.get_artist_tracks(s["artist_ids"][0])),
    ("/v1/album", lambda c, s: c.get_albums(s["album_ids"])),
    ("/v1/album/{id}", lambda c, s: c.get_album(s["album_ids"][0])),
    ("/v1/album/search", lambda c, s: c.search_albums("a")),
    ("/v1/album/{id}/track", lambda c, s: c.get_album_tracks(s["album_ids"][0])),
    ("/v1/analysis/audio-features", lambda c, s: c.analyze_audio(b"ID3\x03" + bytes(64))),
]


@pytest.mark.parametrize(("endpoint", "call"), KNOWN_CALLS, ids=[e for e, _ in KNOWN_CALLS])
async def test_the_simulators_malformed_bodies_are_malformed_responses(
    make_simulator: MakeSimulator, endpoint: str, call: SampleCall
) -> None:
    sim = await make_simulator(malformed_rate=1.0)
    sample = await _sample(sim)
    async with ReccoBeatsClient(sim.url) as client:
        for _ in range(5):
            with pytest.raises(MalformedResponse) as info:
                await call(client, sample)
            assert info.value.endpoint == endpoint
    assert sim.counters.faults["malformed"] == 5


async def test_a_connection_the_simulator_drops_is_upstream_unavailable(
    make_simulator: MakeSimulator,
) -> None:
    sim = await make_simulator(drop_rate=1.0)
    observed: Observed = []
    async with ReccoBeatsClient(sim.url, on_response=lambda *c: observed.append(c)) as client:
        with pytest.raises(UpstreamUnavailable) as info:
            await client.get_artists([SID])
    assert info.value.status is None
    assert info.value.endpoint == "/v1/artist"
    assert [(e, s) for e, s, _ in observed] == [("/v1/artist", 0)]


async def test_a_request_the_simulator_holds_is_upstream_timeout(
    make_simulator: MakeSimulator,
) -> None:
    sim = await make_simulator(timeout_rate=1.0, timeout_hold_s=60)
    async with ReccoBeatsClient(sim.url, timeout=SHORT_TIMEOUT) as client:
        with pytest.raises(UpstreamTimeout) as info:
            await client.get_album(UUID)
    assert info.value.endpoint == "/v1/album/{id}"


async def test_a_held_request_answered_504_is_upstream_unavailable(
    make_simulator: MakeSimulator,
) -> None:
    sim = await make_simulator(timeout_rate=1.0, timeout_hold_s=0.01)
    async with ReccoBeatsClient(sim.url) as client:
        with pytest.raises(UpstreamUnavailable) as info:
            await client.get_album(UUID)
    assert info.value.status == 504


@pytest.mark.parametrize(
    ("rate_per_min", "resolution", "expected"),
    [(60, 1.0, 1.0), (30, 1.0, 2.0), (80, 0.25, 0.75), (240, 0.05, 0.25)],
)
async def test_the_simulators_429_carries_its_retry_after(
    make_simulator: MakeSimulator, rate_per_min: float, resolution: float, expected: float
) -> None:
    sim = await make_simulator(
        clock=ManualClock(),
        rate_per_min=rate_per_min,
        burst=1,
        retry_after_resolution=resolution,
    )
    async with ReccoBeatsClient(sim.url) as client:
        assert await client.get_tracks([SID]) == []
        with pytest.raises(RateLimited) as info:
            await client.get_tracks([SID])
    assert info.value.retry_after == expected
    assert info.value.endpoint == "/v1/track"
    assert sim.counters.rate_limited == 1
