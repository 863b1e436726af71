"""Shared fixtures: a small simulator catalog and running ReccoBeats simulators.

``catalog``
    One ``Catalog`` for the whole session: 3,000 tracks, 300 artists, seed 7.
``simulator``
    A ``SimulatorServer`` on ``127.0.0.1`` (free port), sharing ``catalog``, with limits
    no test reaches (1,000,000/min, burst 100,000) and no latency or faults. ``simulator.url``
    is the base URL without ``/v1``; ``simulator.counters`` says what it served.
``make_simulator``
    ``await make_simulator(**config_overrides)`` starts another one with ``SimulatorConfig``
    fields overridden (strict limits, faults...); ``clock=`` injects a ``ManualClock`` into its
    rate limiter. Every simulator started is stopped after the test.

::

    async def test_tracks(simulator, catalog):
        async with httpx.AsyncClient(base_url=simulator.url) as http:
            r = await http.get("/v1/track", params={"ids": catalog.track_spotify_ids()[:3]})

    async def test_backoff(make_simulator):
        sim = await make_simulator(rate_per_min=60, burst=2, retry_after_resolution=0.001)

The simulator package is imported inside the fixtures, so collecting tests that do not use
them never depends on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from moodmix.clock import Clock
    from moodmix.simulator import SimulatorServer
    from moodmix.simulator.catalog import Catalog

MakeSimulator = Callable[..., Awaitable["SimulatorServer"]]

GENEROUS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 0,
    "rate_per_min": 1_000_000,
    "burst": 100_000,
    "seed": 7,
    "tracks": 3_000,
    "artists": 300,
}
"""The ``simulator`` fixture's configuration; ``make_simulator`` starts from it too."""


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    from moodmix.simulator.catalog import Catalog, CatalogSpec

    return Catalog.build(CatalogSpec(seed=7, tracks=3_000, artists=300))


@pytest.fixture
async def make_simulator(catalog: Catalog) -> AsyncIterator[MakeSimulator]:
    from moodmix.clock import monotonic
    from moodmix.simulator import SimulatorConfig, SimulatorServer

    started: list[SimulatorServer] = []

    async def make(*, clock: Clock = monotonic, **overrides: Any) -> SimulatorServer:
        config = SimulatorConfig(**{**GENEROUS, **overrides})
        server = SimulatorServer(config, catalog, clock=clock)
        await server.start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        await server.stop()


@pytest.fixture
async def simulator(make_simulator: MakeSimulator) -> SimulatorServer:
    return await make_simulator()
