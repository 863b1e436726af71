"""The ReccoBeats-compatible aiohttp application: the API under ``/v1``, control under ``/_admin``.

::

    state = SimulatorState(SimulatorConfig(rate_per_min=60, burst=5), Catalog.build())
    app = build_app(state)            # run it with aiohttp's AppRunner (server.py does)
    state.reconfigure(state.config.with_changes(error_rate=0.1))

Every ``/v1`` request goes through, in order: the per-client rate limiter (429), the latency
model, fault injection (500, held 504, dropped connection, 429), the handler, and for a 200
the chance of a malformed body or a batch with items missing or added; everything is
counted. Errors take the one JSON shape of ``params.error_response``. ``/_admin`` paths
(``admin.py``) are neither limited nor faulted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any, Final

import structlog
from aiohttp import BodyPartReader, web
from aiohttp.typedefs import Handler

from moodmix.reccobeats.ids import MAX_BATCH_IDS
from moodmix.simulator.admin import ADMIN_PREFIX, add_admin_routes
from moodmix.simulator.catalog import Catalog
from moodmix.simulator.counters import DROPPED
from moodmix.simulator.faults import BODY_FAULTS, FaultKind, add_items, corrupt_body, drop_items
from moodmix.simulator.limits import Verdict, format_retry_after
from moodmix.simulator.params import (
    ApiError,
    error_response,
    id_list,
    integer,
    json_response,
    number,
    paging,
    path_id,
    required_integer,
    search_text,
)
from moodmix.simulator.state import STATE, SimulatorState

__all__ = ["build_app", "sniff_audio"]

log = structlog.get_logger(__name__)

MAX_AUDIO_BYTES: Final = 5 * 1024 * 1024
MAX_SEEDS: Final = 5
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
    add_admin_routes(app)
    return app


# --- /v1 handlers --------------------------------------------------------------------------

Item = dict[str, Any]
BatchLookup = Callable[[Catalog, Sequence[str]], list[Item]]
SingleLookup = Callable[[Catalog, str], Item | None]
PagedLookup = Callable[[Catalog, str, int, int], Item | None]
SearchLookup = Callable[[Catalog, str, int, int], Item]


def _batch(lookup: BatchLookup) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        ids = id_list(request, "ids", limit=MAX_BATCH_IDS) or []
        items = lookup(state.catalog, ids)
        state.counters.record_ids(len(ids), len(items))
        return json_response({"content": items})

    return handle


def _single(lookup: SingleLookup, what: str) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        key = path_id(request)
        item = lookup(state.catalog, key)
        state.counters.record_ids(1, 0 if item is None else 1)
        if item is None:
            raise ApiError(404, f"no {what} with id {key!r}", "id")
        return json_response(item)

    return handle


def _paged(lookup: PagedLookup, what: str) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        key = path_id(request)
        page, size = paging(request)
        result = lookup(request.app[STATE].catalog, key, page, size)
        if result is None:
            raise ApiError(404, f"no {what} with id {key!r}", "id")
        return json_response(result)

    return handle


def _search(lookup: SearchLookup) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        text = search_text(request)
        page, size = paging(request)
        return json_response(lookup(request.app[STATE].catalog, text, page, size))

    return handle


async def _recommendation(request: web.Request) -> web.StreamResponse:
    seeds = id_list(request, "seeds", limit=MAX_SEEDS) or []
    negative = id_list(request, "negativeSeeds", limit=MAX_SEEDS, required=False) or []
    size = required_integer(request, "size", 10, 1, 100)
    targets: dict[str, float] = {}
    for name, (low, high) in TARGET_RANGES.items():
        if (value := number(request, name, low, high)) is not None:
            targets[name] = value
    for name, (ilow, ihigh) in INTEGER_TARGET_RANGES.items():
        if (ivalue := integer(request, name, None, ilow, ihigh)) is not None:
            targets[name] = ivalue
    weight = number(request, "featureWeight", 1, 5)
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


# --- the pipeline every request goes through -----------------------------------------------

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
    if fault is not None and fault not in BODY_FAULTS:
        counters.faults[fault.value] += 1
        injected = await _inject(request, state, fault)
        counters.record(endpoint, DROPPED if fault is FaultKind.DROP else injected.status)
        return injected

    response = await _answer(request, handler)
    if fault is not None and response.status == 200 and isinstance(response, web.Response):
        body = response.body
        if isinstance(body, bytes | bytearray):
            changed = _BODY_CHANGES[fault](bytes(body), state.rng)
            if changed != body:
                response.body = changed
                counters.faults[fault.value] += 1
    counters.record(endpoint, response.status)
    return response


_BODY_CHANGES: Final = {
    FaultKind.MALFORMED: corrupt_body,
    FaultKind.PARTIAL: drop_items,
    FaultKind.EXTRA: add_items,
}


async def _inject(request: web.Request, state: SimulatorState, fault: FaultKind) -> web.Response:
    if fault is FaultKind.DROP:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=499)  # never reaches the client: the connection is gone
    if fault is FaultKind.TIMEOUT:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.stopping.wait(), state.config.timeout_hold_s)
        return error_response(request, 504, "the upstream timed out (injected fault)")
    if fault is FaultKind.THROTTLE:
        header = format_retry_after(state.config.throttle_retry_after_s)
        return error_response(
            request,
            429,
            f"too many requests (injected fault); retry after {header} s",
            headers={"Retry-After": header},
        )
    return error_response(request, 500, "internal server error (injected fault)")
