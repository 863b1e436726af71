"""The whole listener loop in headless Chromium against the Spotify stand-in: sign in, make
a playlist seeded with your own top tracks, save it to Spotify; the stand-in's account holds
it in order with a cover; a second listener cannot read it, its share link can."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_page import ARTIFACTS, browser_context
from test_service_harness import FAST_UPSTREAM, RunningService

from moodmix.settings import Settings
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer

pytestmark = pytest.mark.e2e
CLIENT_ID = "moodmix-e2e"


@pytest.fixture
async def spotify(catalog: Catalog) -> AsyncIterator[SpotifyServer]:
    async with SpotifyServer(SpotifyConfig(signin=SignInConfig(CLIENT_ID)), catalog) as server:
        yield server


@pytest.fixture
async def listening(
    simulator: Any, spotify: SpotifyServer, tmp_path: Path
) -> AsyncIterator[RunningService]:
    settings = Settings(
        reccobeats_url=simulator.url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'moodmix.db'}",
        spotify_client_id=CLIENT_ID,
        spotify_accounts_url=spotify.url,
        spotify_api_url=spotify.url,
        secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),  # type: ignore[arg-type]
        **FAST_UPSTREAM,
    )
    service = await RunningService(settings).start()
    spotify.standin.signin.register(f"{service.url}/auth/callback")
    yield service
    await service.stop()


async def test_sign_in_make_with_my_top_tracks_and_save_to_spotify(
    listening: RunningService, spotify: SpotifyServer
) -> None:
    async with browser_context() as context:
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(60_000)
        await page.goto(listening.url + "/")
        await page.click("#sign-in")
        await page.wait_for_selector("#signed-in:not([hidden])")
        assert await page.inner_text("#who") == "Listener 1"

        await page.wait_for_selector("#top-seeds-row:not([hidden])")
        await page.check("#top-seeds")
        await page.fill("#prompt", "rainy Sunday, mellow acoustic")
        await page.fill("#size", "10")
        await page.click("#submit")
        await page.wait_for_selector("#result:not([hidden])")
        assert await page.locator("#tracks li.track").count() == 10

        export = await page.get_attribute("#export-csv", "href") or ""
        id = export.split("/")[3]  # /v1/playlists/<id>/export?format=csv
        await page.click("#save-spotify")
        link = page.locator("#spotify-link")
        await link.wait_for()
        saved_url = await link.get_attribute("href")
        await page.screenshot(path=str(ARTIFACTS / "saved-to-spotify.png"), full_page=True)
        assert not errors, errors

    account = spotify.standin.library.of("listener-1")
    assert len(account) == 1
    assert saved_url == f"https://open.spotify.com/playlist/{account[0].id}"
    mine = (await listening.http.get("/v1/playlists")).json()["items"]
    assert mine == []  # the open space holds nothing: the playlist is the listener's
    assert f"[moodmix {id}]" in account[0].description
    async with httpx.AsyncClient(base_url=listening.url, follow_redirects=True) as first:
        await first.get("/auth/login")
        body = (await first.get(f"/v1/playlists/{id}")).json()
        uris = [
            f"spotify:track:{t['spotify_id']}"
            for t in body["playlist"]["tracks"]
            if t["spotify_id"]
        ]
        assert account[0].uris == uris  # every track, in order
        assert account[0].cover is not None
        top = {t["id"] for t in spotify.standin.library.top("listener-1", "tracks", "medium_term")}
        assert set(body["request"]["seeds"]) <= top  # seeded with the listener's own
        link = (await first.post(f"/v1/playlists/{id}/share")).json()["url"]
    spotify.standin.signin.config = SignInConfig(
        CLIENT_ID, spotify.standin.signin.config.redirect_uris, user="listener-2"
    )
    async with httpx.AsyncClient(base_url=listening.url, follow_redirects=True) as second:
        await second.get("/auth/login")
        assert (await second.get("/v1/me")).json()["id"] == "listener-2"
        assert (await second.get(f"/v1/playlists/{id}")).status_code == 404
        assert (await second.get(link)).status_code == 200
