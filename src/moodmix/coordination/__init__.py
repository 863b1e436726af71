"""Coordination: what processes share to act as one client of a rate-limited upstream.

Two protocols, ``Budget`` (one rate budget, presence, the adaptive rate's shared state) and
``Locks`` (per-key fetch locks with expiry, handed from holder to holder), kept by a Redis
backend for every process on a server (Lua scripts on the server's clock)::

    from moodmix.coordination.redis_budget import RedisBudget
    from moodmix.coordination.redis_locks import RedisLocks
    budget, locks = RedisBudget(redis, prefix="moodmix:"), RedisLocks(redis, prefix="moodmix:")

The Redis backend is imported from its own modules, so that using the protocols never
imports the Redis client. Every backend raises ``SharedUnavailable`` when it cannot answer;
its users then do what they can alone.
"""

from moodmix.coordination.protocols import (
    FREE,
    HELD,
    Budget,
    Draw,
    Locks,
    LockState,
    Presence,
    SharedUnavailable,
    Traded,
)

__all__ = [
    "FREE",
    "HELD",
    "Budget",
    "Draw",
    "LockState",
    "Locks",
    "Presence",
    "SharedUnavailable",
    "Traded",
]
