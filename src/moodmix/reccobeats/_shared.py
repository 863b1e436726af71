"""Shared mode: what the gateway builds when ``MOODMIX_REDIS_URL`` is set.

Every process pointed at the same Redis then acts as one client of ReccoBeats: one rate
budget (``SharedBucket`` over ``RedisBudget``), one adaptive rate, fetch locks so a key is
fetched by one process at a time (``SharedFlight`` over ``RedisLocks``), batch calls that
carry ids other processes queued (``Handover``); the L2 cache and the id registry are in
the same Redis (``open_storage``)::

    shared = SharedMode.open(settings, storage)      # None when redis_url is unset
    scheduler = build_scheduler(settings, budget=shared.budget if shared else None)
    flight = shared.flight("track", ref=lambda key, track: track.id)
    handover = shared.handover("track", ref=lambda key, track: track.id)
    shared.mode, shared.live                         # "shared" | "local", processes beating
    await shared.aclose()

The concurrency cap stays per process (``MOODMIX_MAX_CONCURRENCY`` each): the rate is what
ReccoBeats limits, and a global cap would make every request wait on Redis once more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from moodmix.coordination.redis_budget import RedisBudget
from moodmix.coordination.redis_locks import RedisLocks
from moodmix.resilience.handover import Handover
from moodmix.resilience.sharedflight import FlightTimes, SharedFlight
from moodmix.resilience.sharedlimit import SharedBucket
from moodmix.settings import Settings
from moodmix.store import RedisStorage, Storage

V = TypeVar("V")

LOCK_TTL_S = 10.0
"""A fetch lock lives this long unless its holder renews it (a dead holder's lock expires)."""
DONE_TTL_S = 5.0
"""How long a finished fetch's lock says where its result is."""
HANDOVER_DONE_TTL_S = 60.0
"""The same for a key fetched on another process's behalf: that process looks when its own
batch call's token comes, which under a saturated rate can take a while."""


class SharedMode:
    """The Redis parts of one gateway: budget, locks, and the bucket that draws for it."""

    def __init__(self, storage: RedisStorage, *, owns_storage: bool, prefix: str) -> None:
        self._storage = storage
        self._owns_storage = owns_storage
        self.budget = RedisBudget(storage.client, prefix=prefix)
        self.locks = RedisLocks(storage.client, prefix=prefix)
        self.bucket: SharedBucket | None = None
        """Set by the gateway once its scheduler is built."""

    @classmethod
    def open(cls, settings: Settings, storage: Storage | None) -> SharedMode | None:
        """Shared mode for ``settings`` (``None`` when no Redis is configured); reuses the
        Redis storage's connection pool when the L2 is in the same Redis."""
        if settings.redis_url is None:
            return None
        if isinstance(storage, RedisStorage):
            return cls(storage, owns_storage=False, prefix=settings.redis_prefix)
        own = RedisStorage(settings.redis_url, prefix=settings.redis_prefix)
        return cls(own, owns_storage=True, prefix=settings.redis_prefix)

    def flight(
        self,
        kind: str,
        *,
        ref: Callable[[str, V], str],
        on_join: Callable[[int], None] | None = None,
    ) -> SharedFlight[V]:
        """Cross-process single-flight for one kind; ``ref(key, value)``: the cache key."""
        return SharedFlight(
            self.locks,
            kind + ":",
            ref=ref,
            times=FlightTimes(ttl=LOCK_TTL_S, done_ttl=DONE_TTL_S),
            on_join=on_join,
        )

    def handover(
        self,
        kind: str,
        *,
        ref: Callable[[str, V], str],
        on_claim: Callable[[int], None] | None = None,
    ) -> Handover[V]:
        """Batch calls of one kind that carry other processes' queued ids (same locks)."""
        return Handover(
            self.locks,
            kind + ":",
            ref=ref,
            ttl=LOCK_TTL_S,
            done_ttl=HANDOVER_DONE_TTL_S,
            on_claim=on_claim,
        )

    @property
    def mode(self) -> str:
        """``shared`` while Redis answers, ``local`` while this process works alone."""
        return self.bucket.mode if self.bucket is not None else "shared"

    @property
    def live(self) -> int:
        """Processes drawing from the shared budget, by their heartbeats."""
        return self.bucket.live if self.bucket is not None else 1

    async def aclose(self) -> None:
        if self.bucket is not None:
            await self.bucket.aclose()
        if self._owns_storage:
            await self._storage.close()
