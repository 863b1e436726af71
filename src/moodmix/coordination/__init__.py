"""Coordination: what processes share to act as one client of a rate-limited upstream.

Three protocols, ``Budget`` (one rate budget, presence, the adaptive rate's shared state),
``Locks`` (per-key fetch locks with expiry, handed from holder to holder) and ``Window``
(requests counted over a rolling window, as Spotify counts an app's), each with two
backends that keep the same promises, checked by one conformance suite: memory, for the
holders in one process (tests, one-process runs, on an injected clock), and Redis, for
every process on a server (Lua scripts on the server's clock)::

    from moodmix.coordination import LockTable, MemoryBudget, MemoryLocks
    budget, locks = MemoryBudget(clock=clock), MemoryLocks(LockTable(clock=clock))

    from moodmix.coordination.redis_budget import RedisBudget
    from moodmix.coordination.redis_locks import RedisLocks
    budget, locks = RedisBudget(redis, prefix="moodmix:"), RedisLocks(redis, prefix="moodmix:")

The Redis backend is imported from its own modules, so that using the protocols or the
memory backend never imports the Redis client. Every backend raises ``SharedUnavailable``
when it cannot answer; its users then do what they can alone.
"""

from moodmix.coordination.memory_budget import MemoryBudget
from moodmix.coordination.memory_locks import LockTable, MemoryLocks
from moodmix.coordination.memory_window import MemoryWindow
from moodmix.coordination.protocols import (
    FREE,
    HELD,
    STATE_KEPT_S,
    Budget,
    Draw,
    Locks,
    LockState,
    Presence,
    SharedUnavailable,
    Traded,
    Window,
)

__all__ = [
    "FREE",
    "HELD",
    "STATE_KEPT_S",
    "Budget",
    "Draw",
    "LockState",
    "LockTable",
    "Locks",
    "MemoryBudget",
    "MemoryLocks",
    "MemoryWindow",
    "Presence",
    "SharedUnavailable",
    "Traded",
    "Window",
]
