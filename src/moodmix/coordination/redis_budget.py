"""``RedisBudget``: the shared rate budget (``Budget``) as Lua scripts in Redis.

Every process's ``SharedBucket`` draws from it, so the upstream sees one client however
many processes there are. A draw is one ``EVALSHA`` running GCRA (the generic cell rate
algorithm: one timestamp per budget, no refill loop) on the server's own clock, so the
processes' clocks never have to agree::

    budget = RedisBudget(storage.client, prefix="moodmix:")
    draw = await budget.draw(rate=80 / 60, burst=1)   # Draw(wait=0.0, version=3, run=1): granted
    await budget.draw(rate=1.5, burst=1, version=2)  # Draw(..., stale=True): load version 3 first
    await budget.pause(2.0, rate=80 / 60, burst=1)    # Retry-After: 2, for every process
    version = await budget.publish(controller.state())
    presence = await budget.beat("worker-1", ttl=3.0) # Presence(live=3, version=4)

Keys, under ``prefix + "limit:"``: ``tat`` (the budget's theoretical arrival time) and
``interval`` (a token's milliseconds when ``tat`` was set: a new rate keeps the tokens owed,
so a lower rate never brings the next token sooner), ``pause`` (exists while paused),
``run`` (a hash: the tokens handed out back to back as ``TokenBucket.run`` counts them,
what the run lost to tokens sitting unused, the tokens handed out in all, when the budget
was last paused and the tokens handed out since), ``state``
and ``version`` (the adaptive controller's shared state, JSON, kept ``STATE_KEPT_S`` past
the last publish or heartbeat) and ``live`` (a sorted set of processes by heartbeat
deadline). Redis failures raise ``SharedUnavailable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from moodmix.coordination.protocols import STATE_KEPT_S, Draw, Presence, SharedUnavailable
from moodmix.resilience.adaptive import StateValue
from moodmix.resilience.tokenbucket import RUN_SLACK

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
"""

_DRAW = (
    _NOW
    + """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local slack = tonumber(ARGV[3])
local version = redis.call('GET', KEYS[3]) or '0'
local info = redis.call('HMGET', KEYS[4], 'n', 'lost', 'total', 'drained', 'since')
local run = tonumber(info[1] or '0')
local total = tonumber(info[3] or '0')
local since = tonumber(info[5] or '0')
local drained = '-1'
if info[4] then drained = string.format('%.3f', now - tonumber(info[4])) end
if ARGV[5] ~= '' and ARGV[5] ~= version then
  return {'stale', version, run, total, since, drained}
end
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {tostring(paused), version, run, total, since, drained} end
local stored = redis.call('GET', KEYS[1])
local tat = tonumber(stored or '0')
local was = tonumber(redis.call('GET', KEYS[5]) or '0')
if stored and was > 0 and was ~= interval and tat > now then
  tat = now + (tat - now) * interval / was
end
local earliest = tat - interval * (burst - 1)
if earliest > now then
  local wait = string.format('%.3f', math.max(earliest - now, 0.001))
  return {wait, version, run, total, since, drained}
end
local spare = math.min(burst, burst - (tat - now) / interval) - 1
local lost = tonumber(info[2] or '0') + math.max(now - tat, 0) / interval
if stored and run > 0 and spare < 1 and lost < 1 + slack * (run + 1) then
  run = run + 1
else
  run, lost = 1, 0
end
if ARGV[4] == '0' then lost = 1e18 end
if tat < now then tat = now end
local nxt = tat + interval
local ttl = math.ceil(nxt - now) + 1000
redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', ttl)
redis.call('SET', KEYS[5], ARGV[1], 'PX', ttl)
total = total + 1
since = since + 1
redis.call('HSET', KEYS[4], 'n', run, 'lost', string.format('%.6f', lost), 'total', total,
  'since', since)
redis.call('PEXPIRE', KEYS[4], ttl)
return {'0', version, run, total, since, drained}
"""
)

_REFUND = (
    _NOW
    + """
local interval = tonumber(ARGV[1])
if tonumber(redis.call('HGET', KEYS[2], 'since') or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], 'since', -1)
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') - interval
if tat > now then
  redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1000)
else
  redis.call('DEL', KEYS[1])
end
return 1
"""
)

_PAUSE = (
    _NOW
    + """
local ms = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
if ms > redis.call('PTTL', KEYS[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', math.max(1, math.ceil(ms)))
end
local floor = now + ms + interval * (burst - 1)
local stored = redis.call('GET', KEYS[1])
local tat = tonumber(stored or '0')
local was = tonumber(redis.call('GET', KEYS[3]) or '0')
if stored and was > 0 and was ~= interval and tat > now then
  tat = now + (tat - now) * interval / was
end
if tat < floor then tat = floor end
local ttl = math.ceil(tat - now) + 1000
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', ttl)
redis.call('SET', KEYS[3], ARGV[2], 'PX', ttl)
redis.call('HSET', KEYS[4], 'drained', string.format('%.3f', now), 'since', 0)
redis.call('PEXPIRE', KEYS[4], math.max(ttl, redis.call('PTTL', KEYS[4])))
return 1
"""
)

_PUBLISH = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('INCR', KEYS[2])
"""

_BEAT = (
    _NOW
    + """
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(ttl * 10))
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return {redis.call('ZCARD', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}
"""
)


_STATE_KEPT_MS = round(STATE_KEPT_S * 1000)


def _interval_ms(rate: float) -> float:
    if not rate > 0:
        raise ValueError(f"rate must be > 0 tokens per second, got {rate!r}")
    return 1000.0 / rate


class RedisBudget:
    """``Budget`` on a Redis server (``redis.asyncio`` client, e.g. ``RedisStorage.client``)."""

    def __init__(self, client: aioredis.Redis, *, prefix: str = "moodmix:") -> None:
        self._redis = client
        ns = prefix + "limit:"
        self._tat, self._pause_key = ns + "tat", ns + "pause"
        self._state, self._version = ns + "state", ns + "version"
        self._live, self._run = ns + "live", ns + "run"
        self._interval = ns + "interval"
        self._draw = client.register_script(_DRAW)
        self._refund = client.register_script(_REFUND)
        self._pause = client.register_script(_PAUSE)
        self._publish = client.register_script(_PUBLISH)
        self._beat = client.register_script(_BEAT)

    async def draw(
        self, rate: float, burst: int, *, backlog: bool = True, version: int | None = None
    ) -> Draw:
        keys = [self._tat, self._pause_key, self._version, self._run, self._interval]
        known = "" if version is None else str(version)
        args = [_interval_ms(rate), burst, RUN_SLACK, int(backlog), known]
        reply = await self._call(self._draw, keys, args)
        wait_ms, stored, run, total, since, drained = cast(list[Any], reply)
        age = float(drained) / 1000
        stale = wait_ms in (b"stale", "stale")
        return Draw(
            0.0 if stale else float(wait_ms) / 1000,
            int(stored),
            int(run),
            int(total),
            int(since),
            None if age < 0 else age,
            stale,
        )

    async def refund(self, rate: float) -> None:
        await self._call(self._refund, [self._tat, self._run], [_interval_ms(rate)])

    async def pause(self, seconds: float, rate: float, burst: int) -> None:
        keys = [self._tat, self._pause_key, self._interval, self._run]
        await self._call(self._pause, keys, [seconds * 1000, _interval_ms(rate), burst])

    async def publish(self, state: Mapping[str, StateValue]) -> int:
        version = await self._call(
            self._publish,
            [self._state, self._version],
            [orjson.dumps(dict(state)), _STATE_KEPT_MS],
        )
        return int(cast(int, version))

    async def load(self) -> tuple[int, dict[str, StateValue] | None]:
        try:
            raw, version = await self._redis.mget([self._state, self._version])
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc
        state = orjson.loads(raw) if raw else None
        return int(version or 0), state if isinstance(state, dict) else None

    async def beat(self, member: str, ttl: float) -> Presence:
        keys = [self._live, self._version, self._state]
        reply = await self._call(self._beat, keys, [member, ttl * 1000, _STATE_KEPT_MS])
        live, version = cast(list[Any], reply)
        return Presence(int(live), int(version))

    async def leave(self, member: str) -> None:
        try:
            await self._redis.zrem(self._live, member)
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc

    async def _call(self, script: Any, keys: list[str], args: list[Any]) -> object:
        try:
            return cast(object, await script(keys=keys, args=args))
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc


def _unavailable(exc: BaseException) -> SharedUnavailable:
    return SharedUnavailable(
        f"the shared rate budget in Redis is unreachable ({exc}); this process paces itself "
        "at its share of the rate until Redis answers again"
    )
