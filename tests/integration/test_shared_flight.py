"""Cross-process single-flight: one process fetches a key, the others wait and read it; a
holder that dies loses its lock when it expires, and a waiter takes over."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from shared_kit import URL, key_prefix, redis_client

from moodmix.coordination import LockState
from moodmix.coordination.redis_locks import RedisLocks
from moodmix.resilience.sharedflight import FlightTimes, SharedFlight

pytestmark = pytest.mark.redis

WORKER = Path(__file__).with_name("shared_worker.py")


prefix = pytest.fixture(key_prefix, name="prefix")
client = pytest.fixture(redis_client, name="client")


class Upstream:
    """A fetch that counts what it was asked, and a shared 'cache' the fetch fills."""

    def __init__(self, delay: float = 0.0) -> None:
        self.asked: list[str] = []
        self.cache: dict[str, str] = {}
        self.delay = delay

    async def fetch(self, keys: list[str]) -> Mapping[str, str]:
        self.asked += keys
        await asyncio.sleep(self.delay)
        found = {key: key.upper() for key in keys if not key.startswith("none")}
        self.cache.update({value: value for value in found.values()})
        return found

    async def read(self, refs: list[str]) -> Mapping[str, str]:
        return {ref: self.cache[ref] for ref in refs if ref in self.cache}


def flight(client: aioredis.Redis, prefix: str, **times: float) -> SharedFlight[str]:
    return SharedFlight(
        RedisLocks(client, prefix=prefix),
        "kind:",
        ref=lambda key, value: value,
        times=FlightTimes(**times),
    )


async def test_processes_asking_together_fetch_each_key_once(
    client: aioredis.Redis, prefix: str
) -> None:
    upstream = Upstream(delay=0.2)
    flights = [flight(client, prefix) for _ in range(4)]
    answers = await asyncio.gather(
        flights[0].do_many(["a", "b", "none-1"], upstream.fetch, upstream.read),
        *(f.do_many(["b", "a", "c", "none-1"], upstream.fetch, upstream.read) for f in flights[1:]),
    )
    assert answers[0] == {"a": "A", "b": "B"}
    assert all(answer == {"a": "A", "b": "B", "c": "C"} for answer in answers[1:])
    assert sorted(upstream.asked) == ["a", "b", "c", "none-1"]
    assert sum(f.joins for f in flights) == 3 * 3 + 2  # a, b, none-1 thrice; c twice


async def test_a_killed_holder_s_lock_expires_and_a_waiter_takes_over(
    client: aioredis.Redis, prefix: str
) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        "hold",
        URL,
        prefix,
        "kind:k",
        "1.0",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert (await holder.stdout.readline()).strip() == b"held"
        locks = RedisLocks(client, prefix=prefix)
        assert await locks.states(["kind:k"]) == {"kind:k": LockState("held")}
        holder.send_signal(signal.SIGKILL)
        await holder.wait()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
    upstream = Upstream()
    waiter = flight(client, prefix, max_wait=30.0)
    assert await waiter.do_many(["k"], upstream.fetch, upstream.read) == {"k": "K"}
    assert upstream.asked == ["k"]
    assert waiter.joins == 1
    assert waiter.takeovers == 1


async def test_a_failed_fetch_frees_its_keys_for_the_next_process(
    client: aioredis.Redis, prefix: str
) -> None:
    first, second = flight(client, prefix), flight(client, prefix)
    upstream = Upstream()

    fetching = asyncio.Event()

    async def failing(keys: list[str]) -> Mapping[str, str]:
        fetching.set()  # the lock is held once the fetch starts
        await asyncio.sleep(0.1)
        raise RuntimeError("upstream down")

    failing_task = asyncio.create_task(first.do_many(["x"], failing, upstream.read))
    await fetching.wait()
    assert await RedisLocks(client, prefix=prefix).states(["kind:x"]) == {
        "kind:x": LockState("held")
    }
    answered = await second.do_many(["x"], upstream.fetch, upstream.read)
    with pytest.raises(RuntimeError, match="upstream down"):
        await failing_task
    assert answered == {"x": "X"}
    assert second.takeovers == 1


async def test_a_failed_fetch_stops_the_wait_for_keys_another_process_holds(
    client: aioredis.Redis, prefix: str
) -> None:
    other = RedisLocks(client, prefix=prefix)
    assert await other.acquire(["kind:theirs"], 30.0) == {"kind:theirs"}  # held, never released
    mine = flight(client, prefix, max_wait=30.0)
    upstream = Upstream()
    before = asyncio.all_tasks()

    async def failing(keys: list[str]) -> Mapping[str, str]:
        await asyncio.sleep(0.2)  # the wait for "theirs" is polling by now
        raise RuntimeError("upstream down")

    with pytest.raises(RuntimeError, match="upstream down"):
        await mine.do_many(["ours", "theirs"], failing, upstream.read)
    left = {t for t in asyncio.all_tasks() - before if not t.done()}
    assert left == set()  # no waiter still polling Redis for "theirs"
    assert upstream.asked == []


async def test_without_redis_every_process_fetches_for_itself() -> None:
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    upstream = Upstream()
    try:
        answer = await flight(client, "p:").do_many(["a"], upstream.fetch, upstream.read)
    finally:
        await client.aclose()
    assert answer == {"a": "A"}
    assert upstream.asked == ["a"]
