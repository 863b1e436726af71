"""Helpers for the shared-mode tests: unique Redis prefixes, a throwaway redis-server.

::

    prefix = unique_prefix()                          # keys no other test touches
    prefix = pytest.fixture(key_prefix, name="prefix")   # the same, as a fixture, cleaned up
    await until(lambda: bucket.live == 2)             # poll a condition, fail after a while
    async with ThrowawayRedis() as server:            # redis-server on a free port
        url = server.url
        await server.stop(); await server.start()     # an outage and a recovery
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from types import TracebackType

import redis.asyncio as aioredis

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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayRedis:
    """A ``redis-server`` of the test's own, without persistence, that it can stop and restart."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed (Debian: apt-get install redis-server)"
            )
        self._binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self._binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        client = aioredis.Redis.from_url(self.url)
        try:
            for _ in range(200):
                with contextlib.suppress(Exception):
                    if await client.ping():
                        return
                await asyncio.sleep(0.025)
        finally:
            await client.aclose()
        raise RuntimeError(f"redis-server on port {self.port} did not answer")

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()

    async def __aenter__(self) -> ThrowawayRedis:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
