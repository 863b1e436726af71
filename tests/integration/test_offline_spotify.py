"""``moodmix serve --offline`` embeds the Spotify stand-in: following the sign-in redirects
with a cookie jar signs in, and a playlist seeded with me:top is saved to Spotify, with no
setup and no network."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def offline_service(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "MOODMIX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"}
    env.pop("MOODMIX_SPOTIFY_CLIENT_ID", None)
    log = (tmp_path / "serve.log").open("wb")
    command = [str(Path(sys.executable).parent / "moodmix"), "serve", "--offline"]
    proc = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


async def ready(url: str) -> None:
    async with asyncio.timeout(90), httpx.AsyncClient(base_url=url) as http:
        while True:
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


async def test_sign_in_me_top_and_save_offline(offline_service: str) -> None:
    await ready(offline_service)
    async with httpx.AsyncClient(base_url=offline_service, follow_redirects=True, timeout=90) as b:
        landed = await b.get("/auth/login")
        assert landed.url.path == "/"
        assert "signin_error" not in str(landed.url)
        assert (await b.get("/v1/me")).json()["id"] == "listener-1"
        body = {"prompt": "rainy Sunday, mellow acoustic", "size": 12, "seeds": ["me:top"]}
        made = await b.post("/v1/playlists?wait=true", json=body)
        assert made.status_code == 200, made.text
        saved = await b.post(f"/v1/playlists/{made.json()['id']}/spotify?wait=true")
        assert saved.status_code == 200, saved.text
        assert saved.json()["status"] == "done"
        assert saved.json()["tracks_added"] > 0
