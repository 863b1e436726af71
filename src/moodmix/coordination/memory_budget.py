"""``MemoryBudget``: the shared rate budget (``Budget``) for the processes of one process.

It keeps what ``RedisBudget`` keeps in Redis, in a few attributes, and runs the same steps
as its Lua scripts on an injected clock, so several ``SharedBucket``s in one event loop
share one budget exactly as processes share a Redis one, and tests move time by hand::

    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    await budget.draw(rate=1.0, burst=1)      # Draw(wait=0.0, version=0, run=1, handed_out=1)
    await budget.draw(rate=1.0, burst=1)      # Draw(wait=1.0, ...): the next token is 1 s away
    clock.advance(1.0)                        # granted again, the run goes on

A draw or pause at a rate other than the one the theoretical arrival time was counted at
keeps the tokens owed (the time still to run, rescaled), as ``TokenBucket.set_rate`` does:
left in the old rate's time, a lower rate would hand out the next token sooner, a token
the upstream, already paced at the old rate, does not have yet.

Each method is one step with no ``await`` inside, so it is atomic as a Lua script is: an
event loop runs one step at a time. Times are kept in milliseconds, as the scripts keep
them, and every value expires when its Redis key would (the budget's theoretical arrival
time and run a second after they stop mattering, the pause at its end, the shared state
``STATE_KEPT_S`` after the last publish or heartbeat, the heartbeats ten times their time
to live after the last one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

import orjson

from moodmix.clock import Clock, monotonic
from moodmix.coordination.protocols import STATE_KEPT_S, Draw, Presence
from moodmix.resilience.adaptive import StateValue
from moodmix.resilience.tokenbucket import RUN_SLACK

_STATE_TTL_MS = STATE_KEPT_S * 1000


class MemoryBudget:
    """``Budget`` in this process's memory, on ``clock`` (seconds, e.g. ``ManualClock``)."""

    def __init__(self, *, clock: Clock = monotonic) -> None:
        self._clock = clock
        self._tat: float | None = None
        self._tat_until = -math.inf
        self._interval: float | None = None  # the interval ``_tat`` was counted in
        self._paused_until = -math.inf
        self._run = 0
        self._lost = 0.0
        self._total = 0
        self._run_until = -math.inf
        self._drained_at: float | None = None  # the last pause, while the run's keys live
        self._since_drained = 0
        self._state: bytes | None = None
        self._state_until = -math.inf
        self._version = 0
        self._live: dict[str, float] = {}
        self._live_until = -math.inf

    async def draw(
        self, rate: float, burst: int, *, backlog: bool = True, version: int | None = None
    ) -> Draw:
        interval = _interval_ms(rate)
        now = self._now()
        self._expire(now)
        run, total = self._run, self._total
        if version is not None and version != self._version:
            return replace(self._answer(0.0, now), stale=True)
        if self._paused_until > now:
            return self._answer((self._paused_until - now) / 1000, now)
        stored = self._tat is not None
        tat = self._owed(now, interval)
        earliest = tat - interval * (burst - 1)
        if earliest > now:
            return self._answer(max(earliest - now, 0.001) / 1000, now)
        spare = min(burst, burst - (tat - now) / interval) - 1
        lost = self._lost + max(now - tat, 0.0) / interval
        if stored and run > 0 and spare < 1 and lost < 1 + RUN_SLACK * (run + 1):
            run += 1
        else:
            run, lost = 1, 0.0
        if not backlog:
            lost = 1e18
        tat = max(tat, now)
        nxt = tat + interval
        ttl = math.ceil(nxt - now) + 1000
        self._tat, self._tat_until, self._interval = nxt, now + ttl, interval
        total += 1
        self._run, self._lost, self._total, self._run_until = run, lost, total, now + ttl
        self._since_drained += 1
        return self._answer(0.0, now)

    async def refund(self, rate: float) -> None:
        interval = _interval_ms(rate)
        now = self._now()
        self._expire(now)
        self._since_drained = max(self._since_drained - 1, 0)
        tat = (self._tat or 0.0) - interval
        if tat > now:
            self._tat, self._tat_until = tat, now + math.ceil(tat - now) + 1000
        else:
            self._tat = None

    async def pause(self, seconds: float, rate: float, burst: int) -> None:
        ms, interval = seconds * 1000, _interval_ms(rate)
        now = self._now()
        self._expire(now)
        if ms > (self._paused_until - now if self._paused_until >= now else -2):
            self._paused_until = now + max(1, math.ceil(ms))
        floor = now + ms + interval * (burst - 1)
        tat = max(self._owed(now, interval), floor)
        ttl = math.ceil(tat - now) + 1000
        self._tat, self._tat_until, self._interval = tat, now + ttl, interval
        self._drained_at, self._since_drained = now, 0
        self._run_until = max(self._run_until, now + ttl)

    async def publish(self, state: Mapping[str, StateValue]) -> int:
        now = self._now()
        self._state, self._state_until = orjson.dumps(dict(state)), now + _STATE_TTL_MS
        self._version += 1
        return self._version

    async def load(self) -> tuple[int, dict[str, StateValue] | None]:
        self._expire(self._now())
        state = orjson.loads(self._state) if self._state else None
        return self._version, state if isinstance(state, dict) else None

    async def beat(self, member: str, ttl: float) -> Presence:
        now = self._now()
        self._expire(now)
        ttl_ms = ttl * 1000
        self._live[member] = now + ttl_ms
        self._live = {name: until for name, until in self._live.items() if until > now}
        self._live_until = now + math.ceil(ttl_ms * 10)
        if self._state is not None:
            self._state_until = now + _STATE_TTL_MS
        return Presence(len(self._live), self._version)

    async def leave(self, member: str) -> None:
        self._expire(self._now())
        self._live.pop(member, None)

    def _answer(self, wait: float, now: float) -> Draw:
        drained = None if self._drained_at is None else (now - self._drained_at) / 1000
        return Draw(wait, self._version, self._run, self._total, self._since_drained, drained)

    def _owed(self, now: float, interval: float) -> float:
        """The theoretical arrival time at ``interval``: the tokens owed are kept when the
        rate changes (0.0 when none is stored)."""
        tat, was = self._tat, self._interval
        if tat is None:
            return 0.0
        if was is not None and was != interval and tat > now:
            return now + (tat - now) * interval / was
        return tat

    def _now(self) -> float:
        return self._clock() * 1000

    def _expire(self, now: float) -> None:
        """Drop what Redis would have let expire by ``now`` (a key lives until its deadline)."""
        if now > self._tat_until:
            self._tat = self._interval = None
        if now > self._run_until:
            self._run, self._lost, self._total = 0, 0.0, 0
            self._drained_at, self._since_drained = None, 0
        if now > self._state_until:
            self._state = None
        if now > self._live_until:
            self._live = {}


def _interval_ms(rate: float) -> float:
    if not rate > 0:
        raise ValueError(f"rate must be > 0 tokens per second, got {rate!r}")
    return 1000.0 / rate
