"""Run the simulator on this event loop, in a background thread, or in the foreground.

::

    async with SimulatorServer(SimulatorConfig(port=0)) as sim:      # this loop
        httpx.get(f"{sim.url}/v1/track?ids={some_id}")
        sim.counters.count(status=429)
    with run_in_thread(SimulatorConfig()) as sim:                     # sync code, other loops
        httpx.get(sim.url + "/_admin/healthz")
    serve_forever(SimulatorConfig(port=8765))                         # blocks until Ctrl-C

Without a ``catalog`` one is built from the config's seed and sizes; pass a prebuilt one to
share it: a catalog is immutable, so one can serve several simulators and threads at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Final, Self

from aiohttp import web

from moodmix.clock import Clock, monotonic
from moodmix.simulator.app import build_app
from moodmix.simulator.catalog import Catalog, CatalogSpec
from moodmix.simulator.config import SimulatorConfig
from moodmix.simulator.counters import Counters
from moodmix.simulator.listening import base_url, listen
from moodmix.simulator.state import SimulatorState

_SHUTDOWN_TIMEOUT_S: Final = 2.0


def build_catalog(config: SimulatorConfig) -> Catalog:
    """The catalog ``config`` describes (seed, tracks, artists)."""
    return Catalog.build(
        CatalogSpec(seed=config.seed, tracks=config.tracks, artists=config.artists)
    )


class SimulatorServer:
    """The simulator listening on a TCP port, on the running event loop."""

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        catalog: Catalog | None = None,
        *,
        clock: Clock = monotonic,
    ) -> None:
        self._config = config or SimulatorConfig()
        self._catalog = catalog
        self._clock = clock
        self._state: SimulatorState | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    async def start(self) -> None:
        """Build the catalog if needed (off the loop) and start listening."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        if self._catalog is None:
            self._catalog = await asyncio.to_thread(build_catalog, self._config)
        catalog = self._catalog
        state = SimulatorState(self._config, catalog, clock=self._clock)
        state.start()
        runner, self._port = await listen(
            build_app(state), self._config.host, self._config.port, shutdown_s=_SHUTDOWN_TIMEOUT_S
        )
        self._state, self._runner = state, runner

    async def stop(self) -> None:
        """Stop listening; requests held by a timeout fault are let go at once."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self._state is not None:
            self._state.stopping.set()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator has not been started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the base URL, without ``/v1``."""
        return base_url(self._config.host, self.port)

    @property
    def state(self) -> SimulatorState:
        if self._state is None:
            raise RuntimeError("the simulator has not been started")
        return self._state

    @property
    def counters(self) -> Counters:
        return self.state.counters

    @property
    def catalog(self) -> Catalog:
        return self.state.catalog

    @property
    def config(self) -> SimulatorConfig:
        """The configuration in force (runtime changes included)."""
        return self._state.config if self._state is not None else self._config


class RunningSimulator:
    """A simulator on its own event loop in a daemon thread.

    ``state`` and ``counters`` may be read from other threads; change the configuration
    through ``PATCH /_admin/config`` (or ``call``), which runs on the simulator's loop.
    """

    def __init__(self, server: SimulatorServer) -> None:
        self.server = server
        self._loop: asyncio.AbstractEventLoop | None = None
        self._done: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="moodmix-simulator", daemon=True)

    def _start(self) -> None:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._done = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._done.wait()
        finally:
            await self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def state(self) -> SimulatorState:
        return self.server.state

    @property
    def counters(self) -> Counters:
        return self.server.counters

    def call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the simulator's loop and wait for it (e.g. ``state.reset``)."""
        if self._loop is None:
            raise RuntimeError("the simulator is not running")
        finished = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                fn()
            except BaseException as exc:
                failure.append(exc)
            finally:
                finished.set()

        self._loop.call_soon_threadsafe(run)
        finished.wait()
        if failure:
            raise failure[0]

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end; calling it twice is harmless."""
        if self._loop is not None and self._done is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._done.set)
        self._thread.join(timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_in_thread(
    config: SimulatorConfig | None = None, catalog: Catalog | None = None
) -> RunningSimulator:
    """Start a simulator in a daemon thread and return once it listens (or raise why not)."""
    running = RunningSimulator(SimulatorServer(config, catalog))
    running._start()
    return running


def serve_forever(
    config: SimulatorConfig | None = None,
    catalog: Catalog | None = None,
    *,
    on_ready: Callable[[SimulatorServer], None] | None = None,
) -> None:
    """Serve in the foreground until SIGINT (``KeyboardInterrupt``) or SIGTERM."""
    asyncio.run(_serve(SimulatorServer(config, catalog), on_ready))


async def _serve(
    server: SimulatorServer, on_ready: Callable[[SimulatorServer], None] | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        if on_ready is not None:
            on_ready(server)
        await stop.wait()
