"""Every /v1 endpoint of the simulator over loopback: status, shape, id forms, limits."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def http(simulator: SimulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        yield client


def spotify_id(item: dict[str, Any]) -> str:
    return str(item["href"]).rsplit("/", 1)[-1]


def assert_bad_request(response: httpx.Response, parameter: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert body["parameter"] == parameter
    assert parameter in body["message"]


def assert_paged(body: dict[str, Any], *, page: int, size: int) -> None:
    assert set(body) >= {"content", "page", "size", "totalElements", "totalPages"}
    assert isinstance(body["content"], list)
    assert (body["page"], body["size"]) == (page, size)
    assert isinstance(body["totalElements"], int)
    assert isinstance(body["totalPages"], int)
    assert len(body["content"]) <= size


# --- tracks -------------------------------------------------------------------------------


async def test_tracks_by_spotify_id_comma_separated(
    http: httpx.AsyncClient, catalog: Catalog
) -> None:
    wanted = list(catalog.track_spotify_ids()[:5])
    response = await http.get("/v1/track", params={"ids": ",".join(wanted)})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert sorted(spotify_id(t) for t in response.json()["content"]) == sorted(wanted)


async def test_tracks_by_uuid_repeated_param(http: httpx.AsyncClient, catalog: Catalog) -> None:
    wanted = list(catalog.track_ids()[10:14])
    response = await http.get("/v1/track", params=[("ids", i) for i in wanted])
    assert response.status_code == 200
    assert sorted(t["id"] for t in response.json()["content"]) == sorted(wanted)


async def test_tracks_mixed_forms_and_unknown_left_out(
    http: httpx.AsyncClient, catalog: Catalog
) -> None:
    uuids = list(catalog.track_ids()[20:22])
    sids = list(catalog.track_spotify_ids()[30:33])
    unknown = list(catalog.unknown_spotify_ids()[:3])
    query = "&".join(
        [
            f"ids={','.join(uuids)}",
            f"ids={sids[0]},{unknown[0]}",
            f"ids={sids[1]}",
            f"ids={sids[2]},{unknown[1]},{unknown[2]},{UNKNOWN_UUID}",
        ]
    )
    response = await http.get("/v1/track?" + query)
    assert response.status_code == 200
    content = response.json()["content"]
    assert len(content) == 5
    assert {t["id"] for t in content} >= set(uuids)
    assert {spotify_id(t) for t in content} >= set(sids)


async def test_tracks_ids_limits(http: httpx.AsyncClient, catalog: Catalog) -> None:
    forty = list(catalog.track_spotify_ids()[:40])
    ok = await http.get("/v1/track", params={"ids": ",".join(forty)})
    assert len(ok.json()["content"]) == 40
    too_many = await http.get(
        "/v1/track", params={"ids": ",".join([*forty, catalog.track_ids()[0]])}
    )
    assert_bad_request(too_many, "ids")
    assert "41" in too_many.json()["message"]
    assert_bad_request(await http.get("/v1/track"), "ids")
    assert_bad_request(await http.get("/v1/track?ids=,,"), "ids")
    assert_bad_request(await http.get("/v1/track", params={"ids": "not-an-id"}), "ids")


async def test_track_by_either_id(http: httpx.AsyncClient, catalog: Catalog) -> None:
    uuid = catalog.track_ids()[3]
    by_uuid = await http.get(f"/v1/track/{uuid}")
    assert by_uuid.status_code == 200
    assert by_uuid.json()["id"] == uuid
    by_spotify = await http.get(f"/v1/track/{spotify_id(by_uuid.json())}")
    assert by_spotify.json() == by_uuid.json()
    by_upper = await http.get(f"/v1/track/{uuid.upper()}")
    assert by_upper.json()["id"] == uuid


async def test_unknown_track_is_404(http: httpx.AsyncClient, catalog: Catalog) -> None:
    for key in (catalog.unknown_spotify_ids()[0], UNKNOWN_UUID):
        response = await http.get(f"/v1/track/{key}")
        assert response.status_code == 404
        assert key in response.json()["message"]
    assert_bad_request(await http.get("/v1/track/abc"), "id")


async def test_track_audio_features(http: httpx.AsyncClient, catalog: Catalog) -> None:
    sid = catalog.track_spotify_ids()[7]
    response = await http.get(f"/v1/track/{sid}/audio-features")
    assert response.status_code == 200
    body = response.json()
    assert 0 <= body["energy"] <= 1
    assert isinstance(body["tempo"], float | int)
    assert (await http.get(f"/v1/track/{UNKNOWN_UUID}/audio-features")).status_code == 404


async def test_audio_features_batch(http: httpx.AsyncClient, catalog: Catalog) -> None:
    sids = list(catalog.track_spotify_ids()[100:103])
    uuids = list(catalog.track_ids()[200:202])
    unknown = catalog.unknown_spotify_ids()[5]
    response = await http.get(
        "/v1/audio-features",
        params=[
            ("ids", f"{sids[0]},{sids[1]}"),
            ("ids", sids[2]),
            ("ids", ",".join(uuids)),
            ("ids", unknown),
        ],
    )
    assert response.status_code == 200
    content = response.json()["content"]
    assert len(content) == 5
    assert {spotify_id(f) for f in content} >= set(sids)
    assert {f["id"] for f in content} >= set(uuids)
    assert_bad_request(await http.get("/v1/audio-features"), "ids")


# --- recommendations ----------------------------------------------------------------------


async def test_recommendation_is_not_taken_for_a_track_id(
    http: httpx.AsyncClient, simulator: SimulatorServer, catalog: Catalog
) -> None:
    response = await http.get(
        "/v1/track/recommendation", params={"seeds": catalog.track_spotify_ids()[0]}
    )
    assert response.status_code == 200
    assert len(response.json()["content"]) == 10
    assert simulator.counters.count("/v1/track/recommendation", 200) == 1
    assert simulator.counters.count("/v1/track/{id}") == 0


async def test_recommendation_with_every_option(http: httpx.AsyncClient, catalog: Catalog) -> None:
    seeds = list(catalog.track_ids()[:3])
    params: list[tuple[str, str | int | float]] = [
        ("seeds", ",".join(seeds[:2])),
        ("seeds", seeds[2]),
        ("negativeSeeds", catalog.track_spotify_ids()[50]),
        ("size", 25),
        ("energy", 0.8),
        ("valence", 0.2),
        ("tempo", 120),
        ("loudness", -8),
        ("key", 5),
        ("mode", 1),
        ("popularity", 60),
        ("featureWeight", 3),
    ]
    response = await http.get("/v1/track/recommendation", params=params)
    assert response.status_code == 200, response.text
    content = response.json()["content"]
    assert 1 <= len(content) <= 25
    assert all({"id", "trackTitle", "artists", "href"} <= set(t) for t in content)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("size", "0"),
        ("size", "101"),
        ("size", "ten"),
        ("acousticness", "1.1"),
        ("danceability", "-0.1"),
        ("energy", "2"),
        ("instrumentalness", "nan"),
        ("liveness", "x"),
        ("speechiness", "1.01"),
        ("valence", "-1"),
        ("tempo", "251"),
        ("loudness", "-61"),
        ("loudness", "3"),
        ("key", "12"),
        ("key", "-2"),
        ("key", "1.5"),
        ("mode", "2"),
        ("popularity", "101"),
        ("featureWeight", "0"),
        ("featureWeight", "6"),
    ],
)
async def test_recommendation_parameter_limits(
    http: httpx.AsyncClient, catalog: Catalog, name: str, value: str
) -> None:
    response = await http.get(
        "/v1/track/recommendation", params={"seeds": catalog.track_ids()[0], name: value}
    )
    assert_bad_request(response, name)


async def test_recommendation_seed_limits(http: httpx.AsyncClient, catalog: Catalog) -> None:
    six = ",".join(catalog.track_ids()[:6])
    assert_bad_request(await http.get("/v1/track/recommendation", params={"seeds": six}), "seeds")
    assert_bad_request(await http.get("/v1/track/recommendation"), "seeds")
    negative = await http.get(
        "/v1/track/recommendation", params={"seeds": catalog.track_ids()[0], "negativeSeeds": six}
    )
    assert_bad_request(negative, "negativeSeeds")
    unknown = await http.get(
        "/v1/track/recommendation", params={"seeds": catalog.unknown_spotify_ids()[0]}
    )
    assert_bad_request(unknown, "seeds")


# --- artists ------------------------------------------------------------------------------


async def test_artists_batch_and_single(http: httpx.AsyncClient, catalog: Catalog) -> None:
    uuids = list(catalog.artist_ids()[:3])
    sids = list(catalog.artist_spotify_ids()[10:12])
    response = await http.get(
        "/v1/artist",
        params=[
            ("ids", ",".join(uuids)),
            ("ids", sids[0]),
            ("ids", sids[1]),
            ("ids", UNKNOWN_UUID),
        ],
    )
    content = response.json()["content"]
    assert len(content) == 5
    assert {a["id"] for a in content} >= set(uuids)
    assert {spotify_id(a) for a in content} >= set(sids)
    single = await http.get(f"/v1/artist/{sids[0]}")
    assert single.status_code == 200
    assert spotify_id(single.json()) == sids[0]
    assert isinstance(single.json()["name"], str)
    assert (await http.get(f"/v1/artist/{UNKNOWN_UUID}")).status_code == 404
    assert_bad_request(await http.get("/v1/artist", params={"ids": ""}), "ids")


async def test_artist_search(http: httpx.AsyncClient, catalog: Catalog) -> None:
    artist = catalog.artist(catalog.artist_ids()[0])
    assert artist is not None
    response = await http.get("/v1/artist/search", params={"searchText": artist["name"]})
    assert response.status_code == 200
    body = response.json()
    assert_paged(body, page=0, size=20)
    assert artist["id"] in {a["id"] for a in body["content"]}
    paged = await http.get("/v1/artist/search", params={"searchText": "a", "size": 5, "page": 1})
    assert_paged(paged.json(), page=1, size=5)


@pytest.mark.parametrize("path", ["/v1/artist/search", "/v1/album/search"])
@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "searchText"),
        ({"searchText": ""}, "searchText"),
        ({"searchText": "x" * 1001}, "searchText"),
        ({"searchText": "a", "size": 0}, "size"),
        ({"searchText": "a", "size": 51}, "size"),
        ({"searchText": "a", "page": -1}, "page"),
        ({"searchText": "a", "page": 1001}, "page"),
        ({"searchText": "a", "page": "first"}, "page"),
    ],
)
async def test_search_limits(
    http: httpx.AsyncClient, path: str, params: dict[str, Any], parameter: str
) -> None:
    assert_bad_request(await http.get(path, params=params), parameter)


async def test_search_accepts_the_largest_values(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/v1/album/search", params={"searchText": "x" * 1000, "size": 50, "page": 1000}
    )
    assert response.status_code == 200
    assert_paged(response.json(), page=1000, size=50)


async def test_artist_tracks_and_albums(http: httpx.AsyncClient, catalog: Catalog) -> None:
    sid = catalog.artist_spotify_ids()[1]
    uuid = catalog.artist_ids()[1]
    tracks = await http.get(f"/v1/artist/{sid}/track", params={"size": 3})
    assert tracks.status_code == 200
    assert_paged(tracks.json(), page=0, size=3)
    assert tracks.json()["totalElements"] >= 1
    assert all(any(a["id"] == uuid for a in t["artists"]) for t in tracks.json()["content"])
    albums = await http.get(f"/v1/artist/{uuid}/album")
    assert albums.status_code == 200
    assert "content" in albums.json()
    assert all({"id", "albumTitle"} <= set(a) for a in albums.json()["content"])
    for path in (f"/v1/artist/{UNKNOWN_UUID}/track", f"/v1/artist/{UNKNOWN_UUID}/album"):
        assert (await http.get(path)).status_code == 404
    assert_bad_request(await http.get(f"/v1/artist/{uuid}/track", params={"size": 51}), "size")


# --- albums -------------------------------------------------------------------------------


async def test_albums_batch_single_and_tracks(http: httpx.AsyncClient, catalog: Catalog) -> None:
    uuids = list(catalog.album_ids()[:3])
    first = (await http.get(f"/v1/album/{uuids[0]}")).json()
    assert first["id"] == uuids[0]
    assert isinstance(first["albumTitle"], str)
    sid = spotify_id(first)
    assert (await http.get(f"/v1/album/{sid}")).json() == first
    batch = await http.get(
        "/v1/album", params=[("ids", f"{uuids[1]},{uuids[2]}"), ("ids", sid), ("ids", UNKNOWN_UUID)]
    )
    assert sorted(a["id"] for a in batch.json()["content"]) == sorted(uuids)
    tracks = await http.get(f"/v1/album/{sid}/track", params={"size": 2})
    assert tracks.status_code == 200
    assert_paged(tracks.json(), page=0, size=2)
    assert (await http.get(f"/v1/album/{UNKNOWN_UUID}")).status_code == 404
    assert (await http.get(f"/v1/album/{UNKNOWN_UUID}/track")).status_code == 404
    assert_bad_request(await http.get("/v1/album", params={"ids": "x"}), "ids")


async def test_album_search(http: httpx.AsyncClient, catalog: Catalog) -> None:
    album = catalog.album(catalog.album_ids()[0])
    assert album is not None
    response = await http.get("/v1/album/search", params={"searchText": album["albumTitle"]})
    assert response.status_code == 200
    assert_paged(response.json(), page=0, size=20)
    assert album["id"] in {a["id"] for a in response.json()["content"]}


# --- analysis -----------------------------------------------------------------------------


def wav(seconds: float = 0.1, rate: int = 8000) -> bytes:
    frames = b"\x00\x01" * int(seconds * rate)
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(frames)) + frames


AUDIO_HEADS = {
    "wav": wav(),
    "mp3-id3": b"ID3\x04\x00\x00" + bytes(200),
    "mp3-frame": b"\xff\xfb\x90\x00" + bytes(200),
    "ogg": b"OggS\x00\x02" + bytes(200),
    "aiff": b"FORM\x00\x00\x01\x00AIFF" + bytes(200),
}


@pytest.mark.parametrize("kind", sorted(AUDIO_HEADS))
async def test_analysis_accepts_audio(http: httpx.AsyncClient, kind: str) -> None:
    response = await http.post(
        "/v1/analysis/audio-features", files={"audioFile": (f"a.{kind}", AUDIO_HEADS[kind])}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert 0 <= body["danceability"] <= 1
    assert isinstance(body["tempo"], float | int)


async def test_analysis_refuses_bad_uploads(http: httpx.AsyncClient) -> None:
    path = "/v1/analysis/audio-features"
    not_audio = await http.post(path, files={"audioFile": ("a.txt", b"hello, not audio")})
    assert_bad_request(not_audio, "audioFile")
    too_big = await http.post(path, files={"audioFile": ("a.wav", wav() + bytes(5 * 1024 * 1024))})
    assert_bad_request(too_big, "audioFile")
    assert "5 MB" in too_big.json()["message"]
    wrong_field = await http.post(path, files={"file": ("a.wav", wav())})
    assert_bad_request(wrong_field, "audioFile")
    not_multipart = await http.post(path, content=wav())
    assert_bad_request(not_multipart, "audioFile")
    empty = await http.post(path, files={"audioFile": ("a.wav", b"")})
    assert_bad_request(empty, "audioFile")


async def test_analysis_accepts_exactly_five_megabytes(http: httpx.AsyncClient) -> None:
    data = wav()
    data += bytes(5 * 1024 * 1024 - len(data))
    response = await http.post("/v1/analysis/audio-features", files={"audioFile": ("a.wav", data)})
    assert response.status_code == 200


async def test_unknown_path_and_method(http: httpx.AsyncClient) -> None:
    missing = await http.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["path"] == "/v1/nothing-here"
    wrong = await http.post("/v1/track", params={"ids": "x"})
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405
