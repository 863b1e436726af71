"""``RedisLocks``: per-key fetch locks (``Locks``) in Redis, for ``SharedFlight``.

A lock is one key, ``SET NX PX``: its value is ``h:<holder>`` while a process fetches, and
``d:<ref>`` for a few seconds once the fetch is done (``<ref>`` says where the value was
cached; an empty one, that the upstream had none). Renewing, releasing and abandoning check
the holder in a Lua script, so a process never touches a lock it no longer holds::

    locks = RedisLocks(storage.client, prefix="moodmix:")
    mine = await locks.acquire(["flight:track:a"], ttl=10.0)   # {"flight:track:a"}
    await locks.release({"flight:track:a": "a"}, done_ttl=5.0)
    await locks.states(["flight:track:a"])    # {"flight:track:a": LockState("done", "a")}

A pool of offered locks (``offer``, ``trade``) is a sorted set by time of offer. ``trade``
moves a lock to its new holder in the same script that takes it out of the pool, so each
offered key goes to one holder; as it finds offered keys by scanning the pool, its script
touches keys it is not given, which a single Redis or Valkey allows (a cluster does not).

Redis failures raise ``SharedUnavailable``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from moodmix.coordination.protocols import FREE, HELD, LockState, SharedUnavailable, Traded

_EXTEND = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) end
end
return 1
"""

_RELEASE = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('SET', key, ARGV[i + 2], 'PX', ARGV[2])
  end
end
return 1
"""

_ABANDON = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
"""

_OFFER = """
local held, prefix = ARGV[1], ARGV[4]
local offered = 0
for i = 5, #ARGV do
  if redis.call('GET', prefix .. ARGV[i]) == held then
    redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[i])
    offered = offered + 1
  end
end
if offered > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return offered
"""

_TRADE = """
local held, room, ttl, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local kept, claimed = {}, {}
for i = 5, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  if redis.call('GET', prefix .. ARGV[i]) == held then table.insert(kept, ARGV[i]) end
end
local left = room - #kept
if left > 0 then
  for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if left <= 0 then break end
    local value = redis.call('GET', prefix .. name)
    if value ~= held then
      redis.call('ZREM', KEYS[1], name)
      if value and string.sub(value, 1, 2) == 'h:' then
        redis.call('SET', prefix .. name, held, 'PX', ttl)
        table.insert(claimed, name)
        left = left - 1
      end
    end
  end
end
return {kept, claimed}
"""

_POOL_TTL_MS = 60_000
"""An offer pool nobody adds to for this long is dropped (its holders are gone)."""


class RedisLocks:
    """``Locks`` on a Redis server; one holder identity per instance."""

    def __init__(self, client: aioredis.Redis, *, prefix: str = "moodmix:") -> None:
        self._redis = client
        self._prefix = prefix + "flight:"
        self._pools = prefix + "offers:"
        self.holder = uuid.uuid4().hex
        self._held = ("h:" + self.holder).encode()
        self._extend = client.register_script(_EXTEND)
        self._release = client.register_script(_RELEASE)
        self._abandon = client.register_script(_ABANDON)
        self._offer = client.register_script(_OFFER)
        self._trade = client.register_script(_TRADE)

    async def acquire(self, keys: Sequence[str], ttl: float) -> set[str]:
        if not keys:
            return set()
        ms = max(1, int(ttl * 1000))
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(self._prefix + key, self._held, nx=True, px=ms)
                replies: list[Any] = await pipe.execute()
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc
        return {key for key, ok in zip(keys, replies, strict=True) if ok}

    async def extend(self, keys: Sequence[str], ttl: float) -> None:
        await self._run(self._extend, keys, [self._held, max(1, int(ttl * 1000))])

    async def release(self, results: Mapping[str, str | None], *, done_ttl: float) -> None:
        values = [("d:" + (ref or "")).encode() for ref in results.values()]
        await self._run(
            self._release, list(results), [self._held, max(1, int(done_ttl * 1000)), *values]
        )

    async def abandon(self, keys: Sequence[str]) -> None:
        await self._run(self._abandon, keys, [self._held])

    async def states(self, keys: Sequence[str]) -> dict[str, LockState]:
        if not keys:
            return {}
        try:
            raw: list[Any] = await self._redis.mget([self._prefix + k for k in keys])
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc
        return {key: _state(value) for key, value in zip(keys, raw, strict=True)}

    async def offer(self, pool: str, keys: Sequence[str]) -> None:
        if not keys:
            return
        score = int(time.time() * 1000)
        args: list[Any] = [self._held, score, _POOL_TTL_MS, self._prefix, *keys]
        try:
            await self._offer(keys=[self._pools + pool], args=args)
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc

    async def trade(self, pool: str, keys: Sequence[str], *, room: int, ttl: float) -> Traded:
        args: list[Any] = [self._held, room, max(1, int(ttl * 1000)), self._prefix, *keys]
        try:
            kept, claimed = await self._trade(keys=[self._pools + pool], args=args)
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc
        return Traded([k.decode() for k in kept], [k.decode() for k in claimed])

    async def _run(self, script: Any, keys: Sequence[str], args: list[Any]) -> None:
        if not keys:
            return
        try:
            await script(keys=[self._prefix + k for k in keys], args=args)
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc


def _state(value: bytes | None) -> LockState:
    if value is None:
        return FREE
    if value.startswith(b"d:"):
        return LockState("done", value[2:].decode() or None)
    return HELD


def _unavailable(exc: BaseException) -> SharedUnavailable:
    return SharedUnavailable(
        f"the shared fetch locks in Redis are unreachable ({exc}); this process fetches for "
        "itself until Redis answers again"
    )
