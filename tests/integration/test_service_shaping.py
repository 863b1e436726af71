"""Exclusions, names and covers through the service: the fields in and out, bad input refused
with nothing stored, the cover the Spotify save uses, and a signed-in listener's remembered
exclusions."""

from __future__ import annotations

from typing import Any

import pytest
from test_service_harness import RunningService
from test_service_signin import sign_in, signin_service, spotify  # noqa: F401 (fixtures)

from moodmix.engine.cover import playlist_cover
from moodmix.simulator.spotify import SpotifyServer

pytest_plugins = ["test_service_harness"]

PROMPT = "sad but hopeful indie"


async def made(http: Any, **body: Any) -> dict[str, Any]:
    r = await http.post("/v1/playlists?wait=true", json={"prompt": PROMPT, "size": 12, **body})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def test_exclusions_go_in_and_the_name_comes_out(service: RunningService) -> None:
    first = await made(service.http)
    assert first["name"] == first["playlist"]["name"]
    assert first["name"]
    assert first["description"] == first["playlist"]["description"]
    assert first["request"]["exclude_artists"] == []
    assert first["request"]["explicit"] is True
    artist = first["playlist"]["tracks"][0]["artists"][0]
    second = await made(
        service.http,
        exclude_artists=[artist],
        exclude_tracks=[first["playlist"]["tracks"][1]["id"]],
        explicit=False,
        max_track_seconds="6m",
        years=[1980, 2020],
    )
    assert second["id"] != first["id"]
    assert second["request"]["exclude_artists"] == [artist]
    assert second["request"]["max_track_seconds"] == 360
    assert second["request"]["years"] == [1980, 2020]
    tracks = second["playlist"]["tracks"]
    assert all(artist not in t["artists"] for t in tracks)
    assert all(t["duration_ms"] <= 360_000 for t in tracks)
    reasons = [t["reason"] for t in tracks]
    assert len(set(reasons)) == len(reasons)
    assert any("explicit" in note for note in second["playlist"]["notes"])


@pytest.mark.parametrize(
    "body",
    [
        {"years": [2005, 1990]},
        {"years": [1990]},
        {"years": ["1990", 2000]},
        {"max_track_seconds": -30},
        {"max_track_seconds": "soon"},
        {"exclude_artists": "Adele"},
        {"exclude_artists": [""]},
        {"explicit": "maybe"},
        {"seeds": ["00aqkszH1FdUiJJWvX6iEl"], "exclude_tracks": ["00aqkszH1FdUiJJWvX6iEl"]},
    ],
)
async def test_bad_input_is_a_422_and_stores_nothing(
    service: RunningService, body: dict[str, Any]
) -> None:
    r = await service.http.post("/v1/playlists?wait=true", json={"prompt": PROMPT, **body})
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_request"
    assert r.json()["problems"]
    assert (await service.http.get("/v1/playlists")).json()["items"] == []


async def test_excluding_everything_is_a_422(service: RunningService) -> None:
    r = await service.http.post(
        "/v1/playlists?wait=true", json={"prompt": PROMPT, "years": [1900, 1901]}
    )
    assert r.status_code == 422, r.text
    assert "leave none" in r.json()["message"]


async def test_the_cover_is_the_one_the_spotify_save_uploads(service: RunningService) -> None:
    body = await made(service.http)
    r = await service.http.get(f"/v1/playlists/{body['id']}/cover.jpg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content == playlist_cover(PROMPT, body["playlist"])
    etag = r.headers["etag"]
    again = await service.http.get(
        f"/v1/playlists/{body['id']}/cover.jpg", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert (await service.http.get("/v1/playlists/nope/cover.jpg")).status_code == 404


async def test_a_listener_s_exclusions_are_remembered(
    signin_service: RunningService,  # noqa: F811
) -> None:
    anonymous = signin_service.http
    assert (await anonymous.get("/v1/me/exclusions")).status_code == 401
    browser = await sign_in(signin_service)
    empty = await browser.get("/v1/me/exclusions")
    assert empty.json() == {
        "exclude_artists": [],
        "exclude_tracks": [],
        "explicit": True,
        "max_track_seconds": None,
        "years": None,
    }
    first = await made(browser)
    artist = first["playlist"]["tracks"][0]["artists"][0]
    bad = await browser.put("/v1/me/exclusions", json={"years": [2020, 2000]})
    assert bad.status_code == 422
    assert (await browser.get("/v1/me/exclusions")).json() == empty.json()
    put = await browser.put(
        "/v1/me/exclusions", json={"exclude_artists": [artist], "max_track_seconds": 400}
    )
    assert put.status_code == 200, put.text
    assert put.json()["exclude_artists"] == [artist]
    assert (await browser.get("/v1/me/exclusions")).json() == put.json()
    later = await made(browser, size=10)
    assert later["request"]["exclude_artists"] == [artist]
    assert later["request"]["max_track_seconds"] == 400
    assert all(artist not in t["artists"] for t in later["playlist"]["tracks"])
    stranger = await made(anonymous, size=10)  # not signed in: nothing remembered
    assert stranger["request"]["exclude_artists"] == []
    cleared = await browser.put("/v1/me/exclusions", json={})
    assert cleared.json() == empty.json()
    await browser.aclose()


async def test_the_spotify_save_carries_the_name_description_and_the_same_cover(
    signin_service: RunningService,  # noqa: F811
    spotify: SpotifyServer,  # noqa: F811
) -> None:
    browser = await sign_in(signin_service)
    body = await made(browser, size=8)
    saved = await browser.post(f"/v1/playlists/{body['id']}/spotify", params={"wait": "true"})
    assert saved.status_code == 200, saved.text
    [stored] = spotify.standin.library.of("listener-1")
    assert stored.name == body["name"]
    assert stored.description.startswith(body["description"])
    cover = await browser.get(f"/v1/playlists/{body['id']}/cover.jpg")
    assert cover.status_code == 200
    assert stored.cover == cover.content
    await browser.aclose()
