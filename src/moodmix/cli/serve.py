"""``moodmix serve``: the HTTP service (API now, page and dashboard beside it).

    $ moodmix serve --offline                  # embedded simulator, nothing else needed
    $ moodmix serve --offline --llm-offline    # prompts read by a language-model stand-in too
    $ moodmix serve --host 0.0.0.0 --port 8080
    $ MOODMIX_DATABASE_URL=postgresql+asyncpg://moodmix@db/moodmix moodmix serve

``--offline`` runs the ReccoBeats simulator in this process as the upstream, keeps the cache
in memory and, unless ``MOODMIX_DATABASE_URL`` says otherwise, stores playlists in a
separate ``moodmix-offline.db``, so simulated playlists never mix with real ones. It also runs
the Spotify stand-in, whose test user ("Listener 1") agrees at once: /auth/login signs in
and saving to Spotify works, all offline. ``--llm-offline`` runs the language-model stand-in
too (answers in 300 ms from its table) and reads prompts with it over the built-in reader.
"""

from __future__ import annotations

import base64
import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer
import uvicorn
from pydantic import SecretStr, ValidationError
from rich.console import Console

from moodmix.cli.offline import offline_llm, offline_simulator, offline_spotify, with_llm
from moodmix.settings import Settings

if TYPE_CHECKING:
    from moodmix.simulator.spotify import SignInConfig

OFFLINE_DATABASE: Final = Path("~/.local/share/moodmix/moodmix-offline.db")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65_535, help="Port to listen on.")] = 8000,
    offline: Annotated[
        bool, typer.Option(help="Use the embedded ReccoBeats simulator instead of the real API.")
    ] = False,
    llm_offline: Annotated[
        bool,
        typer.Option(
            help="Read prompts with the embedded language-model stand-in as well (over the "
            "built-in reader), instead of MOODMIX_LLM_URL."
        ),
    ] = False,
) -> None:
    """Serve the moodmix API: playlists with live progress, read-through data, system status."""
    console = Console(stderr=True)
    from moodmix.service.app import create_app
    from moodmix.service.server import server_config

    with contextlib.ExitStack() as stack:
        sim = stack.enter_context(offline_simulator(offline, console))
        llm = stack.enter_context(offline_llm(llm_offline, console))
        try:
            settings = with_llm(offline_settings(sim.url) if sim else Settings(), llm)
            if sim is not None:
                callback = f"http://127.0.0.1:{port}/auth/callback"
                spotify = stack.enter_context(offline_spotify(sim, [callback]))
                settings = with_spotify(settings, spotify.url, spotify.standin.signin.config)
        except ValidationError as exc:
            console.print(f"[red]error in MOODMIX_* settings:[/red] {exc}")
            raise typer.Exit(2) from None
        reader = f"; mood reader {settings.llm_model} at {settings.llm_url}" if llm else ""
        console.print(
            f"moodmix on http://{host}:{port}  (upstream {settings.reccobeats_url}{reader}; "
            f"API docs at /docs)"
        )
        server = uvicorn.Server(server_config(create_app(settings), settings, host=host, port=port))
        server.run()
        if not server.started:
            raise typer.Exit(3)


def offline_settings(url: str) -> Settings:
    """Settings for ``--offline``: the simulator at ``url``, cache in memory, own database."""
    base = Settings()
    changes: dict[str, object] = {"reccobeats_url": url, "cache_backend": "memory"}
    if "database_url" not in base.model_fields_set:
        changes["database_url"] = f"sqlite+aiosqlite:///{OFFLINE_DATABASE.expanduser()}"
    return Settings(**changes)  # type: ignore[arg-type]


def with_spotify(settings: Settings, url: str, signin: SignInConfig) -> Settings:
    """``settings`` signing in through the Spotify stand-in at ``url`` (unless a Spotify
    client id is set), with a session key for this run."""
    if settings.spotify_client_id:
        return settings
    changes: dict[str, object] = {
        "spotify_client_id": signin.client_id,
        "spotify_accounts_url": url,
        "spotify_api_url": url,
    }
    if settings.secret_key is None:
        changes["secret_key"] = SecretStr(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return settings.model_copy(update=changes)
