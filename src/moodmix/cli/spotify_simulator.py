"""``moodmix spotify-simulator``: serve the Spotify stand-in in the foreground.

    $ moodmix spotify-simulator --port 8766 --redirect-uri http://127.0.0.1:8000/auth/callback
    $ export MOODMIX_SPOTIFY_CLIENT_ID=moodmix-offline
    $ MOODMIX_SPOTIFY_ACCOUNTS_URL=http://127.0.0.1:8766 \\
      MOODMIX_SPOTIFY_API_URL=http://127.0.0.1:8766 moodmix serve

It signs in its test user ("listener-1") at once (or refuses, with ``--consent deny``), over
the ReccoBeats stand-in's catalog built from the same seed, so the Spotify ids match.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape

from moodmix.cli.serving import serve_until_stopped
from moodmix.simulator.config import SimulatorConfig
from moodmix.simulator.server import build_catalog
from moodmix.simulator.spotify import SignInConfig, SpotifyConfig, SpotifyServer


def spotify_simulator(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one.")] = 8766,
    client_id: Annotated[str, typer.Option(help="The app's client id.")] = "moodmix-offline",
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option(help="A registered redirect URI (repeat for more)."),
    ] = None,
    mode: Annotated[
        str, typer.Option(help="API shape: development (since 2026-03-09) or extended.")
    ] = "development",
    consent: Annotated[
        str, typer.Option(help="auto: the test user agrees; deny: refuses.")
    ] = "auto",
    user: Annotated[
        str, typer.Option(help="Who signs in: listener-1 ... listener-8.")
    ] = "listener-1",
    window_limit: Annotated[
        int, typer.Option(min=1, help="Requests per app in any 30 s; more get 429.")
    ] = 180,
    seed: Annotated[int, typer.Option(help="Seeds the catalog (as moodmix simulator's).")] = 0,
) -> None:
    """Serve a Spotify-compatible sign-in and Web API offline, over the stand-in's catalog."""
    out, err = Console(), Console(stderr=True)
    if mode not in ("development", "extended") or consent not in ("auto", "deny"):
        err.print("[red]error:[/red] --mode is development or extended; --consent auto or deny")
        raise typer.Exit(2)
    api_mode: Literal["development", "extended"] = (
        "development" if mode == "development" else "extended"
    )
    try:
        signin = SignInConfig(client_id, tuple(redirect_uri or ()), consent=consent, user=user)
        config = SpotifyConfig(mode=api_mode, window_limit=window_limit, signin=signin, seed=seed)
        catalog = build_catalog(SimulatorConfig(seed=seed))
    except ValueError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None

    async def run() -> None:
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with SpotifyServer(config, catalog, host=host, port=port) as server:
            out.print(f"Spotify stand-in on [bold]{server.url}[/bold] (client id {client_id})")
            out.print(f"  admin: {server.url}/_admin/users/listener-1/playlists; Ctrl-C to stop")
            await stop.wait()

    serve_until_stopped(lambda: asyncio.run(run()), "Spotify stand-in", host, port)
