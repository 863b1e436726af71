"""The gateway against the simulator over loopback: each layer saves the requests it claims to."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from moodmix.clock import ManualClock
from moodmix.reccobeats.errors import NotFound, UpstreamUnavailable
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog
from moodmix.store import MemoryStorage, SQLiteStorage

Gateway = Callable[..., ReccoBeats]


@pytest.fixture
async def gateway(simulator: SimulatorServer) -> AsyncIterator[Gateway]:
    """``gateway(**settings)``: a gateway on the simulator, in-memory L2, fast generous rate."""
    opened: list[ReccoBeats] = []

    def make(*, url: str | None = None, storage: Any = None, **overrides: Any) -> ReccoBeats:
        values: dict[str, Any] = {"rate_per_min": 60_000, "burst": 50, "cache_backend": "memory"}
        settings = Settings(reccobeats_url=url or simulator.url, **{**values, **overrides})
        gw = ReccoBeats.from_settings(settings, storage=storage)
        opened.append(gw)
        return gw

    yield make
    for gw in opened:
        await gw.aclose()


def upstream(sim: SimulatorServer, endpoint: str | None = None) -> int:
    return sim.counters.count(endpoint)


async def test_batch_is_split_per_item_so_a_later_batch_asks_only_for_what_is_missing(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway()
    ids = list(catalog.track_spotify_ids()[:60])
    first = await rb.get_tracks(ids[:30])
    assert [t.spotify_id for t in first] == ids[:30]
    assert upstream(simulator, "/v1/track") == 1
    both = await rb.get_tracks(ids)
    assert [t.spotify_id for t in both] == ids
    assert upstream(simulator, "/v1/track") == 2  # only the 30 new ones were asked for
    assert simulator.counters.snapshot()["ids"]["requested"] == 60


async def test_more_than_40_ids_go_out_in_batches_of_at_most_40(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway(profile="legacy", rate_per_min=60_000, burst=50)  # legacy asks for 100
    found = await rb.get_tracks(list(catalog.track_spotify_ids()[:100]))
    assert len(found) == 100
    assert upstream(simulator, "/v1/track") == 3
    assert simulator.counters.count("/v1/track", 400) == 0


async def test_ids_the_upstream_does_not_know_are_not_asked_again(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway()
    unknown = list(catalog.unknown_spotify_ids()[:5])
    known = list(catalog.track_spotify_ids()[:5])
    assert len(await rb.get_tracks(unknown + known)) == 5
    assert len(await rb.get_tracks(unknown)) == 0
    assert upstream(simulator) == 1
    assert rb.stats().registry_missing == 5
    with pytest.raises(NotFound):
        await rb.get_track(unknown[0])
    assert upstream(simulator) == 1


async def test_concurrent_identical_lookups_share_one_upstream_call(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway(coalesce=False)
    ids = list(catalog.track_spotify_ids()[100:120])
    results = await asyncio.gather(*(rb.get_tracks(ids) for _ in range(10)))
    assert all(len(r) == 20 for r in results)
    assert upstream(simulator, "/v1/track") == 1
    assert rb.stats().dedup_joins > 0


async def test_without_dedup_the_same_lookups_each_cost_a_request(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway(dedup=False, coalesce=False)
    ids = list(catalog.track_spotify_ids()[100:120])
    await asyncio.gather(*(rb.get_tracks(ids) for _ in range(5)))
    assert upstream(simulator, "/v1/track") == 5


async def test_single_lookups_arriving_together_coalesce_into_one_batch(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway(coalesce_window_s=0.05)
    ids = list(catalog.track_spotify_ids()[200:230])
    tracks = await asyncio.gather(*(rb.get_track(i) for i in ids))
    assert [t.spotify_id for t in tracks] == ids
    assert upstream(simulator, "/v1/track") == 1
    stats = rb.stats()
    assert (stats.coalesced_items, stats.batches, stats.batched_ids) == (30, 1, 30)


async def test_recommendations_are_cached_and_their_tracks_too(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway()
    seed = catalog.track_spotify_ids()[7]
    recs = await rb.get_recommendations([seed], size=15, energy=0.8, valence=0.3)
    again = await rb.get_recommendations([seed], size=15, valence=0.3, energy=0.8)
    assert [t.id for t in again] == [t.id for t in recs]
    assert upstream(simulator, "/v1/track/recommendation") == 1
    tracks = await rb.get_tracks([t.spotify_id or t.id for t in recs])
    assert len(tracks) == 15
    assert upstream(simulator, "/v1/track") == 0


async def test_a_429_pauses_and_retries_after_retry_after(
    gateway: Gateway, make_simulator: Any, catalog: Catalog
) -> None:
    strict = await make_simulator(rate_per_min=600, burst=2, retry_after_resolution=0.001)
    rb = gateway(url=strict.url, rate_per_min=6_000, burst=10, coalesce=False, retry_attempts=6)
    ids = list(catalog.track_spotify_ids())
    batches = [ids[i * 40 : (i + 1) * 40] for i in range(6)]
    results = await asyncio.gather(*(rb.get_tracks(b) for b in batches))
    assert [len(r) for r in results] == [40] * 6
    stats = rb.stats()
    assert stats.upstream_429 >= 1
    assert stats.retries >= stats.upstream_429
    assert strict.counters.count("/v1/track", 200) == 6


async def test_breaker_opens_on_a_failure_storm_and_fails_fast(
    gateway: Gateway, make_simulator: Any, catalog: Catalog
) -> None:
    broken = await make_simulator(error_rate=1.0)
    rb = gateway(url=broken.url, retry_attempts=1, coalesce=False)
    ids = list(catalog.track_spotify_ids())
    for i in range(12):
        with pytest.raises(UpstreamUnavailable):
            await rb.get_tracks([ids[i]])
    assert rb.stats().breaker_state == "open"
    sent = broken.counters.total
    with pytest.raises(UpstreamUnavailable) as caught:
        await rb.get_tracks([ids[50]])
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0
    assert broken.counters.total == sent  # failed fast, nothing sent


async def test_stale_data_is_served_when_the_upstream_fails(
    gateway: Gateway, make_simulator: Any, catalog: Catalog
) -> None:
    sim = await make_simulator()
    clock = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=clock)
    settings = Settings(
        reccobeats_url=sim.url, rate_per_min=60_000, burst=50, retry_attempts=1, coalesce=False
    )
    rb = ReccoBeats.from_settings(settings, storage=storage, wall_clock=clock)
    try:
        ids = list(catalog.track_spotify_ids()[:10])
        fresh = await rb.get_tracks(ids)
        clock.advance(settings.ttl_tracks_s * (1 + settings.swr_fraction) + 1)
        sim.state.reconfigure(sim.state.config.with_changes(error_rate=1.0))
        stale = await rb.get_tracks(ids)
        assert [t.id for t in stale] == [t.id for t in fresh]
        assert sim.counters.count("/v1/track", 500) >= 1
    finally:
        await rb.aclose()


async def test_sqlite_l2_keeps_what_was_learned_across_a_restart(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite3"
    ids = list(catalog.track_spotify_ids()[:20]) + list(catalog.unknown_spotify_ids()[:2])
    first = gateway(storage=SQLiteStorage(path))
    assert len(await first.get_tracks(ids)) == 20
    await first.aclose()
    second = gateway(storage=SQLiteStorage(path))
    assert len(await second.get_tracks(ids)) == 20
    assert upstream(simulator) == 1
    assert second.stats().cache_hit_rate == 1.0


async def _until(predicate: Callable[[], bool]) -> None:
    """Wait (at most 5 s) for background work to show its effect."""
    async with asyncio.timeout(5.0):
        while not predicate():  # noqa: ASYNC110 (counters offer no event to wait on)
            await asyncio.sleep(0.01)


async def test_features_of_recommended_tracks_are_prefetched_in_the_background(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway()
    recs = await rb.get_recommendations([catalog.track_spotify_ids()[3]], size=12)
    await _until(lambda: upstream(simulator, "/v1/audio-features") == 1)
    features = await rb.get_audio_features([t.id for t in recs])
    assert len(features) == 12
    assert upstream(simulator, "/v1/audio-features") == 1


async def test_a_prefetch_takes_what_l2_holds_instead_of_fetching_it(
    simulator: SimulatorServer, catalog: Catalog
) -> None:
    l2 = MemoryStorage()  # holds what an earlier run (or another process) fetched
    settings = Settings(reccobeats_url=simulator.url, rate_per_min=60_000, burst=50)
    first = ReccoBeats.from_settings(settings, storage=l2)
    later = ReccoBeats.from_settings(settings, storage=l2)
    try:
        ids = list(catalog.track_ids()[:12])
        await first.get_audio_features(ids[:8])
        assert later._warmer is not None
        later._warmer.prefetch("features", ids)  # 8 in L2, 4 nowhere
        await _until(lambda: all(later._cache.holds_fresh("features", i) for i in ids))
        assert upstream(simulator, "/v1/audio-features") == 2
        assert simulator.counters.snapshot()["ids"]["requested"] == 12
    finally:
        await first.aclose()
        await later.aclose()


async def test_without_prefetch_nothing_is_fetched_ahead(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway(profile="seed", rate_per_min=60_000, burst=50)
    assert rb._warmer is None
    await rb.get_recommendations([catalog.track_spotify_ids()[3]], size=12)
    await asyncio.sleep(0.05)
    assert upstream(simulator, "/v1/audio-features") == 0


async def test_hot_keys_are_refreshed_before_they_expire(
    simulator: SimulatorServer, catalog: Catalog
) -> None:
    clock = ManualClock(1_700_000_000.0)
    settings = Settings(
        reccobeats_url=simulator.url, rate_per_min=60_000, burst=50, warm_interval_s=3600
    )
    rb = ReccoBeats.from_settings(settings, storage=MemoryStorage(clock=clock), wall_clock=clock)
    try:
        ids = list(catalog.track_spotify_ids()[:8])
        for _ in range(3):
            await rb.get_tracks(ids)
        assert upstream(simulator, "/v1/track") == 1
        clock.advance(settings.ttl_tracks_s * 0.9)  # into the last fifth of freshness
        assert rb._warmer is not None
        assert await rb._warmer.refresh_due() == 8
        assert upstream(simulator, "/v1/track") == 2
        clock.advance(settings.ttl_tracks_s * 0.5)  # past the first copy's freshness
        await rb.get_tracks(ids)
        assert upstream(simulator, "/v1/track") == 2  # the refreshed copy answered
    finally:
        await rb.aclose()


async def test_keys_another_process_refreshed_are_taken_from_l2_not_refreshed_again(
    simulator: SimulatorServer, catalog: Catalog
) -> None:
    clock = ManualClock(1_700_000_000.0)
    shared_l2 = MemoryStorage(clock=clock)  # what two processes share through Redis
    settings = Settings(
        reccobeats_url=simulator.url, rate_per_min=60_000, burst=50, warm_interval_s=3600
    )
    one, two = (
        ReccoBeats.from_settings(settings, storage=shared_l2, wall_clock=clock) for _ in range(2)
    )
    try:
        ids = list(catalog.track_spotify_ids()[:8])
        for _ in range(3):
            await one.get_tracks(ids)
            await two.get_tracks(ids)
        assert upstream(simulator, "/v1/track") == 1
        clock.advance(settings.ttl_tracks_s * 0.9)
        assert one._warmer is not None
        assert two._warmer is not None
        assert await one._warmer.refresh_due() == 8
        assert await two._warmer.refresh_due() == 0
        assert upstream(simulator, "/v1/track") == 2
        clock.advance(settings.ttl_tracks_s * 0.5)
        await two.get_tracks(ids)
        assert upstream(simulator, "/v1/track") == 2  # the copy the other one refreshed
    finally:
        await one.aclose()
        await two.aclose()


async def test_lookups_survive_5xx_malformed_bodies_and_dropped_connections(
    gateway: Gateway, make_simulator: Any, catalog: Catalog
) -> None:
    flaky = await make_simulator(error_rate=0.15, malformed_rate=0.1, drop_rate=0.1, seed=3)
    rb = gateway(url=flaky.url, retry_attempts=8, breaker=False, coalesce=False)
    ids = list(catalog.track_spotify_ids()[:400])
    batches = [ids[i : i + 40] for i in range(0, 400, 40)]
    results = await asyncio.gather(*(rb.get_tracks(b) for b in batches))
    assert [len(r) for r in results] == [40] * 10
    faults = flaky.counters.snapshot()["faults"]
    assert faults["error"] + faults["malformed"] + faults["drop"] >= 1
    assert rb.stats().retries >= 1


async def test_a_slow_upstream_times_out_and_the_retry_gets_through(
    gateway: Gateway, make_simulator: Any, catalog: Catalog
) -> None:
    slow = await make_simulator(timeout_rate=1.0, timeout_hold_s=2.0)
    rb = gateway(url=slow.url, read_timeout_s=0.2, retry_attempts=10, breaker=False)
    lookup = asyncio.create_task(rb.get_tracks(list(catalog.track_spotify_ids()[:40])))
    await _until(lambda: slow.counters.snapshot()["faults"]["timeout"] >= 1)
    slow.state.reconfigure(slow.state.config.with_changes(timeout_rate=0.0))
    assert len(await lookup) == 40
    assert rb.stats().retries >= 1


async def test_targets_as_a_mapping_or_keywords_are_one_request(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    rb = gateway()
    seed = catalog.track_spotify_ids()[11]
    first = await rb.get_recommendations([seed], size=5, targets={"energy": 0.2, "tempo": 90.0})
    second = await rb.get_recommendations([seed], size=5, energy=0.2, tempo=90.0)
    assert [t.id for t in first] == [t.id for t in second]
    assert upstream(simulator, "/v1/track/recommendation") == 1
    with pytest.raises(ValueError, match="unknown feature targets \\['happiness'\\]"):
        await rb.get_recommendations([seed], targets={"happiness": 1.0})


async def test_prometheus_metrics_show_every_layer(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog
) -> None:
    from prometheus_client import generate_latest

    rb = gateway()
    ids = list(catalog.track_spotify_ids()[:5]) + list(catalog.unknown_spotify_ids()[:1])
    await rb.get_tracks(ids)
    await rb.get_tracks(ids)
    text = generate_latest(rb.metrics.registry).decode()
    assert 'moodmix_upstream_requests_total{endpoint="/v1/track",status="200"} 1.0' in text
    assert 'moodmix_cache_lookups_total{kind="track",result="fresh",tier="l1"} 5.0' in text
    assert 'moodmix_id_registry_ids{state="validated"} 5.0' in text
    assert 'moodmix_id_registry_ids{state="missing"} 1.0' in text
    assert "moodmix_rate_per_minute 60000.0" in text
    assert 'moodmix_id_registry_lookups_total{answered="yes"} 6.0' in text


@pytest.mark.parametrize("coalesce", [False, True])
async def test_background_work_an_interactive_caller_joins_is_served_as_interactive(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog, coalesce: bool
) -> None:
    rb = gateway(rate_per_min=1_200, burst=1, coalesce=coalesce, max_concurrency=1)
    ids = list(catalog.track_ids())
    done: list[str] = []

    def track(name: str, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        task.add_done_callback(lambda _: done.append(name))
        return task

    # Interactive requests that cannot coalesce: each costs its own request.
    first = [track(f"a{i}", rb.search_artists(f"first {i}")) for i in range(6)]
    await asyncio.sleep(0)
    wanted = ids[100:110]
    assert rb._warmer is not None
    rb._warmer.prefetch("features", wanted)
    await asyncio.sleep(0.01)
    joined = track("features", rb.get_audio_features(wanted))
    later = [track(f"b{i}", rb.search_artists(f"later {i}")) for i in range(6)]
    await asyncio.gather(*first, joined, *later)
    assert upstream(simulator, "/v1/audio-features") == 1  # joined, not fetched twice
    assert done.index("features") < done.index("b5")  # promoted ahead of later requests
