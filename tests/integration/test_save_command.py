"""``moodmix save`` against a real moodmix service and the Spotify stand-in: the playlist lands
in the signed-in account once, in order, with a cover; saving again after a change updates
that same playlist; bad cases say what to do."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from test_service_harness import RunningService
from typer.testing import CliRunner, Result

from moodmix.cli.login import save_token, sign_in
from moodmix.cli.save import save
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer
from moodmix.spotify import SpotifyAccounts

pytest_plugins = ["test_service_harness"]

CLIENT_ID = "moodmix-save-cli"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
async def spotify(catalog: Catalog, port: int) -> Any:
    config = SpotifyConfig(signin=SignInConfig(CLIENT_ID, (f"http://127.0.0.1:{port}/callback",)))
    async with SpotifyServer(config, catalog) as server:
        yield server


@pytest.fixture
def environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spotify: SpotifyServer
) -> dict[str, str]:
    env = {
        "XDG_CONFIG_HOME": str(tmp_path),
        "MOODMIX_SPOTIFY_CLIENT_ID": CLIENT_ID,
        "MOODMIX_SPOTIFY_ACCOUNTS_URL": spotify.url,
        "MOODMIX_SPOTIFY_API_URL": spotify.url,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


async def signed_in(spotify: SpotifyServer, port: int) -> None:
    """``moodmix login``'s sign-in, a browser stand-in following the redirects."""

    async def browser(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True) as http:
            await http.get(url)

    async with SpotifyAccounts(spotify.url, client_id=CLIENT_ID) as accounts:
        tasks: list[asyncio.Task[None]] = []
        token = await sign_in(
            accounts, port, lambda url: tasks.append(asyncio.create_task(browser(url)))
        )
        await asyncio.gather(*tasks)
    save_token(token)


async def moodmix_save(*args: str) -> Result:
    cli = typer.Typer()
    cli.command()(save)
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


async def made(service: RunningService) -> dict[str, Any]:
    body = {"prompt": "rainy Sunday, mellow acoustic", "size": 12}
    r = await service.http.post("/v1/playlists?wait=true", json=body)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def uris(playlist: dict[str, Any]) -> list[str]:
    return [f"spotify:track:{t['spotify_id']}" for t in playlist["tracks"] if t["spotify_id"]]


async def test_save_puts_the_playlist_in_the_account_once_and_updates_it_later(
    service: RunningService, spotify: SpotifyServer, port: int, environment: dict[str, str]
) -> None:
    await signed_in(spotify, port)
    first = await made(service)
    result = await moodmix_save(first["id"], "--url", service.url)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("https://open.spotify.com/playlist/")
    account = spotify.standin.library.of("listener-1")
    (saved,) = account
    assert f"[moodmix {first['id']}]" in saved.description
    assert saved.name == first["playlist"]["name"]
    assert saved.uris == uris(first["playlist"])
    assert saved.cover is not None

    track = first["playlist"]["tracks"][0]["id"]
    removed = await service.http.delete(f"/v1/playlists/{first['id']}/tracks/{track}")
    assert removed.status_code == 200, removed.text
    again = await moodmix_save(first["id"], "--url", service.url)
    assert again.exit_code == 0, again.output
    (still,) = spotify.standin.library.of("listener-1")  # the same playlist, not a second one
    assert still.id == saved.id
    assert still.uris == uris(removed.json()["playlist"])


async def test_save_without_a_sign_in_says_to_log_in(
    service: RunningService, environment: dict[str, str]
) -> None:
    first = await made(service)
    result = await moodmix_save(first["id"], "--url", service.url)
    assert result.exit_code == 1
    assert "moodmix login" in result.stderr


async def test_save_of_an_unknown_playlist_is_a_clear_error(
    service: RunningService, spotify: SpotifyServer, port: int, environment: dict[str, str]
) -> None:
    await signed_in(spotify, port)
    result = await moodmix_save("NoSuchPlaylist00", "--url", service.url)
    assert result.exit_code == 1
    assert "HTTP 404" in result.stderr
    assert spotify.standin.library.of("listener-1") == []


async def test_save_with_no_service_says_how_to_start_one(
    spotify: SpotifyServer, port: int, environment: dict[str, str]
) -> None:
    await signed_in(spotify, port)
    result = await moodmix_save("k3J9xQ", "--url", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert "moodmix serve --offline" in result.stderr
