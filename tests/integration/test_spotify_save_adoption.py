"""A save to Spotify is a job any instance can finish: one whose instance stopped is adopted
by another (once), and one another live instance is making is not started twice."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from test_service_harness import MakeService, RunningService

from moodmix.service.models import RUNNING, SpotifySaveRow, utcnow
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer

pytest_plugins = ["test_service_harness"]

CLIENT_ID = "moodmix-adoption"
ACCOUNT = "spotify:listener-1"


@pytest.fixture
async def spotify(catalog: Catalog) -> AsyncIterator[SpotifyServer]:
    async with SpotifyServer(SpotifyConfig(signin=SignInConfig(client_id=CLIENT_ID)), catalog) as s:
        yield s


async def two_instances(
    make_service: MakeService, spotify: SpotifyServer
) -> tuple[RunningService, RunningService]:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    both = []
    for _ in range(2):
        service = await make_service(
            spotify_client_id=CLIENT_ID,
            spotify_accounts_url=spotify.url,
            spotify_api_url=spotify.url,
            secret_key=key,
            job_lease_s=30,
        )
        spotify.standin.signin.register(f"{service.url}/auth/callback")
        both.append(service)
    return both[0], both[1]


async def signed_in_playlist(service: RunningService) -> tuple[str, list[str]]:
    """Sign in on ``service`` and make a playlist there; its id and Spotify URIs."""
    async with httpx.AsyncClient(base_url=service.url, follow_redirects=True, timeout=60) as b:
        assert (await b.get("/auth/login")).url.path == "/"
        made = (await b.post("/v1/playlists?wait=true", json={"prompt": "rainy Sunday"})).json()
    uris = [f"spotify:track:{t['spotify_id']}" for t in made["playlist"]["tracks"]]
    return made["id"], uris


async def a_save_was_running(service: RunningService, id: str, *, touched_ago_s: float) -> None:
    """As an instance leaves a save it was making: ``running``, touched that long ago."""
    at = utcnow() - timedelta(seconds=touched_ago_s)
    async with service.service.db.session() as session, session.begin():
        session.add(
            SpotifySaveRow(
                playlist_id=id,
                account=ACCOUNT,
                status=RUNNING,
                created_at=at,
                updated_at=at,
                tracks_total=30,
            )
        )


async def test_a_save_whose_instance_stopped_is_finished_by_another(
    make_service: MakeService, spotify: SpotifyServer
) -> None:
    first, second = await two_instances(make_service, spotify)
    id, uris = await signed_in_playlist(first)
    await a_save_was_running(first, id, touched_ago_s=120)  # its instance died a while ago
    saves = second.service.saves
    assert saves is not None
    await saves.sweep()
    found = await saves.wait(id, ACCOUNT, within=60)
    assert found is not None
    assert found.status == "done", found.error
    account = spotify.standin.library.of("listener-1")
    assert len(account) == 1  # adopted once, by one instance
    assert account[0].uris == uris
    assert account[0].cover is not None


async def test_a_save_another_live_instance_is_making_is_not_started_twice(
    make_service: MakeService, spotify: SpotifyServer
) -> None:
    first, second = await two_instances(make_service, spotify)
    id, _ = await signed_in_playlist(first)
    await a_save_was_running(first, id, touched_ago_s=1)  # its instance is alive and at it
    async with httpx.AsyncClient(base_url=second.url, follow_redirects=True, timeout=60) as b:
        assert (await b.get("/auth/login")).url.path == "/"
        answer = await b.post(f"/v1/playlists/{id}/spotify")
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "running"
    saves = second.service.saves
    assert saves is not None
    assert await saves.sweep() == 0
    assert spotify.standin.library.of("listener-1") == []  # nothing sent to Spotify here
