"""The control paths under ``/_admin``: stats, reset, config, a catalog sample, health.

::

    add_admin_routes(app)     # build_app does this; the pipeline neither limits nor faults them
    GET   /_admin/stats                       -> the counters
    PATCH /_admin/config  {"rate": "120/min", "error_rate": 0.05}
    PATCH /_admin/config  {"rate_schedule": "0:80/min,600:40/min"}   # or a list, see below
    GET   /_admin/config                      -> also uptime_s and rate_in_force
    GET   /_admin/catalog/sample?n=5&seed=1   -> ids to ask for

``rate_schedule`` is text (``"0:80/min,600:40/min"``), a list of ``{"at_s": 600,
"rate_per_min": 40}`` objects, or ``""``/``[]`` for none. Its offsets are seconds since the
simulator started (``uptime_s`` in ``GET /_admin/config`` says how long ago that was), not
since the PATCH: a step already past is in force at once. ``GET`` shows it in both forms
(``rate_schedule``, ``rate_schedule_text``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Final

import orjson
import structlog
from aiohttp import web
from pydantic import ValidationError

from moodmix.simulator.config import (
    RUNTIME_FIELDS,
    SimulatorConfig,
    describe_errors,
    format_rate,
    parse_rate,
)
from moodmix.simulator.params import ApiError, json_response, required_integer
from moodmix.simulator.state import STATE, SimulatorState

log = structlog.get_logger(__name__)

ADMIN_PREFIX: Final = "/_admin/"


def add_admin_routes(app: web.Application) -> None:
    """Serve the ``/_admin`` paths from ``app``, whose ``STATE`` they read and change."""
    get = app.router.add_get
    get(ADMIN_PREFIX + "stats", _admin_stats)
    app.router.add_post(ADMIN_PREFIX + "reset", _admin_reset)
    get(ADMIN_PREFIX + "config", _admin_get_config)
    app.router.add_patch(ADMIN_PREFIX + "config", _admin_patch_config)
    get(ADMIN_PREFIX + "catalog/sample", _admin_sample)
    get(ADMIN_PREFIX + "healthz", _admin_healthz)


def _config_view(state: SimulatorState) -> dict[str, Any]:
    config = state.config
    per_min = state.rate_in_force_per_min
    return {
        **config.model_dump(),
        **config.runtime_view(),
        "uptime_s": round(state.uptime_s, 3),
        "rate_in_force_per_min": per_min,
        "rate_in_force": format_rate(per_min),
    }


async def _admin_stats(request: web.Request) -> web.StreamResponse:
    return json_response(request.app[STATE].counters.snapshot())


async def _admin_reset(request: web.Request) -> web.StreamResponse:
    request.app[STATE].reset()
    return json_response({"reset": True})


async def _admin_get_config(request: web.Request) -> web.StreamResponse:
    return json_response(_config_view(request.app[STATE]))


async def _admin_patch_config(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        changes = orjson.loads(await request.read())
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the body must be a JSON object: {exc}") from None
    if not isinstance(changes, dict) or not changes:
        raise ApiError(400, "the body must be a non-empty JSON object of settings")
    if "rate" in changes:
        try:
            changes["rate_per_min"] = parse_rate(changes.pop("rate"))
        except ValueError as exc:
            raise ApiError(400, str(exc), "rate") from None
    for name in changes:
        if name in SimulatorConfig.model_fields and name not in RUNTIME_FIELDS:
            raise ApiError(400, f"{name} cannot be changed at runtime", name)
        if name not in RUNTIME_FIELDS:
            allowed = ", ".join(sorted({*RUNTIME_FIELDS, "rate"}))
            raise ApiError(400, f"unknown setting {name!r}; allowed: {allowed}", name)
    try:
        config = state.config.with_changes(**changes)
    except ValidationError as exc:
        raise ApiError(400, describe_errors(exc)) from None
    state.reconfigure(config)
    log.info("simulator_reconfigured", **changes)
    return json_response(_config_view(state))


async def _admin_sample(request: web.Request) -> web.StreamResponse:
    n = required_integer(request, "n", 10, 1, 1000)
    seed = required_integer(request, "seed", 0, 0, 2**31)
    catalog = request.app[STATE].catalog
    rng = random.Random(seed)

    def pick(items: Sequence[str]) -> list[str]:
        return rng.sample(list(items), min(n, len(items)))

    return json_response(
        {
            "track_spotify_ids": pick(catalog.track_spotify_ids()),
            "track_ids": pick(catalog.track_ids()),
            "unknown_spotify_ids": pick(catalog.unknown_spotify_ids()),
            "artist_ids": pick(catalog.artist_ids()),
            "artist_spotify_ids": pick(catalog.artist_spotify_ids()),
            "album_ids": pick(catalog.album_ids()),
        }
    )


async def _admin_healthz(request: web.Request) -> web.StreamResponse:
    catalog = request.app[STATE].catalog
    return json_response(
        {
            "status": "ok",
            "tracks": catalog.n_tracks,
            "artists": catalog.n_artists,
            "albums": catalog.n_albums,
        }
    )
