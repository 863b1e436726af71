"""The simulator's per-client rate limit over loopback: 429, Retry-After, blocks, reset."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from moodmix.clock import ManualClock
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

MakeSimulator = Callable[..., Awaitable[SimulatorServer]]


@pytest.fixture
def track_path(catalog: Catalog) -> str:
    return f"/v1/track/{catalog.track_ids()[0]}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def statuses(http: httpx.AsyncClient, path: str, n: int) -> list[int]:
    return [(await http.get(path)).status_code for _ in range(n)]


async def test_burst_then_429_with_whole_seconds(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=3, clock=clock)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        assert await statuses(http, track_path, 3) == [200, 200, 200]
        refused = await http.get(track_path)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["status"] == 429
        clock.advance(1.0)
        assert await statuses(http, track_path, 2) == [200, 429]
    assert sim.counters.rate_limited == 2
    assert sim.counters.count("/v1/track/{id}", 429) == 2
    assert sim.counters.count("/v1/track/{id}", 200) == 4


async def test_retry_after_can_be_fractional(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(rate_per_min=90, burst=1, retry_after_resolution=0.001, clock=clock)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        await http.get(track_path)
        refused = await http.get(track_path)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "0.667"


async def test_each_client_address_has_its_own_bucket(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=1, clock=clock)
    other = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with (
        httpx.AsyncClient(base_url=sim.url) as first,
        httpx.AsyncClient(base_url=sim.url, transport=other) as second,
    ):
        assert await statuses(first, track_path, 2) == [200, 429]
        assert await statuses(second, track_path, 2) == [200, 429]


async def test_ignoring_retry_after_gets_a_penalty_block(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=1, penalty_after=2, penalty_s=60, clock=clock)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        assert await statuses(http, track_path, 4) == [200, 429, 429, 429]
        blocked = await http.get(track_path)
        assert blocked.status_code == 429
        assert blocked.headers["Retry-After"] == "60"
        assert "blocked" in blocked.json()["message"]
        clock.advance(20.5)
        still = await http.get(track_path)
        assert still.headers["Retry-After"] == "40"
        clock.advance(40)
        assert (await http.get(track_path)).status_code == 200
    assert sim.counters.penalty_blocks == 1
    assert sim.counters.rate_limited == 5


async def test_reset_refills_buckets_and_zeroes_counters(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=1, clock=clock)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        assert await statuses(http, track_path, 2) == [200, 429]
        assert (await http.post("/_admin/reset")).json() == {"reset": True}
        assert sim.counters.total == 0
        assert sim.counters.rate_limited == 0
        assert await statuses(http, track_path, 2) == [200, 429]


async def test_admin_paths_are_not_limited(
    make_simulator: MakeSimulator, clock: ManualClock, track_path: str
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=1, clock=clock)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        await statuses(http, track_path, 2)
        admin = [
            (await http.get(path)).status_code
            for path in ["/_admin/healthz", "/_admin/stats", "/_admin/config"] * 5
        ]
    assert set(admin) == {200}
    assert sim.counters.total == 2


async def test_bad_requests_and_unknown_paths_use_tokens_too(
    make_simulator: MakeSimulator, clock: ManualClock
) -> None:
    sim = await make_simulator(rate_per_min=60, burst=2, clock=clock)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        assert await statuses(http, "/v1/track?ids=", 1) == [400]
        assert await statuses(http, "/v1/nowhere", 2) == [404, 429]
