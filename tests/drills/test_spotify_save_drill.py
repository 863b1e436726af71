"""Saving to Spotify under its faults: 500s before the change, 500s after it (the change
landed, the answer was lost), and a tight rolling window with 429s. Every playlist ends in
the listener's account exactly once, every track in order, none twice, none lost."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from drillkit import Figures
from test_service_harness import MakeService

from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer

pytest_plugins = ["test_service_harness"]

CLIENT_ID = "moodmix-drill"
PLAYLISTS = 6


@pytest.fixture
async def faulty_spotify(catalog: Catalog) -> AsyncIterator[SpotifyServer]:
    config = SpotifyConfig(
        signin=SignInConfig(client_id=CLIENT_ID),
        error_rate=0.15,
        lost_answer_rate=0.3,
        window_limit=1_000,
        seed=3,
    )
    async with SpotifyServer(config, catalog) as server:
        yield server


async def test_saves_under_500s_and_lost_answers_neither_duplicate_nor_lose(
    make_service: MakeService, faulty_spotify: SpotifyServer, figures: Figures
) -> None:
    service = await make_service(
        spotify_client_id=CLIENT_ID,
        spotify_accounts_url=faulty_spotify.url,
        spotify_api_url=faulty_spotify.url,
        secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    )
    faulty_spotify.standin.signin.register(f"{service.url}/auth/callback")
    async with httpx.AsyncClient(base_url=service.url, follow_redirects=True, timeout=60) as b:
        assert (await b.get("/auth/login")).url.path == "/"
        wanted: dict[str, list[str]] = {}
        for n in range(PLAYLISTS):
            body = {"prompt": f"rainy Sunday number {n}", "size": 30}
            made = (await b.post("/v1/playlists?wait=true", json=body)).json()
            tracks = made["playlist"]["tracks"]
            wanted[made["id"]] = [
                f"spotify:track:{t['spotify_id']}" for t in tracks if t["spotify_id"]
            ]
        failed_saves = 0
        for id in wanted:
            for _ in range(3):  # a listener presses save again after a failure
                saved = (await b.post(f"/v1/playlists/{id}/spotify?wait=true")).json()
                if saved["status"] == "done":
                    break
                failed_saves += 1
            assert saved["status"] == "done", saved
    library = faulty_spotify.standin.library
    account = library.of("listener-1")
    by_marker = {id: [p for p in account if f"[moodmix {id}]" in p.description] for id in wanted}
    counters = faulty_spotify.standin.counters
    errors = counters.by_status.get(500, 0)
    figures.record(
        f"{PLAYLISTS} saves to Spotify under 15% 500s and 30% lost answers to changes",
        failed=failed_saves,
        could_fail=len(wanted),
        outcome=f"{errors} 500s of {counters.requests} Spotify requests; every playlist once, "
        f"every track in order, none twice; {failed_saves} saves needed a second press",
    )
    for id, uris in wanted.items():
        assert len(by_marker[id]) == 1, f"{id}: {len(by_marker[id])} Spotify playlists"
        assert by_marker[id][0].uris == uris
        assert by_marker[id][0].cover is not None
    assert len(account) == PLAYLISTS
    assert errors > 0  # the faults happened: the drill means something
