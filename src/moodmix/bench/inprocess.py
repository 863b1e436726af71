"""The simulator in the benchmark's own process, reached through an httpx transport (no sockets).

On virtual time the gateway and the simulator must share one loop and one clock; a socket
would be I/O the virtual clock cannot wait for. ``AppTransport`` hands each httpx request to
the simulator's aiohttp application directly::

    sim = InProcessSimulator(catalog, SimulatorConfig(seed=0, latency_ms=15), clock=loop_time)
    await sim.configure(rate_per_min=80, burst=10, retry_after_resolution=1.0)
    client = ReccoBeatsClient(sim.url, transport=sim.transport)
    counts = await sim.stats()          # UpstreamCounts, as SimulatorProcess gives

The request goes through the application's router and middlewares (rate limiter, latency,
faults, counters) exactly as over HTTP; what is skipped is the wire: no connection, no
parsing, no pool. aiohttp has no in-process client (its test client listens on a port), so
the request is built the way aiohttp's server builds one after parsing (a ``RawRequestMessage``
handed to ``web.Request``), with a stand-in for the socket transport. aiohttp's own helper for
this, ``test_utils.make_mocked_request``, builds ``unittest.mock`` objects on every call, which
cost a day-long run more than the simulator's own work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Final

import httpx
from aiohttp import web
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http import HttpVersion11, RawRequestMessage
from aiohttp.streams import EMPTY_PAYLOAD, StreamReader
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from moodmix.bench.config import BenchConfig
from moodmix.bench.simulators import UpstreamCounts
from moodmix.clock import Clock, loop_time
from moodmix.simulator.app import build_app
from moodmix.simulator.catalog import Catalog, CatalogSpec
from moodmix.simulator.config import RateStep, SimulatorConfig
from moodmix.simulator.state import SimulatorState

IN_PROCESS_URL: Final = "http://simulator.in-process"
"""The base URL the gateway is given; no name is ever resolved."""
_PEER: Final = ("127.0.0.1", 0)


class _Transport(SimpleNamespace):
    """The socket transport a request would have: its peer address, nothing to close."""

    def get_extra_info(self, name: str, default: object = None) -> object:
        return _PEER if name in ("peername", "sockname") else default

    def close(self) -> None:
        pass

    def is_closing(self) -> bool:
        return False


class _Writer(SimpleNamespace):
    async def write_headers(self, *args: object) -> None:
        pass

    async def write(self, *args: object) -> None:
        pass

    async def write_eof(self, *args: object) -> None:
        pass

    async def drain(self) -> None:
        pass


def _protocol(transport: _Transport, writer: _Writer) -> SimpleNamespace:
    return SimpleNamespace(
        transport=transport,
        writer=writer,
        peername=_PEER,
        sockname=_PEER,
        ssl_context=None,
        max_field_size=8190,
        max_line_length=8190,
        max_headers=128,
    )


class AppTransport(httpx.AsyncBaseTransport):
    """An httpx transport that answers from an aiohttp application on the running loop."""

    def __init__(self, app: web.Application) -> None:
        app.freeze()
        self._app = app
        self._transport = _Transport()
        self._writer = _Writer(transport=self._transport)
        self._protocol = _protocol(self._transport, self._writer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            body = request.content  # read already, unless it is a multipart upload
        except httpx.RequestNotRead:
            body = await request.aread()
        aio_request = self._request(request, body)
        try:
            answer = await self._app._handle(aio_request)
        except web.HTTPException as exc:
            return httpx.Response(exc.status, text=exc.text or exc.reason, request=request)
        if not isinstance(answer, web.Response) or not isinstance(answer.body, bytes | None):
            raise TypeError(f"{request.url.path} answered with a stream, not a body")
        headers = list(answer.headers.items())
        if answer.content_type and "content-type" not in {k.lower() for k, _ in headers}:
            headers.append(("Content-Type", answer.content_type))
        return httpx.Response(
            answer.status, headers=headers, content=answer.body or b"", request=request
        )

    def _request(self, request: httpx.Request, body: bytes) -> web.Request:
        """The ``web.Request`` aiohttp's server would build for ``request``."""
        path = request.url.raw_path.decode("ascii")
        items = request.headers.multi_items()
        headers = CIMultiDictProxy(CIMultiDict(items))
        raw = tuple((k.encode(), v.encode()) for k, v in items)
        message = RawRequestMessage(
            request.method,
            path,
            HttpVersion11,
            headers,
            raw,
            False,  # should_close
            None,  # compression
            False,  # upgrade
            False,  # chunked
            URL(path),
        )
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None  # an httpx transport is always awaited from a task
        return web.Request(message, self._payload(body), self._protocol, self._writer, task, loop)  # type: ignore[arg-type]

    def _payload(self, body: bytes) -> StreamReader:
        if not body:
            return EMPTY_PAYLOAD
        loop = asyncio.get_running_loop()
        reader = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
        reader.feed_data(body)
        reader.feed_eof()
        return reader

    async def aclose(self) -> None:
        """Nothing to close; the transport outlives the clients that use it."""


class InProcessSimulator:
    """A simulator application on the running loop, with the admin calls the bench makes."""

    def __init__(self, catalog: Catalog, config: SimulatorConfig, *, clock: Clock) -> None:
        self.state = SimulatorState(config, catalog, clock=clock)
        self.url = IN_PROCESS_URL
        self.transport: httpx.AsyncBaseTransport | None = AppTransport(build_app(self.state))

    async def configure(
        self, *, rate_per_min: float, burst: int, retry_after_resolution: float
    ) -> None:
        self.state.reconfigure(
            self.state.config.with_changes(
                rate_per_min=rate_per_min,
                burst=burst,
                retry_after_resolution=retry_after_resolution,
            )
        )

    def follow(self, schedule: Sequence[RateStep]) -> None:
        """Follow ``schedule`` (``SimulatorConfig.rate_schedule``), its offsets counted from
        now: the rate schedule's time starts here."""
        self.state.reconfigure(self.state.config.with_changes(rate_schedule=tuple(schedule)))
        self.state.start()

    async def reset(self) -> None:
        self.state.reset()

    async def stats(self) -> UpstreamCounts:
        snapshot = self.state.counters.snapshot()
        return UpstreamCounts(
            int(snapshot["requests"]["total"]),
            int(snapshot["rate_limited"]),
            dict(snapshot["requests"]["by_endpoint"]),
        )

    async def stop(self) -> None:
        self.state.stopping.set()


def catalog_spec(config: BenchConfig) -> CatalogSpec:
    """The simulator's catalog for ``config`` (the simulator command's artist count rule)."""
    tracks = config.catalog_tracks
    return CatalogSpec(seed=config.seed, tracks=tracks, artists=min(5_000, max(1, tracks // 10)))


def in_process_simulator(config: BenchConfig, catalog: Catalog) -> InProcessSimulator:
    """A simulator on the running loop's clock, serving ``catalog`` (built from
    ``catalog_spec(config)``)."""
    spec = catalog_spec(config)
    settings = SimulatorConfig(
        rate_per_min=100_000,
        burst=10,
        seed=config.seed,
        tracks=spec.tracks,
        artists=spec.artists,
        latency_ms=config.simulator_latency_ms,
    )
    return InProcessSimulator(catalog, settings, clock=loop_time)
