from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from moodmix.clock import ManualClock
from moodmix.store import (
    CachePolicy,
    IdRegistry,
    RedisStorage,
    State,
    Storage,
    StorageUnavailable,
    Stored,
    TieredCache,
)

pytestmark = pytest.mark.redis

URL = "redis://127.0.0.1:6379/15"
REFUSED_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def prefix() -> str:
    return f"moodmix-test:{uuid.uuid4().hex}:"


@pytest.fixture
async def raw(prefix: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(URL)
    yield client
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.unlink(*keys)
    await client.aclose()


@pytest.fixture
async def storage(prefix: str, raw: aioredis.Redis) -> AsyncIterator[RedisStorage]:
    store = RedisStorage(URL, prefix=prefix)
    yield store
    await store.close()


async def test_round_trip(storage: RedisStorage) -> None:
    assert isinstance(storage, Storage)
    expires_at = time.time() + 60
    await storage.set_many({"a": Stored(b"\x00one\xff", expires_at), "b": Stored(b"", expires_at)})
    found = await storage.get_many(["a", "b", "missing"])
    assert found == {"a": Stored(b"\x00one\xff", expires_at), "b": Stored(b"", expires_at)}


async def test_each_key_carries_its_own_expiry(
    storage: RedisStorage, raw: aioredis.Redis, prefix: str
) -> None:
    now = time.time()
    await storage.set_many({"short": Stored(b"x", now + 30), "long": Stored(b"y", now + 7200)})
    short_ms = await raw.pttl(prefix + "short")
    long_ms = await raw.pttl(prefix + "long")
    assert 0 < short_ms <= 30_000
    assert 30_000 < long_ms <= 7_200_000
    expire_at_ms = await raw.pexpiretime(prefix + "long")
    assert expire_at_ms == int((now + 7200) * 1000)


async def test_an_entry_already_past_its_expiry_is_not_kept(
    storage: RedisStorage, raw: aioredis.Redis, prefix: str
) -> None:
    await storage.set_many({"gone": Stored(b"x", time.time() - 1)})
    assert await raw.exists(prefix + "gone") == 0
    assert await storage.get_many(["gone"]) == {}


async def test_expiry_by_the_client_clock_is_honoured_on_read(prefix: str) -> None:
    clock = ManualClock(time.time())
    storage = RedisStorage(URL, prefix=prefix, clock=clock)
    try:
        await storage.set_many({"k": Stored(b"v", clock() + 60)})
        clock.advance(60)  # the server still holds it; the entry is past its expiry anyway
        assert await storage.get_many(["k"]) == {}
    finally:
        await storage.clear()
        await storage.close()


async def test_batches_span_several_pipelined_mgets_in_order(storage: RedisStorage) -> None:
    expires_at = time.time() + 60
    items = {f"track:{i:05d}": Stored(str(i).encode(), expires_at) for i in range(2_500)}
    await storage.set_many(items)
    keys = [*reversed(items), "track:absent", "track:00001"]
    found = await storage.get_many(keys)
    assert found == items
    await storage.delete_many(list(items)[:1_500])
    assert len(await storage.get_many(items)) == 1_000


async def test_prefix_clear_walks_scan_and_escapes_glob_characters(
    storage: RedisStorage, raw: aioredis.Redis, prefix: str
) -> None:
    expires_at = time.time() + 60
    keys = ["cache:track:1", "cache:track:2", "cache:trackx:1", "ids:s:1", "odd*[x]?:1"]
    await storage.set_many({key: Stored(b"x", expires_at) for key in keys})
    await raw.set("elsewhere:" + prefix, b"untouched")  # outside this storage's prefix
    try:
        assert await storage.clear("cache:track:") == 2
        assert await storage.clear("odd*[x]?") == 1
        assert await storage.clear("odd") == 0
        assert sorted(await storage.get_many(keys)) == ["cache:trackx:1", "ids:s:1"]
        assert await storage.clear() == 2
        assert await raw.get("elsewhere:" + prefix) == b"untouched"
    finally:
        await raw.delete("elsewhere:" + prefix)


async def test_the_connection_pool_is_bounded(prefix: str) -> None:
    default = RedisStorage(URL, prefix=prefix)
    small = RedisStorage(URL, prefix=prefix, max_connections=3)
    try:
        assert default.client.connection_pool.max_connections == 50
        assert small.client.connection_pool.max_connections == 3
    finally:
        await default.close()
        await small.close()


async def test_refused_connection_raises_storage_unavailable() -> None:
    storage = RedisStorage(REFUSED_URL, prefix="x:")
    try:
        with pytest.raises(StorageUnavailable, match="cannot read from Redis") as info:
            await storage.get_many(["k"])
        assert info.value.backend == "redis"
        with pytest.raises(StorageUnavailable):
            await storage.set_many({"k": Stored(b"v", time.time() + 60)})
        with pytest.raises(StorageUnavailable):
            await storage.delete_many(["k"])
        with pytest.raises(StorageUnavailable):
            await storage.clear()
    finally:
        await storage.close()


async def test_password_is_not_shown_in_errors() -> None:
    storage = RedisStorage("redis://user:s3cret@127.0.0.1:1/0")
    try:
        with pytest.raises(StorageUnavailable) as info:
            await storage.get_many(["k"])
        assert "s3cret" not in str(info.value)
    finally:
        await storage.close()


async def test_tiered_cache_keeps_serving_from_l1_when_redis_is_refused() -> None:
    clock = ManualClock(time.time())
    cache = TieredCache(100, RedisStorage(REFUSED_URL), {"track": CachePolicy(ttl=60)}, clock=clock)
    try:
        await cache.put("track", "a", {"id": "a"})
        hit = await cache.get("track", "a")
        assert (hit.state, hit.tier, hit.value) == (State.FRESH, "l1", {"id": "a"})
        assert (await cache.get("track", "b")).state is State.MISS
        found = await cache.get_many("track", ["a", "b"])
        assert [found["a"].state, found["b"].state] == [State.FRESH, State.MISS]
        stats = cache.stats()
        assert stats.l2_errors == 1
        assert stats.l2_available is False
        clock.advance(5)
        assert (await cache.get("track", "b")).state is State.MISS
        assert cache.stats().l2_errors == 2  # retried after the delay, still down
    finally:
        await cache.close()


async def test_tiered_cache_and_registry_over_redis(prefix: str, storage: RedisStorage) -> None:
    clock = ManualClock(time.time())
    policies = {"track": CachePolicy(ttl=60, stale_while_revalidate=30)}
    writer = TieredCache(10, storage, policies, clock=clock)
    await writer.put_many("track", {"a": {"id": "a"}, "b": [1, 2]})
    reader = TieredCache(10, storage, policies, clock=clock)
    found = await reader.get_many("track", ["a", "b", "c"])
    assert {k: (v.state, v.tier) for k, v in found.items()} == {
        "a": (State.FRESH, "l2"),
        "b": (State.FRESH, "l2"),
        "c": (State.MISS, None),
    }
    clock.advance(70)
    assert (await TieredCache(10, storage, policies, clock=clock).get("track", "a")).stale

    registry = IdRegistry(storage, clock=clock)
    await registry.learn("00aqkszH1FdUiJJWvX6iEl", "rb-1")
    await registry.mark_missing(["7ouMYWpwJ422jRcDASZB7P"])
    other = IdRegistry(storage, clock=clock)
    resolved = await other.resolve_many(["00aqkszH1FdUiJJWvX6iEl", "7ouMYWpwJ422jRcDASZB7P"])
    assert resolved.known == {"00aqkszH1FdUiJJWvX6iEl": "rb-1"}
    assert resolved.missing == ["7ouMYWpwJ422jRcDASZB7P"]


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="url must start with redis://"):
        RedisStorage("http://127.0.0.1:6379")
    with pytest.raises(ValueError, match="max_connections must be an integer >= 1"):
        RedisStorage(URL, max_connections=0)
    with pytest.raises(ValueError, match="timeout must be > 0"):
        RedisStorage(URL, timeout=0)
