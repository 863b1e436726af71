"""The web pages: ``/`` makes a playlist in the browser, ``/dashboard`` watches the gateway.

::

    GET /            prompt box -> POST /v1/playlists -> live SSE progress -> the playlist
    GET /p/{id}      that playlist, to come back to: change it, export it, list your others
    GET /dashboard   cache hit rate, 429 rate, learned rate vs quota, id registry, requests

Plain Jinja2 templates (``templates/``) and a little vanilla JavaScript (``static/``): no
build step. The pages only read the public JSON API, so they show what any client sees. When
the service needs API keys, the header has a key field (kept in the browser's localStorage) and
``static/api.js`` sends the key with every call, event streams included.

A page depends on the settings alone, never on who asks or on the request's ``Host``: asset
URLs are root-relative (``/static/api.js``), so a shared cache that ignores ``Host`` cannot be
handed a page pointing elsewhere, and every page is sent with ``Cache-Control: no-cache``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from moodmix import __version__
from moodmix.engine.playlist import MAX_EXPLICIT_SEEDS, MAX_TRACKS
from moodmix.engine.profile import FEATURES, SCALES
from moodmix.service.caching import REVALIDATE
from moodmix.service.deps import ServiceDep
from moodmix.service.routes.owned import PlaylistId

TEMPLATES_DIR: Final = Path(__file__).parent.parent / "templates"
"""The same directory as ``app.TEMPLATES_DIR`` (not imported from there: ``app`` imports us)."""

router = APIRouter(include_in_schema=False)
templates: Final = Jinja2Templates(directory=TEMPLATES_DIR)
HEADERS: Final = {"Cache-Control": REVALIDATE}


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, service: ServiceDep) -> HTMLResponse:
    """The playlist maker."""
    return _playlist_page(request, service, None)


@router.get("/p/{id}", response_class=HTMLResponse)
async def playlist_page(request: Request, service: ServiceDep, id: PlaylistId) -> HTMLResponse:
    """One playlist's permanent address: the same page, which loads it (``?version=n`` for an
    earlier version). The page is the same for every id; the playlist is read by the script
    through the API, so a missing or foreign one is said there, with the API's words."""
    return _playlist_page(request, service, id)


def _playlist_page(request: Request, service: ServiceDep, id: str | None) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "index.html",
        {
            "version": __version__,
            "active": "index",
            "keys_required": service.api_keys.required,
            "signin": service.listeners is not None,
            "max_tracks": MAX_TRACKS,
            "max_seeds": MAX_EXPLICIT_SEEDS,
            "features": list(FEATURES),
            "scales": {name: list(scale) for name, scale in SCALES.items()},
            "playlist_id": id,
        },
        headers=HEADERS,
    )


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, service: ServiceDep) -> HTMLResponse:
    """The gateway, live."""
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "version": __version__,
            "active": "dashboard",
            "keys_required": service.api_keys.required,
            "signin": service.listeners is not None,
            "quota_per_min": service.settings.rate_per_min,
            "profile": service.settings.profile,
        },
        headers=HEADERS,
    )
