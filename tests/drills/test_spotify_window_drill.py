"""Three service instances saving to Spotify at once keep the app's rolling window as one
app when they share Redis: the stand-in answers no 429. The same three without Redis each
count alone and draw 429s (which they wait out), so the shared count is what keeps them."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from drillkit import Figures
from test_service_harness import MakeService, RunningService

from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer

pytest_plugins = ["test_service_harness"]

CLIENT_ID = "moodmix-window-drill"
INSTANCES = 3
WINDOW_LIMIT = 15
"""Spotify requests in any 30 s, for the app: fewer than three sign-ins and saves need."""
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def spotify(catalog: Catalog) -> AsyncIterator[SpotifyServer]:
    config = SpotifyConfig(
        signin=SignInConfig(client_id=CLIENT_ID), window_limit=WINDOW_LIMIT, seed=5
    )
    async with SpotifyServer(config, catalog) as server:
        yield server


async def _instances(
    make_service: MakeService, spotify: SpotifyServer, **shared: Any
) -> list[RunningService]:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    running = []
    for _ in range(INSTANCES):
        service = await make_service(
            spotify_client_id=CLIENT_ID,
            spotify_accounts_url=spotify.url,
            spotify_api_url=spotify.url,
            spotify_window_limit=WINDOW_LIMIT,
            secret_key=key,
            **shared,
        )
        spotify.standin.signin.register(f"{service.url}/auth/callback")
        running.append(service)
    return running


async def _sign_in_make_and_save(service: RunningService, n: int) -> tuple[str, list[str]]:
    async with httpx.AsyncClient(base_url=service.url, follow_redirects=True, timeout=120) as b:
        assert (await b.get("/auth/login")).url.path == "/"
        body = {"prompt": f"late night drive, instance {n}", "size": 30}
        made = (await b.post("/v1/playlists?wait=true", json=body)).json()
        uris = [f"spotify:track:{t['spotify_id']}" for t in made["playlist"]["tracks"]]
        saved = (await b.post(f"/v1/playlists/{made['id']}/spotify?wait=true")).json()
        assert saved["status"] == "done", saved
        return made["id"], uris


async def _run(services: list[RunningService], spotify: SpotifyServer) -> dict[str, list[str]]:
    done = await asyncio.gather(
        *(_sign_in_make_and_save(service, n) for n, service in enumerate(services))
    )
    account = spotify.standin.library.of("listener-1")
    for id, uris in done:
        (saved,) = [p for p in account if f"[moodmix {id}]" in p.description]
        assert saved.uris == uris
    return dict(done)


async def test_three_instances_sharing_redis_keep_spotifys_window_as_one_app(
    make_service: MakeService, spotify: SpotifyServer, figures: Figures
) -> None:
    prefix = f"moodmix-drill-{secrets.token_hex(4)}:"
    services = await _instances(make_service, spotify, redis_url=REDIS_URL, redis_prefix=prefix)
    await _run(services, spotify)
    counters = spotify.standin.counters
    figures.record(
        f"{INSTANCES} instances sharing Redis save to Spotify under a window of "
        f"{WINDOW_LIMIT} requests in 30 s",
        failed=counters.limited,
        could_fail=counters.requests,
        outcome=f"{counters.limited} 429s of {counters.requests} Spotify requests; "
        "every playlist saved once, tracks in order",
    )
    assert counters.requests > WINDOW_LIMIT  # the window had to be waited for
    assert counters.limited == 0


async def test_the_same_instances_without_redis_each_count_alone_and_draw_429s(
    make_service: MakeService, spotify: SpotifyServer, figures: Figures
) -> None:
    services = await _instances(make_service, spotify)
    await _run(services, spotify)
    counters = spotify.standin.counters
    figures.record(
        f"the control: {INSTANCES} instances without Redis, same window",
        failed=counters.limited,
        could_fail=counters.requests,
        outcome=f"{counters.limited} 429s of {counters.requests} Spotify requests "
        "(each waited out and retried; every playlist saved)",
    )
    assert counters.limited > 0
