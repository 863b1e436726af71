"""Read-through endpoints: tracks, audio features and artist search through the gateway,
with ETag/304, and upstream trouble answered as 503 with Retry-After."""

from __future__ import annotations

from typing import Any

from test_service_harness import MakeService, RunningService

pytest_plugins = ["test_service_harness"]


async def test_tracks_by_ids_in_order_with_unknown_ones_listed(
    service: RunningService, catalog: Any
) -> None:
    ids = list(catalog.track_spotify_ids()[:3])
    unknown = catalog.unknown_spotify_ids()[0]
    r = await service.http.get("/v1/tracks", params={"ids": ",".join([*ids, unknown])})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["href"].rsplit("/", 1)[-1] for t in body["tracks"]] == ids
    assert body["missing"] == [unknown]
    assert r.headers["cache-control"].startswith("public, max-age=")


async def test_one_track_and_its_audio_features(service: RunningService, catalog: Any) -> None:
    sid = catalog.track_spotify_ids()[5]
    track = await service.http.get(f"/v1/tracks/{sid}")
    assert track.status_code == 200, track.text
    assert track.json()["trackTitle"]
    features = await service.http.get(f"/v1/tracks/spotify:track:{sid}/audio-features")
    assert features.status_code == 200, features.text
    assert 0 <= features.json()["energy"] <= 1


async def test_unknown_track_is_a_404_with_a_reason(service: RunningService, catalog: Any) -> None:
    r = await service.http.get(f"/v1/tracks/{catalog.unknown_spotify_ids()[0]}")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert "does not know" in r.json()["message"]


async def test_artist_search(service: RunningService, catalog: Any) -> None:
    name = catalog.artist(catalog.artist_ids()[0])["name"]
    r = await service.http.get("/v1/artists/search", params={"q": name, "size": 5})
    assert r.status_code == 200, r.text
    assert name in [a["name"] for a in r.json()["content"]]


async def test_etag_answers_304_when_the_client_has_it(
    service: RunningService, catalog: Any
) -> None:
    sid = catalog.track_spotify_ids()[7]
    first = await service.http.get(f"/v1/tracks/{sid}")
    etag = first.headers["etag"]
    again = await service.http.get(f"/v1/tracks/{sid}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    other = await service.http.get(f"/v1/tracks/{sid}", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


async def test_upstream_outage_is_a_503_with_retry_after(
    make_service: MakeService, simulator: Any, catalog: Any
) -> None:
    running = await make_service(retry_attempts=1, stale_if_error=False)
    await simulator.stop()
    r = await running.http.get(f"/v1/tracks/{catalog.track_spotify_ids()[9]}")
    assert r.status_code == 503, r.text
    assert int(r.headers["retry-after"]) >= 1
    body = r.json()
    assert body["error"].startswith("upstream_")
    assert "ReccoBeats" in body["message"]
    assert "Traceback" not in r.text


async def test_read_through_ids_are_validated(service: RunningService) -> None:
    r = await service.http.get("/v1/tracks", params={"ids": "not-an-id"})
    assert r.status_code == 422
    assert r.json()["problems"][0]["field"] == "ids"
    assert "not a Spotify id" in r.json()["message"]
    r = await service.http.get("/v1/tracks", params={"ids": ",".join(["x"] * 101)})
    assert r.status_code == 422
    assert "1 to 100 ids" in r.json()["message"]
