"""When Redis goes away every process keeps answering alone, says so once, and goes back to
shared mode by itself when Redis returns (a throwaway redis-server the test stops and starts)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from shared_kit import throwaway_redis, until

from moodmix.bench.redisproc import RedisProcess
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

pytestmark = pytest.mark.redis


@pytest.fixture
async def server() -> AsyncIterator[RedisProcess]:
    async with throwaway_redis() as server:
        yield server


async def test_lookups_go_on_through_an_outage_and_sharing_resumes_after_it(
    server: RedisProcess, simulator: SimulatorServer, catalog: Catalog
) -> None:
    settings = Settings(
        reccobeats_url=simulator.url,
        redis_url=server.url,
        rate_per_min=60_000,
        burst=50,
        prefetch=False,
    )
    ids = list(catalog.track_spotify_ids()[:30])
    async with ReccoBeats.from_settings(settings) as rb:
        assert len(await rb.get_tracks(ids[:10])) == 10
        await until(
            lambda: rb.stats().shared_mode == "shared" and rb.stats().instances == 1, within=15.0
        )

        await server.kill()
        assert len(await rb.get_tracks(ids[10:20])) == 10  # answered without Redis
        await until(lambda: rb.stats().shared_mode == "local", within=15.0)
        assert len(await rb.get_recommendations(ids[:2], size=5)) == 5
        assert len(await rb.get_tracks(ids[:20])) == 20  # the local cache still answers
        assert rb.metrics.registry.get_sample_value("moodmix_shared_mode") == 0
        assert rb._shared is not None
        assert rb._shared.bucket is not None
        assert rb._shared.bucket.run >= 1  # the local bucket's own run while pacing alone

        await server.restart()  # an empty Redis on the same port
        await until(lambda: rb.stats().shared_mode == "shared", within=15.0)
        assert len(await rb.get_tracks(ids[20:])) == 10
        assert rb.metrics.registry.get_sample_value("moodmix_shared_mode") == 1
        assert rb._shared.bucket.run >= 1  # the budget's run again
        # Lost once for the whole outage, however many calls failed meanwhile: the
        # warning ``shared_mode_lost`` is logged on exactly that transition.
        assert rb._shared.bucket.lost == 1
