"""Two gateways on one Redis act as one: cache, id registry and fetches are shared."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from shared_kit import URL, drop_prefix, unique_prefix

from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

pytestmark = pytest.mark.redis

Gateway = Callable[..., ReccoBeats]
MakeSimulator = Callable[..., Awaitable[SimulatorServer]]


@pytest.fixture
async def gateway(simulator: SimulatorServer) -> AsyncIterator[Gateway]:
    """``gateway()``: a gateway in shared mode on the simulator; all of a test's share a prefix."""
    prefix = unique_prefix()
    opened: list[ReccoBeats] = []

    def make(url: str | None = None, **overrides: Any) -> ReccoBeats:
        values: dict[str, Any] = {"rate_per_min": 60_000, "burst": 50, "prefetch": False}
        settings = Settings(
            reccobeats_url=url or simulator.url,
            redis_url=URL,
            redis_prefix=prefix,
            **{**values, **overrides},
        )
        gw = ReccoBeats.from_settings(settings)
        opened.append(gw)
        return gw

    yield make
    for gw in opened:
        await gw.aclose()
    await drop_prefix(prefix)


async def test_a_track_one_gateway_fetched_costs_the_other_nothing(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    one, two = gateway(), gateway()
    ids = list(catalog.track_spotify_ids()[:10])
    first = await one.get_tracks(ids)
    assert simulator.counters.count("/v1/track") == 1
    again = await two.get_tracks(ids)
    assert [t.id for t in again] == [t.id for t in first]
    assert simulator.counters.count("/v1/track") == 1
    assert two.stats().shared_mode == "shared"


async def test_ids_one_gateway_learned_are_known_to_the_other(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    one, two = gateway(), gateway()
    unknown = list(catalog.unknown_spotify_ids()[:3])
    known = list(catalog.track_spotify_ids()[:3])
    assert len(await one.get_tracks(known + unknown)) == 3
    assert len(await two.get_audio_features(known)) == 3  # by ReccoBeats id, via the registry
    assert len(await two.get_tracks(unknown)) == 0  # known missing: not asked again
    assert simulator.counters.count("/v1/track") == 1
    assert two._registry.stats().answered == 6


async def test_concurrent_gateways_fetch_a_recommendation_once(
    gateway: Gateway, make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    simulator = await make_simulator(latency_ms=150)  # slow enough for the requests to overlap
    gateways = [gateway(simulator.url) for _ in range(3)]
    seeds = list(catalog.track_spotify_ids()[:2])
    answers = await asyncio.gather(*(gw.get_recommendations(seeds, size=10) for gw in gateways))
    assert answers[0] == answers[1] == answers[2]
    assert simulator.counters.count("/v1/track/recommendation") == 1
    assert sum(gw.stats().shared_joins for gw in gateways) == 2


async def test_concurrent_gateways_fetch_each_item_once(
    gateway: Gateway, make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    simulator = await make_simulator(latency_ms=150)
    gateways = [gateway(simulator.url) for _ in range(3)]
    ids = list(catalog.track_ids()[:20])
    answers = await asyncio.gather(*(gw.get_audio_features(ids) for gw in gateways))
    assert [len(a) for a in answers] == [20, 20, 20]
    assert simulator.counters.snapshot()["ids"]["requested"] == 20


@pytest.mark.parametrize(("handover", "calls"), [(True, 1), (False, 3)])
async def test_ids_queued_in_several_gateways_leave_in_one_batch_call(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog, handover: bool, calls: int
) -> None:
    # One token a second: the first call to get one carries every gateway's queued ids, and
    # the others, left with nothing to ask, give their tokens back.
    gateways = [
        gateway(rate_per_min=60, burst=1, rate_mode="fixed", shared_handover=handover)
        for _ in range(3)
    ]
    ids = list(catalog.track_ids()[:30])
    parts = [ids[0:10], ids[10:20], ids[20:30]]
    answers = await asyncio.gather(
        *(gw.get_audio_features(part) for gw, part in zip(gateways, parts, strict=True))
    )
    assert [len(a) for a in answers] == [10, 10, 10]
    assert simulator.counters.count("/v1/audio-features") == calls
    assert simulator.counters.snapshot()["ids"]["requested"] == 30
    carried = sum(gw.stats().shared_handovers for gw in gateways)
    assert carried == (20 if handover else 0)
    assert sum(gw._scheduler.stats.granted for gw in gateways) == calls


async def test_background_refreshes_in_several_gateways_leave_in_one_batch_call(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    gateways = [gateway(rate_per_min=60, burst=1, rate_mode="fixed") for _ in range(3)]
    ids = list(catalog.track_ids()[:30])
    parts = [ids[0:10], ids[10:20], ids[20:30]]
    got = await asyncio.gather(
        *(gw._lookups.features.refresh(part) for gw, part in zip(gateways, parts, strict=True))
    )
    assert got == [10, 10, 10]
    assert simulator.counters.count("/v1/audio-features") == 1
    assert sum(gw.stats().shared_handovers for gw in gateways) == 20
