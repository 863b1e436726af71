"""Cross-process batch packing: a process's batch call carries keys another process offered,
taking over their locks; the other process finds them carried and reads their values."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence

import pytest
import redis.asyncio as aioredis
from shared_kit import key_prefix, redis_client

from moodmix.coordination import LockState, Traded
from moodmix.coordination.redis_locks import RedisLocks
from moodmix.resilience.handover import Handover
from moodmix.resilience.sharedflight import LockKeeper, SharedFlight

pytestmark = pytest.mark.redis

prefix = pytest.fixture(key_prefix, name="prefix")
client = pytest.fixture(redis_client, name="client")

TTL = 10.0


async def held_by(locks: RedisLocks, *keys: str) -> None:
    assert await locks.acquire(list(keys), TTL) == set(keys)


async def test_a_trade_keeps_its_own_keys_and_claims_others_oldest_first(
    client: aioredis.Redis, prefix: str
) -> None:
    a, b = RedisLocks(client, prefix=prefix), RedisLocks(client, prefix=prefix)
    await held_by(a, "k:a1", "k:a2")
    await a.offer("k:", ["k:a1", "k:a2"])
    await held_by(a, "k:a3")
    await a.offer("k:", ["k:a3"])
    await held_by(b, "k:b1", "k:b2")
    await b.offer("k:", ["k:b1", "k:b2"])

    traded = await b.trade("k:", ["k:b1"], room=3, ttl=TTL)
    assert traded == Traded(kept=["k:b1"], claimed=["k:a1", "k:a2"])
    # b2 is still b's and still offered; a1 and a2 are b's to fetch now.
    traded = await a.trade("k:", ["k:a1", "k:a2", "k:a3"], room=40, ttl=TTL)
    assert traded == Traded(kept=["k:a3"], claimed=["k:b2"])
    assert await b.trade("k:", [], room=40, ttl=TTL) == Traded(kept=[], claimed=[])
    await b.release({"k:a1": "A1", "k:a2": None}, done_ttl=5.0)
    assert await a.states(["k:a1", "k:a2", "k:b2"]) == {
        "k:a1": LockState("done", "A1"),
        "k:a2": LockState("done"),
        "k:b2": LockState("held"),
    }


async def test_keys_not_held_are_not_offered_and_finished_ones_are_not_claimed(
    client: aioredis.Redis, prefix: str
) -> None:
    a, b, c = (RedisLocks(client, prefix=prefix) for _ in range(3))
    await held_by(b, "k:x", "k:y")
    await a.offer("k:", ["k:x"])  # b's lock, not a's: nothing offered
    await b.offer("k:", ["k:y"])
    await b.release({"k:y": "Y"}, done_ttl=5.0)  # b fetched y itself meanwhile
    assert await c.trade("k:", [], room=40, ttl=TTL) == Traded(kept=[], claimed=[])
    assert await c.states(["k:x", "k:y"]) == {
        "k:x": LockState("held"),
        "k:y": LockState("done", "Y"),
    }


class Side:
    """One process's locks, handover and shared flight; ``cache`` is the shared one."""

    def __init__(self, client: aioredis.Redis, prefix: str, cache: dict[str, str]) -> None:
        self.locks = RedisLocks(client, prefix=prefix)
        self.handover: Handover[str] = Handover(self.locks, "k:", ref=lambda key, value: value)
        self.flight: SharedFlight[str] = SharedFlight(self.locks, "k:", ref=lambda k, v: v)
        self.cache = cache
        self.asked: list[str] = []

    async def fetch(self, keys: list[str]) -> Mapping[str, str]:
        self.asked += keys
        found = {key: key.upper() for key in keys}
        self.cache.update({value: value for value in found.values()})
        return found

    async def read(self, refs: list[str]) -> Mapping[str, str]:
        return {ref: self.cache[ref] for ref in refs if ref in self.cache}


async def test_keys_another_call_carried_are_read_not_fetched(
    client: aioredis.Redis, prefix: str
) -> None:
    cache: dict[str, str] = {}
    one, two = Side(client, prefix, cache), Side(client, prefix, cache)
    await one.locks.acquire(["k:a", "k:b"], TTL)
    await one.handover.offer(["a", "b"])
    await two.locks.acquire(["k:c"], TTL)

    carrier = await two.handover.trade(["c"], room=40)
    assert (carrier.kept, carrier.claimed, carrier.send) == (["c"], ["a", "b"], ["c", "a", "b"])
    await two.handover.settle(carrier, await two.fetch(carrier.send))

    mine = await one.handover.trade(["a", "b"], room=40)
    assert (mine.send, mine.lost) == ([], ["a", "b"])
    assert await one.flight.wait(mine.lost, one.fetch, one.read) == {"a": "A", "b": "B"}
    assert (one.asked, two.asked) == ([], ["c", "a", "b"])
    assert (one.handover.lost, two.handover.claimed) == (2, 2)


async def test_keys_a_failed_call_claimed_go_back_to_their_process(
    client: aioredis.Redis, prefix: str
) -> None:
    cache: dict[str, str] = {}
    one, two = Side(client, prefix, cache), Side(client, prefix, cache)
    await one.locks.acquire(["k:a"], TTL)
    await one.handover.offer(["a"])
    carrier = await two.handover.trade([], room=40)
    assert carrier.claimed == ["a"]
    await two.handover.settle(carrier, None)  # its request failed

    mine = await one.handover.trade(["a"], room=40)
    assert mine.lost == ["a"]
    assert await one.flight.wait(mine.lost, one.fetch, one.read) == {"a": "A"}
    assert (one.asked, one.flight.takeovers) == (["a"], 1)


async def test_a_claimer_keeps_the_locks_it_took_alive_until_it_settles(
    client: aioredis.Redis, prefix: str
) -> None:
    ttl = 0.3
    one = RedisLocks(client, prefix=prefix)
    two: Handover[str] = Handover(
        RedisLocks(client, prefix=prefix), "k:", ref=lambda key, value: value, ttl=ttl
    )
    await one.acquire(["k:a"], ttl)
    await one.offer("k:", ["k:a"])
    carrier = await two.trade([], room=40)
    await asyncio.sleep(ttl * 3)  # a slow request: the lock outlives its ttl
    assert await one.states(["k:a"]) == {"k:a": LockState("held")}
    await two.settle(carrier, {"a": "A"})
    assert await one.states(["k:a"]) == {"k:a": LockState("done", "A")}


async def test_without_redis_a_call_keeps_its_own_keys() -> None:
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        handover: Handover[str] = Handover(RedisLocks(client), "k:", ref=lambda k, v: v)
        await handover.offer(["a"])
        trade = await handover.trade(["a", "b"], room=40)
    finally:
        await client.aclose()
    assert (trade.send, trade.claimed, trade.lost) == (["a", "b"], [], [])


class SwallowingLocks(RedisLocks):
    """Locks whose renewal swallows one cancellation (as redis-py has, issue #2551)."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        super().__init__(client, prefix=prefix)
        self.extending = asyncio.Event()
        self.extended = 0

    async def extend(self, keys: Sequence[str], ttl: float) -> None:
        self.extending.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.2)
        self.extended += 1
        await super().extend(keys, ttl)


async def test_a_stopped_keeper_stops_renewing_even_if_its_cancellation_was_swallowed(
    client: aioredis.Redis, prefix: str
) -> None:
    locks = SwallowingLocks(client, prefix)
    await held_by(locks, "k:a")
    keeper = LockKeeper(locks, ["k:a"], ttl=0.03)
    await asyncio.wait_for(locks.extending.wait(), timeout=5)
    keeper.stop()  # lands mid-renewal, and is swallowed
    await asyncio.sleep(0.5)
    renewed = locks.extended
    await asyncio.sleep(0.5)
    assert locks.extended == renewed == 1
