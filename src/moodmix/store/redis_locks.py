"""``RedisLocks``: per-key fetch locks (``Locks``) in Redis, for ``SharedFlight``.

A lock is one key, ``SET NX PX``: its value is ``h:<holder>`` while a process fetches, and
``d:<ref>`` for a few seconds once the fetch is done (``<ref>`` says where the value was
cached; an empty one, that the upstream had none). Renewing, releasing and abandoning check
the holder in a Lua script, so a process never touches a lock it no longer holds::

    locks = RedisLocks(storage.client, prefix="moodmix:")
    mine = await locks.acquire(["flight:track:a"], ttl=10.0)   # {"flight:track:a"}
    await locks.release({"flight:track:a": "a"}, done_ttl=5.0)
    await locks.states(["flight:track:a"])    # {"flight:track:a": LockState("done", "a")}

Redis failures raise ``SharedUnavailable``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from moodmix.resilience.coordination import FREE, HELD, LockState, SharedUnavailable

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


class RedisLocks:
    """``Locks`` on a Redis server; one holder identity per instance."""

    def __init__(self, client: aioredis.Redis, *, prefix: str = "moodmix:") -> None:
        self._redis = client
        self._prefix = prefix + "flight:"
        self.holder = uuid.uuid4().hex
        self._held = ("h:" + self.holder).encode()
        self._extend = client.register_script(_EXTEND)
        self._release = client.register_script(_RELEASE)
        self._abandon = client.register_script(_ABANDON)

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
