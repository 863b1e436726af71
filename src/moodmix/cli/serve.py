"""``moodmix serve``: the HTTP service (API now, page and dashboard beside it).

    $ moodmix serve --offline                  # embedded simulator, nothing else needed
    $ moodmix serve --host 0.0.0.0 --port 8080
    $ MOODMIX_DATABASE_URL=postgresql+asyncpg://moodmix@db/moodmix moodmix serve

``--offline`` runs the ReccoBeats simulator in this process as the upstream, keeps the cache
in memory and, unless ``MOODMIX_DATABASE_URL`` says otherwise, stores playlists in a
separate ``moodmix-offline.db``, so simulated playlists never mix with real ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console

from moodmix.cli.offline import offline_simulator
from moodmix.settings import Settings

OFFLINE_DATABASE: Final = Path("~/.local/share/moodmix/moodmix-offline.db")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65_535, help="Port to listen on.")] = 8000,
    offline: Annotated[
        bool, typer.Option(help="Use the embedded ReccoBeats simulator instead of the real API.")
    ] = False,
) -> None:
    """Serve the moodmix API: playlists with live progress, read-through data, system status."""
    console = Console(stderr=True)
    from moodmix.service.app import create_app
    from moodmix.service.server import server_config

    with offline_simulator(offline, console) as sim:
        try:
            settings = offline_settings(sim.url) if sim else Settings()
        except ValidationError as exc:
            console.print(f"[red]error in MOODMIX_* settings:[/red] {exc}")
            raise typer.Exit(2) from None
        console.print(
            f"moodmix on http://{host}:{port}  (upstream {settings.reccobeats_url}; "
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
