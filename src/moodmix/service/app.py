"""The FastAPI application: ``create_app(settings)`` builds it, its lifespan runs it.

::

    settings = Settings(database_url="sqlite+aiosqlite:////tmp/moodmix.db")
    config = server_config(create_app(settings), settings, host="127.0.0.1", port=8000)
    uvicorn.Server(config).run()                    # server.py: uvicorn's limits

Start-up migrates the database, builds the gateway and adopts jobs a stopped instance left
behind; shutdown finishes running jobs for ``MOODMIX_SHUTDOWN_GRACE_S`` and releases the
rest for the next start. Pages (``templates/``) and their assets (``static/``) live beside
this module. Every answer carries the security headers of ``headers.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from moodmix import __version__
from moodmix.service import errors, openapi
from moodmix.service.headers import SecurityHeaders
from moodmix.service.jobs import MakePlaylist
from moodmix.service.limits import BodyLimit
from moodmix.service.metrics import RequestMetrics, ServiceMetrics
from moodmix.service.routes import (
    auth,
    catalog,
    cover,
    docs,
    exclusions,
    export,
    health,
    moods,
    pages,
    playlists,
    revisions,
    shared,
    shares,
    spotify,
    system,
)
from moodmix.service.runtime import Service
from moodmix.service.schemas import ERROR_RESPONSES
from moodmix.settings import Settings

HERE: Final = Path(__file__).parent
TEMPLATES_DIR: Final = HERE / "templates"
STATIC_DIR: Final = HERE / "static"

EXPOSED_HEADERS: Final = ["ETag", "Location", "Retry-After", "Idempotent-Replayed"]


def create_app(settings: Settings | None = None, *, make: MakePlaylist | None = None) -> FastAPI:
    """The moodmix HTTP service for ``settings`` (default: from ``MOODMIX_*``).

    ``make`` replaces the playlist engine (tests use it to hold a job in a known state).
    """
    settings = settings or Settings()
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await Service.open(settings, metrics, make=make)
        app.state.service = service
        try:
            yield
        finally:
            app.state.service = None
            await service.close()

    app = FastAPI(
        title="moodmix",
        version=__version__,
        summary="Mood-based playlists on the ReccoBeats API, within its strict rate limits.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    openapi.install(app)
    routers = (
        playlists,
        revisions,
        shares,
        export,
        spotify,
        shared,
        moods,
        catalog,
        system,
        health,
        pages,
    )
    for module in (*routers, cover, exclusions, docs, auth):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=[
                "Content-Type",
                "Authorization",
                "X-API-Key",
                "If-None-Match",
                "Idempotency-Key",
            ],
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    return app
