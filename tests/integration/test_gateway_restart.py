"""The adaptive rate survives a restart: a gateway that learnt a rate below the profile's
80/min against the simulator over loopback keeps it in its L2 (a SQLite file, or Redis in
shared mode), and the next gateway on that storage sends its first request at it,
discounted by its age (the gateways' injected wall clock moves on between the two).

The expected rate is a reference controller resumed with the record and age the second
gateway found: how much age discounts is ``AdaptiveRate.resume``'s to say.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from shared_kit import URL, drop_prefix, unique_prefix, until
from structlog.testing import capture_logs

from moodmix.coordination import STATE_KEPT_S
from moodmix.coordination.redis_budget import RedisBudget
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.resilience.adaptive import AdaptiveRate, Tuning
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog
from moodmix.store import RedisStorage, SQLiteStorage, Storage, Stored

MakeSimulator = Callable[..., Awaitable[SimulatorServer]]
START = 80 / 60
"""The adaptive profile's starting rate, per second."""


class Wall:
    """The gateways' wall clock: real time, moved on by hand between two gateways (a Redis
    storage expires keys on the real clock, so it cannot be a ManualClock)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass(frozen=True)
class Sent:
    """The scheduler's rate when a request left, and the controller's ceiling (per second)."""

    rate: float
    ceiling: float | None


class Gateways:
    """Opens gateways on one simulator and wall clock; records the rate each request left at."""

    def __init__(self, simulator: SimulatorServer, wall: Wall, **settings: Any) -> None:
        self.simulator = simulator
        self.wall = wall
        self.settings = {"prefetch": False, **settings}
        self.opened: list[ReccoBeats] = []

    def open(self, storage: Storage, **overrides: Any) -> tuple[ReccoBeats, list[Sent]]:
        """A gateway, and the rate (and ceiling) each of its requests was sent at: read as
        the answer comes, before the scheduler hears it."""
        sent: list[Sent] = []
        settings = Settings(reccobeats_url=self.simulator.url, **{**self.settings, **overrides})

        def answered(endpoint: str, status: int, seconds: float) -> None:
            controller = gateway._scheduler.controller
            ceiling = controller.throttled_rate if controller else None
            sent.append(Sent(gateway._scheduler.stats.rate, ceiling))

        gateway = ReccoBeats.from_settings(
            settings, storage=storage, wall_clock=self.wall, on_response=answered
        )
        self.opened.append(gateway)
        return gateway, sent

    async def aclose(self) -> None:
        for gateway in self.opened:
            await gateway.aclose()


@pytest.fixture
async def strict(make_simulator: MakeSimulator) -> SimulatorServer:
    """A simulator whose limit (60/min, burst 1) is under the profile's 80/min, burst 2."""
    return await make_simulator(rate_per_min=60, burst=1, retry_after_resolution=0.01)


@pytest.fixture
def ids(catalog: Catalog) -> Iterator[str]:
    return iter(catalog.track_spotify_ids())


@pytest.fixture
async def gateways(strict: SimulatorServer) -> AsyncIterator[Gateways]:
    opened = Gateways(strict, Wall())
    yield opened
    await opened.aclose()


async def learn(gateway: ReccoBeats, ids: Iterator[str]) -> AdaptiveRate:
    """Ask for one new track at a time until the upstream said 429 and the rate came down."""
    controller = gateway._scheduler.controller
    assert controller is not None
    while controller.throttles == 0:
        await gateway.get_tracks([next(ids)])
    assert gateway._scheduler.stats.rate < START
    return controller


def resumed_rate(gateway: ReccoBeats) -> float:
    """The rate a fresh controller resumes at from what ``gateway`` found."""
    assert gateway._layers.remembered is not None
    assert gateway._layers.remembered.resumed is not None
    learned, age = gateway._layers.remembered.resumed
    reference = AdaptiveRate(START, tuning=Tuning(hidden_burst=10))
    reference.resume(learned, age_s=age)
    return reference.rate


@pytest.mark.parametrize(("age", "ceiling_kept"), [(1_800.0, True), (6 * 3_600.0, False)])
async def test_a_restarted_gateway_sends_its_first_request_at_the_rate_it_learnt(
    gateways: Gateways, ids: Iterator[str], tmp_path: Path, age: float, ceiling_kept: bool
) -> None:
    path = tmp_path / "l2.sqlite3"
    first, _ = gateways.open(SQLiteStorage(path, clock=gateways.wall))
    learned = (await learn(first, ids)).learned()
    await first.aclose()

    gateways.wall.advance(age)
    second, sent = gateways.open(SQLiteStorage(path, clock=gateways.wall))
    assert second._scheduler.stats.rate == START  # nothing is read before the first request
    await second.get_tracks([next(ids)])
    assert second._layers.remembered is not None
    assert second._layers.remembered.resumed is not None
    found, found_age = second._layers.remembered.resumed
    assert found == learned
    assert age <= found_age < age + 60
    assert sent[0].rate == resumed_rate(second)
    assert sent[0].rate < learned.rate  # discounted for its age, and far from the 80/min default
    assert (sent[0].ceiling is not None) == ceiling_kept  # a 429 hours ago says nothing now


async def test_a_corrupt_record_is_logged_and_the_gateway_starts_from_the_profile(
    gateways: Gateways, ids: Iterator[str], tmp_path: Path
) -> None:
    storage = SQLiteStorage(tmp_path / "l2.sqlite3", clock=gateways.wall)
    key = "adaptive-rate:" + gateways.simulator.url
    await storage.set_many({key: Stored(b"{half a record", gateways.wall() + 3_600)})
    gateway, sent = gateways.open(storage)
    with capture_logs() as logs:
        assert len(await gateway.get_tracks([next(ids)])) == 1
    assert [s.rate for s in sent] == [START]
    assert [e["log_level"] for e in logs if e["event"] == "learned_rate_unreadable"] == ["warning"]
    controller = await learn(gateway, ids)
    learned = controller.learned()
    await gateway.aclose()  # overwritten with what it learnt
    second, _ = gateways.open(SQLiteStorage(tmp_path / "l2.sqlite3", clock=gateways.wall))
    assert second._layers.remembered is not None
    await second._layers.remembered.ready()
    assert second._layers.remembered.resumed is not None
    assert second._layers.remembered.resumed[0] == learned


@pytest.mark.parametrize("settings", [{"rate_mode": "fixed"}, {"remember_rate": False}])
async def test_without_an_adaptive_rate_to_remember_nothing_is_stored(
    gateways: Gateways, ids: Iterator[str], tmp_path: Path, settings: dict[str, Any]
) -> None:
    storage = SQLiteStorage(tmp_path / "l2.sqlite3", clock=gateways.wall)
    gateway, _ = gateways.open(storage, **settings)
    assert gateway._layers.remembered is None
    while gateway.stats().upstream_429 == 0:  # an adaptive rate would have learnt from it
        await gateway.get_tracks([next(ids)])
    await gateway.aclose()
    again = SQLiteStorage(tmp_path / "l2.sqlite3", clock=gateways.wall)
    assert await again.get_many(["adaptive-rate:" + gateways.simulator.url]) == {}
    await again.close()


# --- shared mode: the record is in Redis ------------------------------------------------------


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    prefix = unique_prefix()
    yield prefix
    await drop_prefix(prefix)


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(URL)
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_a_deployment_restarted_after_its_processes_stopped_resumes_from_redis(
    gateways: Gateways, ids: Iterator[str], prefix: str, redis: aioredis.Redis
) -> None:
    def storage() -> RedisStorage:
        return RedisStorage(URL, prefix=prefix, clock=gateways.wall)

    shared = {"redis_url": URL, "redis_prefix": prefix}
    first, _ = gateways.open(storage(), **shared)
    learned = (await learn(first, ids)).learned()
    await first.aclose()
    assert await redis.exists(prefix + "adaptive-rate:" + gateways.simulator.url)
    # The budget keeps the live state only a little while after the last process beat ...
    assert 0 < await redis.pttl(prefix + "limit:state") <= STATE_KEPT_S * 1000
    await redis.delete(prefix + "limit:state")  # ... and that while has passed

    gateways.wall.advance(3_600.0)
    second, sent = gateways.open(storage(), **shared)
    await second.get_tracks([next(ids)])
    assert second._layers.remembered is not None
    assert second._layers.remembered.resumed is not None
    assert second._layers.remembered.resumed[0] == learned
    assert sent[0].rate == resumed_rate(second)


@pytest.mark.redis
async def test_a_process_joining_a_live_deployment_takes_its_shared_state(
    gateways: Gateways, ids: Iterator[str], prefix: str, redis: aioredis.Redis
) -> None:
    def storage() -> RedisStorage:
        return RedisStorage(URL, prefix=prefix, clock=gateways.wall)

    shared = {"redis_url": URL, "redis_prefix": prefix}
    running, _ = gateways.open(storage(), **shared)
    await learn(running, ids)
    await running.aclose()  # its record is saved
    await redis.delete(prefix + "limit:state")  # the deployment stopped a while ago
    running, _ = gateways.open(storage(), **shared)  # it restarts; then another process joins
    await running.get_tracks([next(ids)])
    assert running._layers.remembered is not None
    assert running._layers.remembered.resumed is not None
    joining, _ = gateways.open(storage(), **shared)
    await joining.get_tracks([next(ids)])
    assert joining._layers.remembered is not None
    assert joining._layers.remembered.resumed is None  # the live state wins over the record
    await until(lambda: joining._scheduler.stats.rate == running._scheduler.stats.rate)


@pytest.mark.redis
async def test_the_shared_state_lives_while_processes_beat(
    prefix: str, redis: aioredis.Redis
) -> None:
    budget = RedisBudget(redis, prefix=prefix)
    state = prefix + "limit:state"
    await budget.publish({"rate": 1.0})
    assert 0 < await redis.pttl(state) <= STATE_KEPT_S * 1000
    await redis.pexpire(state, 5_000)  # most of its time has passed
    await budget.beat("one", 3.0)  # a process still beating keeps it
    assert 5_000 < await redis.pttl(state) <= STATE_KEPT_S * 1000
