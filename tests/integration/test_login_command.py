"""``moodmix login`` and ``moodmix me`` against the Spotify stand-in: the loopback sign-in
(a browser stand-in follows the redirects), tokens kept with mode 0600, refreshed when out."""

from __future__ import annotations

import asyncio
import socket
import stat
import time
from pathlib import Path

import httpx
import orjson
import pytest
import typer
from typer.testing import CliRunner

from moodmix.cli.login import load_token, me, save_token, sign_in
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer, spotify_in_thread
from moodmix.spotify import SpotifyAccounts

CLIENT_ID = "moodmix-cli"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_login_signs_in_through_the_loopback_and_keeps_the_tokens_private(
    catalog: Catalog, tmp_path: Path
) -> None:
    port = free_port()
    config = SpotifyConfig(signin=SignInConfig(CLIENT_ID, (f"http://127.0.0.1:{port}/callback",)))
    browsed: list[str] = []

    async def browser(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True) as http:
            page = await http.get(url)
            browsed.append(page.text)

    async with (
        SpotifyServer(config, catalog) as spotify,
        SpotifyAccounts(spotify.url, client_id=CLIENT_ID) as accounts,
    ):
        tasks: list[asyncio.Task[None]] = []
        token = await sign_in(
            accounts, port, lambda url: tasks.append(asyncio.create_task(browser(url)))
        )
        await asyncio.gather(*tasks)
    assert "close this tab" in browsed[0]
    kept = save_token(token, tmp_path / "moodmix" / "spotify.json")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    loaded = load_token(kept)
    assert loaded is not None
    assert loaded[0].access_token == token.access_token
    assert loaded[1] > time.time() + 3000


def test_me_says_who_and_refreshes_an_expired_token(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = typer.Typer()
    app.command()(me)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("MOODMIX_SPOTIFY_CLIENT_ID", CLIENT_ID)
    nobody = CliRunner().invoke(app, [])
    assert nobody.exit_code == 1
    assert "moodmix login" in nobody.stderr
    port = free_port()
    config = SpotifyConfig(signin=SignInConfig(CLIENT_ID, (f"http://127.0.0.1:{port}/callback",)))
    with spotify_in_thread(config, catalog) as spotify:
        monkeypatch.setenv("MOODMIX_SPOTIFY_ACCOUNTS_URL", spotify.url)
        monkeypatch.setenv("MOODMIX_SPOTIFY_API_URL", spotify.url)

        async def signed_in() -> None:
            async def browser(url: str) -> None:
                async with httpx.AsyncClient(follow_redirects=True) as http:
                    await http.get(url)

            async with SpotifyAccounts(spotify.url, client_id=CLIENT_ID) as accounts:
                tasks: list[asyncio.Task[None]] = []
                token = await sign_in(
                    accounts, port, lambda url: tasks.append(asyncio.create_task(browser(url)))
                )
                await asyncio.gather(*tasks)
            path = save_token(token)
            data = orjson.loads(path.read_bytes())
            path.write_bytes(orjson.dumps({**data, "expires_at": 0}))  # as if it had run out

        asyncio.run(signed_in())
        stale = load_token()
        assert stale is not None
        result = CliRunner().invoke(app, [])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "Listener 1 (listener-1)"
        fresh = load_token()
        assert fresh is not None
        assert fresh[0].access_token != stale[0].access_token  # refreshed and kept
        assert fresh[1] > time.time() + 3000
