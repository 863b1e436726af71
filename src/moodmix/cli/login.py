"""``moodmix login`` and ``moodmix me``: sign in to Spotify from the terminal, and say who.

    $ moodmix login              # opens the browser; Spotify sends it back to 127.0.0.1:8899
    $ moodmix login --no-browser # prints the address to open instead
    $ moodmix me                 # Listener 1 (listener-1)

Register ``http://127.0.0.1:8899/callback`` (or the ``--port`` you use) as a redirect URI of
your Spotify app and set ``MOODMIX_SPOTIFY_CLIENT_ID``. The tokens are kept in
``$XDG_CONFIG_HOME/moodmix/spotify.json`` (``~/.config`` by default), readable by you alone
(mode 0600), and refreshed when they run out.
"""

from __future__ import annotations

import asyncio
import os
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Final

import orjson
import typer
from aiohttp import web
from rich.console import Console
from rich.markup import escape

from moodmix.settings import Settings
from moodmix.spotify import Pkce, SpotifyAccounts, SpotifyClient, SpotifyError, Token, new_state

DEFAULT_PORT: Final = 8899
WAIT_S: Final = 300.0
"""How long ``login`` waits for the browser to come back."""


def token_path() -> Path:
    """Where the signed-in tokens are kept."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "moodmix" / "spotify.json"


def save_token(token: Token, path: Path | None = None) -> Path:
    """Keep ``token`` for the next commands, readable by this user alone."""
    target = path or token_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {**token.model_dump(), "expires_at": time.time() + token.expires_in}
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(orjson.dumps(data))
    os.chmod(target, 0o600)
    return target


def load_token(path: Path | None = None) -> tuple[Token, float] | None:
    """The kept token and when it runs out (epoch seconds), or ``None``."""
    try:
        data: dict[str, Any] = orjson.loads((path or token_path()).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    expires_at = float(data.pop("expires_at", 0))
    return Token.model_validate(data), expires_at


async def sign_in(accounts: SpotifyAccounts, port: int, open_url: Callable[[str], object]) -> Token:
    """PKCE sign-in with Spotify sending the browser back to ``127.0.0.1:port/callback``."""
    pkce, state = Pkce.new(), new_state()
    came_back: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    async def callback(request: web.Request) -> web.Response:
        if not came_back.done():
            came_back.set_result(dict(request.query))
        return web.Response(text="moodmix: you can close this tab and go back to the terminal.")

    app = web.Application()
    app.router.add_get("/callback", callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        redirect_uri = f"http://127.0.0.1:{port}/callback"
        open_url(
            accounts.authorize_url(redirect_uri=redirect_uri, state=state, challenge=pkce.challenge)
        )
        query = await asyncio.wait_for(came_back, WAIT_S)
    finally:
        await runner.cleanup()
    if query.get("state") != state:
        raise typer.BadParameter("the browser came back from another sign-in; try again")
    if query.get("error") or not query.get("code"):
        raise typer.BadParameter(f"Spotify sign-in was refused ({query.get('error', 'no code')})")
    return await accounts.exchange_code(
        query["code"], redirect_uri=redirect_uri, verifier=pkce.verifier
    )


def login(
    port: Annotated[
        int, typer.Option(min=1, max=65_535, help="Loopback port Spotify returns to.")
    ] = DEFAULT_PORT,
    no_browser: Annotated[bool, typer.Option(help="Print the sign-in address instead.")] = False,
) -> None:
    """Sign in to Spotify; the tokens are kept for moodmix me (mode 0600)."""
    console = Console(stderr=True)
    settings = _settings(console)

    def open_url(url: str) -> None:
        console.print(f"Open this address to sign in:\n{escape(url)}", highlight=False)
        if not no_browser:
            webbrowser.open(url)

    async def run() -> Token:
        async with SpotifyAccounts(
            settings.spotify_accounts_url, client_id=settings.spotify_client_id
        ) as accounts:
            return await sign_in(accounts, port, open_url)

    try:
        token = asyncio.run(run())
    except (SpotifyError, TimeoutError, OSError) as exc:
        console.print(f"[red]sign-in failed:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"signed in; tokens kept in {save_token(token)}")


def me() -> None:
    """Who is signed in to Spotify here (moodmix login)."""
    console = Console(stderr=True)
    settings = _settings(console)
    kept = load_token()
    if kept is None:
        console.print("nobody is signed in here: run moodmix login")
        raise typer.Exit(1)

    async def run() -> str:
        access = await KeptToken(settings, *kept).access()
        async with SpotifyClient(settings.spotify_api_url, mode=settings.spotify_mode) as client:
            user = await client.get_me(access)
        return f"{user.display_name or user.id} ({user.id})"

    try:
        print(asyncio.run(run()))
    except (SpotifyError, ValueError) as exc:
        console.print(f"[red]Spotify:[/red] {escape(str(exc))}; moodmix login signs in again")
        raise typer.Exit(1) from None


class KeptToken:
    """The kept sign-in: its access token, refreshed (and kept again) when it is about to
    run out, or with ``refresh`` when Spotify no longer takes it."""

    def __init__(self, settings: Settings, token: Token, expires_at: float) -> None:
        self._settings = settings
        self._token, self._expires_at = token, expires_at

    async def access(self, *, refresh: bool = False) -> str:
        if refresh or self._expires_at - 60 < time.time():
            async with SpotifyAccounts(
                self._settings.spotify_accounts_url, client_id=self._settings.spotify_client_id
            ) as accounts:
                self._token = await accounts.refresh(self._token.refresh_token or "")
            save_token(self._token)
            self._expires_at = time.time() + self._token.expires_in
        return self._token.access_token


def _settings(console: Console) -> Settings:
    settings = Settings()
    if not settings.spotify_client_id:
        console.print(
            "set MOODMIX_SPOTIFY_CLIENT_ID to your Spotify app's client id "
            "(docs/CONFIGURATION.md says how to register one)"
        )
        raise typer.Exit(2)
    return settings
