"""Every endpoint against the simulator over loopback: what is sent, and what comes back."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from aiohttp import web

from moodmix.reccobeats.client import ENDPOINTS, ReccoBeatsClient
from moodmix.reccobeats.errors import BadRequest, NotFound
from moodmix.reccobeats.ids import by_spotify_id
from moodmix.reccobeats.models import FEATURE_NAMES, AudioFeatures, Track
from moodmix.settings import Settings

if TYPE_CHECKING:
    from moodmix.simulator import SimulatorServer

Sample = dict[str, list[str]]
Observed = list[tuple[str, int, float]]
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)


class Recording(httpx.AsyncHTTPTransport):
    """A real socket transport that remembers the path and query of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url.raw_path.decode("ascii"))
        return await super().handle_async_request(request)


@pytest.fixture
async def sample(simulator: SimulatorServer) -> Sample:
    async with httpx.AsyncClient(base_url=simulator.url) as http:
        response = await http.get("/_admin/catalog/sample", params={"n": 5})
    response.raise_for_status()
    payload: Sample = response.json()
    return payload


@pytest.fixture
def transport() -> Recording:
    return Recording()


@pytest.fixture
def observed() -> Observed:
    return []


@pytest.fixture
async def client(
    simulator: SimulatorServer, transport: Recording, observed: Observed
) -> AsyncIterator[ReccoBeatsClient]:
    async with ReccoBeatsClient(
        simulator.url, transport=transport, on_response=lambda *call: observed.append(call)
    ) as client:
        yield client


def last_query(transport: Recording) -> str:
    return transport.sent[-1].partition("?")[2]


# --- tracks --------------------------------------------------------------------------------


async def test_get_tracks_returns_the_known_ids_and_drops_the_unknown(
    client: ReccoBeatsClient, transport: Recording, sample: Sample
) -> None:
    known, unknown = sample["track_spotify_ids"], sample["unknown_spotify_ids"]
    tracks = await client.get_tracks(known + unknown)
    assert all(isinstance(track, Track) for track in tracks)
    assert set(by_spotify_id(tracks)) == set(known)
    assert last_query(transport) == "ids=" + ",".join(known + unknown)


async def test_get_tracks_sends_uris_and_links_in_bare_form(
    client: ReccoBeatsClient, transport: Recording, sample: Sample
) -> None:
    first, second = sample["track_spotify_ids"][:2]
    ids = [f"spotify:track:{first}", f"https://open.spotify.com/intl-de/track/{second}?si=x"]
    tracks = await client.get_tracks(ids)
    assert set(by_spotify_id(tracks)) == {first, second}
    assert last_query(transport) == f"ids={first},{second}"


async def test_get_tracks_takes_forty_reccobeats_ids_at_once(
    client: ReccoBeatsClient, simulator: SimulatorServer
) -> None:
    async with httpx.AsyncClient(base_url=simulator.url) as http:
        ids = (await http.get("/_admin/catalog/sample", params={"n": 40})).json()["track_ids"]
    tracks = await client.get_tracks([value.upper() for value in ids])
    assert sorted(track.id for track in tracks) == sorted(ids)


async def test_get_track_by_uuid_or_spotify_link_is_the_same_track(
    client: ReccoBeatsClient, sample: Sample
) -> None:
    sid = sample["track_spotify_ids"][0]
    by_link = await client.get_track(f"https://open.spotify.com/track/{sid}")
    by_uuid = await client.get_track(by_link.id)
    assert by_uuid == by_link
    assert by_uuid.spotify_id == sid
    assert by_uuid.artists


async def test_get_track_of_an_unknown_id_is_not_found(
    client: ReccoBeatsClient, sample: Sample
) -> None:
    with pytest.raises(NotFound) as info:
        await client.get_track(sample["unknown_spotify_ids"][0])
    assert info.value.endpoint == "/v1/track/{id}"


async def test_one_tracks_features_match_the_batch_answer(
    client: ReccoBeatsClient, transport: Recording, sample: Sample
) -> None:
    ids = sample["track_ids"]
    batch = await client.get_audio_features(ids)
    assert last_query(transport) == "ids=" + ",".join(ids)
    assert sorted(item.id or "" for item in batch) == sorted(ids)
    single = await client.get_track_audio_features(ids[0])
    assert isinstance(single, AudioFeatures)
    assert single == next(item for item in batch if item.id == ids[0])
    assert transport.sent[-1] == f"/v1/track/{ids[0]}/audio-features"


async def test_batch_features_map_back_to_spotify_ids(
    client: ReccoBeatsClient, sample: Sample
) -> None:
    known = sample["track_spotify_ids"]
    features = await client.get_audio_features(known + sample["unknown_spotify_ids"][:1])
    assert set(by_spotify_id(features)) == set(known)
    for item in features:
        assert 0 <= item.energy <= 1
        assert -60 <= item.loudness <= 2


# --- recommendations -----------------------------------------------------------------------


async def test_recommendations_send_every_target_under_its_api_name(
    client: ReccoBeatsClient, transport: Recording, sample: Sample
) -> None:
    seeds = sample["track_ids"][:2] + sample["artist_ids"][:1]
    tracks = await client.get_recommendations(
        seeds,
        size=7,
        negative_seeds=sample["track_ids"][2:4],
        acousticness=0,
        danceability=1,
        energy=0.25,
        instrumentalness=0.5,
        liveness=0.1,
        loudness=-60,
        speechiness=0.05,
        tempo=250,
        valence=0.75,
        key=-1,
        mode=1,
        popularity=100,
        feature_weight=5,
    )
    assert 1 <= len(tracks) <= 7
    assert all(isinstance(track, Track) for track in tracks)
    query = dict(part.split("=", 1) for part in last_query(transport).split("&"))
    assert query == {
        "seeds": ",".join(seeds),
        "negativeSeeds": ",".join(sample["track_ids"][2:4]),
        "size": "7",
        "acousticness": "0",
        "danceability": "1",
        "energy": "0.25",
        "instrumentalness": "0.5",
        "liveness": "0.1",
        "loudness": "-60",
        "speechiness": "0.05",
        "tempo": "250",
        "valence": "0.75",
        "key": "-1",
        "mode": "1",
        "popularity": "100",
        "featureWeight": "5",
    }


async def test_recommendations_by_default_send_only_seeds_and_size(
    client: ReccoBeatsClient, transport: Recording, sample: Sample
) -> None:
    seed = sample["track_spotify_ids"][0]
    tracks = await client.get_recommendations([f"spotify:track:{seed}"])
    assert 1 <= len(tracks) <= 10
    assert last_query(transport) == f"seeds={seed}&size=10"


async def test_recommendations_from_unknown_seeds_are_the_upstreams_bad_request(
    client: ReccoBeatsClient, sample: Sample
) -> None:
    with pytest.raises(BadRequest, match="seeds") as info:
        await client.get_recommendations(sample["unknown_spotify_ids"][:2], size=100)
    assert info.value.endpoint == "/v1/track/recommendation"


# --- artists -------------------------------------------------------------------------------


async def test_artists_batch_single_and_search_agree(
    client: ReccoBeatsClient, transport: Recording, sample: Sample
) -> None:
    ids = sample["artist_ids"]
    artists = await client.get_artists(ids)
    assert sorted(artist.id for artist in artists) == sorted(ids)
    one = await client.get_artist(ids[0])
    assert one in artists
    found = await client.search_artists(f"  {one.name}  ", size=50)
    assert one in found.content
    assert last_query(transport).startswith("searchText=")
    assert last_query(transport).endswith("&page=0&size=50")
    assert found.total_elements >= 1


async def test_artists_by_spotify_id(client: ReccoBeatsClient, sample: Sample) -> None:
    sids = sample["artist_spotify_ids"]
    artists = await client.get_artists([f"spotify:artist:{sid}" for sid in sids])
    assert set(by_spotify_id(artists)) == set(sids)


async def test_an_artists_tracks_and_albums_come_in_pages(
    client: ReccoBeatsClient, transport: Recording, sample: Sample
) -> None:
    artist_id = sample["artist_ids"][0]
    tracks = await client.get_artist_tracks(artist_id, size=1)
    assert tracks.total_elements >= 1
    assert len(tracks.content) == 1
    assert all(artist_id in [a.id for a in track.artists] for track in tracks.content)
    assert last_query(transport) == "page=0&size=1"
    last = await client.get_artist_tracks(artist_id, page=tracks.total_pages - 1, size=1)
    assert last.page == tracks.total_pages - 1
    assert len(last.content) == 1
    beyond = await client.get_artist_tracks(artist_id, page=1000, size=50)
    assert beyond.content == []
    albums = await client.get_artist_albums(artist_id, size=50)
    assert albums.content
    assert all(artist_id in [a.id for a in album.artists] for album in albums.content)


async def test_an_unknown_artist_is_not_found(client: ReccoBeatsClient, sample: Sample) -> None:
    unknown = sample["unknown_spotify_ids"][0]
    for call in (client.get_artist, client.get_artist_tracks, client.get_artist_albums):
        with pytest.raises(NotFound):
            await call(unknown)


# --- albums --------------------------------------------------------------------------------


async def test_albums_batch_single_search_and_tracks_agree(
    client: ReccoBeatsClient, sample: Sample
) -> None:
    ids = sample["album_ids"]
    albums = await client.get_albums(ids)
    assert sorted(album.id for album in albums) == sorted(ids)
    one = await client.get_album(ids[0])
    assert one in albums
    found = await client.search_albums(one.album_title, size=50)
    assert one in found.content
    tracks = await client.get_album_tracks(one.id)
    assert tracks.content
    album_artists = {artist.id for artist in one.artists}
    assert all(album_artists & {a.id for a in track.artists} for track in tracks.content)


async def test_an_unknown_album_is_not_found(client: ReccoBeatsClient, sample: Sample) -> None:
    with pytest.raises(NotFound):
        await client.get_album(sample["track_ids"][0])


# --- analysis ------------------------------------------------------------------------------


async def test_analyze_audio_uploads_the_file_as_audio_file(
    client: ReccoBeatsClient, transport: Recording
) -> None:
    features = await client.analyze_audio(WAV, filename="clip.wav")
    assert features.id is None
    assert all(isinstance(getattr(features, name), float) for name in FEATURE_NAMES)
    assert transport.sent[-1] == "/v1/analysis/audio-features"
    again = await client.analyze_audio(bytearray(WAV), filename="x.wav", content_type="audio/wav")
    assert again == features


async def test_a_file_that_is_not_audio_is_the_upstreams_bad_request(
    client: ReccoBeatsClient,
) -> None:
    with pytest.raises(BadRequest, match="audioFile"):
        await client.analyze_audio(b"just text, not sound", filename="notes.txt")


# --- observability -------------------------------------------------------------------------


async def test_on_response_sees_what_the_simulator_served(
    client: ReccoBeatsClient, simulator: SimulatorServer, observed: Observed, sample: Sample
) -> None:
    await client.get_tracks(sample["track_spotify_ids"])
    await client.get_track(sample["track_ids"][0])
    await client.search_albums("love")
    with pytest.raises(NotFound):
        await client.get_track(sample["unknown_spotify_ids"][0])
    await client.get_track(sample["track_ids"][1])
    seen = Counter((endpoint, status) for endpoint, status, _ in observed)
    assert seen == Counter(simulator.counters.requests)
    assert seen[("/v1/track/{id}", 200)] == 2
    assert all(endpoint in ENDPOINTS and elapsed >= 0 for endpoint, _, elapsed in observed)


# --- construction and the connection pool --------------------------------------------------


async def test_from_settings_talks_to_the_configured_url(
    simulator: SimulatorServer, sample: Sample
) -> None:
    settings = Settings(reccobeats_url=simulator.url + "/v1", http2=True, max_connections=2)
    async with ReccoBeatsClient.from_settings(settings) as client:
        tracks = await client.get_tracks(sample["track_ids"][:1])
    assert [track.id for track in tracks] == sample["track_ids"][:1]


@pytest.fixture
async def peers() -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A loopback server answering an empty track list, noting each caller's port."""
    state: dict[str, Any] = {"ports": [], "in_flight": 0, "max_in_flight": 0, "agents": set()}

    async def handle(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        state["ports"].append(peer[1] if peer else None)
        state["agents"].add(request.headers.get("User-Agent"))
        state["in_flight"] += 1
        state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
        await asyncio.sleep(0.01)
        state["in_flight"] -= 1
        return web.json_response({"content": []})

    app = web.Application()
    app.router.add_get("/v1/track", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}", state
    await runner.cleanup()


async def test_sequential_calls_reuse_one_connection(
    peers: tuple[str, dict[str, Any]], sample: Sample
) -> None:
    url, state = peers
    async with ReccoBeatsClient(url, user_agent="moodmix-test/1") as client:
        for _ in range(5):
            assert await client.get_tracks(sample["track_ids"][:1]) == []
    assert len(state["ports"]) == 5
    assert len(set(state["ports"])) == 1
    assert state["agents"] == {"moodmix-test/1"}


async def test_the_pool_never_opens_more_than_max_connections(
    peers: tuple[str, dict[str, Any]], sample: Sample
) -> None:
    url, state = peers
    async with ReccoBeatsClient(url, max_connections=2) as client:
        results = await asyncio.gather(
            *(client.get_tracks(sample["track_ids"][:1]) for _ in range(12))
        )
    assert results == [[]] * 12
    assert len(state["ports"]) == 12
    assert len(set(state["ports"])) <= 2
    assert state["max_in_flight"] <= 2
