"""Helpers for the shared-mode tests: unique Redis prefixes, a throwaway redis-server.

::

    prefix = unique_prefix()                          # keys no other test touches
    prefix = pytest.fixture(key_prefix, name="prefix")   # the same, as a fixture, cleaned up
    await until(lambda: bucket.live == 2)             # poll a condition, fail after a while
    async with throwaway_redis() as server:           # redis-server on a free port
        url = server.url
        await server.kill(); await server.restart()   # an outage and a recovery
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable

import redis.asyncio as aioredis

from moodmix.bench.redisproc import RedisProcess

URL = "redis://127.0.0.1:6379/15"


def unique_prefix() -> str:
    return f"moodmix-test:{uuid.uuid4().hex}:"


async def key_prefix() -> AsyncIterator[str]:
    """A unique prefix whose keys are dropped afterwards (to make a fixture of)."""
    prefix = unique_prefix()
    yield prefix
    await drop_prefix(prefix)


async def redis_client() -> AsyncIterator[aioredis.Redis]:
    """A client of the test Redis, closed afterwards (to make a fixture of)."""
    client = aioredis.Redis.from_url(URL)
    yield client
    await client.aclose()


async def until(condition: Callable[[], bool], *, within: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.02)


async def drop_prefix(prefix: str, url: str = URL) -> None:
    client = aioredis.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.unlink(*keys)
    finally:
        await client.aclose()


@contextlib.asynccontextmanager
async def throwaway_redis() -> AsyncIterator[RedisProcess]:
    """A ``redis-server`` of the test's own, without persistence (the benchmark's
    ``RedisProcess``): ``kill()`` is an outage, ``restart()`` an empty Redis on the same port."""
    server = await RedisProcess.start()
    try:
        yield server
    finally:
        await server.stop()
