"""``Storage`` in Redis: one key per item with its own expiry, shared by every process.

For when several workers should share one cache. Writes are ``SET key value PXAT <ms>``
in one pipeline; reads are ``MGET`` in one pipeline; ``clear`` walks ``SCAN`` with
``UNLINK``. Every key carries ``prefix``, so several apps (or tests) share a server::

    storage = RedisStorage("redis://127.0.0.1:6379/0", prefix="moodmix:")
    await storage.set_many({"track:abc": Stored(b"...", expires_at=time.time() + 7200)})
    await storage.get_many(["track:abc"])
    await storage.clear("track:")
    await storage.close()

Each value is stored behind an 8-byte header holding its expiry, so one ``MGET`` returns
both. Any Redis failure (refused, timed out, out of memory) raises ``StorageUnavailable``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from moodmix.clock import Clock, wall
from moodmix.store.storage import StorageUnavailable, Stored

_HEADER = struct.Struct("<d")
_CHUNK = 1_000
"""Keys per ``MGET``/``UNLINK`` command inside one pipeline."""


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=f"***@{host}").geturl()


def _escape_glob(text: str) -> str:
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


class RedisStorage:
    """``Storage`` on a Redis server, through a bounded pool of ``max_connections``."""

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "moodmix:",
        max_connections: int = 50,
        timeout: float = 2.0,
        clock: Clock = wall,
    ) -> None:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"url must start with redis://, rediss:// or unix://, got {url!r}")
        if isinstance(max_connections, bool) or not isinstance(max_connections, int):
            raise ValueError(f"max_connections must be an integer >= 1, got {max_connections!r}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be an integer >= 1, got {max_connections!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
        self.prefix = prefix
        self._clock = clock
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(ExponentialBackoff(cap=0.1, base=0.01), retries=1),
        )
        self._redis = aioredis.Redis.from_pool(pool)
        self._url = _redact(url)

    @property
    def client(self) -> aioredis.Redis:
        """The underlying client, for callers that share this connection pool."""
        return self._redis

    async def get_many(self, keys: Iterable[str]) -> dict[str, Stored]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for start in range(0, len(wanted), _CHUNK):
                    pipe.mget([self.prefix + key for key in wanted[start : start + _CHUNK]])
                replies: list[list[bytes | None]] = await pipe.execute()
        except RedisError as exc:
            raise self._unavailable("read from", exc) from exc
        now = self._clock()
        found: dict[str, Stored] = {}
        values = (value for reply in replies for value in reply)
        for key, raw in zip(wanted, values, strict=True):
            if raw is None or len(raw) < _HEADER.size:
                continue
            (expires_at,) = _HEADER.unpack_from(raw)
            if expires_at > now:
                found[key] = Stored(raw[_HEADER.size :], expires_at)
        return found

    async def set_many(self, items: Mapping[str, Stored]) -> None:
        if not items:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, stored in items.items():
                    pipe.set(
                        self.prefix + key,
                        _HEADER.pack(stored.expires_at) + stored.value,
                        pxat=max(1, int(stored.expires_at * 1000)),
                    )
                await pipe.execute()
        except RedisError as exc:
            raise self._unavailable("write to", exc) from exc

    async def delete_many(self, keys: Iterable[str]) -> None:
        wanted = [self.prefix + key for key in dict.fromkeys(keys)]
        if not wanted:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for start in range(0, len(wanted), _CHUNK):
                    pipe.unlink(*wanted[start : start + _CHUNK])
                await pipe.execute()
        except RedisError as exc:
            raise self._unavailable("delete from", exc) from exc

    async def clear(self, prefix: str | None = None) -> int:
        pattern = _escape_glob(self.prefix + (prefix or "")) + "*"
        removed = 0
        batch: list[bytes] = []
        try:
            async for key in self._redis.scan_iter(match=pattern, count=_CHUNK):
                batch.append(key)
                if len(batch) >= _CHUNK:
                    removed += await self._redis.unlink(*batch)
                    batch = []
            if batch:
                removed += await self._redis.unlink(*batch)
        except RedisError as exc:
            raise self._unavailable("clear", exc) from exc
        return removed

    async def close(self) -> None:
        await self._redis.aclose()

    def _unavailable(self, doing: str, exc: BaseException) -> StorageUnavailable:
        return StorageUnavailable(
            f"cannot {doing} Redis at {self._url}: {exc}. Check that the server is running and "
            "reachable, or use the SQLite cache instead.",
            backend="redis",
        )
