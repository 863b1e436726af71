"""``moodmix worker``: run playlist jobs, with no HTTP, beside instances that only take them.

    $ MOODMIX_MAX_RUNNING_JOBS=0 moodmix serve --port 8000     # takes requests, runs no jobs
    $ moodmix worker --jobs 8                                  # runs up to 8 playlists at once

A worker is the service without its HTTP side: it opens the same database (migrating it if
needed), the same gateway (with ``MOODMIX_REDIS_URL``, the same shared cache and rate limit)
and the same job runner, which adopts queued jobs (at once when Redis announces them, else
on its next sweep) and publishes their events for whichever instance a client follows them
on. SIGTERM or Ctrl-C stops it like ``serve``: running jobs get ``MOODMIX_SHUTDOWN_GRACE_S``
to finish, the rest go back to the queue.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from moodmix.settings import Settings, settings_error


def worker(
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1, max=1_000, help="Playlists made at once (default MOODMIX_MAX_RUNNING_JOBS)."
        ),
    ] = None,
) -> None:
    """Run playlist jobs queued by any moodmix instance sharing the database."""
    console = Console(stderr=True)
    try:
        settings = Settings() if jobs is None else Settings(max_running_jobs=jobs)
    except ValidationError as exc:
        console.print(f"[red]error in MOODMIX_* settings:[/red] {settings_error(exc)}")
        raise typer.Exit(2) from None
    if settings.max_running_jobs < 1:
        console.print(
            "[red]a worker needs at least one job slot:[/red] MOODMIX_MAX_RUNNING_JOBS is 0; "
            "pass --jobs N or set it to 1 or more"
        )
        raise typer.Exit(2)
    asyncio.run(run_worker(settings, console))


async def run_worker(settings: Settings, console: Console) -> None:
    """Run jobs until SIGTERM or SIGINT, then stop as the service does."""
    from moodmix.service.metrics import ServiceMetrics
    from moodmix.service.runtime import Service, StartupError

    try:
        service = await Service.open(settings, ServiceMetrics())
    except StartupError as exc:
        console.print(f"[red]cannot start:[/red] {exc}")
        raise typer.Exit(1) from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    shared = "through Redis" if service.sharing.events is not None else "by polling the database"
    console.print(
        f"moodmix worker {service.runner.owner}: up to {settings.max_running_jobs} playlists "
        f"at once; events shared {shared}"
    )
    try:
        await stop.wait()
    finally:
        console.print("stopping: letting running playlists finish…")
        await service.close()
