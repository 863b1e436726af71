"""``RedisWindow``: the rolling window (``Window``) as one Lua script in Redis.

Every process counts its requests in one sorted set per key (members unique, scored by the
server's clock in milliseconds), so the upstream sees one app however many processes send::

    window = RedisWindow(storage.client, prefix="moodmix:")
    wait = await window.admit("spotify", limit=180, seconds=30.0)   # 0.0: counted
    await window.pause("spotify", 5.0)                              # a Retry-After, for all

Keys, under ``prefix + "window:"``: ``<key>`` (the sorted set, expiring a window after its
last request) and ``<key>:pause`` (exists while paused). Redis failures raise
``SharedUnavailable``.
"""

from __future__ import annotations

import uuid
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from moodmix.coordination.protocols import SharedUnavailable

_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return tostring(paused) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return string.format('%.3f', math.max(tonumber(oldest[2]) + window - now, 1))
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window))
return '0'
"""

_PAUSE = """
local ms = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if ms > left then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
"""


class RedisWindow:
    """``Window`` on a Redis server, shared by every process that uses the same prefix."""

    def __init__(
        self, client: aioredis.Redis, *, prefix: str = "moodmix:", owns_client: bool = False
    ) -> None:
        self._redis = client
        self._owns_client = owns_client
        self._prefix = prefix + "window:"
        self._admit = client.register_script(_ADMIT)
        self._pause = client.register_script(_PAUSE)

    async def admit(self, key: str, limit: int, seconds: float) -> float:
        keys = [self._prefix + key, self._prefix + key + ":pause"]
        member = uuid.uuid4().hex
        waited = await self._call(self._admit, keys, [limit, seconds * 1000, member])
        return float(waited) / 1000  # type: ignore[arg-type]

    async def pause(self, key: str, seconds: float) -> None:
        keys = [self._prefix + key + ":pause"]
        await self._call(self._pause, keys, [max(1, int(seconds * 1000))])

    async def aclose(self) -> None:
        """Close the client when this window opened it (``owns_client``)."""
        if self._owns_client:
            await self._redis.aclose()

    async def _call(self, script: Any, keys: list[str], args: list[Any]) -> object:
        try:
            return await script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            raise SharedUnavailable(f"Redis: {type(exc).__name__}: {exc}") from exc
