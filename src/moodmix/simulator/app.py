"""The ReccoBeats-compatible aiohttp application: the API under ``/v1``, control under ``/_admin``.

::

    state = SimulatorState(SimulatorConfig(rate_per_min=60, burst=5), Catalog.build())
    app = build_app(state)            # run it with aiohttp's AppRunner (server.py does)
    state.reconfigure(state.config.with_changes(error_rate=0.1))

Every ``/v1`` request goes through, in order: the per-client rate limiter (429), the latency
model, fault injection (500, held 504, dropped connection), the handler, and for a 200 the
chance of a malformed body; everything is counted. Errors are one JSON shape::

    {"status": 400, "error": "Bad Request", "message": "size must be ...", "path": "/v1/...",
     "parameter": "size"}

``/_admin`` paths are neither limited nor faulted.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any, Final

import orjson
import structlog
from aiohttp import BodyPartReader, web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from moodmix.clock import Clock, monotonic
from moodmix.reccobeats.ids import MAX_BATCH_IDS, is_reccobeats_id, is_spotify_id
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.config import (
    RUNTIME_FIELDS,
    SimulatorConfig,
    describe_errors,
    parse_rate,
)
from moodmix.simulator.counters import DROPPED, Counters
from moodmix.simulator.faults import (
    FaultInjector,
    FaultKind,
    FaultRates,
    LatencyModel,
    corrupt_body,
)
from moodmix.simulator.limits import RateLimiter, RatePolicy, Verdict, format_retry_after

log = structlog.get_logger(__name__)

MAX_AUDIO_BYTES: Final = 5 * 1024 * 1024
MAX_SEEDS: Final = 5
MAX_PAGE_SIZE: Final = 50
MAX_PAGE: Final = 1000
MAX_SEARCH_TEXT: Final = 1000
TARGET_RANGES: Final[dict[str, tuple[float, float]]] = {
    "acousticness": (0, 1),
    "danceability": (0, 1),
    "energy": (0, 1),
    "instrumentalness": (0, 1),
    "liveness": (0, 1),
    "speechiness": (0, 1),
    "valence": (0, 1),
    "tempo": (0, 250),
    "loudness": (-60, 2),
    "popularity": (0, 100),
}
"""Recommendation targets that take a number, with their allowed ranges."""
INTEGER_TARGET_RANGES: Final[dict[str, tuple[int, int]]] = {"key": (-1, 11), "mode": (0, 1)}


class SimulatorState:
    """Everything a running simulator holds: catalog, config, limiter, faults, counters."""

    def __init__(self, config: SimulatorConfig, catalog: Catalog, *, clock: Clock = monotonic):
        self.catalog = catalog
        self.counters = Counters()
        self.stopping = asyncio.Event()
        """Set on shutdown, so requests held by a timeout fault end at once."""
        self._rng = random.Random(config.seed)
        self._config = config
        self.limiter = RateLimiter(_policy(config), clock=clock)
        self.latency = LatencyModel(config.latency_ms, config.latency_p99_ms, rng=self._rng)
        self.faults = FaultInjector(_rates(config), rng=self._rng)

    @property
    def config(self) -> SimulatorConfig:
        return self._config

    @property
    def rng(self) -> random.Random:
        return self._rng

    def reconfigure(self, config: SimulatorConfig) -> None:
        """Switch to ``config``; only ``RUNTIME_FIELDS`` may differ from the current one."""
        fixed = {
            name
            for name in SimulatorConfig.model_fields
            if name not in RUNTIME_FIELDS and getattr(config, name) != getattr(self._config, name)
        }
        if fixed:
            raise ValueError(f"{', '.join(sorted(fixed))} cannot be changed at runtime")
        self.limiter.reconfigure(_policy(config))
        self.latency = LatencyModel(config.latency_ms, config.latency_p99_ms, rng=self._rng)
        self.faults = FaultInjector(_rates(config), rng=self._rng)
        self._config = config

    def reset(self) -> None:
        """Zero the counters and forget every client's bucket."""
        self.counters.reset()
        self.limiter.reset()


def _policy(config: SimulatorConfig) -> RatePolicy:
    return RatePolicy(
        rate_per_s=config.rate_per_s,
        burst=config.burst,
        penalty_after=config.penalty_after,
        penalty_s=config.penalty_s,
        retry_after_resolution=config.retry_after_resolution,
    )


def _rates(config: SimulatorConfig) -> FaultRates:
    return FaultRates(
        error=config.error_rate,
        timeout=config.timeout_rate,
        malformed=config.malformed_rate,
        drop=config.drop_rate,
    )


STATE: Final = web.AppKey("moodmix_simulator_state", SimulatorState)


class ApiError(Exception):
    """An answer other than 200, with the message (and parameter) the client gets."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(payload), status=status, content_type="application/json")


def error_response(
    request: web.Request,
    status: int,
    message: str,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "status": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
        "path": request.path,
    }
    if parameter is not None:
        body["parameter"] = parameter
    response = json_response(body, status)
    if headers:
        response.headers.update(headers)
    return response


# --- request parameters --------------------------------------------------------------------


def _id_list(
    request: web.Request, name: str, *, limit: int, required: bool = True
) -> list[str] | None:
    """``?name=a&name=b``, ``?name=a,b`` or both; 1 to ``limit`` well-formed ids."""
    raw = request.query.getall(name, [])
    ids = [part.strip() for value in raw for part in value.split(",") if part.strip()]
    if not ids and not raw and not required:
        return None
    if not 1 <= len(ids) <= limit:
        raise ApiError(
            400,
            f"{name} must hold 1 to {limit} ids (as {name}=a,b or {name}=a&{name}=b), "
            f"got {len(ids)}",
            name,
        )
    return [_checked_id(value, name) for value in ids]


def _checked_id(value: str, name: str) -> str:
    if is_spotify_id(value):
        return value
    if is_reccobeats_id(value):
        return value.lower()
    shown = value if len(value) <= 60 else value[:59] + "…"
    raise ApiError(
        400,
        f"{name}: {shown!r} is neither a ReccoBeats UUID nor a 22-character Spotify id",
        name,
    )


def _path_id(request: web.Request) -> str:
    return _checked_id(request.match_info["id"], "id")


def _integer(
    request: web.Request, name: str, default: int | None, low: int, high: int
) -> int | None:
    text = request.query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ApiError(400, f"{name} must be an integer from {low} to {high}, got {text!r}", name)
    return value


def _required_integer(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    value = _integer(request, name, default, low, high)
    return default if value is None else value


def _number(request: web.Request, name: str, low: float, high: float) -> float | None:
    text = request.query.get(name)
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise ApiError(400, f"{name} must be a number from {low:g} to {high:g}, got {text!r}", name)
    return value


def _search_text(request: web.Request) -> str:
    text = request.query.get("searchText", "").strip()
    if not 1 <= len(text) <= MAX_SEARCH_TEXT:
        raise ApiError(
            400,
            f"searchText must be 1 to {MAX_SEARCH_TEXT} characters, got {len(text)}",
            "searchText",
        )
    return text


def _paging(request: web.Request) -> tuple[int, int]:
    page = _required_integer(request, "page", 0, 0, MAX_PAGE)
    size = _required_integer(request, "size", 20, 1, MAX_PAGE_SIZE)
    return page, size


# --- /v1 handlers --------------------------------------------------------------------------

Item = dict[str, Any]
BatchLookup = Callable[[Catalog, Sequence[str]], list[Item]]
SingleLookup = Callable[[Catalog, str], Item | None]
PagedLookup = Callable[[Catalog, str, int, int], Item | None]
SearchLookup = Callable[[Catalog, str, int, int], Item]


def _batch(lookup: BatchLookup) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        ids = _id_list(request, "ids", limit=MAX_BATCH_IDS) or []
        items = lookup(state.catalog, ids)
        state.counters.record_ids(len(ids), len(items))
        return json_response({"content": items})

    return handle


def _single(lookup: SingleLookup, what: str) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        key = _path_id(request)
        item = lookup(state.catalog, key)
        state.counters.record_ids(1, 0 if item is None else 1)
        if item is None:
            raise ApiError(404, f"no {what} with id {key!r}", "id")
        return json_response(item)

    return handle


def _paged(lookup: PagedLookup, what: str) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        key = _path_id(request)
        page, size = _paging(request)
        result = lookup(request.app[STATE].catalog, key, page, size)
        if result is None:
            raise ApiError(404, f"no {what} with id {key!r}", "id")
        return json_response(result)

    return handle


def _search(lookup: SearchLookup) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        text = _search_text(request)
        page, size = _paging(request)
        return json_response(lookup(request.app[STATE].catalog, text, page, size))

    return handle


async def _recommendation(request: web.Request) -> web.StreamResponse:
    seeds = _id_list(request, "seeds", limit=MAX_SEEDS) or []
    negative = _id_list(request, "negativeSeeds", limit=MAX_SEEDS, required=False) or []
    size = _required_integer(request, "size", 10, 1, 100)
    targets: dict[str, float] = {}
    for name, (low, high) in TARGET_RANGES.items():
        if (value := _number(request, name, low, high)) is not None:
            targets[name] = value
    for name, (ilow, ihigh) in INTEGER_TARGET_RANGES.items():
        if (ivalue := _integer(request, name, None, ilow, ihigh)) is not None:
            targets[name] = ivalue
    weight = _number(request, "featureWeight", 1, 5)
    tracks = request.app[STATE].catalog.recommend(
        seeds, size, targets=targets or None, negative_seeds=negative, feature_weight=weight
    )
    if tracks is None:
        raise ApiError(400, "seeds: none of the seeds is a known track, artist or album", "seeds")
    return json_response({"content": tracks})


def sniff_audio(head: bytes) -> str | None:
    """The audio format from a file's first bytes: mp3, ogg, wav, aiff, or ``None``."""
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    return None


async def _analysis(request: web.Request) -> web.StreamResponse:
    data = await _audio_file(request)
    if sniff_audio(data[:12]) is None:
        raise ApiError(400, "audioFile must be an MP3, OGG, WAV or AIFF file", "audioFile")
    return json_response(request.app[STATE].catalog.analyze_audio(data))


async def _audio_file(request: web.Request) -> bytes:
    missing = ApiError(400, "send the file as multipart/form-data field 'audioFile'", "audioFile")
    if not request.content_type.startswith("multipart/"):
        raise missing
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name != "audioFile":
                await part.release()
                continue
            data = bytearray()
            while chunk := await part.read_chunk(256 * 1024):
                data += chunk
                if len(data) > MAX_AUDIO_BYTES:
                    raise ApiError(
                        400, f"audioFile is larger than {MAX_AUDIO_BYTES} bytes (5 MB)", "audioFile"
                    )
            if not data:
                raise ApiError(400, "audioFile is empty", "audioFile")
            return bytes(data)
    except ValueError as exc:
        raise ApiError(400, f"the multipart body could not be read: {exc}", "audioFile") from None
    raise missing


# --- /_admin handlers ----------------------------------------------------------------------


def _config_view(config: SimulatorConfig) -> dict[str, Any]:
    return {**config.model_dump(), **config.runtime_view()}


async def _admin_stats(request: web.Request) -> web.StreamResponse:
    return json_response(request.app[STATE].counters.snapshot())


async def _admin_reset(request: web.Request) -> web.StreamResponse:
    request.app[STATE].reset()
    return json_response({"reset": True})


async def _admin_get_config(request: web.Request) -> web.StreamResponse:
    return json_response(_config_view(request.app[STATE].config))


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
    return json_response(_config_view(config))


async def _admin_sample(request: web.Request) -> web.StreamResponse:
    n = _required_integer(request, "n", 10, 1, 1000)
    seed = _required_integer(request, "seed", 0, 0, 2**31)
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


# --- the pipeline every request goes through -----------------------------------------------

ADMIN_PREFIX: Final = "/_admin/"
_BODY_HEADERS: Final = frozenset({"content-type", "content-length"})


def _endpoint(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "<unmatched>"


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run the handler, turning every failure into the one JSON error shape."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(request, exc.status, exc.message, exc.parameter)
    except web.HTTPException as exc:
        kept = {k: v for k, v in exc.headers.items() if k.lower() not in _BODY_HEADERS}
        return error_response(request, exc.status, exc.reason, headers=kept)
    except Exception:
        log.exception("simulator_handler_failed", path=request.path)
        return error_response(request, 500, "the simulator failed to answer; see its log")


def _too_many(request: web.Request, verdict: Verdict) -> web.Response:
    header = format_retry_after(verdict.retry_after)
    why = "you are blocked for ignoring Retry-After" if verdict.blocked else "too many requests"
    return error_response(
        request, 429, f"{why}; retry after {header} s", headers={"Retry-After": header}
    )


@web.middleware
async def _pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(ADMIN_PREFIX):
        return await _answer(request, handler)
    state = request.app[STATE]
    counters = state.counters
    endpoint = _endpoint(request)

    verdict = state.limiter.check(request.remote or "unknown")
    if not verdict.allowed:
        counters.rate_limited += 1
        if verdict.new_block:
            counters.penalty_blocks += 1
        counters.record(endpoint, 429)
        return _too_many(request, verdict)

    delay = state.latency.sample()
    if delay > 0:
        await asyncio.sleep(delay)

    fault = state.faults.draw()
    if fault is not None and fault is not FaultKind.MALFORMED:
        counters.faults[fault.value] += 1
        injected = await _inject(request, state, fault)
        counters.record(endpoint, DROPPED if fault is FaultKind.DROP else injected.status)
        return injected

    response = await _answer(request, handler)
    if (
        fault is FaultKind.MALFORMED
        and response.status == 200
        and isinstance(response, web.Response)
    ):
        body = response.body
        if isinstance(body, bytes | bytearray):
            response.body = corrupt_body(bytes(body), state.rng)
            counters.faults[fault.value] += 1
    counters.record(endpoint, response.status)
    return response


async def _inject(request: web.Request, state: SimulatorState, fault: FaultKind) -> web.Response:
    if fault is FaultKind.DROP:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=499)  # never reaches the client: the connection is gone
    if fault is FaultKind.TIMEOUT:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.stopping.wait(), state.config.timeout_hold_s)
        return error_response(request, 504, "the upstream timed out (injected fault)")
    return error_response(request, 500, "internal server error (injected fault)")


# --- routes --------------------------------------------------------------------------------


def build_app(state: SimulatorState) -> web.Application:
    """The aiohttp application serving ``state``; fixed paths come before ``{id}`` ones."""
    app = web.Application(middlewares=[_pipeline])
    app[STATE] = state
    get = app.router.add_get
    get("/v1/track/recommendation", _recommendation)
    get("/v1/track", _batch(lambda c, ids: c.tracks(ids)))
    get("/v1/track/{id}", _single(lambda c, key: c.track(key), "track"))
    get("/v1/track/{id}/audio-features", _single(lambda c, key: c.audio_features(key), "track"))
    get("/v1/audio-features", _batch(lambda c, ids: c.audio_features_many(ids)))
    get(
        "/v1/artist/search", _search(lambda c, text, page, size: c.search_artists(text, page, size))
    )
    get("/v1/artist", _batch(lambda c, ids: c.artists(ids)))
    get("/v1/artist/{id}", _single(lambda c, key: c.artist(key), "artist"))
    get("/v1/artist/{id}/album", _paged(lambda c, k, p, s: c.artist_albums(k, p, s), "artist"))
    get("/v1/artist/{id}/track", _paged(lambda c, k, p, s: c.artist_tracks(k, p, s), "artist"))
    get("/v1/album/search", _search(lambda c, text, page, size: c.search_albums(text, page, size)))
    get("/v1/album", _batch(lambda c, ids: c.albums(ids)))
    get("/v1/album/{id}", _single(lambda c, key: c.album(key), "album"))
    get("/v1/album/{id}/track", _paged(lambda c, k, p, s: c.album_tracks(k, p, s), "album"))
    app.router.add_post("/v1/analysis/audio-features", _analysis)
    get(ADMIN_PREFIX + "stats", _admin_stats)
    app.router.add_post(ADMIN_PREFIX + "reset", _admin_reset)
    get(ADMIN_PREFIX + "config", _admin_get_config)
    app.router.add_patch(ADMIN_PREFIX + "config", _admin_patch_config)
    get(ADMIN_PREFIX + "catalog/sample", _admin_sample)
    get(ADMIN_PREFIX + "healthz", _admin_healthz)
    return app
