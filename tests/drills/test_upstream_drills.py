"""Upstream drills: the simulator's fault injection against the real service over loopback.

Each drill warms some tracks, lets them go stale (past their freshness and the
stale-while-revalidate window, so only stale-if-error may serve them), breaks the upstream
through the simulator's admin path, then asks for the stale tracks and for tracks never seen.
What must hold: stale ones are served (200), new ones get a clear 503 with ``Retry-After``
and a reason, nothing answers 500, and once the upstream heals the same requests succeed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from drillkit import DrillService, Figures, Tally, set_faults

from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

STALE_SOON: dict[str, Any] = {"ttl_tracks_s": 0.5, "swr_fraction": 0.0, "stale_if_error_s": 3600}
"""Tracks are fresh for half a second, then servable only when the upstream fails."""


async def get_each(http: httpx.AsyncClient, ids: list[str], tally: Tally) -> list[httpx.Response]:
    """``GET /v1/tracks/{id}`` for every id at once, each answer tallied."""
    answers = await asyncio.gather(*(http.get(f"/v1/tracks/{id}") for id in ids))
    return [tally.add(answer) for answer in answers]


async def warm_then_stale(http: httpx.AsyncClient, ids: list[str]) -> None:
    warm = Tally()
    await get_each(http, ids, warm)
    assert warm.failed == 0
    await asyncio.sleep(0.7)  # past the 0.5 s freshness: only stale-if-error serves them now


async def until_served(http: httpx.AsyncClient, id: str, *, limit_s: float = 30) -> None:
    """Once the upstream heals, the service answers again (after the breaker's cool-down)."""
    async with asyncio.timeout(limit_s):
        while True:
            if (await http.get(f"/v1/tracks/{id}")).status_code == 200:
                return
            await asyncio.sleep(0.2)


async def stale_and_new(
    running: Any, catalog: Catalog, sim: SimulatorServer, fault: dict[str, Any], *, n: int = 8
) -> tuple[Tally, Tally]:
    """Warm ``n`` tracks, let them go stale, break the upstream with ``fault``, ask for the
    stale ones and ``n`` new ones: ``(stale tally, new tally)``."""
    ids = list(catalog.track_spotify_ids())
    stale_ids, new_ids = ids[:n], ids[n : 2 * n]
    await warm_then_stale(running.http, stale_ids)
    await set_faults(sim, **fault)
    stale, new = Tally(), Tally()
    await get_each(running.http, stale_ids, stale)
    await get_each(running.http, new_ids, new)
    return stale, new


async def test_5xx_burst_serves_stale_data_and_a_clear_503_then_recovers(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service(**STALE_SOON)
    stale, new = await stale_and_new(running, catalog, simulator, {"error_rate": 1.0})
    assert stale.failed == 0
    assert new.failed == new.total
    assert set(new.codes) == {"upstream_unavailable"}
    assert all(wait >= 1 for wait in new.retry_after)
    await set_faults(simulator, error_rate=0.0)
    await until_served(running.http, catalog.track_spotify_ids()[20])
    figures.record(
        "5xx burst (every request 500)",
        failed=stale.failed + new.failed,
        could_fail=stale.total + new.total,
        outcome="stale tracks served from cache; never-seen tracks 503 upstream_unavailable "
        "with Retry-After; served again once the breaker's cool-down passed",
    )


async def test_timeouts_serve_stale_data_and_a_clear_503(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service(**STALE_SOON, read_timeout_s=0.3)
    stale, new = await stale_and_new(
        running, catalog, simulator, {"timeout_rate": 1.0, "timeout_hold_s": 30}, n=4
    )
    assert stale.failed == 0
    assert new.failed == new.total
    assert set(new.codes) <= {"upstream_timeout", "upstream_unavailable"}
    await set_faults(simulator, timeout_rate=0.0)
    await until_served(running.http, catalog.track_spotify_ids()[20])
    figures.record(
        "timeouts (every request held 30 s; read timeout 0.3 s)",
        failed=stale.failed + new.failed,
        could_fail=stale.total + new.total,
        outcome="stale served; never-seen tracks 503 upstream_timeout (or upstream_unavailable "
        "once the breaker opened) with Retry-After; recovered",
    )


async def test_slow_responses_p99_of_10s_scaled_mostly_succeed(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    # A p99 of 10 s against a 10 s read timeout, scaled down 10x: p99 1 s, timeout 1 s.
    running = await drill_service(read_timeout_s=1.0, coalesce=False)
    await set_faults(simulator, latency_ms=50, latency_p99_ms=1000)
    tally = Tally()
    ids = list(catalog.track_spotify_ids()[:40])
    for start in range(0, len(ids), 10):
        await get_each(running.http, ids[start : start + 10], tally)
    assert tally.failed <= tally.total // 2
    assert set(tally.codes) <= {"upstream_timeout", "upstream_unavailable"}
    figures.record(
        "slow upstream (lognormal, median 50 ms, p99 1 s; read timeout 1 s: 10 s/10 s scaled)",
        failed=tally.failed,
        could_fail=tally.total,
        outcome="slow answers waited for; the few past the timeout retried (a fresh draw)",
    )


async def test_dropped_connections_are_retried(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service(coalesce=False)
    await set_faults(simulator, drop_rate=0.1)
    tally = Tally()
    ids = list(catalog.track_spotify_ids()[:40])
    for start in range(0, len(ids), 10):
        await get_each(running.http, ids[start : start + 10], tally)
    assert tally.failed <= tally.total // 4
    assert set(tally.codes) <= {"upstream_unavailable"}
    dropped = simulator.counters.faults["drop"]
    assert dropped > 0
    figures.record(
        f"dropped connections (10% of requests; {dropped} dropped)",
        failed=tally.failed,
        could_fail=tally.total,
        outcome="each drop retried on a new connection; a request dropped three times is "
        "a 503 upstream_unavailable with Retry-After",
    )


async def test_malformed_and_truncated_json_is_never_served(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service(**STALE_SOON)
    stale, new = await stale_and_new(running, catalog, simulator, {"malformed_rate": 1.0})
    assert stale.failed == 0
    assert new.failed == new.total
    assert set(new.codes) <= {"upstream_malformed", "upstream_unavailable"}
    for answer in new.codes:
        assert answer != "internal_error"
    figures.record(
        "malformed bodies (every 200 truncated or with wrong types)",
        failed=stale.failed + new.failed,
        could_fail=stale.total + new.total,
        outcome="nothing malformed reaches a user or the cache; stale served; never-seen "
        "tracks 503 upstream_malformed with Retry-After",
    )


async def test_some_malformed_bodies_are_retried_away(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service(coalesce=False)
    await set_faults(simulator, malformed_rate=0.1)
    tally = Tally()
    ids = list(catalog.track_spotify_ids()[:40])
    for start in range(0, len(ids), 10):
        answers = await get_each(running.http, ids[start : start + 10], tally)
        for id, answer in zip(ids[start : start + 10], answers, strict=True):
            if answer.status_code == 200:
                body = answer.json()
                assert isinstance(body["durationMs"], int), body
                assert body["href"].endswith(id)
    assert tally.failed <= tally.total // 4
    figures.record(
        "malformed bodies (10%)",
        failed=tally.failed,
        could_fail=tally.total,
        outcome="a malformed answer is retried like a 5xx; what is served is always well-typed",
    )


async def test_batches_with_missing_items_report_them_missing_not_broken(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service()
    await set_faults(simulator, partial_rate=1.0)
    ids = list(catalog.track_spotify_ids()[:10])
    r = await running.http.get("/v1/tracks", params={"ids": ",".join(ids)})
    assert r.status_code == 200, r.text
    body = r.json()
    returned = [t["href"].rsplit("/", 1)[1] for t in body["tracks"]]
    assert returned + body["missing"] != []
    assert sorted(returned + body["missing"]) == sorted(ids)
    assert returned == [id for id in ids if id in returned]  # in the order asked
    assert body["missing"]
    figures.record(
        "batch answers with items left out (every batch)",
        failed=len(body["missing"]),
        could_fail=len(ids),
        outcome="the answer lists the left-out tracks under 'missing' (as ReccoBeats does "
        "for unknown ids); the rest is served in order",
    )


async def test_batches_with_extra_items_answer_exactly_what_was_asked(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service()
    await set_faults(simulator, extra_rate=1.0)
    ids = list(catalog.track_spotify_ids()[:10])
    r = await running.http.get("/v1/tracks", params={"ids": ",".join(ids)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["href"].rsplit("/", 1)[1] for t in body["tracks"]] == ids
    assert body["missing"] == []
    assert simulator.counters.faults["extra"] == 1
    again = await running.http.get("/v1/tracks", params={"ids": ",".join(ids)})
    assert [t["id"] for t in again.json()["tracks"]] == [t["id"] for t in body["tracks"]]
    figures.record(
        "batch answers with extra items (duplicates, unasked ids)",
        failed=0,
        could_fail=len(ids),
        outcome="exactly the asked tracks, in order, once each; extras never answered",
    )


async def test_a_429_storm_with_retry_after_60_gets_an_honest_503_at_once(
    drill_service: DrillService, simulator: SimulatorServer, catalog: Catalog, figures: Figures
) -> None:
    running = await drill_service(**STALE_SOON, rate_mode="adaptive")
    stale, new = await stale_and_new(
        running, catalog, simulator, {"throttle_rate": 1.0, "throttle_retry_after_s": 60}
    )
    assert stale.failed == 0
    assert new.failed == new.total
    assert set(new.codes) == {"upstream_rate_limited"}
    # The honest wait: what ReccoBeats asked for (less the little that already passed).
    assert all(50 <= wait <= 61 for wait in new.retry_after), new.retry_after
    upstream_429s = simulator.counters.faults["throttle"]
    assert upstream_429s <= 2  # the lane paused on the first 429: nobody else was sent
    status = (await running.http.get("/system/status")).json()
    assert status["upstream"]["expected_wait_s"] >= 50, status
    figures.record(
        "429 storm, Retry-After 60 s",
        failed=stale.failed + new.failed,
        could_fail=stale.total + new.total,
        outcome=f"stale served; never-seen tracks 503 upstream_rate_limited with Retry-After "
        f"~60 at once (not after 60 s); {upstream_429s} request(s) reached ReccoBeats while "
        "paused",
    )


@pytest.mark.parametrize("storm_ends", [True, False])
async def test_a_playlist_job_in_a_429_storm_finishes_or_fails_with_the_reason(
    drill_service: DrillService, simulator: SimulatorServer, figures: Figures, storm_ends: bool
) -> None:
    running = await drill_service(rate_mode="adaptive")
    await set_faults(simulator, throttle_rate=1.0, throttle_retry_after_s=1)
    r = await running.http.post("/v1/playlists", json={"prompt": "rainy sunday acoustic"})
    assert r.status_code == 202, r.text
    id = r.json()["id"]
    async with asyncio.timeout(30):
        while True:
            if simulator.counters.faults["throttle"] > 0:
                break
            await asyncio.sleep(0.02)
    if storm_ends:
        await set_faults(simulator, throttle_rate=0.0)
    final = await running.until(id, lambda p: p["status"] in ("done", "failed"), limit_s=60)
    if storm_ends:
        assert final["status"] == "done", final
        outcome = "the job waited out the Retry-After (its lane paused) and finished"
    else:
        assert final["status"] == "failed", final
        error = final["error"]
        assert error["kind"] == "upstream_rate_limited", error
        assert error["retry_after"] >= 1, error
        assert "slow down" in error["message"]
        outcome = (
            f"after its retries the job is failed with the reason: '{error['message']}' "
            f"at stage '{error['stage']}'"
        )
    figures.record(
        "429 storm (Retry-After 1 s) during a playlist job, "
        + ("ending after the first 429" if storm_ends else "not ending"),
        failed=int(final["status"] == "failed"),
        could_fail=1,
        outcome=outcome,
    )


@pytest.mark.parametrize("already_blocked", [False, True])
async def test_penalty_block(
    drill_service: DrillService,
    make_simulator: Any,
    catalog: Catalog,
    figures: Figures,
    already_blocked: bool,
) -> None:
    sim = await make_simulator(
        rate_per_min=60, burst=3, penalty_after=2, penalty_s=60, retry_after_resolution=1
    )
    running = await drill_service(upstream=sim, rate_mode="fixed", rate_per_min=600, burst=5)
    if already_blocked:
        # Another program on this address ignores Retry-After and gets the address blocked.
        async with httpx.AsyncClient(base_url=sim.url) as rude:
            for id in catalog.track_ids()[:8]:
                await rude.get(f"/v1/track/{id}")
        assert sim.counters.penalty_blocks == 1
    tally = Tally()
    ids = list(catalog.track_spotify_ids()[:12])
    await get_each(running.http, ids, tally)
    assert set(tally.codes) <= {"upstream_rate_limited"}
    if already_blocked:
        assert tally.failed == tally.total
        assert all(wait >= 50 for wait in tally.retry_after), tally.retry_after
        assert sim.counters.penalty_blocks == 1  # the service never made it longer
    else:
        assert sim.counters.penalty_blocks == 0  # the service honoured every Retry-After
    figures.record(
        "penalty block " + ("imposed by another client" if already_blocked else "risked"),
        failed=tally.failed,
        could_fail=tally.total,
        outcome=(
            "503 upstream_rate_limited with Retry-After ~60 s; the block was not extended"
            if already_blocked
            else "the service's 429s paused its lane, so it never drew a penalty block; "
            "what did not fit in the rate is a 503 with Retry-After"
        ),
    )
