"""Sign-in with Spotify through the service, against the Spotify stand-in: the whole
redirect dance with a cookie jar, /v1/me, playlists that belong to the listener, sign-out;
and what must fail: a wrong state, a reused code, a forged cookie, an ended session."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from test_service_harness import MakeService, RunningService
from test_service_playlists import PROMPT

from moodmix.service.models import SessionRow, SpotifySaveRow, utcnow
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer

pytest_plugins = ["test_service_harness"]

CLIENT_ID = "moodmix-test"


@pytest.fixture
async def spotify(catalog: Catalog) -> AsyncIterator[SpotifyServer]:
    config = SpotifyConfig(signin=SignInConfig(client_id=CLIENT_ID))
    async with SpotifyServer(config, catalog) as server:
        yield server


@pytest.fixture
async def signin_service(make_service: MakeService, spotify: SpotifyServer) -> RunningService:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    service = await make_service(
        spotify_client_id=CLIENT_ID,
        spotify_accounts_url=spotify.url,
        spotify_api_url=spotify.url,
        secret_key=key,
    )
    spotify.standin.signin.register(f"{service.url}/auth/callback")
    return service


async def sign_in(service: RunningService) -> httpx.AsyncClient:
    browser = httpx.AsyncClient(base_url=service.url, follow_redirects=True, timeout=30)
    page = await browser.get("/auth/login")
    assert page.status_code == 200
    assert page.url.path == "/"
    assert "signin_error" not in str(page.url)
    return browser


async def test_sign_in_then_me_then_your_own_playlists(signin_service: RunningService) -> None:
    browser = await sign_in(signin_service)
    cookie = next(c for c in browser.cookies.jar if c.name == "moodmix_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite", "").lower() == "lax"
    assert not cookie.secure  # plain HTTP on loopback
    me = await browser.get("/v1/me")
    assert me.json() == {"id": "listener-1", "display_name": "Listener 1"}
    made = await browser.post("/v1/playlists?wait=true", json={"prompt": PROMPT, "size": 10})
    assert made.status_code == 200, made.text
    mine = (await browser.get("/v1/playlists")).json()["items"]
    assert [p["id"] for p in mine] == [made.json()["id"]]
    anonymous = signin_service.http  # no session: the open space, which does not hold it
    assert (await anonymous.get(f"/v1/playlists/{made.json()['id']}")).status_code == 404
    assert (await anonymous.get("/v1/me")).status_code == 401
    assert (await browser.post("/auth/logout")).status_code == 204
    assert (await browser.get("/v1/me")).status_code == 401
    await browser.aclose()


async def test_a_wrong_state_or_a_reused_code_opens_no_session(
    signin_service: RunningService, spotify: SpotifyServer
) -> None:
    browser = httpx.AsyncClient(base_url=signin_service.url, timeout=30)
    to_spotify = await browser.get("/auth/login")
    assert to_spotify.status_code == 302
    async with httpx.AsyncClient() as at_spotify:
        back = (await at_spotify.get(to_spotify.headers["location"])).headers["location"]
    query = parse_qs(urlsplit(back).query)
    code, state = query["code"][0], query["state"][0]
    wrong = await browser.get("/auth/callback", params={"code": code, "state": state + "x"})
    assert wrong.headers["location"] == "/?signin_error=state_mismatch"
    assert "moodmix_session" not in wrong.headers.get("set-cookie", "")
    # The failed callback ended this sign-in: the same answer again finds nothing pending.
    again = await browser.get("/auth/callback", params={"code": code, "state": state})
    assert again.headers["location"] == "/?signin_error=expired"
    # A new sign-in cannot use the old code either: codes are single-use and bound to PKCE.
    await browser.get("/auth/login")
    reused = await browser.get("/auth/callback", params={"code": code, "state": state})
    assert reused.headers["location"].startswith("/?signin_error=")
    assert (await browser.get("/v1/me")).status_code == 401
    await browser.aclose()


async def test_a_refusal_comes_back_as_an_error_not_a_session(
    signin_service: RunningService, spotify: SpotifyServer
) -> None:
    spotify.standin.signin.config = SignInConfig(
        client_id=CLIENT_ID,
        redirect_uris=spotify.standin.signin.config.redirect_uris,
        consent="deny",
    )
    browser = httpx.AsyncClient(base_url=signin_service.url, follow_redirects=True, timeout=30)
    page = await browser.get("/auth/login")
    assert page.url.query.decode() == "signin_error=refused"
    assert (await browser.get("/v1/me")).status_code == 401
    await browser.aclose()


async def test_a_forged_or_altered_cookie_is_nobody(signin_service: RunningService) -> None:
    browser = await sign_in(signin_service)
    real = browser.cookies["moodmix_session"]
    await browser.aclose()

    async def me(cookie: str) -> int:
        cookies = {"moodmix_session": cookie}
        async with httpx.AsyncClient(base_url=signin_service.url, cookies=cookies) as http:
            return (await http.get("/v1/me")).status_code

    for forged in (real[:-4] + "AAAA", "listener-1", base64.urlsafe_b64encode(b"x" * 80).decode()):
        assert await me(forged) == 401, forged
    assert await me(real) == 200


async def test_without_a_client_id_sign_in_is_off(service: RunningService) -> None:
    r = await service.http.get("/auth/login")
    assert r.status_code == 404
    assert r.json()["error"] == "signin_off"


async def test_me_top_seeds_are_the_listener_s_own_top_tracks(
    signin_service: RunningService, spotify: SpotifyServer
) -> None:
    body = {"prompt": PROMPT, "size": 10, "seeds": ["me:top:short"]}
    refused = await signin_service.http.post("/v1/playlists", json=body)
    assert refused.status_code == 401
    assert refused.json()["error"] == "signed_out"
    browser = await sign_in(signin_service)
    made = await browser.post("/v1/playlists?wait=true", json=body)
    assert made.status_code == 200, made.text
    top = spotify.standin.library.top("listener-1", "tracks", "short_term")[:5]
    asked = made.json()["request"]["seeds"]
    assert asked == [t["id"] for t in top]
    used = {s["spotify_id"] for s in made.json()["playlist"]["seeds"]}
    assert used
    assert used <= set(asked)
    await browser.aclose()


async def test_save_to_spotify_once_in_order_with_a_cover_and_resume(
    signin_service: RunningService, spotify: SpotifyServer
) -> None:
    browser = await sign_in(signin_service)
    made = (
        await browser.post("/v1/playlists?wait=true", json={"prompt": PROMPT, "size": 15})
    ).json()
    wanted = [
        f"spotify:track:{t['spotify_id']}" for t in made["playlist"]["tracks"] if t["spotify_id"]
    ]
    path = f"/v1/playlists/{made['id']}/spotify"
    assert (await browser.get(path)).status_code == 404  # not saved yet
    saved = await browser.post(path, params={"wait": "true"})
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["status"] == "done"
    assert body["tracks_added"] == len(wanted)
    assert body["spotify_url"].endswith(body["spotify_id"])
    account = spotify.standin.library.of("listener-1")
    assert [p.id for p in account] == [body["spotify_id"]]
    assert account[0].uris == wanted
    assert account[0].cover is not None
    assert account[0].cover.startswith(b"\xff\xd8")
    again = await browser.post(path, params={"wait": "true"})
    assert again.json()["spotify_id"] == body["spotify_id"]
    assert len(spotify.standin.library.of("listener-1")) == 1  # saving twice makes one playlist

    # A save that stopped part-way (here: after some tracks) resumes without duplicates.
    del account[0].uris[5:]
    async with signin_service.service.db.session() as session, session.begin():
        row = await session.get(SpotifySaveRow, (made["id"], "spotify:listener-1"))
        row.status, row.tracks_added = "failed", 5
    resumed = await browser.post(path, params={"wait": "true"})
    assert resumed.json()["status"] == "done"
    assert spotify.standin.library.of("listener-1")[0].uris == wanted
    assert (await browser.get(path)).json()["tracks_added"] == len(wanted)

    stranger = httpx.AsyncClient(base_url=signin_service.url)
    assert (await stranger.post(path)).status_code == 401
    await stranger.aclose()
    await browser.aclose()


async def test_another_listener_s_playlist_is_404_on_every_route(
    signin_service: RunningService, spotify: SpotifyServer
) -> None:
    first = await sign_in(signin_service)
    made = await first.post("/v1/playlists?wait=true", json={"prompt": PROMPT, "size": 8})
    id = made.json()["id"]
    link = (await first.post(f"/v1/playlists/{id}/share")).json()
    await first.aclose()
    spotify.standin.signin.config = SignInConfig(
        client_id=CLIENT_ID,
        redirect_uris=spotify.standin.signin.config.redirect_uris,
        user="listener-2",
    )
    second = await sign_in(signin_service)
    assert (await second.get("/v1/me")).json()["id"] == "listener-2"
    base = f"/v1/playlists/{id}"
    probes = [
        ("GET", base),
        ("GET", f"{base}/events"),
        ("GET", f"{base}/export"),
        ("POST", f"{base}/share"),
        ("GET", f"{base}/shares"),
        ("DELETE", f"{base}/shares/{link['token']}"),
        ("DELETE", base),
        ("POST", f"{base}/spotify"),
        ("GET", f"{base}/spotify"),
    ]
    for method, path in probes:
        r = await second.request(method, path)
        assert r.status_code == 404, (method, path, r.status_code)
        assert PROMPT not in r.text  # nothing of the playlist itself
    assert (await second.get("/v1/playlists")).json()["items"] == []
    assert (await second.get(link["url"])).status_code == 200  # the share link still works
    await second.aclose()


async def test_an_expired_session_is_nobody(signin_service: RunningService) -> None:
    browser = await sign_in(signin_service)
    assert (await browser.get("/v1/me")).status_code == 200
    async with signin_service.service.db.session() as session, session.begin():
        for row in (await session.scalars(select(SessionRow))).all():
            row.expires_at = utcnow() - timedelta(seconds=1)
    r = await browser.get("/v1/me")
    assert r.status_code == 401
    assert "moodmix_session" not in r.text
    await browser.aclose()
